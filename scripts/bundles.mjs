// The esbuild builds of `lastro` (scripts/build.mjs runs them on dist/; test/e2e/code-cache.test.ts
// on the TypeScript sources, into a folder of its own). Plain JavaScript, like build.mjs.
//
// - main.js (ES modules, split): the command line; each command's code is its own chunk, loaded
//   when the command runs, so `lastro --help` loads commander alone.
// - start.cjs (CommonJS, one file): start | api | worker, which main.js compiles through V8's code
//   cache (src/cli/code-cache.ts): ES modules cannot use a code cache on Node 20. Everything a
//   start loads (the rate limiter, …) is inside it, so a start reads no other file of the app.

/** Not bundled: loaded from their own packages at run time. */
export const external = [
  // Loads its WebAssembly and data files from beside its own modules.
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  // An optional native driver pg tries to require; not installed.
  'pg-native',
  // Loaded on the first /docs request only (a 4 MB script it serves from its own files).
  '@scalar/fastify-api-reference',
];

/**
 * Both bundles of `root`'s entry points into `outdir` (relative to root).
 * @param {typeof import('esbuild')} esbuild
 * @param {{ root: string, main: string, start: string, outdir: string }} where
 */
export async function buildBundles(esbuild, { root, main, start, outdir }) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // No keepNames: it wraps every function the bundle defines at run time in a `__name(fn, …)`
    // call, and Fastify defines closures in each hook run (about 3 % of a one-row read's CPU).
    // Identifiers are not minified, so names stay as written except where two modules' top-level
    // names collide (esbuild then suffixes one, e.g. `parse2`); Lastro's errors set their `name`.
    keepNames: false,
    sourcemap: true,
    logLevel: 'warning',
    external,
  };
  await esbuild.build({
    ...common,
    entryPoints: [main],
    outdir,
    splitting: true,
    format: 'esm',
    // Bundled CommonJS packages call require() for Node's built-ins.
    banner: { js: "import { createRequire as lastroCreateRequire } from 'node:module'; const require = lastroCreateRequire(import.meta.url);" },
  });
  await esbuild.build({
    ...common,
    entryPoints: [start],
    outfile: `${outdir}/start.cjs`,
    format: 'cjs',
    // Its text is read, hashed and handed to V8 on every start: a third smaller without the
    // indentation and comments (names are kept; the source map has the lines).
    minifyWhitespace: true,
    // Licence comments go to start.cjs.LEGAL.txt beside it (they are its one non-ASCII text).
    legalComments: 'linked',
    // import.meta.url of the bundled ES modules (finding db/migrations, createRequire): the bundle's own URL.
    define: { 'import.meta.url': 'lastroImportMetaUrl' },
    banner: { js: "const lastroImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}
