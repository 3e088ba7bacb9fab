// Loads a single-file CommonJS bundle (dist/bundle/start.cjs) through V8's code cache, so a start
// neither parses nor compiles again the functions an earlier start compiled: the cache is written
// once a start has finished (it then holds every function start-up ran) and used by the next
// starts. It lives beside the bundle, in code-cache/, named by a hash of the bundle's text, the
// Node.js version, the architecture and Node's flags, so a rebuilt bundle or another Node.js
// never reads a cache that is not its own. The file carries a SHA-256 of its payload, checked before V8 sees
// it: a torn, truncated or corrupt file is ignored (V8 does not verify the payload itself), and
// V8 still refuses a cache made under other flags. A cache that cannot be read or written (a
// read-only install) only costs speed, never a start.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Why a start ran without the cache (`used` is true when it ran with it). */
export type CacheState = 'used' | 'missing' | 'corrupt' | 'rejected';

export interface CachedModule<T> {
  exports: T;
  /** How the code cache served this load. */
  cache: CacheState;
  /** The cache file this bundle reads and writes. */
  cacheFile: string;
  /**
   * Writes the code cache when this load ran without a usable one. Call it once the work worth
   * caching (start-up) has run: the cache holds the functions compiled so far. Never throws.
   */
  saveCache(): boolean;
}

const MAGIC = Buffer.from('LASTRO-V8-CODE-CACHE-1\n');
const DIGEST_BYTES = 32;

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * The cache file's name for this bundle text, Node.js version, architecture and command-line
 * flags (V8 refuses a cache made under other flags: processes started with other flags, such as
 * a profiler's, keep a cache of their own instead of overwriting each other's).
 */
export function cacheFileFor(file: string, source: Uint8Array): string {
  const runtime = [process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');
  const key = `${sha256(source).toString('hex').slice(0, 16)}-${sha256(runtime).toString('hex').slice(0, 16)}`;
  return join(dirname(file), 'code-cache', `${basename(file)}.${key}.bin`);
}

/** The payload of a cache file, or why it cannot be used. */
function readCache(cacheFile: string): Buffer | 'missing' | 'corrupt' {
  let raw: Buffer;
  try {
    raw = readFileSync(cacheFile);
  } catch {
    return 'missing';
  }
  const head = MAGIC.length + DIGEST_BYTES;
  if (raw.length <= head || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return 'corrupt';
  const payload = raw.subarray(head);
  if (!sha256(payload).equals(raw.subarray(MAGIC.length, head))) return 'corrupt';
  return payload;
}

/**
 * import() for the bundle (as `lastroImportEsm`, see platform/http/docs.ts): a script compiled from
 * the code cache loses its own import() on Node 20, and ES module packages cannot be require()d.
 * Package names resolve from here as from the bundle (both under dist/, above node_modules).
 */
const importEsm = (specifier: string): Promise<unknown> => import(specifier);

/**
 * Runs the CommonJS bundle `file` as Node's own loader would (module, exports, require relative
 * to the file), compiled from the code cache when there is a valid one.
 */
export function loadCommonJs<T>(file: string): CachedModule<T> {
  const bytes = readFileSync(file);
  const cacheFile = cacheFileFor(file, bytes);
  const found = readCache(cacheFile);
  // Node's CommonJS wrapper, so the bundle sees what it would under require(), and importEsm. (ASCII, the
  // usual case, decodes several times faster as Latin-1, which it is too.)
  const wrapper = `(function (exports, require, module, __filename, __dirname, lastroImportEsm) { ${bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')}\n})`;
  // V8 drops the bytecode of functions that have not run for a while (after a few collections);
  // those would be missing from a cache written at the end of a long start (a fresh data dir
  // takes seconds), and the next starts would compile them again. Kept until saveCache().
  v8.setFlagsFromString('--no-flush-bytecode');
  const script = new vm.Script(wrapper, {
    filename: file,
    ...(typeof found === 'string' ? {} : { cachedData: found }),
  });
  const cache: CacheState = typeof found === 'string' ? found : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as T };
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string, i: typeof importEsm) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), importEsm);

  let saved = cache === 'used';
  return {
    exports: module.exports,
    cache,
    cacheFile,
    saveCache() {
      if (saved) return false;
      saved = true;
      try {
        if (cache === 'used') return false;
        const payload = script.createCachedData();
        mkdirSync(dirname(cacheFile), { recursive: true });
        // Written aside and renamed: a process reading it meanwhile sees the old file or the new one.
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([MAGIC, sha256(payload), payload]));
        renameSync(tmp, cacheFile);
        // Caches of earlier builds of this bundle are dead weight (the folder goes with a rebuild,
        // and this drops those of a bundle changed in place); caches of other flags stay.
        const name = basename(cacheFile);
        const build = name.slice(0, name.lastIndexOf('-'));
        for (const other of readdirSync(dirname(cacheFile))) {
          if (other.startsWith(`${basename(file)}.`) && !other.startsWith(build) && other.endsWith('.bin')) unlinkSync(join(dirname(cacheFile), other));
        }
        return true;
      } catch {
        return false;
      } finally {
        // From now on an unused function's bytecode may go again.
        v8.setFlagsFromString('--flush-bytecode');
      }
    },
  };
}
