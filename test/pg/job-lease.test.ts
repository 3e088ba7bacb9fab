// Acknowledged async work resumes within a minute of a crash: a worker killed with SIGKILL while
// it holds a job stops renewing the job's lease; the job expires and another worker retries it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { modules } from '../../src/modules/index.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { leaseModule, stuckJob } from './fixtures/lease-module.js';

const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));
let db: TestDatabase;
let sender: App;
const children: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.databaseUrl, LOG_LEVEL: 'warn', LASTRO_JOB_POLL_SECONDS: '0.5' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('worker started') && resolve(child));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code} before starting`)));
  });
}

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  // An api-mode app sends the job, as a request handler would.
  sender = await createApp({
    config: loadConfig({ DATABASE_URL: db.databaseUrl!, LOG_LEVEL: 'silent' }),
    mode: 'api',
    migrate: true,
    logger: createLogger('silent'),
    modules: [...modules, leaseModule],
  });
  await sender.start();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sender?.stop();
  await db?.drop();
});

it('a job held by a worker killed with SIGKILL is finished by another worker within 60 s', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'lastro-lease-')), 'attempts.log');
  const first = await startWorker();
  await sender.platform.jobs.send(stuckJob, { file });
  await until('the first attempt', 30_000, () => (existsSync(file) && readFileSync(file, 'utf8').includes('attempt 1') ? true : undefined));

  first.kill('SIGKILL');
  const killed = performance.now();
  const second = await startWorker();
  await until('the retry to finish', 90_000, () => (readFileSync(file, 'utf8').includes('done 2') ? true : undefined));
  const seconds = (performance.now() - killed) / 1000;

  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines).toEqual([`attempt 1 pid ${first.pid}`, `attempt 2 pid ${second.pid}`, `done 2 pid ${second.pid}`]);
  expect(seconds).toBeLessThan(60);
});
