// The two loan figures of `bench lending`:
//
// - Lifecycles per second: simulate → book → disburse (to the borrower's account) → one repayment
//   per installment → SETTLED (read back), `clients` lifecycles at a time, each loan on its own
//   account (opened through the API before the rounds), through the real `lastro start` on
//   PostgreSQL in a throwaway database. Baseline: pgbench TPC-B on the same server with the same
//   number of clients, in alternating rounds. Afterwards every completed lifecycle must be a
//   SETTLED loan and the ledger must verify.
//
// - A year of day closing for a sandbox org holding `loans` active monthly loans with
//   auto-collection: the test clock advanced 365 days and every passed day closed by the
//   day-closing engine in this process (as the worker's loop drives it), on PostgreSQL and, unless
//   --pglite 0, PGlite. The loans are booked over the 28 days before the advance, so installments
//   fall due on most days of the month. Reports days/s, installments collected, process CPU per
//   day and the time each day handler took; at the end every installment due by the last closed
//   day must be PAID (and no other), every loan SETTLED exactly when all its installments are,
//   and the ledger must verify. Baseline: tenant transactions updating one row through the same
//   pool, as `bench clock` does.
import { join } from 'node:path';
import { sql } from 'kysely';
import { createApp, type App } from '../src/app.js';
import { modules as allModules } from '../src/modules/index.js';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import type { DayHandler } from '../src/platform/day-close.js';
import { createLogger } from '../src/platform/logger.js';
import type { LastroModule } from '../src/platform/module.js';
import {
  type Child,
  DEFAULT_DATABASE_URL,
  type PgbenchRun,
  adminPool,
  backendPids,
  cpuSeconds,
  createOrg,
  makeTempDir,
  median,
  pgbenchRun,
  ratios,
  removeTempDir,
  round,
  say,
  startBenchLastro,
  stopChild,
  throwawayDatabase,
  type Throwaway,
  withLastroAndPgbench,
} from './lib.js';

const DAY_MS = 86_400_000;
const OVERDRAFT = 100_000_000; // no collection or repayment ever lacks funds
const LOAN_AMOUNT = 1200;

/** The benchmarks' monthly EMI product (12 % a year unless a simulation says otherwise). */
export const productBody = (programId: number, productId: string, productName = 'Bench monthly loan') => ({
  product_id: productId,
  program_id: programId,
  product_name: productName,
  product_type: 'PERSONAL',
  collateral: 'NONE',
  currency: 986,
  days_in_year_method: 'ACTUAL_ACTUAL',
  disbursement: { type: 'SINGLE' },
  interest_type: 'SIMPLE',
  loan_type: 'FIXED_RATE',
  repayment_calculation_method: 'EI_REDUCING_BALANCE',
  repayment_frequency: { method: 'MONTHLY' },
  stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }],
});

const programBody = (name: string) => ({
  name,
  type: 'DEBITO',
  timezone: 'America/Sao_Paulo',
  currency_numeric_code: '986',
  country_code: 'BRA',
  bin: { value: '999996', start_range: '0', end_range: '999999999' },
  brand: 'VISA',
});

const applicationBody = (programId: number, i: number) => ({
  application: {
    submit: true,
    program_id: programId,
    applicant: { document_number: `loan-${i}`, birth_date: '1980-01-31', personal: { name: `Borrower ${i}`, email: 'borrower@example.com' }, account: { overdraft_limit: OVERDRAFT } },
  },
});

const simulationBody = (productId: string, today: string, installments: number, auto: boolean) => ({
  product_id: productId,
  loan_amount: LOAN_AMOUNT,
  start_date: today,
  stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: installments, unit: 'MONTH' } }],
  disbursement: [{ due_date: today }],
  auto_collection: auto,
});

/** Runs `n` jobs, `lanes` at a time. */
async function inLanes(n: number, lanes: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, n) }, async () => {
      for (let i = next++; i < n; i = next++) await job(i);
    }),
  );
}

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; json: any }>;

/** A call that must answer `want`; anything else stops the run. */
const expecting =
  (call: Call) =>
  async (method: 'GET' | 'POST', path: string, body: unknown, want: number): Promise<any> => {
    const r = await call(method, path, body);
    if (r.status !== want) throw new Error(`FIGURE NOT MEASURED: ${method} ${path}: ${r.status} ${JSON.stringify(r.json).slice(0, 500)}`);
    return r.json;
  };

type Must = ReturnType<typeof expecting>;

/** Simulates, books and disburses a loan of `product` to `account` today; the simulation and the loan's id. */
async function openLoan(must: Must, account: number, product: string, today: string, installments: number, autoCollect: boolean): Promise<{ sim: any; loanId: string }> {
  const sim = await must('POST', '/lending/v1/simulations', simulationBody(product, today, installments, autoCollect), 201);
  const { loan_id: loanId } = await must('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account }, 202);
  await must(
    'POST',
    `/lending/v1/loans/${loanId}/disburse`,
    { disbursement_date: today, disbursed_amount: LOAN_AMOUNT, disbursement_account: { type: 'INTERNAL', account_id: account } },
    202,
  );
  return { sim, loanId };
}

// ---- lifecycles per second ------------------------------------------------------------------------

export interface LifecycleOptions {
  clients: number;
  /** Lifecycles per round. */
  perRound: number;
  rounds: number;
  installments: number;
  /** Seconds per pgbench round. */
  pgbenchSeconds: number;
}

interface LifecycleRound {
  lifecycles: number;
  seconds: number;
  lifecycles_per_s: number;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU of the lastro process per lifecycle (ms). */
  server_cpu_ms_per_lifecycle: number | null;
  /** CPU of the PostgreSQL backends serving lastro per lifecycle (ms). */
  db_cpu_ms_per_lifecycle: number | null;
  failures: number;
}

const pct = (sorted: number[], p: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!, 1) : 0);

export async function lifecyclesPerSecond(opts: LifecycleOptions) {
  return withLastroAndPgbench({ name: 'lending_life', scale: opts.clients }, async ({ admin, tmp, db, benchDb }) => {
    let server: Child | undefined;
    try {
      const started = await startBenchLastro({ engine: 'postgres', db, tmp, env: { DATABASE_POOL_SIZE: String(Math.max(10, opts.clients)) } });
      server = started.server;
      const { base, adminToken } = started;
      const org = await createOrg(base, adminToken, 'lending-life');
      const headers = { authorization: `Bearer ${org.token}`, 'x-tenant': org.orgId, 'content-type': 'application/json' };
      const call: Call = async (method, path, body) => {
        const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        const text = await res.text();
        return { status: res.status, json: text ? JSON.parse(text) : undefined };
      };
      const must = expecting(call);
      const program = await must('POST', '/programs/v1/programs/template', programBody('Bench lifecycles'), 200);
      await must('POST', '/lending/v1/loan-products', productBody(program.id, 'BENCH_LIFE'), 201);
      const today = (await must('GET', '/lastro/v1/clock', undefined, 200)).business_date as string;

      // One account per loan: booking refuses an account that already holds a live loan.
      const warmup = Math.max(opts.clients, 8);
      const total = warmup + opts.perRound * opts.rounds;
      say(`  opening ${total} accounts through the API…`);
      const accounts: number[] = new Array(total);
      await inLanes(total, opts.clients, async (i) => {
        accounts[i] = (await must('POST', '/acquisitions/v3/s2s/applications', applicationBody(program.id, i), 201)).account_id as number;
      });
      let nextAccount = 0;

      /** One lifecycle; resolves with the requests made and each one's time (ms). */
      const lifecycle = async (times: number[]): Promise<void> => {
        const account = accounts[nextAccount++];
        if (account === undefined) throw new Error('ran out of accounts');
        const timed = async (method: 'GET' | 'POST', path: string, body: unknown, want: number) => {
          const t0 = performance.now();
          const r = await must(method, path, body, want);
          times.push(performance.now() - t0);
          return r;
        };
        const { sim, loanId } = await openLoan(timed, account, 'BENCH_LIFE', today, opts.installments, false);
        for (const [k, i] of (sim.repayment_schedule as { payment_amount: number }[]).entries()) {
          await timed('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: `r${k + 1}`, repayment_date: today, repayment_amount: i.payment_amount }, 202);
        }
        const loan = await timed('GET', `/lending/v1/loans/${loanId}`, undefined, 200);
        if (loan.status !== 'SETTLED') throw new Error(`FIGURE NOT MEASURED: loan ${loanId} is ${loan.status} after every installment was repaid`);
      };

      const dbPids = backendPids(admin.pool, db.name);
      const runRound = async (count: number): Promise<LifecycleRound> => {
        const times: number[] = [];
        let failures = 0;
        let firstError: Error | undefined;
        const cpu0 = cpuSeconds(server!.pid);
        const pids = await dbPids();
        const db0 = new Map(pids.map((p) => [p, cpuSeconds(p) ?? 0]));
        const t0 = performance.now();
        let done = 0;
        await inLanes(count, opts.clients, async () => {
          try {
            await lifecycle(times);
            done += 1;
          } catch (err) {
            failures += 1;
            firstError ??= err instanceof Error ? err : new Error(String(err));
          }
        });
        const seconds = (performance.now() - t0) / 1000;
        const cpu1 = cpuSeconds(server!.pid);
        let dbUsed = 0;
        for (const [p, s] of db0) {
          const after = cpuSeconds(p);
          if (after !== null) dbUsed += after - s;
        }
        if (firstError) say(`FIGURE NOT MEASURED: ${failures} lifecycle(s) failed; the first: ${firstError.message}`);
        times.sort((a, b) => a - b);
        return {
          lifecycles: done,
          seconds: round(seconds, 2),
          lifecycles_per_s: round(done / seconds, 2),
          requests: times.length,
          p50_ms: pct(times, 50),
          p99_ms: pct(times, 99),
          server_cpu_ms_per_lifecycle: cpu0 === null || cpu1 === null || !done ? null : round(((cpu1 - cpu0) * 1000) / done, 2),
          db_cpu_ms_per_lifecycle: done ? round((dbUsed * 1000) / done, 2) : null,
          failures,
        };
      };

      say(`  warm-up: ${warmup} lifecycles and ${Math.min(2, opts.pgbenchSeconds)} s of pgbench…`);
      await runRound(warmup);
      await pgbenchRun(benchDb.url, opts.clients, Math.min(2, opts.pgbenchSeconds));
      const rounds: LifecycleRound[] = [];
      const pg: PgbenchRun[] = [];
      for (let r = 1; r <= opts.rounds; r++) {
        const life = await runRound(opts.perRound);
        rounds.push(life);
        say(
          `  round ${r}/${opts.rounds}: ${life.lifecycles_per_s} lifecycles/s (${life.requests} requests, p50 ${life.p50_ms} ms, p99 ${life.p99_ms} ms; ` +
            `${life.server_cpu_ms_per_lifecycle ?? '–'} ms lastro CPU + ${life.db_cpu_ms_per_lifecycle ?? '–'} ms PostgreSQL CPU per lifecycle)`,
        );
        const p = await pgbenchRun(benchDb.url, opts.clients, opts.pgbenchSeconds);
        pg.push(p);
        say(`  round ${r}/${opts.rounds} pgbench: ${p.tps} tps, ${p.failed} failed`);
      }

      // Every completed lifecycle is a SETTLED loan, and the ledger verifies.
      const completed = rounds.reduce((s, r) => s + r.lifecycles, 0) + warmup;
      const check = new (await import('pg')).default.Pool({ connectionString: db.url, max: 1 });
      const settled = Number((await check.query<{ n: string }>("select count(*) as n from lending_loans where org_id = $1 and status = 'SETTLED'", [org.orgId])).rows[0]!.n);
      const repayments = Number((await check.query<{ n: string }>('select count(*) as n from lending_repayments where org_id = $1', [org.orgId])).rows[0]!.n);
      await check.end();
      const verify = await must('GET', '/lastro/v1/ledger/verify', undefined, 200);
      const exit = await stopChild(server);
      server = undefined;
      const failures = rounds.reduce((s, r) => s + r.failures, 0);
      const pgMeasured = pg.every((p) => p.transactions > 0 && p.failed === 0);
      const measured = failures === 0 && rounds.every((r) => r.lifecycles > 0) && settled >= completed && repayments >= completed * opts.installments && verify.ok === true && pgMeasured;
      if (settled < completed) say(`FIGURE NOT MEASURED: ${completed} lifecycles completed but ${settled} loans are SETTLED`);
      if (verify.ok !== true) say(`FIGURE NOT MEASURED: ledger verify: ${JSON.stringify(verify).slice(0, 500)}`);
      const perS = rounds.map((r) => r.lifecycles_per_s);
      return {
        engine: 'postgres',
        clients: opts.clients,
        installments_per_loan: opts.installments,
        requests_per_lifecycle: opts.installments + 4,
        lifecycles_per_round: opts.perRound,
        median_lifecycles_per_s: median(perS),
        median_requests_per_s: round(median(rounds.map((r) => r.requests / r.seconds)), 0),
        median_server_cpu_ms_per_lifecycle: median(rounds.map((r) => r.server_cpu_ms_per_lifecycle ?? Number.NaN)),
        median_db_cpu_ms_per_lifecycle: median(rounds.map((r) => r.db_cpu_ms_per_lifecycle ?? Number.NaN)),
        rounds,
        pgbench: { scale: opts.clients, clients: opts.clients, seconds_per_round: opts.pgbenchSeconds, median_tps: median(pg.map((p) => p.tps)), rounds: pg },
        // lifecycles/s ÷ pgbench TPC-B tps, per round (each pair back to back).
        lifecycles_to_pgbench_tps: ratios(perS, pg.map((p) => p.tps), 4),
        loans_settled: settled,
        lifecycles_completed: completed,
        ledger_verify: { ok: verify.ok === true, entries_checked: verify.entries_checked },
        clean_sigterm_exit: exit === 0,
        met: { measured },
      };
    } finally {
      if (server) await stopChild(server);
    }
  });
}

// ---- a year of day closing with active loans ---------------------------------------------------------

export interface AdvanceOptions {
  engine: 'pglite' | 'postgres';
  loans: number;
  days: number;
  installments: number;
  baselineTx: number;
}

const ADMIN = `bench-admin-${Math.random().toString(36).slice(2)}`;
const T0 = '2026-01-05T15:00:00.000Z'; // a Monday, noon in São Paulo
/** Days over which the loans are booked, so their installments fall due on most days of the month. */
const SPREAD_DAYS = 28;

/** Every module's day handlers, each timed: total ms and calls per handler name. */
function timedModules(spent: Map<string, { ms: number; calls: number }>): LastroModule[] {
  const wrap = (h: DayHandler): DayHandler => ({
    name: h.name,
    async handle(ctx) {
      const t0 = performance.now();
      try {
        await h.handle(ctx);
      } finally {
        const s = spent.get(h.name) ?? { ms: 0, calls: 0 };
        s.ms += performance.now() - t0;
        s.calls += 1;
        spent.set(h.name, s);
      }
    },
  });
  return allModules.map((m) => (m.dayHandlers ? { ...m, dayHandlers: (p) => m.dayHandlers!(p).map(wrap) } : m));
}

export async function yearOfDays(opts: AdvanceOptions) {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const admin = opts.engine === 'postgres' ? await adminPool(databaseUrl) : undefined;
  const tmp = makeTempDir('lastro-bench-lending-year-');
  let db: Throwaway | undefined;
  let app: App | undefined;
  const spent = new Map<string, { ms: number; calls: number }>();
  try {
    if (admin) db = await throwawayDatabase(admin.pool, databaseUrl, 'lastro_bench_');
    say(`year: ${opts.engine}${db ? ` (throwaway database ${db.name})` : ''}; ${opts.loans} loans of ${opts.installments} monthly installments, auto-collection…`);
    const clock = new ManualClock(T0);
    app = await createApp({
      config: loadConfig({
        LOG_LEVEL: 'warn',
        LASTRO_ADMIN_TOKEN: ADMIN,
        LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0',
        LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '0',
        ...(db ? { DATABASE_URL: db.url } : { LASTRO_DATA_DIR: join(tmp, 'data') }),
      }),
      mode: 'all',
      clock,
      logger: createLogger('warn', process.stderr), // stdout carries only the result
      modules: timedModules(spent),
    });
    const http = app.http!;
    const created = await http.inject({
      method: 'POST',
      url: '/lastro/v1/orgs',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: {
        official_name: 'Bench Lending Year Ltda',
        org_name: 'Bench year',
        document_number: '98765432100',
        responsible: 'bench@example.com',
        currency_numeric_code: '986',
        timezone: 'America/Sao_Paulo',
        country_code: 'BRA',
        sandbox: true,
      },
    });
    if (created.statusCode !== 201) throw new Error(`creating the org: ${created.statusCode} ${created.body}`);
    const orgId = created.json().org.id as string;
    const cred = created.json().credential as { server_key: string; server_secret: string };
    const tokenRes = await http.inject({ method: 'POST', url: '/passport/v2/s2s/access-token', payload: cred });
    const headers = { authorization: `Bearer ${tokenRes.json().token as string}`, 'x-tenant': orgId };
    const call: Call = async (method, path, body) => {
      const res = await http.inject({ method, url: path, headers, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
    };
    const must = expecting(call);
    const lanes = opts.engine === 'pglite' ? 1 : 8;

    const setup0 = performance.now();
    const program = await must('POST', '/programs/v1/programs/template', programBody('Bench year'), 200);
    await must('POST', '/lending/v1/loan-products', productBody(program.id, 'BENCH_YEAR'), 201);
    const accounts: number[] = new Array(opts.loans);
    await inLanes(opts.loans, lanes, async (i) => {
      accounts[i] = (await must('POST', '/acquisitions/v3/s2s/applications', applicationBody(program.id, i), 201)).account_id as number;
    });
    say(`  ${opts.loans} accounts opened in ${round((performance.now() - setup0) / 1000, 1)} s; booking and disbursing the loans over ${SPREAD_DAYS} days…`);
    const spread = Math.min(SPREAD_DAYS, opts.loans);
    for (let d = 0; d < spread; d++) {
      const today = (await must('GET', '/lastro/v1/clock', undefined, 200)).business_date as string;
      const from = Math.floor((d * opts.loans) / spread);
      const to = Math.floor(((d + 1) * opts.loans) / spread);
      await inLanes(to - from, lanes, async (k) => {
        const account = accounts[from + k]!;
        await openLoan(must, account, 'BENCH_YEAR', today, opts.installments, true);
      });
      await must('POST', '/lastro/v1/clock/advance', { days: 1 }, 200);
    }
    const setupS = round((performance.now() - setup0) / 1000, 1);
    const from = (await must('GET', '/lastro/v1/clock', undefined, 200)).business_date as string;
    say(`  set up in ${setupS} s; advancing the test clock ${opts.days} days from ${from}…`);

    spent.clear();
    const adv = await must('POST', '/lastro/v1/clock/advance', { days: opts.days }, opts.days > app.platform.config.clockSyncDays ? 202 : 200);
    const dbPids = admin ? backendPids(admin.pool, db!.name) : undefined;
    const pidsBefore = dbPids ? await dbPids() : [];
    const dbBefore = new Map(pidsBefore.map((p) => [p, cpuSeconds(p) ?? 0]));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let steps = 0;
    for (let n = -1; n !== 0; steps += n) n = await app.platform.days.closeAllDue();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    let dbCpuS = 0;
    for (const [p, s] of dbBefore) {
      const after = cpuSeconds(p);
      if (after !== null) dbCpuS += after - s;
    }
    const state = await must('GET', `/lastro/v1/clock/advances/${adv.id}`, undefined, 200);
    const handlers = Object.fromEntries(
      [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([name, s]) => [name, { ms: round(s.ms, 0), calls: s.calls, ms_per_call: round(s.ms / s.calls, 3) }]),
    );
    say(`  ${state.days_closed} days closed in ${round(seconds, 2)} s (${steps} handler-days); per handler: ${JSON.stringify(handlers)}`);

    // Expected state: every installment due by the last closed day PAID, no other; a loan SETTLED iff all are.
    const lastClosed = new Date(Date.parse(`${state.to_date}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
    const rows = await app.platform.db.transaction(
      async (tx) => ({
        installments: await sql<{ due: boolean; status: string; n: string }>`
          select (real_due_date <= ${lastClosed}) as due, status, count(*) as n from lending_loan_installments where org_id = ${orgId} group by 1, 2`.execute(tx),
        loans: await sql<{ status: string; all_paid: boolean }>`
          select l.status, bool_and(i.status = 'PAID') as all_paid
          from lending_loans l join lending_loan_installments i on i.org_id = l.org_id and i.loan_id = l.loan_id
          where l.org_id = ${orgId} group by l.loan_id, l.status`.execute(tx),
        auto: await sql<{ n: string }>`select count(*) as n from lending_repayments where org_id = ${orgId} and source = 'AUTO'`.execute(tx),
      }),
      { orgId },
    );
    const count = (pred: (r: { due: boolean; status: string }) => boolean) => rows.installments.rows.filter(pred).reduce((s, r) => s + Number(r.n), 0);
    const dueInstallments = count((r) => r.due);
    const collected = count((r) => r.due && r.status === 'PAID');
    const wrong = count((r) => (r.due ? r.status !== 'PAID' : r.status !== 'SCHEDULED'));
    const loanStates: Record<string, number> = {};
    let wrongLoans = 0;
    for (const r of rows.loans.rows) {
      loanStates[r.status] = (loanStates[r.status] ?? 0) + 1;
      if ((r.status === 'SETTLED') !== r.all_paid || (r.status !== 'SETTLED' && r.status !== 'ACTIVE')) wrongLoans += 1;
    }
    const verify = await must('GET', '/lastro/v1/ledger/verify', undefined, 200);
    const base = await baselineTx(app, orgId, opts.baselineTx);
    const problems: string[] = [];
    if (state.status !== 'DONE' || state.days_closed !== opts.days) problems.push(`the advance is ${state.status} with ${state.days_closed} of ${opts.days} days closed`);
    if (dueInstallments === 0) problems.push('no installment fell due');
    if (wrong) problems.push(`${wrong} installments are not in their expected state`);
    if (wrongLoans || rows.loans.rows.length !== opts.loans) problems.push(`${wrongLoans} of ${rows.loans.rows.length} loans are not in their expected state`);
    if (verify.ok !== true) problems.push(`ledger verify: ${JSON.stringify(verify).slice(0, 300)}`);
    for (const p of problems) say(`FIGURE NOT MEASURED: ${p}`);
    const daysPerS = opts.days / seconds;
    const result = {
      engine: opts.engine,
      loans: opts.loans,
      installments_per_loan: opts.installments,
      setup_s: setupS,
      from_date: from,
      to_date: state.to_date,
      days_closed: state.days_closed,
      handler_days: steps,
      seconds: round(seconds, 2),
      days_per_s: round(daysPerS, 2),
      ms_per_day: round((seconds * 1000) / opts.days, 2),
      // CPU of this process (the day-closing engine and the handlers) per closed day.
      process_cpu_ms_per_day: round((cpu.user + cpu.system) / 1000 / opts.days, 2),
      ...(admin ? { db_cpu_ms_per_day: round((dbCpuS * 1000) / opts.days, 2) } : {}),
      installments_due: dueInstallments,
      installments_collected: collected,
      auto_repayments: Number(rows.auto.rows[0]!.n),
      loans_by_status: loanStates,
      handlers,
      ledger_verify: { ok: verify.ok === true, entries_checked: verify.entries_checked },
      baseline: base,
      // days/s ÷ baseline transactions/s: a closed day costs this many one-row transactions (inverse).
      days_to_baseline_tx: round(daysPerS / base.tx_per_s, 4),
      met: { measured: problems.length === 0 },
    };
    say(`  ${result.days_per_s} days/s, ${collected} installments collected, loans ${JSON.stringify(loanStates)}; baseline ${base.tx_per_s} tx/s; ledger verify ${verify.ok}`);
    return result;
  } finally {
    await app?.stop();
    await db?.drop();
    await admin?.pool.end().catch(() => {});
    removeTempDir(tmp);
  }
}

/** `count` tenant transactions updating the org's day-scope row, one at a time (an org's days close one at a time). */
async function baselineTx(app: App, orgId: string, count: number) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await app.platform.db.transaction((tx) => sql`update business_day_scopes set updated_at = now() where org_id = ${orgId} and program_id = 0`.execute(tx), { orgId });
  }
  const seconds = (performance.now() - started) / 1000;
  return { transactions: count, tx_per_s: round(count / seconds, 0), ms_per_tx: round((seconds * 1000) / count, 3) };
}
