// `lastro` runs with the Node.js flags on bin/lastro.mjs's first line however it is started: run
// as a program (`npx lastro`, npm's bin link, `./bin/lastro.mjs`), `npm start` or `npm run lastro`.
// The benchmarks start it with the same flags (bench/lib.ts reads them from that line).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/lastro.mjs');

const SHEBANG = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)*)$/;

function shebangFlags(): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const m = SHEBANG.exec(first);
  if (!m) throw new Error(`bin/lastro.mjs starts with an unexpected line: ${first}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

describe('the Node.js flags lastro runs with', () => {
  it('are the same on the shebang line and in the npm scripts that start it', () => {
    const flags = shebangFlags();
    expect(flags).toContain('--max-semi-space-size=64');
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(['node', ...flags, 'bin/lastro.mjs', 'start'].join(' '));
    expect(scripts.lastro).toBe(['node', ...flags, 'bin/lastro.mjs'].join(' '));
  });

  it('reach the process when bin/lastro.mjs runs as a program', () => {
    const out = execFileSync(bin, ['--version'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // What the kernel runs for that line: env with the rest of it as one argument, which `-S`
    // splits (without it, "node --max-…" would be one word and no such program).
    const rest = readFileSync(bin, 'utf8').split('\n', 1)[0]!.slice('#!/usr/bin/env '.length);
    const argv = execFileSync('/usr/bin/env', [`${rest} -p JSON.stringify(process.execArgv)`], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const flags = shebangFlags();
    expect((JSON.parse(argv) as string[]).slice(0, flags.length)).toEqual(flags);
  });
});
