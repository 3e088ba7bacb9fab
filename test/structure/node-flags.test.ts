// `lastro` runs with the Node.js flags of package.json's `start` script however npm starts it
// (`npm start`, `npm run lastro`), and the benchmarks start it with them (bench/lib.ts reads them
// there). In production they go in NODE_OPTIONS (README "Running in production").
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastroNodeArgs } from '../../bench/lib.js';

const root = path.resolve(import.meta.dirname, '../..');
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the Node.js flags lastro runs with', () => {
  it('are the same in every npm script that starts it, and the benchmarks use them', () => {
    const flags = lastroNodeArgs();
    expect(flags).toContain('--max-semi-space-size=64');
    expect(scripts.start).toBe(['node', ...flags, 'bin/lastro.mjs', 'start'].join(' '));
    expect(scripts.lastro).toBe(['node', ...flags, 'bin/lastro.mjs'].join(' '));
  });

  it('are accepted in NODE_OPTIONS, where production passes them', () => {
    // Node refuses a flag it does not allow in NODE_OPTIONS (exit status 9).
    const out = execFileSync(process.execPath, ['-p', 'process.env.NODE_OPTIONS'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: lastroNodeArgs().join(' ') } });
    expect(out.trim()).toBe('--max-semi-space-size=64');
  });
});
