// Start-up through V8's code cache, as an install runs it: the bundles built from the sources (as
// `npm run build` builds them from dist/), `lastro start` run from them. The first start writes
// the cache, the next ones use it, and a cache that is corrupt or is not one never stops a start.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from '../helpers/db.js';
import { runLastro } from '../helpers/process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A port nothing listens on now (the start must be polled on it before it says where it listens). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
// Under the project (dist/ is not versioned), so the bundles find node_modules and db/migrations.
const outdir = `dist/e2e-code-cache-${process.pid}`;
const cacheDir = join(root, outdir, 'code-cache');

type BuildBundles = (esbuild: unknown, where: { root: string; main: string; start: string; outdir: string }) => Promise<void>;

describe.skipIf(engine() !== 'pglite')('start-up through the V8 code cache', () => {
  beforeAll(async () => {
    const esbuild: unknown = await import('esbuild');
    const { buildBundles } = (await import(pathToFileURL(join(root, 'scripts/bundles.mjs')).href)) as { buildBundles: BuildBundles };
    await buildBundles(esbuild, { root, main: 'src/main.ts', start: 'src/cli/start.ts', outdir });
  });
  afterAll(() => rmSync(join(root, outdir), { recursive: true, force: true }));

  const dataDir = join(mkdtempSync(join(tmpdir(), 'lastro-code-cache-')), 'data');
  /** One start to /ready and a clean stop; the code cache state it logged. */
  const start = async (): Promise<unknown> => {
    const p = runLastro(['start'], { LASTRO_DATA_DIR: dataDir }, join(root, outdir, 'main.js'));
    const url = await p.started();
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'pglite' });
    // The reference page's script: the bundle's one import() of an ES module package, which a
    // script compiled from the code cache cannot do itself on Node 20.
    expect((await fetch(`${url}/docs/js/scalar.js`)).status).toBe(200);
    p.proc.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    return p.logs().find((l) => l.msg === 'lastro started')?.codeCache;
  };
  const cacheFiles = (): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((n) => n.endsWith('.bin')) : []);

  it('the first start writes the cache and the next one uses it', async () => {
    expect(cacheFiles()).toEqual([]);
    expect(await start()).toBe('missing');
    expect(cacheFiles()).toHaveLength(1);
    expect(await start()).toBe('used');
  });

  it('a start stopped at its first /ready answer (its workers may still be starting) exits cleanly and leaves the cache written', async () => {
    for (const name of cacheFiles()) rmSync(join(cacheDir, name));
    const port = await freePort();
    const p = runLastro(['start'], { LASTRO_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }, join(root, outdir, 'main.js'));
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      expect(p.proc.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 10));
    }
    p.proc.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stderr()).not.toContain('second signal');
    expect(p.logs().map((l) => l.msg)).toEqual(expect.arrayContaining(['lastro started', 'stopped']));
    expect(cacheFiles()).toHaveLength(1);
    expect(await start()).toBe('used');
  });

  it('a corrupt cache is ignored, the server starts, and the cache is written again', async () => {
    const [name] = cacheFiles();
    const file = join(cacheDir, name!);
    const good = readFileSync(file);
    const corrupt = Buffer.from(good);
    for (let i = corrupt.length - 4096; i < corrupt.length; i += 7) corrupt[i] = corrupt[i]! ^ 0x5a;
    writeFileSync(file, corrupt);
    expect(await start()).toBe('corrupt');
    expect(await start()).toBe('used');

    // Not a cache at all (a truncated write, another program's file).
    writeFileSync(file, good.subarray(0, 100));
    expect(await start()).toBe('corrupt');
    expect(await start()).toBe('used');
  });
});
