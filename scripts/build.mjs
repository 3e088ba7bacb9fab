#!/usr/bin/env node
// Compiles src/ to dist/ (run by `npm ci`/`npm install` through `prepare`, or `npm run build`), so
// `lastro` starts from JavaScript instead of compiling TypeScript on every start, then bundles
// dist/main.js with its dependencies into dist/bundle/ (esbuild), so a start reads a few files
// instead of resolving and loading about two thousand modules one by one. Each command's code is
// its own chunk, loaded when the command runs; start | api | worker also get a CommonJS bundle of
// their own (dist/bundle/start.cjs), which starts through V8's code cache. Plain JavaScript: it must run before anything is
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
// Not bundled: loaded from their own packages at run time.
const external = [
  // Loads its WebAssembly and data files from beside its own modules.
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  // An optional native driver pg tries to require; not installed.
  'pg-native',
  // Loaded on the first /docs request only (a 4 MB script it serves from its own files).
  '@scalar/fastify-api-reference',
];
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
    // Class and function names stay as written: errors and logs show them.
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
    external,
    // Bundled CommonJS packages call require() for Node's built-ins.
    banner: { js: "import { createRequire as lastroCreateRequire } from 'node:module'; const require = lastroCreateRequire(import.meta.url);" },
  });
  // start | api | worker as one CommonJS file, which main.js compiles through V8's code cache
  // (src/cli/code-cache.ts): ES modules cannot use a code cache on Node 20. Everything it loads
  // later (the rate limiter, …) is inside it, so a start reads no other file of the app.
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['dist/cli/start.js'],
    outfile: 'dist/bundle/start.cjs',
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
    // Its text is read, hashed and handed to V8 on every start: a third smaller without the
    // indentation and comments (names are kept; the source map has the lines).
    minifyWhitespace: true,
    // Licence comments go to start.cjs.LEGAL.txt beside it (they are the one non-ASCII text).
    legalComments: 'linked',
    external,
    // import.meta.url of the bundled ES modules (finding db/migrations, createRequire): the bundle's own URL.
    define: { 'import.meta.url': 'lastroImportMetaUrl' },
    banner: { js: "const lastroImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}
// The stamp says when dist/ was last built: bin/lastro.mjs runs dist/ only while no source is newer.
writeFileSync(new URL('../dist/.built', import.meta.url), `${new Date().toISOString()}\n`);
process.stderr.write(`lastro build: compiled src/ to dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
