// `ledger-groups`: what one group of P2P transfers costs by its size, without HTTP. The ledger's
// payments service runs in this process on a throwaway PostgreSQL database and commits groups of
// 1, 2, 4 … `--max` transfers (transferMany, the group commit's own call), one group after
// another, each between random accounts; per size: wall time and this process's and PostgreSQL's
// CPU per group and per transfer, and a straight-line fit of each (a fixed cost per group plus a
// cost per transfer). Baseline in the same run, same database server: pgbench TPC-B with one client
// (a serial transaction's wall and CPU, as a group runs serially) and with `--clients` (what the
// `ledger` benchmark's target is measured against). `ceiling` turns the fits into the most
// transfers/s the two cores could give if every other cost (HTTP, the load generator) were nil:
// with every client in each group (serial), and with perfect overlap (CPU-bound).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/logger.js';
import { createPaymentsService } from '../src/modules/ledger/payments.service.js';
import { TRANSFER_TX } from '../src/modules/ledger/transfer-groups.js';
import {
  type Benchmark,
  PGBENCH_MODE,
  UsageError,
  backendPids,
  beginRun,
  cpuSeconds,
  parseOptions,
  pgbenchRun,
  round,
  say,
  walReader,
  type WalWritten,
  withLastroAndPgbench,
} from './lib.js';

const PGBENCH_SCALE = 10;
const ADMIN_TOKEN = 'bench-ledger-groups-admin-token-000000000000';

interface SizeRun {
  size: number;
  groups: number;
  wall_ms_per_group: number;
  lastro_cpu_ms_per_group: number;
  pg_cpu_ms_per_group: number;
  per_transfer: { wall_us: number; lastro_cpu_us: number; pg_cpu_us: number };
}

/** Least squares y = fixed + perTransfer × size over the runs. */
function fit(runs: SizeRun[], y: (r: SizeRun) => number): { fixed_ms_per_group: number; per_transfer_ms: number } {
  const n = runs.length;
  const mx = runs.reduce((s, r) => s + r.size, 0) / n;
  const my = runs.reduce((s, r) => s + y(r), 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const r of runs) {
    sxy += (r.size - mx) * (y(r) - my);
    sxx += (r.size - mx) ** 2;
  }
  const slope = sxx ? sxy / sxx : 0;
  return { fixed_ms_per_group: round(my - slope * mx, 3), per_transfer_ms: round(slope, 4) };
}

async function inject(app: App, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) {
  const res = await app.http!.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: res.statusCode, json: res.json<Record<string, unknown>>() };
}

export const ledgerGroupsBenchmark: Benchmark = {
  summary: 'cost of one group of P2P transfers by size (in process, no HTTP) on PostgreSQL, fixed vs per-transfer, vs pgbench TPC-B at 1 and N clients',
  options: [
    '--max N        largest group (powers of two from 1; default 32)',
    '--seconds S    time per size and repetition (default 3)',
    '--reps N       repetitions of the sizes, alternating (default 2; the figures are per-size medians)',
    '--accounts N   accounts the transfers pick from (default 500)',
    '--clients N    pgbench clients of the second baseline (default 16, as `ledger`)',
    'DATABASE_URL   PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)',
    'LASTRO_BENCH_PROFILE=<dir>  write V8 CPU and allocation (sampling) profiles of the measured groups there',
  ],
  async run(args) {
    const opts = parseOptions(args, { max: 32, seconds: 3, reps: 2, accounts: 500, clients: 16 });
    for (const k of ['max', 'seconds', 'reps', 'accounts', 'clients'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k]! < 1) throw new UsageError(`--${k} must be a positive integer`);
    }
    if (opts.accounts! < 2 * opts.max!) throw new UsageError('--accounts must be at least twice --max');
    const run = beginRun();
    return withLastroAndPgbench({ name: 'groups', scale: PGBENCH_SCALE }, async ({ admin, tmp, db, benchDb }) => {
      let app: App | undefined;
      try {
        app = await createApp({
          config: loadConfig({
            DATABASE_URL: db.url,
            LOG_LEVEL: 'warn',
            LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
            LASTRO_DATA_DIR: join(tmp, 'data'),
            LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '100000000',
            LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '100000000',
          }),
          mode: 'all', // migrates; its workers are not started (nothing relays events meanwhile)
          clock: new ManualClock(new Date()),
          logger: createLogger('warn', process.stderr),
        });
        const a = app;
        const created = await inject(a, 'POST', '/lastro/v1/orgs', { authorization: `Bearer ${ADMIN_TOKEN}` }, {
          official_name: 'Bench Groups Pagamentos Ltda', org_name: 'Bench Groups', document_number: '91234567890',
          responsible: 'bench-groups@example.com', currency_numeric_code: '986', timezone: 'America/Sao_Paulo', country_code: 'BRA',
        });
        if (created.status !== 201) throw new Error(`creating the org: ${created.status} ${JSON.stringify(created.json)}`);
        const org = created.json.org as { id: string };
        const credential = created.json.credential as { server_key: string; server_secret: string };
        const token = await inject(a, 'POST', '/passport/v2/s2s/access-token', {}, credential);
        if (token.status !== 201) throw new Error(`token: ${token.status}`);
        const headers = { authorization: `Bearer ${token.json.token as string}`, 'x-tenant': org.id };
        const program = await inject(a, 'POST', '/programs/v1/programs/template', headers, {
          name: 'Bench groups debit', type: 'DEBITO', timezone: 'America/Sao_Paulo', currency_numeric_code: '986', country_code: 'BRA',
          bin: { value: '999999', start_range: '0', end_range: '999999999' }, brand: 'VISA',
        });
        if (program.status !== 200) throw new Error(`creating the program: ${program.status} ${JSON.stringify(program.json)}`);
        say(`opening ${opts.accounts} accounts…`);
        const ids: number[] = [];
        for (let i = 0; i < opts.accounts!; i++) {
          const res = await inject(a, 'POST', '/acquisitions/v3/s2s/applications', headers, {
            application: {
              submit: true,
              program_id: program.json.id,
              applicant: { document_number: `bench-g-${i}`, birth_date: '1980-01-31', personal: { name: `Holder ${i}`, email: 'holder@example.com' }, account: { overdraft_limit: 100_000_000 } },
            },
          });
          if (res.status !== 201) throw new Error(`opening account ${i}: ${res.status} ${JSON.stringify(res.json)}`);
          ids.push(res.json.account_id as number);
        }

        const payments = createPaymentsService(a.platform);
        const scope = { orgId: org.id, cid: undefined, actor: 'bench' };
        const dbPids = backendPids(admin.pool, db.name);
        // CPU seconds of each backend; between two readings, what the backends alive at the second
        // used since the first (a backend that began meanwhile, all of its own). One the pool closed
        // meanwhile (idle) is left out.
        const pgCpu = async (): Promise<Map<number, number>> => new Map((await dbPids()).map((pid) => [pid, cpuSeconds(pid) ?? 0]));
        const pgCpuSince = async (before: Map<number, number>): Promise<number> => {
          let s = 0;
          for (const [pid, cpu] of await pgCpu()) s += cpu - (before.get(pid) ?? 0);
          return s;
        };
        let seq = 0;
        const runSize = async (size: number, seconds: number): Promise<SizeRun> => {
          let groups = 0;
          const cpu0 = process.cpuUsage();
          const pg0 = await pgCpu();
          const t0 = performance.now();
          while (performance.now() - t0 < seconds * 1000) {
            const items: Parameters<typeof payments.transferMany>[1] = [];
            for (let i = 0; i < size; i++) {
              const from = ids[Math.floor(Math.random() * ids.length)]!;
              let to = from;
              while (to === from) to = ids[Math.floor(Math.random() * ids.length)]!;
              items.push({
                body: { tracking_id: `g-${++seq}`, from: [{ processing_code: '002000', amount: '1.00', account: { id: from } }], to: [{ processing_code: '004000', account: { id: to } }] },
                tokenAccount: String(from),
                cid: undefined,
              });
            }
            // With the options the group commit's own transactions run with (generic plans).
            const out = await a.platform.tenant(scope, (t) => payments.transferMany(t, items), TRANSFER_TX);
            const failed = out.find((o) => !o.ok);
            if (failed && !failed.ok) throw new Error(`a transfer was declined: ${String(failed.error)}`);
            groups++;
          }
          const wall = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          const pgMs = (await pgCpuSince(pg0)) * 1000;
          const lastroMs = (cpu.user + cpu.system) / 1000;
          return {
            size,
            groups,
            wall_ms_per_group: round(wall / groups, 3),
            lastro_cpu_ms_per_group: round(lastroMs / groups, 3),
            pg_cpu_ms_per_group: round(pgMs / groups, 3),
            per_transfer: {
              wall_us: round((wall * 1000) / groups / size, 1),
              lastro_cpu_us: round((lastroMs * 1000) / groups / size, 1),
              pg_cpu_us: round((pgMs * 1000) / groups / size, 1),
            },
          };
        };

        const sizes: number[] = [];
        for (let s = 1; s <= opts.max!; s *= 2) sizes.push(s);
        say('warm-up…');
        for (const s of [1, opts.max!]) await runSize(s, 1);
        // What autovacuum's first pass does on a running server: statistics of tables that have
        // rows, so that no plan here depends on their absence (docs/architecture.md, "Plans that do
        // not depend on statistics"; the project machine runs PostgreSQL with autovacuum off).
        const analyzer = new pg.Client({ connectionString: db.url });
        await analyzer.connect();
        try {
          await analyzer.query('analyze');
        } finally {
          await analyzer.end();
        }
        // LASTRO_BENCH_PROFILE=<dir>: V8 CPU and allocation profiles of the measured groups (this process) there.
        const profileDir = process.env.LASTRO_BENCH_PROFILE;
        const profiler = profileDir ? new Session() : undefined;
        if (profiler) {
          profiler.connect();
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.start');
          await profiler.post('HeapProfiler.enable');
          await profiler.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        }
        const all: SizeRun[] = [];
        for (let rep = 0; rep < opts.reps!; rep++) {
          for (const s of rep % 2 ? [...sizes].reverse() : sizes) {
            const r = await runSize(s, opts.seconds!);
            all.push(r);
            say(`  group of ${s}: ${r.wall_ms_per_group} ms, Lastro ${r.lastro_cpu_ms_per_group} ms + PostgreSQL ${r.pg_cpu_ms_per_group} ms CPU per group (${r.per_transfer.lastro_cpu_us} + ${r.per_transfer.pg_cpu_us} µs per transfer)`);
          }
        }
        if (profiler) {
          const { profile } = await profiler.post('Profiler.stop');
          const { profile: heap } = await profiler.post('HeapProfiler.stopSampling');
          const file = join(profileDir!, `ledger-groups-${Date.now()}`);
          writeFileSync(`${file}.cpuprofile`, JSON.stringify(profile));
          writeFileSync(`${file}.heapprofile`, JSON.stringify(heap));
          profiler.disconnect();
          say(`CPU and allocation profiles of the measured groups: ${file}.cpuprofile, .heapprofile`);
        }
        // Per size, the run whose wall time is the median of its repetitions.
        const bySize = sizes.map((s) => {
          const runs = all.filter((r) => r.size === s).sort((x, y) => x.wall_ms_per_group - y.wall_ms_per_group);
          return runs[Math.floor((runs.length - 1) / 2)]!;
        });

        // What a transfer (in groups of the largest size) and a TPC-B transaction write to the WAL,
        // each in a run of its own: rows, indexes and commits are most of what PostgreSQL does.
        const walOf = await walReader(db.url);
        let wal: { transfer: WalWritten; tpcb_tx: WalWritten } | null = null;
        if (walOf) {
          try {
            const m0 = await walOf.mark();
            const r = await runSize(opts.max!, 1);
            const transfer = await walOf.since(m0, r.groups * r.size);
            const m1 = await walOf.mark();
            const b = await pgbenchRun(benchDb.url, 1, 1);
            wal = { transfer, tpcb_tx: await walOf.since(m1, b.transactions) };
            say(`WAL: ${transfer.records} records, ${transfer.bytes} bytes per transfer; ${wal.tpcb_tx.records} records, ${wal.tpcb_tx.bytes} bytes per TPC-B transaction`);
          } finally {
            await walOf.end();
          }
        }

        say(`pgbench TPC-B (-M ${PGBENCH_MODE}, scale ${PGBENCH_SCALE}), 1 client and ${opts.clients} clients, ${opts.seconds! * 2} s each…`);
        await pgbenchRun(benchDb.url, 1, 2);
        const one = await pgbenchRun(benchDb.url, 1, opts.seconds! * 2);
        const many = await pgbenchRun(benchDb.url, opts.clients!, opts.seconds! * 2);

        const lastro = fit(all, (r) => r.lastro_cpu_ms_per_group);
        const pgFit = fit(all, (r) => r.pg_cpu_ms_per_group);
        const wall = fit(all, (r) => r.wall_ms_per_group);
        const cores = cpus().length;
        const largest = bySize[bySize.length - 1]!;
        // With every client in each group, groups run one after another: the largest group's wall
        // time per transfer. With perfect overlap of Lastro and PostgreSQL: the cores over the CPU.
        const serial = 1e6 / largest.per_transfer.wall_us;
        const cpuBound = (cores * 1e6) / (largest.per_transfer.lastro_cpu_us + largest.per_transfer.pg_cpu_us);
        return {
          benchmark: 'ledger-groups',
          engine: 'postgres',
          postgres: admin.version,
          ...run.facts(),
          // The service runs in this process, from the sources (this runner's tsx), whatever dist/ holds.
          lastro_runs: 'tsx',
          seconds_per_size: opts.seconds,
          reps: opts.reps,
          accounts: opts.accounts,
          sizes: bySize,
          runs: all,
          fit: { lastro_cpu: lastro, postgres_cpu: pgFit, wall },
          pgbench: {
            mode: PGBENCH_MODE,
            scale: PGBENCH_SCALE,
            one_client: { tps: one.tps, latency_avg_ms: one.latency_avg_ms, machine_cpu_us_per_tx: one.machine_cpu_us_per_tx },
            clients: opts.clients,
            many_clients: { tps: many.tps, latency_avg_ms: many.latency_avg_ms, machine_cpu_us_per_tx: many.machine_cpu_us_per_tx, machine_idle_share: many.machine_idle_share },
          },
          /** WAL per transfer (groups of the largest size) and per TPC-B transaction (one client), by relation. */
          wal,
          ratios: {
            /** A transfer in the largest group against one TPC-B transaction, one client each: wall time. */
            largest_group_transfer_to_tpcb_tx_wall: round(largest.per_transfer.wall_us / ((1e6 / one.tps) || 1), 3),
          },
          ceiling: {
            group_size: largest.size,
            serial_transfers_per_s: round(serial, 0),
            cpu_bound_transfers_per_s: round(cpuBound, 0),
            serial_to_pgbench_clients: round(serial / many.tps, 3),
            cpu_bound_to_pgbench_clients: round(cpuBound / many.tps, 3),
          },
        };
      } finally {
        await app?.stop().catch(() => {});
      }
    });
  },
};
