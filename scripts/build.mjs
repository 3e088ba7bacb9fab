#!/usr/bin/env node
// Compiles src/ to dist/ (run by `npm ci`/`npm install` through `prepare`, or `npm run build`), so
// `lastro` starts from JavaScript instead of compiling TypeScript on every start, then bundles
// dist/main.js with its dependencies into dist/bundle/ (esbuild), so a start reads a few files
// instead of resolving and loading about two thousand modules one by one. Each command's code is
// its own chunk, loaded when the command runs. Plain JavaScript: it must run before anything is
// built. Without TypeScript (an install that omitted dev dependencies) it says so and leaves
// `lastro` to run the sources with tsx; without esbuild, `lastro` runs dist/main.js.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
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

const bundleDir = new URL('../dist/bundle/', import.meta.url);
rmSync(bundleDir, { recursive: true, force: true });
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('lastro build: esbuild is not installed; lastro will run dist/main.js unbundled.\n');
}
if (esbuild) {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['dist/main.js'],
    outdir: 'dist/bundle',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // No keepNames: it wraps every function the bundle defines at run time in a `__name(fn, …)`
    // call, and Fastify defines closures in each hook run (about 3 % of a one-row read's CPU).
    // Nothing is minified, so names stay as written except where two modules' top-level names
    // collide (esbuild then suffixes one, e.g. `parse2`); Lastro's errors set their `name` explicitly.
    keepNames: false,
    sourcemap: true,
    logLevel: 'warning',
    external: [
      // Loads its WebAssembly and data files from beside its own modules.
      '@electric-sql/pglite',
      '@electric-sql/pglite/*',
      // An optional native driver pg tries to require; not installed.
      'pg-native',
      // Loaded on the first /docs request only (a 4 MB script it serves from its own files).
      '@scalar/fastify-api-reference',
    ],
    // Bundled CommonJS packages call require() for Node's built-ins.
    banner: { js: "import { createRequire as lastroCreateRequire } from 'node:module'; const require = lastroCreateRequire(import.meta.url);" },
  });
}
// The stamp says when dist/ was last built: bin/lastro.mjs runs dist/ only while no source is newer.
writeFileSync(new URL('../dist/.built', import.meta.url), `${new Date().toISOString()}\n`);
process.stderr.write(`lastro build: compiled src/ to dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
