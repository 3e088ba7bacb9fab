#!/usr/bin/env node
// The `lastro` command. Runs the compiled JavaScript in dist/ (built by `npm ci` through the
// `prepare` script, or `npm run build`; bundled in dist/bundle/ when esbuild was there) while it
// is up to date with src/; otherwise the TypeScript sources through tsx, which compiles them on
// every start (slower, never stale).
//
// Node.js flags: `npm start` and `npm run lastro` run this file with `--max-semi-space-size=64`
// (package.json; in production pass it yourself, e.g. NODE_OPTIONS). V8's young generation may
// then grow to 64 MB semi-spaces instead of 16. A server allocates per request (bodies, rows,
// statements, events) and keeps those objects for the few milliseconds a request or a transfer
// group takes; with 16 MB the scavenges come so often that many of them still hold such objects,
// copy them, promote them to the old generation and leave them to its costlier collections.
// Measured on the ledger benchmark: about 12 % less of Lastro's CPU per transfer ("Modes" in
// docs/architecture.md). V8 fixes that limit at start: it cannot be set from inside. (Not on the
// line above: `env -S`, which a flag there needs, is missing from BusyBox, e.g. on Alpine.)
import { existsSync, readdirSync, statSync } from 'node:fs';

const src = new URL('../src/', import.meta.url);

/** Milliseconds of the newest file under `dir`. */
function newest(dir) {
  let ms = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(e.isDirectory() ? `${e.name}/` : e.name, dir);
    ms = Math.max(ms, e.isDirectory() ? newest(url) : statSync(url).mtimeMs);
  }
  return ms;
}

let built = 0;
try {
  built = statSync(new URL('../dist/.built', import.meta.url)).mtimeMs;
} catch {
  // never built
}

if (built > 0 && newest(src) <= built) {
  const bundled = new URL('../dist/bundle/main.js', import.meta.url);
  await import(existsSync(bundled) ? bundled.href : '../dist/main.js');
} else {
  if (built > 0) process.stderr.write('lastro: src/ changed since the last build; running the TypeScript sources (`npm run build` makes start-up faster)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
