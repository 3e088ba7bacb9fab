// The module boundaries hold: the lint rules catch what they are meant to catch, and the source
// has no import cycle (a cycle is how "modules meet only through index.ts" quietly rots).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries } from '../../eslint.boundaries.js';

const root = path.resolve(import.meta.dirname, '../..');
const src = path.join(root, 'src');

function lint(file: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { lastro: boundaries },
        rules: { 'lastro/module-boundaries': 'error', 'lastro/sql-in-repos': 'error' },
      },
    ],
    { filename: path.join(root, file) },
  );
  return messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint rules for module boundaries', () => {
  it('lets a module import another module only through its index.ts', () => {
    expect(lint('src/modules/lending/lending.service.ts', "import { x } from '../ledger/index.js';")).toEqual([]);
    expect(lint('src/modules/lending/lending.service.ts', "import { x } from '../ledger/ledger.repo.js';")).toEqual([
      "lastro/module-boundaries: Import module 'ledger' through its index.ts, not '../ledger/ledger.repo.js'.",
    ]);
    expect(lint('src/modules/events/sinks/webhook.ts', "import { x } from '../../orgs/orgs.service.js';")).toHaveLength(1);
    expect(lint('src/modules/events/sinks/webhook.ts', "export * from '../../orgs/orgs.repo.js';")).toHaveLength(1);
    // Inside its own module a file imports what it likes.
    expect(lint('src/modules/events/sinks/webhook.ts', "import { x } from '../events.repo.js';")).toEqual([]);
  });

  it('keeps the platform from importing modules or the app', () => {
    expect(lint('src/platform/http/server.ts', "import { x } from '../../modules/orgs/index.js';")).toHaveLength(1);
    expect(lint('src/platform/http/server.ts', "import { createApp } from '../../app.js';")).toHaveLength(1);
    expect(lint('src/platform/http/server.ts', "import { x } from '../errors.js';")).toEqual([]);
  });

  it('keeps SQL in repositories and platform/db', () => {
    const query = "import { sql } from 'kysely';\nexport const f = (tx: any) => tx.selectFrom('programs').selectAll().execute();";
    expect(lint('src/modules/programs/programs.service.ts', query)).toEqual([
      "lastro/sql-in-repos: SQL belongs in a *.repo.ts file (or src/platform/db): 'sql' here.",
      "lastro/sql-in-repos: SQL belongs in a *.repo.ts file (or src/platform/db): '.selectFrom(…)' here.",
    ]);
    expect(lint('src/modules/events/relay.ts', 'export const f = (pool: any) => pool.query(`select 1`);')).toHaveLength(1);
    expect(lint('src/modules/programs/programs.repo.ts', query)).toEqual([]);
    expect(lint('src/platform/db/database.ts', query)).toEqual([]);
    // Types from Kysely are not SQL.
    expect(lint('src/modules/programs/programs.service.ts', "import type { Insertable } from 'kysely';")).toEqual([]);
  });
});

/** Relative imports of every .ts file under src (type-only imports included: they are design edges too). */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) files.push(p);
    }
  };
  walk(src);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].map((m) =>
      path.relative(src, path.resolve(path.dirname(f), m[1]!.replace(/\.js$/, '.ts'))),
    );
    graph.set(path.relative(src, f), targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

describe('imports', () => {
  it('finds a cycle when there is one', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('has no cycle in src', () => {
    expect(cycles(importGraph()).map((c) => c.join(' → '))).toEqual([]);
  });
});
