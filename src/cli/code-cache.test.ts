import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFileFor, loadCommonJs } from './code-cache.js';

interface Probe {
  answer(): number;
  dir: string;
  joined: string;
}

// A CommonJS file with enough code for V8 to cache, using what Node's wrapper provides.
const SOURCE = `
const { join } = require('node:path');
exports.dir = __dirname;
exports.joined = join('a', 'b');
${Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n')}
exports.answer = () => f0(42);
module.exports.answer();
`;

function bundle(source = SOURCE): string {
  const dir = mkdtempSync(join(tmpdir(), 'lastro-code-cache-'));
  const file = join(dir, 'start.cjs');
  writeFileSync(file, source);
  return file;
}

const load = (file: string) => loadCommonJs<Probe>(file);

describe('loading a bundle through the V8 code cache', () => {
  it('runs without a cache, writes one once asked, and the next load uses it', () => {
    const file = bundle();
    const first = load(file);
    expect(first.cache).toBe('missing');
    expect(first.exports.answer()).toBe(42);
    expect(first.exports.dir).toBe(join(file, '..'));
    expect(first.exports.joined).toBe(join('a', 'b'));
    expect(first.saveCache()).toBe(true);
    expect(first.saveCache()).toBe(false); // once

    const second = load(file);
    expect(second.cache).toBe('used');
    expect(second.cacheFile).toBe(first.cacheFile);
    expect(second.exports.answer()).toBe(42);
    expect(second.saveCache()).toBe(false); // nothing to improve
  });

  it('ignores a corrupt cache file (bytes changed, truncated, or not a cache at all), runs, and replaces it', () => {
    const file = bundle();
    const first = load(file);
    first.saveCache();
    const good = readFileSync(first.cacheFile);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] = flipped[flipped.length - 100]! ^ 0xff;
    for (const bad of [flipped, good.subarray(0, good.length - 1), Buffer.from('not a cache'), Buffer.alloc(0)]) {
      writeFileSync(first.cacheFile, bad);
      const again = load(file);
      expect(again.cache).toBe('corrupt');
      expect(again.exports.answer()).toBe(42);
    }
    const repaired = load(file);
    expect(repaired.saveCache()).toBe(true);
    expect(load(file).cache).toBe('used');
  });

  it('a cache V8 refuses (made for other code) is reported as rejected and replaced', () => {
    const file = bundle();
    const other = bundle(`${SOURCE}\nexports.more = 1;\n`);
    const made = load(other);
    made.saveCache();
    // The other bundle's cache, intact, under this bundle's name.
    const target = cacheFileFor(file, readFileSync(file));
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, readFileSync(made.cacheFile));
    const stale = load(file);
    expect(stale.cache).toBe('rejected');
    expect(stale.exports.answer()).toBe(42);
    expect(stale.saveCache()).toBe(true);
    expect(load(file).cache).toBe('used');
  });

  it('a rebuilt bundle gets a cache of its own and the old one is removed', () => {
    const file = bundle();
    const before = load(file);
    before.saveCache();
    writeFileSync(file, `${SOURCE}\nexports.rebuilt = true;\n`);
    const after = load(file);
    expect(after.cacheFile).not.toBe(before.cacheFile);
    expect(after.cache).toBe('missing');
    after.saveCache();
    expect(readdirSync(join(file, '..', 'code-cache')).filter((n) => n.endsWith('.bin'))).toEqual([basename(after.cacheFile)]);
  });

  it('a cache that cannot be written costs nothing but the cache', () => {
    const file = bundle();
    // code-cache/ cannot be created: a file stands where the folder would go.
    writeFileSync(join(file, '..', 'code-cache'), '');
    const loaded = load(file);
    expect(loaded.exports.answer()).toBe(42);
    expect(loaded.saveCache()).toBe(false);
    expect(load(file).cache).toBe('missing');
  });
});
