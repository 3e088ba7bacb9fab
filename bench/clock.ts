// `clock`: what closing a business day costs, with one empty day handler: 365 days for 1 org and
// for 1,000 orgs (the per-day overhead every module with a day handler pays), on PGlite and, with
// DATABASE_URL set, on PostgreSQL. The engine runs in this process (mode worker, a manual wall
// clock moved 365 days forward), exactly as the worker's day-closing loop drives it.
// Baseline in the same run: tenant transactions that update one row, through the same pool and
// with the same concurrency, so days/s reads as a ratio to transactions/s.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { modules } from '../src/modules/index.js';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { onBusinessDay } from '../src/platform/day-close.js';
import { createLogger } from '../src/platform/logger.js';
import { type Benchmark, UsageError, makeTempDir, parseOptions, removeTempDir, round, say } from './lib.js';

const T0 = '2026-01-01T15:00:00.000Z'; // noon in São Paulo
const DAY_MS = 86_400_000;

interface Case {
  orgs: number;
  days_closed: number;
  seconds: number;
  days_per_s: number;
  /** Wall time per closed day (all lanes together). */
  ms_per_day: number;
  /** Time one lane spends per day: the latency a day handler adds to. */
  lane_ms_per_day: number;
  baseline: { transactions: number; tx_per_s: number; ms_per_tx: number };
  /** days/s over baseline transactions/s: above 1 means a day costs less than one transaction. */
  ratio: number;
  enrol_seconds: number;
}

/** Orgs straight into the table (the operator API hashes a credential secret per org: 85 ms each). */
async function seedOrgs(app: App, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `TN-00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
  const at = new Date(T0);
  await app.platform.db.transaction(
    async (tx) => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await sql`insert into orgs (org_id, official_name, org_name, document_number, responsible, currency_numeric_code, timezone, country_code, created_at, updated_at)
                  select id, 'Bench Org', 'Bench', '1', 'ops@example.com', '986', 'America/Sao_Paulo', 'BRA', ${at}, ${at}
                  from unnest(${chunk}::text[]) as id`.execute(tx);
      }
    },
    { system: true },
  );
  return ids;
}

/** `count` tenant transactions updating one row each, `lanes` at a time, spread over the orgs. */
async function baseline(app: App, orgs: string[], count: number, lanes: number): Promise<Case['baseline']> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const orgId = orgs[i % orgs.length]!;
      await app.platform.db.transaction(
        (tx) => sql`update business_day_scopes set updated_at = now() where org_id = ${orgId} and program_id = 0`.execute(tx),
        { orgId },
      );
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  const seconds = (performance.now() - started) / 1000;
  return { transactions: count, tx_per_s: round(count / seconds, 0), ms_per_tx: round((seconds * 1000) / count, 3) };
}

async function runCase(opts: { engine: 'pglite' | 'postgres'; databaseUrl?: string; orgs: number; days: number; baselineTx: number }): Promise<Case> {
  const dir = opts.engine === 'pglite' ? makeTempDir('lastro-bench-clock-') : undefined;
  const clock = new ManualClock(T0);
  const app = await createApp({
    config: loadConfig({
      LOG_LEVEL: 'warn',
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { LASTRO_DATA_DIR: join(dir!, 'data') }),
    }),
    mode: 'worker',
    clock,
    logger: createLogger('warn', process.stderr), // stdout carries only the result
    modules: [...modules, { name: 'bench', dayHandlers: () => [onBusinessDay('bench.empty', async () => {})] }],
  });
  try {
    // The lanes the day-closing loop runs orgs in (app.ts): one on PGlite, half the pool on PostgreSQL.
    const lanes = Math.min(opts.orgs, opts.engine === 'pglite' ? 1 : Math.max(1, Math.floor(app.platform.config.databasePoolSize / 2)));
    // One more org, closed first and not timed: JIT, pool connections and date caches warm up.
    const [warm, ...orgs] = await seedOrgs(app, opts.orgs + 1);
    let t = performance.now();
    await app.platform.days.reconcile();
    const enrolSeconds = (performance.now() - t) / 1000;

    clock.advance(opts.days * DAY_MS);
    await app.platform.days.closeDue(warm!);
    say(`  ${opts.engine}: ${opts.orgs} org(s) × ${opts.days} days…`);
    t = performance.now();
    let closed = 0;
    for (let steps = -1; steps !== 0; closed += steps) steps = await app.platform.days.closeAllDue();
    const seconds = (performance.now() - t) / 1000;
    if (closed !== opts.orgs * opts.days) throw new Error(`closed ${closed} days, expected ${opts.orgs * opts.days}`);

    const base = await baseline(app, orgs, Math.min(opts.baselineTx, closed), lanes);
    const daysPerS = closed / seconds;
    const result: Case = {
      orgs: opts.orgs,
      days_closed: closed,
      seconds: round(seconds, 2),
      days_per_s: round(daysPerS, 0),
      ms_per_day: round((seconds * 1000) / closed, 4),
      lane_ms_per_day: round((seconds * 1000 * lanes) / closed, 4),
      baseline: base,
      ratio: round(daysPerS / base.tx_per_s, 2),
      enrol_seconds: round(enrolSeconds, 2),
    };
    say(`    ${result.days_per_s} days/s (${result.ms_per_day} ms/day); baseline ${base.tx_per_s} tx/s; ratio ${result.ratio}`);
    return result;
  } finally {
    await app.stop();
    if (dir) removeTempDir(dir);
  }
}

async function withDatabase<T>(serverUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `lastro_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}

async function run(args: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(args, { orgs: 1000, days: 365, 'baseline-tx': 5000 });
  for (const name of ['orgs', 'days', 'baseline-tx']) {
    if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  }
  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > 0.5) say(`load average is ${loadAtStart.toFixed(2)}: other work on this machine may skew the figures`);
  const started = performance.now();
  const days = opts.days!;
  const engines: Record<string, unknown> = {};

  say('PGlite (file-backed data dir)…');
  engines.pglite = {
    one_org: await runCase({ engine: 'pglite', orgs: 1, days, baselineTx: days }),
    many_orgs: await runCase({ engine: 'pglite', orgs: opts.orgs!, days, baselineTx: opts['baseline-tx']! }),
  };
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    say('PostgreSQL (a throwaway database)…');
    engines.postgres = {
      one_org: await withDatabase(databaseUrl, (url) => runCase({ engine: 'postgres', databaseUrl: url, orgs: 1, days, baselineTx: days })),
      many_orgs: await withDatabase(databaseUrl, (url) =>
        runCase({ engine: 'postgres', databaseUrl: url, orgs: opts.orgs!, days, baselineTx: opts['baseline-tx']! }),
      ),
    };
  } else {
    engines.postgres = 'skipped (set DATABASE_URL)';
  }
  return {
    benchmark: 'clock',
    handler: 'one empty day handler',
    days,
    ...engines,
    machine: { cores: cpus().length, load_average_at_start: round(loadAtStart, 2), node: process.version },
    total_seconds: round((performance.now() - started) / 1000, 1),
  };
}

export const clockBenchmark: Benchmark = {
  summary: 'closing 365 business days for 1 org and for 1,000 orgs (empty day handler), vs one-row transactions',
  options: ['--orgs N (default 1000)', '--days N (default 365)', '--baseline-tx N: baseline transactions for the many-org case (default 5000)'],
  run,
};
