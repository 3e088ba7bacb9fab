// Day closing across worker processes on PostgreSQL: two workers close 20 days for each of 50
// orgs, and every org-day is closed exactly once, in order; a worker killed with SIGKILL in the
// middle of a day leaves nothing of it behind, and the day is closed after a worker starts again.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { addDays } from '../../src/platform/business-date.js';
import { testApp, type TestApp } from '../helpers/app.js';

const ENTRY = fileURLToPath(new URL('../helpers/day-worker.ts', import.meta.url));
const T0 = '2026-03-02T15:00:00.000Z'; // noon in São Paulo
const DAYS = 20;
const FIRST = '2026-03-02';
const LATER = new Date(Date.parse(T0) + DAYS * 86_400_000).toISOString();

let api: TestApp;
let workers: ChildProcess[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'lastro-days-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A worker process whose wall clock is fixed DAYS days after T0. */
function worker(env: Record<string, string> = {}): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: api.testDb.databaseUrl, LOG_LEVEL: 'error', LASTRO_JOB_POLL_SECONDS: '0.5', LASTRO_TEST_NOW: LATER, DATABASE_POOL_SIZE: '6', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(proc);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`day worker did not start:\n${out}`)), 60_000);
    const check = (d: Buffer) => {
      out += d.toString();
      if (out.includes('day worker started')) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('day worker started')) reject(new Error(`day worker exited with ${code}:\n${out}`));
    });
  });
}

const stopped = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

async function seedOrgs(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `TN-00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
  const db = api.platform.db;
  await db.transaction(async (tx) => {
    for (const id of ids) {
      await sql`insert into orgs (org_id, official_name, org_name, document_number, responsible, currency_numeric_code, timezone, country_code, created_at, updated_at)
                values (${id}, 'Day Org', 'Day Org', '1', 'ops@example.com', '986', 'America/Sao_Paulo', 'BRA', ${new Date(T0)}, ${new Date(T0)})`.execute(tx);
    }
  }, { system: true });
  // Enrolled at T0: each org's first day is FIRST; the workers' clock has DAYS days due.
  expect(await api.platform.days.reconcile()).toBe(n);
  return ids;
}

const calls = async () =>
  (await sql<{ org_id: string; date: string; handler: string; pid: number }>`
    select org_id, date, handler, pid from test_day_calls order by seq`.execute(api.platform.db.kysely)).rows;

async function waitForCalls(count: number, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from test_day_calls`.execute(api.platform.db.kysely);
    if (rows[0]!.n >= count) return;
    if (Date.now() > until) throw new Error(`only ${rows[0]!.n} of ${count} handler-days were closed`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Each org's calls are every day from FIRST, each handler once, in order. */
function expectEveryDayOnceInOrder(rows: Awaited<ReturnType<typeof calls>>, orgs: string[]): void {
  const expected = Array.from({ length: DAYS }, (_, i) => addDays(FIRST, i)).flatMap((d) => [`${d} one`, `${d} two`]);
  for (const org of orgs) expect(rows.filter((r) => r.org_id === org).map((r) => `${r.date} ${r.handler}`), org).toEqual(expected);
}

beforeEach(async () => {
  api = await testApp({ mode: 'api', clockStart: T0 });
  await sql`create table test_day_calls (
    seq bigint generated always as identity primary key,
    org_id text not null, program_id text, date text not null, handler text not null, pid integer not null)`.execute(api.platform.db.kysely);
});
afterEach(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await Promise.all(workers.map(stopped));
  workers = [];
  await api?.close();
});

it('two workers close 20 days for each of 50 orgs: each org-day exactly once, in order', async () => {
  const orgs = await seedOrgs(50);
  // Started one after the other (pg-boss creates its queues at start and two starting at once on a
  // fresh database can deadlock there); each handler call takes a little while, so the second
  // worker joins while the first is still busy.
  await worker({ LASTRO_TEST_DELAY_MS: '20' });
  await worker({ LASTRO_TEST_DELAY_MS: '20' });
  await waitForCalls(orgs.length * DAYS * 2);
  await new Promise((r) => setTimeout(r, 1000)); // nothing more arrives
  const rows = await calls();
  expect(rows).toHaveLength(orgs.length * DAYS * 2);
  expectEveryDayOnceInOrder(rows, orgs);
  // Both processes closed days.
  expect(new Set(rows.map((r) => r.pid)).size).toBe(2);
  const { rows: scopes } = await sql<{ last_closed: string; day_in_progress: string | null }>`
    select last_closed, day_in_progress from business_day_scopes`.execute(api.platform.db.kysely);
  expect(scopes.every((s) => s.last_closed === addDays(FIRST, DAYS - 1) && s.day_in_progress === null)).toBe(true);
}, 180_000);

it('a worker killed mid-day: nothing of that day remains, and it is closed once after a restart', async () => {
  const orgs = await seedOrgs(3);
  const [victim] = orgs;
  const blockFile = join(tmp, 'blocked');
  const blockedDay = addDays(FIRST, 9);
  const first = await worker({ LASTRO_TEST_BLOCK: `${victim}:${blockedDay}`, LASTRO_TEST_BLOCK_FILE: blockFile });
  // The other orgs finish; the victim's worker is stuck inside the tenth day.
  const until = Date.now() + 60_000;
  while (!existsSync(blockFile)) {
    if (Date.now() > until) throw new Error('the worker never reached the blocked day');
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitForCalls(2 * DAYS * 2);
  first.kill('SIGKILL');
  await stopped(first);
  const before = (await calls()).filter((r) => r.org_id === victim);
  // The killed transaction left nothing of the blocked day (nor of its batch).
  expect(before.every((r) => r.date < blockedDay)).toBe(true);

  // The restarted worker takes the dead one's job when its lease runs out (up to 60 s), then
  // closes the rest: on a loaded machine that is slow, so the waits are generous, not timed.
  await worker();
  await waitForCalls(orgs.length * DAYS * 2, 180_000);
  await new Promise((r) => setTimeout(r, 1000));
  const rows = await calls();
  expect(rows).toHaveLength(orgs.length * DAYS * 2);
  expectEveryDayOnceInOrder(rows, orgs);
}, 360_000);
