// `writes`: what a write costs. Program creates (POST /programs/v1/programs/template, a credit
// program with two due dates, a unique name each) through the real `lastro start` process on
// PostgreSQL, against pgbench's TPC-B on the same PostgreSQL server with the same number of
// clients, in alternating rounds (creates, pgbench, creates, pgbench, …).
// Target: creates/s ≥ 0.5 × pgbench tps.
//
// The warm-up (10 s of creates, then of pgbench) is longer than other benchmarks': in the first
// seconds after /ready Lastro's JIT is still optimising, and `lastro start`'s job workers,
// pg-boss's maintenance and the event relay start up (docs/architecture.md "Start-up"), so a first
// round after 2 s cost 1.3-2x the Lastro CPU and 2.5-3x the PostgreSQL CPU per create of the
// rounds after it. No autovacuum or analyze of the new tables ran in that time.
//
// Both run in throwaway databases (lastro_bench_<random>, lastro_bench_pgbench_<random>), dropped
// at the end. Without DATABASE_URL the creates run on PGlite and are reported with no baseline:
// PGlite has no pgbench, and PostgreSQL's tps says nothing about an embedded engine.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  adminPool,
  backendPids,
  beginRun,
  type Benchmark,
  type Child,
  createOrg,
  type LoadOptions,
  type LoadResult,
  makeTempDir,
  measuredAll,
  median,
  parseOptions,
  pgbench,
  PGBENCH_MODE,
  type PgbenchRun,
  pgbenchRun,
  ratios,
  removeTempDir,
  round,
  rssMb,
  runLoad,
  say,
  startBenchLastro,
  stopChild,
  summarize,
  type Throwaway,
  throwawayDatabase,
  UsageError,
} from './lib.js';

const TARGETS = { creates_to_pgbench_tps: 0.5 };

// A valid credit program (test/integration/programs-fixtures.ts), each with its own name.
const createBody = (name: string): string =>
  JSON.stringify({
    name,
    type: 'CREDITO',
    timezone: 'America/Sao_Paulo',
    currency_numeric_code: '986',
    country_code: 'BRA',
    bin: { value: '999999', start_range: '0', end_range: '999999999' },
    brand: 'VISA',
    due_dates: [
      { day: 1, active: true },
      { day: 2, active: false },
    ],
  });

async function run(args: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(args, { duration: 10, rounds: 3, clients: 8, warmup: 10 });
  for (const name of ['rounds', 'clients', 'duration', 'warmup']) {
    if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  }
  const { duration, rounds, clients, warmup: WARMUP_S } = opts as { duration: number; rounds: number; clients: number; warmup: number };
  const benchRun = beginRun();

  const databaseUrl = process.env.DATABASE_URL;
  const engine = databaseUrl ? 'postgres' : 'pglite';
  if (engine === 'postgres' && !(await new Promise<boolean>((res) => execFile('pgbench', ['--version'], (err) => res(!err))))) {
    throw new Error('the writes benchmark on PostgreSQL needs pgbench on the PATH (postgresql-client)');
  }
  const admin = databaseUrl ? await adminPool(databaseUrl) : undefined;
  const tmp = makeTempDir('lastro-bench-writes-');
  let db: Throwaway | undefined;
  let benchDb: Throwaway | undefined;
  let server: Child | undefined;
  try {
    let pgbenchInitS: number | undefined;
    if (admin && databaseUrl) {
      db = await throwawayDatabase(admin.pool, databaseUrl, 'lastro_bench_');
      benchDb = await throwawayDatabase(admin.pool, databaseUrl, 'lastro_bench_pgbench_');
      say(`PostgreSQL ${admin.version}; throwaway databases ${db.name} (lastro) and ${benchDb.name} (pgbench)`);
      say(`pgbench -i at scale ${clients} (one branch per client, so clients do not queue on one row)…`);
      const t0 = performance.now();
      await pgbench(['-i', '-q', '-s', String(clients), benchDb.url], 300_000);
      pgbenchInitS = round((performance.now() - t0) / 1000, 1);
      say(`  initialized in ${pgbenchInitS} s`);
    }

    const started = await startBenchLastro({ engine, db, tmp });
    server = started.server;
    const { base, adminToken } = started;
    const org = await createOrg(base, adminToken, 'writes');
    const headers = { authorization: `Bearer ${org.token}`, 'x-tenant': org.orgId, 'content-type': 'application/json' };

    // One create by hand first: the load below must be creating programs, not failing fast.
    const probe = await fetch(`${base}/programs/v1/programs/template`, { method: 'POST', headers, body: createBody('Bench probe') });
    const probeBody = await probe.text();
    if (probe.status !== 200 || !/"id"\s*:/.test(probeBody)) throw new Error(`POST /programs/v1/programs/template: ${probe.status} ${probeBody}`);

    const runId = randomBytes(3).toString('hex');
    let sent = 0;
    const creates: LoadOptions = {
      url: `${base}/programs/v1/programs/template`,
      method: 'POST',
      headers,
      bodyFor: () => createBody(`Bench ${runId}-${++sent}`),
      durationS: duration,
      connections: clients,
      serverPid: server.pid,
      ...(admin && db ? { dbPids: backendPids(admin.pool, db.name) } : {}),
    };
    say(`warm-up: ${WARMUP_S} s of creates${benchDb ? ` and ${WARMUP_S} s of pgbench` : ''}…`);
    const warm = await runLoad({ ...creates, durationS: WARMUP_S });
    if (benchDb) await pgbenchRun(benchDb.url, clients, WARMUP_S);

    say(
      benchDb
        ? `${rounds} rounds of ${duration} s: program creates, then pgbench TPC-B (-M ${PGBENCH_MODE}), ${clients} clients each…`
        : `${rounds} rounds of ${duration} s of program creates, ${clients} connections (PGlite: no pgbench baseline)…`,
    );
    const lastroRounds: LoadResult[] = [];
    const pgbenchRounds: PgbenchRun[] = [];
    for (let i = 1; i <= rounds; i++) {
      const r = await runLoad(creates);
      lastroRounds.push(r);
      say(
        `  round ${i}/${rounds} creates: ${r.req_per_s}/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, ${r.server_cpu_us_per_req ?? '–'} µs lastro CPU/create` +
          (r.db_cpu_us_per_req === undefined ? '' : `, ${r.db_cpu_us_per_req ?? '–'} µs PostgreSQL CPU/create`),
      );
      if (benchDb) {
        const p = await pgbenchRun(benchDb.url, clients, duration);
        pgbenchRounds.push(p);
        say(`  round ${i}/${rounds} pgbench: ${p.tps} tps, latency ${p.latency_avg_ms ?? '–'} ms, ${p.failed} failed`);
      }
    }

    // Every counted create must be a program in the database; a create still in flight when a
    // window closed may have landed too, so there can be more, never fewer.
    const counted = 1 + warm.requests - warm.non_2xx + lastroRounds.reduce((n, r) => n + r.requests - r.non_2xx, 0);
    const list = await fetch(`${base}/programs/v1/programs`, { headers });
    const stored = list.status === 200 ? ((await list.json()) as { total_items: number }).total_items : -1;
    const storedOk = stored >= counted;
    if (!storedOk) say(`FIGURE NOT MEASURED: ${counted} creates answered 2xx but the org has ${stored} programs`);
    say(`  ${counted} creates answered, ${stored} programs stored`);

    const rss = rssMb(server.pid, 'VmHWM');
    const exit = await stopChild(server);
    if (exit !== 0) say(`lastro exited with ${exit} after SIGTERM (expected 0)`);

    const createsMeasured = measuredAll('program creates', lastroRounds) && storedOk;
    let pgbenchMeasured = benchDb !== undefined && pgbenchRounds.every((p) => p.transactions > 0 && p.failed === 0 && p.tps > 0);
    if (benchDb && !pgbenchMeasured) {
      say(`FIGURE NOT MEASURED: pgbench: ${pgbenchRounds.map((p) => `${p.transactions} transactions, ${p.failed} failed`).join('; ')}`);
      pgbenchMeasured = false;
    }
    const ratio = benchDb
      ? ratios(
          lastroRounds.map((r) => r.req_per_s),
          pgbenchRounds.map((p) => p.tps),
        )
      : undefined;

    const met = {
      creates_measured: createsMeasured,
      // On PGlite there is no baseline: null, unless the creates measured nothing.
      creates_to_pgbench: !createsMeasured ? false : ratio ? pgbenchMeasured && ratio.median >= TARGETS.creates_to_pgbench_tps : null,
      clean_sigterm_exit: exit === 0,
    };
    return {
      benchmark: 'writes',
      engine,
      ...(admin ? { postgres: admin.version } : {}),
      ...benchRun.facts(),
      duration_s_per_round: duration,
      warmup_s: WARMUP_S,
      rounds,
      clients,
      creates: { ...summarize(lastroRounds), answered_2xx_in_all: counted, programs_stored: stored },
      pgbench: benchDb
        ? {
            mode: PGBENCH_MODE,
            scale: clients,
            threads: Math.min(2, clients),
            init_s: pgbenchInitS,
            median_tps: round(median(pgbenchRounds.map((p) => p.tps)), 0),
            rounds: pgbenchRounds,
          }
        : { skipped: 'PGlite has no pgbench; the target applies on PostgreSQL (set DATABASE_URL)' },
      // creates/s ÷ pgbench tps, per round (each pair back to back).
      ...(ratio ? { ratio_creates_to_pgbench_tps: ratio } : {}),
      lastro_rss_peak_mb: rss,
      targets: TARGETS,
      // On PGlite nothing is judged against a target: null, unless something failed.
      met: { ...met, all: Object.values(met).some((v) => v === false) ? false : ratio ? true : null },
    };
  } finally {
    if (server) await stopChild(server);
    await db?.drop();
    await benchDb?.drop();
    await admin?.pool.end().catch(() => {});
    removeTempDir(tmp);
  }
}

export const writesBenchmark: Benchmark = {
  summary: 'program creates on PostgreSQL (DATABASE_URL) vs pgbench TPC-B tps on the same server, same clients, alternating rounds',
  options: [
    '--duration N   seconds per round of each (default 10; --warmup s of each first)',
    '--rounds N     rounds, alternating creates and pgbench (default 3)',
    '--clients N    concurrent create requests and pgbench clients; also the pgbench scale (default 8)',
    '--warmup N     seconds of creates, then of pgbench, before the first round (default 10)',
  ],
  run,
};
