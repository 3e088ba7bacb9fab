// `lending`: the schedule engine alone (no HTTP, no database) for 12-, 60- and 360-installment
// loans, and a 360-installment loan with every per-period option on (DAILY Actual/Actual interest,
// an interest-only stage, amortised charges). Baseline in the same run: the same loop computing a
// plain annuity schedule with float arithmetic and Date-based due dates — what a naive engine
// costs — so the figure is a ratio as well as a time. Rounds alternate engine and baseline.
//
// Then HTTP: `POST /lending/v1/simulations` (the seed's 3-installment loan, stored with its event)
// through the real `lastro start` on PostgreSQL (DATABASE_URL, or the local default) in a
// throwaway database, alternating rounds with GET /health on the same server as the baseline.
//
// Then the loans (lending-loans.ts): lifecycles per second against pgbench TPC-B, and a 365-day
// test clock advance of a sandbox org holding 1,000 active monthly loans with auto-collection.
import { loadavg } from 'node:os';
import { buildSchedule, type ScheduleRequest } from '../src/modules/lending/index.js';
import { lifecyclesPerSecond, productBody, yearOfDays } from './lending-loans.js';
import {
  type Benchmark,
  type Child,
  DEFAULT_DATABASE_URL,
  type LoadOptions,
  type Throwaway,
  adminPool,
  alternateLoads,
  backendPids,
  createOrg,
  makeTempDir,
  measuredAll,
  median,
  parseOptions,
  ratios,
  removeTempDir,
  round,
  say,
  startBenchLastro,
  stopChild,
  summarize,
  throwawayDatabase,
} from './lib.js';

const HTTP_TARGETS = { simulate_req_per_s: 2000, simulate_p99_ms: 25 };

/** POST /lending/v1/simulations against GET /health, on PostgreSQL, in alternating rounds. */
async function httpSimulate(opts: { duration: number; rounds: number; clients: number }) {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const admin = await adminPool(databaseUrl);
  const tmp = makeTempDir('lastro-bench-lending-');
  let db: Throwaway | undefined;
  let server: Child | undefined;
  try {
    db = await throwawayDatabase(admin.pool, databaseUrl, 'lastro_bench_');
    say(`PostgreSQL ${admin.version}; throwaway database ${db.name}`);
    const started = await startBenchLastro({ engine: 'postgres', db, tmp });
    server = started.server;
    const { base, adminToken } = started;
    const org = await createOrg(base, adminToken, 'lending');
    const headers = { authorization: `Bearer ${org.token}`, 'x-tenant': org.orgId, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown, want: number) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== want) throw new Error(`FIGURE NOT MEASURED: POST ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const program = await post(
      '/programs/v1/programs/template',
      { name: 'Bench loans', type: 'DEBITO', timezone: 'America/Sao_Paulo', currency_numeric_code: '986', country_code: 'BRA', bin: { value: '999997', start_range: '0', end_range: '999999999' }, brand: 'VISA' },
      200,
    );
    await post(
      '/lending/v1/loan-products',
      productBody(program.id as number, 'BENCH_PERSONAL', 'Bench personal loan'),
      201,
    );
    const clock = (await (await fetch(`${base}/lastro/v1/clock`, { headers })).json()) as { business_date: string };
    const today = clock.business_date;
    const simulation = JSON.stringify({
      product_id: 'BENCH_PERSONAL',
      loan_amount: 1000.0,
      start_date: today,
      stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
      disbursement: [{ due_date: today }],
    });
    // One by hand first: the load must be simulating, not failing fast.
    const probe = await post('/lending/v1/simulations', JSON.parse(simulation), 201);
    if (probe.total_payment_amount === undefined) throw new Error('FIGURE NOT MEASURED: the probe simulation has no total');
    const common = { durationS: opts.duration, connections: opts.clients, serverPid: server.pid, dbPids: backendPids(admin.pool, db.name) };
    const targets: Record<'health' | 'simulate', LoadOptions> = {
      health: { ...common, url: `${base}/health` },
      simulate: { ...common, url: `${base}/lending/v1/simulations`, method: 'POST', headers, body: simulation },
    };
    say(`${opts.rounds} rounds of ${opts.duration} s, ${opts.clients} connections: GET /health, then POST /lending/v1/simulations…`);
    const results = await alternateLoads(targets, opts.rounds);
    const exit = await stopChild(server);
    server = undefined;
    const simulate = summarize(results.simulate) as { median_req_per_s: number; median_p99_ms: number };
    const measured = measuredAll('health', results.health) && measuredAll('simulate', results.simulate);
    return {
      engine: 'postgres',
      postgres: admin.version,
      clients: opts.clients,
      health: summarize(results.health),
      simulate,
      simulate_to_health_req_per_s: ratios(
        results.simulate.map((r) => r.req_per_s),
        results.health.map((r) => r.req_per_s),
      ),
      targets: HTTP_TARGETS,
      met: measured
        ? { simulate_req_per_s: simulate.median_req_per_s >= HTTP_TARGETS.simulate_req_per_s, simulate_p99_ms: simulate.median_p99_ms < HTTP_TARGETS.simulate_p99_ms, clean_sigterm_exit: exit === 0 }
        : { measured: false },
    };
  } finally {
    if (server) await stopChild(server);
    if (db) await db.drop();
    await admin.pool.end();
    removeTempDir(tmp);
  }
}

const TARGET_MS_360 = 0.5;

const plain = (n: number): ScheduleRequest => ({
  product: { currency: 'USD', repayment_calculation_method: 'EI_REDUCING_BALANCE', repayment_frequency: { method: 'MONTHLY' } },
  loan_amount: '250000.00',
  start_date: '2026-01-31',
  interest_rate: { value: '0.0725' },
  number_of_installments: n,
});

const everyOption: ScheduleRequest = {
  product: {
    currency: 'USD',
    repayment_calculation_method: 'EI_REDUCING_BALANCE',
    repayment_frequency: { method: 'MONTHLY' },
    days_in_year_method: 'ACTUAL_ACTUAL',
    interest_calculation_period: 'DAILY',
    installment_amount_in_multiples_of: '1',
    stages: [{ repayment_mode: 'INTEREST_ONLY' }, { repayment_mode: 'PRINCIPAL_AND_INTEREST' }],
    charges: [
      { type: 'FEE', collection_method: 'AMORTISED', percentage: { value: '1.5', max_charged_amount: '2500.00' } },
      { type: 'TAX', collection_method: 'DEDUCT', percentage: { value: '0.38' } },
    ],
  },
  loan_amount: '250000.00',
  start_date: '2026-01-31',
  stages: [
    { interest_rate: { value: '0.0725' }, period: { value: 1, unit: 'YEAR' } },
    { interest_rate: { value: '0.0725' }, period: { value: 29, unit: 'YEAR' } },
  ],
};

/** The naive baseline: float PMT, float interest rounded with Math.round, Date.UTC due dates. */
function naiveAnnuity(amount: number, annual: number, n: number, start: Date): { due: string; payment: number; principal: number; interest: number; balance: number }[] {
  const r = annual / 12;
  const pmt = Math.round(((amount * r) / (1 - (1 + r) ** -n)) * 100) / 100;
  const rows = [];
  let balance = amount;
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  for (let k = 1; k <= n; k++) {
    const interest = Math.round(balance * r * 100) / 100;
    const principal = k === n ? balance : Math.round((pmt - interest) * 100) / 100;
    balance = Math.round((balance - principal) * 100) / 100;
    const last = new Date(Date.UTC(y, m + k + 1, 0)).getUTCDate();
    const due = new Date(Date.UTC(y, m + k, Math.min(d, last))).toISOString().slice(0, 10);
    rows.push({ due, payment: principal + interest, principal, interest, balance });
  }
  return rows;
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns wall and CPU ms per call. */
function timeIt(fn: () => unknown, ms: number): { calls: number; ms_per_call: number; cpu_ms_per_call: number } {
  let calls = 0;
  const cpu = process.cpuUsage();
  let kept: unknown; // keeps the result alive so the call is not optimised away
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10; i++) kept = fn();
    calls += 10;
    now = performance.now();
  }
  if (kept === undefined) say('no result');
  const used = process.cpuUsage(cpu);
  return { calls, ms_per_call: (now - start) / calls, cpu_ms_per_call: (used.user + used.system) / 1000 / calls };
}

export const lendingBenchmark: Benchmark = {
  summary: 'the lending schedule engine (target ≤ 0.5 ms for 360 installments), HTTP simulate, loan lifecycles/s vs pgbench, a 365-day clock advance with 1,000 loans',
  options: [
    '--rounds N   alternating engine/baseline rounds (default 5)',
    '--ms N       milliseconds per measurement (default 300)',
    '--http N     1 (default): also HTTP simulate on PostgreSQL against GET /health; 0 skips it',
    '--duration N seconds per HTTP round (default 5)',
    '--clients N  HTTP connections (default 16)',
    '--life N     1 (default): loan lifecycles/s on PostgreSQL (simulate → book → disburse → repay each installment → SETTLED) against pgbench TPC-B; 0 skips it',
    '--life-clients N      concurrent lifecycles and pgbench clients (default 8)',
    '--lifecycles N        lifecycles per round (default 100)',
    '--installments N      installments per loan, lifecycles and the year (default 12)',
    '--year N     1 (default): 365 days of day closing for a sandbox org with --loans active loans, auto-collection; 0 skips it',
    '--loans N    active monthly loans for the year (default 1000)',
    '--days N     days the test clock advances (default 365)',
    '--pglite N   1 (default): the year on PGlite too; 0: only on PostgreSQL',
  ],
  async run(args) {
    const opts = parseOptions(args, {
      rounds: 5,
      ms: 300,
      http: 1,
      duration: 5,
      clients: 16,
      life: 1,
      'life-clients': 8,
      lifecycles: 100,
      installments: 12,
      year: 1,
      loans: 1000,
      days: 365,
      pglite: 1,
    }, ['http', 'life', 'year', 'pglite']);
    const load_avg_1m_at_start = round(loadavg()[0]!);
    const cases: { name: string; installments: number; req: ScheduleRequest }[] = [
      { name: 'emi_12', installments: 12, req: plain(12) },
      { name: 'emi_60', installments: 60, req: plain(60) },
      { name: 'emi_360', installments: 360, req: plain(360) },
      { name: 'every_option_360', installments: 360, req: everyOption },
    ];
    const start = new Date(Date.UTC(2026, 0, 31));
    const results: Record<string, unknown> = {};
    let met = true;
    for (const c of cases) {
      // Sanity: the engine really produced the schedule it is timed on.
      const check = buildSchedule(c.req);
      if (check.installments.length !== c.installments || check.installments.at(-1)!.closing_balance.minor !== 0n) {
        throw new Error(`FIGURE NOT MEASURED: ${c.name} did not produce ${c.installments} installments ending at 0`);
      }
      timeIt(() => buildSchedule(c.req), 500); // warm-up: the JIT settles before anything is timed
      timeIt(() => naiveAnnuity(250000, 0.0725, c.installments, start), 300);
      const engine: number[] = [];
      const engineCpu: number[] = [];
      const base: number[] = [];
      for (let r = 0; r < opts.rounds!; r++) {
        const e = timeIt(() => buildSchedule(c.req), opts.ms!);
        engine.push(e.ms_per_call);
        engineCpu.push(e.cpu_ms_per_call);
        base.push(timeIt(() => naiveAnnuity(250000, 0.0725, c.installments, start), opts.ms!).ms_per_call);
      }
      const ratiosPerRound = engine.map((e, i) => round(e / base[i]!, 2));
      const engineMs = median(engine);
      const target = c.name === 'emi_360' ? TARGET_MS_360 : undefined;
      if (target !== undefined && engineMs > target) met = false;
      results[c.name] = {
        installments: c.installments,
        engine_ms: round(engineMs, 4),
        // CPU time of this process per schedule: what a busy machine disturbs least.
        engine_cpu_ms: round(median(engineCpu), 4),
        engine_us_per_installment: round((engineMs * 1000) / c.installments, 3),
        baseline_ms: round(median(base), 4),
        ratio_to_baseline: { per_round: ratiosPerRound, median: round(median(ratiosPerRound), 2), min: Math.min(...ratiosPerRound), max: Math.max(...ratiosPerRound) },
        ...(target === undefined ? {} : { target_ms: target, met: engineMs <= target, met_on_cpu_time: median(engineCpu) <= target }),
      };
      say(`${c.name}: engine ${round(engineMs, 4)} ms, baseline ${round(median(base), 4)} ms`);
    }
    const http = opts.http! >= 1 ? await httpSimulate({ duration: opts.duration!, rounds: Math.min(opts.rounds!, 3), clients: opts.clients! }) : undefined;
    const lifecycles =
      opts.life! >= 1
        ? await lifecyclesPerSecond({
            clients: opts['life-clients']!,
            perRound: opts.lifecycles!,
            rounds: Math.min(opts.rounds!, 3),
            installments: opts.installments!,
            pgbenchSeconds: opts.duration!,
          })
        : undefined;
    const year: Record<string, Awaited<ReturnType<typeof yearOfDays>>> = {};
    if (opts.year! >= 1) {
      const common = { loans: opts.loans!, days: opts.days!, installments: opts.installments!, baselineTx: 1000 };
      year.postgres = await yearOfDays({ engine: 'postgres', ...common });
      if (opts.pglite! >= 1) year.pglite = await yearOfDays({ engine: 'pglite', ...common });
    }
    // No target is set for lifecycles and the year: they only have to have measured something.
    const loansMeasured = (!lifecycles || lifecycles.met.measured) && Object.values(year).every((y) => y.met.measured);
    return {
      benchmark: 'lending',
      rounds: opts.rounds,
      ms_per_measurement: opts.ms,
      node: process.version,
      load_avg_1m_at_start,
      load_avg_1m_at_end: round(loadavg()[0]!),
      cases: results,
      ...(http ? { http_simulate: http } : {}),
      ...(lifecycles ? { lifecycles } : {}),
      ...(Object.keys(year).length ? { year_of_days: year } : {}),
      // `all` holds only when every measured target does (the engine's, the HTTP ones when run) and
      // the lifecycles and the year measured what they claim.
      met: {
        engine: met,
        ...(http ? { http: http.met } : {}),
        ...(lifecycles || Object.keys(year).length ? { loans_measured: loansMeasured } : {}),
        all: met && (!http || Object.values(http.met).every(Boolean)) && loansMeasured,
      },
    };
  },
};
