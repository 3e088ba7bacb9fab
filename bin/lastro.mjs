#!/usr/bin/env node
// The `lastro` command. Runs the compiled JavaScript in dist/ (built by `npm ci` through the
// `prepare` script, or `npm run build`; bundled in dist/bundle/ when esbuild was there) while it
// is up to date with src/; otherwise the TypeScript sources through tsx, which compiles them on
// every start (slower, never stale).
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
