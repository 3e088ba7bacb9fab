#!/usr/bin/env node
// Compiles src/ to dist/ (run by `npm ci`/`npm install` through `prepare`, or `npm run build`), so
// `lastro` starts from JavaScript instead of compiling TypeScript on every start. Plain JavaScript:
// it must run before anything is built. Without TypeScript (an install that omitted dev
// dependencies) it says so and leaves `lastro` to run the sources with tsx.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('lastro build: TypeScript is not installed; lastro will run from the TypeScript sources.\n');
  process.exit(0);
}
const started = performance.now();
const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (res.status !== 0) process.exit(res.status ?? 1);
// The stamp says when dist/ was last built: bin/lastro.mjs runs dist/ only while no source is newer.
writeFileSync(new URL('../dist/.built', import.meta.url), `${new Date().toISOString()}\n`);
process.stderr.write(`lastro build: compiled src/ to dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
