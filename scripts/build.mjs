#!/usr/bin/env node
// Compiles src/ to dist/ (run by `npm ci`/`npm install` through `prepare`, or `npm run build`), so
// `lastro` starts from JavaScript instead of compiling TypeScript on every start, then bundles
// dist/main.js with its dependencies into dist/bundle/ (esbuild), so a start reads a few files
// instead of resolving and loading about two thousand modules one by one (scripts/bundles.mjs:
// each command's code is its own chunk, loaded when the command runs; start | api | worker are
// one CommonJS file, dist/bundle/start.cjs, which starts through V8's code cache). Plain
// JavaScript: it must run before anything is built. Without TypeScript (an install that omitted dev dependencies) it says so and leaves
// `lastro` to run the sources with tsx; without esbuild, `lastro` runs dist/main.js.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildBundles } from './bundles.mjs';

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

const bundleDir = new URL('../dist/bundle/', import.meta.url);
rmSync(bundleDir, { recursive: true, force: true });
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('lastro build: esbuild is not installed; lastro will run dist/main.js unbundled.\n');
}
if (esbuild) await buildBundles(esbuild, { root, main: 'dist/main.js', start: 'dist/cli/start.js', outdir: 'dist/bundle' });
// The stamp says when dist/ was last built: bin/lastro.mjs runs dist/ only while no source is newer.
writeFileSync(new URL('../dist/.built', import.meta.url), `${new Date().toISOString()}\n`);
process.stderr.write(`lastro build: compiled src/ to dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
