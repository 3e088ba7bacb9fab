// `http`: GET /health through the full stack (the real `lastro start` process) against a bare
// node:http server, both running, in alternating rounds; start-up time against bare scripts that
// do the least the same start needs (open the same PGlite data dir or PostgreSQL database, listen
// with Fastify), also alternating; `lastro --help` against a bare commander `--help`; RSS.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  adminPool,
  alternateLoads,
  beginRun,
  type Benchmark,
  type Child,
  freePort,
  get,
  lastroNodeArgs,
  makeTempDir,
  measuredAll,
  median,
  parseOptions,
  ratios,
  removeTempDir,
  round,
  rssMb,
  say,
  spawnNode,
  stopChild,
  summarize,
  type Throwaway,
  throwawayDatabase,
  timeToExit,
  UsageError,
  waitFor200,
} from './lib.js';

const TARGETS = { req_per_s: 20_000, p99_ms: 10, startup_ratio_to_bare: 1.5 };
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

// The floor any Node HTTP server sits on: same runtime, same load, no framework.
const BASELINE_SERVER = `
const body = JSON.stringify({ status: 'ok' });
require('node:http')
  .createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

// The least a start on PGlite needs: load PGlite, open (or create) the data dir, listen with
// Fastify. /ready runs one query, as Lastro's does. It closes PGlite on SIGTERM, as Lastro does,
// so the next process finds the data dir clean.
const BARE_PGLITE = `
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
const db = await PGlite.create(process.env.BENCH_DATA_DIR);
const app = Fastify();
app.get('/ready', async () => { await db.query('select 1'); return { status: 'ready' }; });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => { await app.close(); await db.close(); process.exit(0); });
`;

// The same on PostgreSQL: a pg pool, one query, a Fastify listener.
const BARE_POSTGRES = `
import pg from 'pg';
import Fastify from 'fastify';
const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL });
await pool.query('select 1');
const app = Fastify();
app.get('/ready', async () => { await pool.query('select 1'); return { status: 'ready' }; });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => { await app.close(); await pool.end(); process.exit(0); });
`;

// A command-line program with commander (what \`lastro\` is built on) printing its help.
const BARE_HELP = `
import { Command } from 'commander';
const program = new Command().name('lastro').description('bare commander program');
program.command('start').description('start');
program.command('migrate').description('migrate');
program.parse(['--help'], { from: 'user' });
`;

/** Start-up figures of one kind: Lastro and its bare baseline, alternating, median of N each. */
function startupFigure(lastroMs: number[], bareMs: number[]): Record<string, unknown> & { ratio: number } {
  const r = ratios(lastroMs, bareMs, 2);
  return {
    lastro_median_ms: round(median(lastroMs), 0),
    bare_median_ms: round(median(bareMs), 0),
    // The median of per-pair ratios (each pair measured back to back).
    ratio: r.median,
    ratio_min: r.min,
    ratio_max: r.max,
    lastro_samples_ms: lastroMs.map((ms) => round(ms, 0)),
    bare_samples_ms: bareMs.map((ms) => round(ms, 0)),
  };
}

async function run(args: string[]): Promise<Record<string, unknown>> {
  // --log-level is the one non-numeric option, so it is taken out before the numeric ones.
  let logLevel = 'warn';
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--log-level(?:=(.*))?$/.exec(args[i]!);
    if (!m) {
      rest.push(args[i]!);
      continue;
    }
    logLevel = m[1] ?? args[++i] ?? '';
    if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const opts = parseOptions(rest, { duration: 5, rounds: 4, connections: 50, starts: 3, 'fresh-starts': 2 });
  for (const name of ['connections', 'starts', 'fresh-starts', 'rounds']) {
    if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  }
  const load = { durationS: opts.duration!, connections: opts.connections!, pipelining: 1 };
  const starts = opts.starts!;
  const freshStarts = opts['fresh-starts']!;
  const rounds = opts.rounds!;
  const benchRun = beginRun();
  const databaseUrl = process.env.DATABASE_URL;
  const engine = databaseUrl ? 'postgres' : 'pglite';
  const tmp = makeTempDir('lastro-bench-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const lastroEnv = (over: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...inherited, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: logLevel, ...over });
  const sigtermExits: Array<number | string> = [];
  const stop = async (c: Child): Promise<void> => void sigtermExits.push(await stopChild(c));
  const children: Child[] = [];
  const track = (c: Child): Child => (children.push(c), c);

  /** Spawn to the first 200 from /ready of a `lastro start`. */
  const startLastro = async (label: string, env: NodeJS.ProcessEnv, expect: string): Promise<{ child: Child; ms: number }> => {
    const child = track(spawnNode(`lastro (${label})`, [...lastroNodeArgs(), 'bin/lastro.mjs', 'start'], lastroEnv(env)));
    const ms = await waitFor200(child, `${base}/ready`);
    const served = (JSON.parse((await get(`${base}/ready`)).body) as { database?: string }).database;
    if (served !== expect) throw new Error(`expected lastro on ${expect}, /ready says ${served}`);
    say(`  lastro (${label}) ready in ${round(ms, 0)} ms`);
    return { child, ms };
  };
  /** Spawn to the first 200 from /ready of a bare script; it is stopped again right away. */
  const startBare = async (label: string, script: string, env: NodeJS.ProcessEnv): Promise<number> => {
    const child = track(spawnNode(`bare (${label})`, ['--input-type=module', '-e', script], { ...inherited, PORT: String(port), ...env }));
    const ms = await waitFor200(child, `${base}/ready`);
    say(`  bare script (${label}) ready in ${round(ms, 0)} ms`);
    const exit = await stopChild(child);
    if (exit !== 0) say(`bare script (${label}) exited with ${exit} after SIGTERM`);
    return ms;
  };

  let server: Child | undefined;
  let rssAfterStartup: number | null = null;
  const admin = databaseUrl ? await adminPool(databaseUrl) : undefined;
  let pgDb: Throwaway | undefined;
  try {
    // ---- start-up on PGlite: a fresh data dir, then an existing one ----
    say(`start-up on PGlite, fresh data dir: lastro (creates the data dir and migrates) and the bare script (creates a data dir), ${freshStarts}×, alternating…`);
    const fresh = { lastro: [] as number[], bare: [] as number[] };
    const existingDir = join(tmp, 'lastro-1', 'data');
    for (let i = 1; i <= freshStarts; i++) {
      const dir = join(tmp, `lastro-${i}`);
      mkdirSync(dir, { recursive: true });
      const l = await startLastro(`fresh ${i}/${freshStarts}`, { LASTRO_DATA_DIR: join(dir, 'data') }, 'pglite');
      fresh.lastro.push(l.ms);
      await stop(l.child);
      if (i > 1) removeTempDir(dir);
      const bareDir = join(tmp, `bare-${i}`);
      mkdirSync(bareDir, { recursive: true });
      fresh.bare.push(await startBare(`fresh ${i}/${freshStarts}`, BARE_PGLITE, { BENCH_DATA_DIR: join(bareDir, 'data') }));
      removeTempDir(bareDir);
    }

    say(`start-up on PGlite, existing data dir (the same dir for both), ${starts}×, alternating…`);
    const existing = { lastro: [] as number[], bare: [] as number[] };
    for (let i = 1; i <= starts; i++) {
      existing.bare.push(await startBare(`existing ${i}/${starts}`, BARE_PGLITE, { BENCH_DATA_DIR: existingDir }));
      const l = await startLastro(`existing ${i}/${starts}`, { LASTRO_DATA_DIR: existingDir }, 'pglite');
      existing.lastro.push(l.ms);
      // The last one stays up for the load on PGlite.
      if (i < starts || engine === 'postgres') await stop(l.child);
      else server = l.child;
    }
    if (server) rssAfterStartup = rssMb(server.pid);

    // ---- start-up on PostgreSQL ----
    let postgres: Record<string, unknown> | undefined;
    if (databaseUrl && admin) {
      const db = (pgDb = await throwawayDatabase(admin.pool, databaseUrl, 'lastro_bench_'));
      say(`start-up on PostgreSQL ${admin.version} (throwaway database ${db.name})…`);
      {
        const first = await startLastro('PostgreSQL, empty database: migrates', { DATABASE_URL: db.url, LASTRO_DATA_DIR: join(tmp, 'pg-data') }, 'postgres');
        await stop(first.child);
        const pgStarts = { lastro: [] as number[], bare: [] as number[] };
        for (let i = 1; i <= starts; i++) {
          pgStarts.bare.push(await startBare(`PostgreSQL ${i}/${starts}`, BARE_POSTGRES, { BENCH_DATABASE_URL: db.url }));
          const l = await startLastro(`PostgreSQL, migrated database ${i}/${starts}`, { DATABASE_URL: db.url, LASTRO_DATA_DIR: join(tmp, 'pg-data') }, 'postgres');
          pgStarts.lastro.push(l.ms);
          if (i < starts) await stop(l.child);
          else server = l.child;
        }
        rssAfterStartup = rssMb(server!.pid);
        postgres = {
          postgres: admin.version,
          migrated_database: startupFigure(pgStarts.lastro, pgStarts.bare),
          // One start (it migrates the database), against the median of the bare script's starts.
          empty_database_lastro_ms: round(first.ms, 0),
          empty_database_ratio_to_bare: round(first.ms / median(pgStarts.bare), 2),
        };
      }
    }

    // ---- lastro --help ----
    say(`lastro --help against a bare commander --help and node -e 0, ${starts}×, alternating…`);
    const help = { lastro: [] as number[], bare: [] as number[], node: [] as number[] };
    for (let i = 1; i <= starts; i++) {
      help.lastro.push(await timeToExit(track(spawnNode('lastro --help', [...lastroNodeArgs(), 'bin/lastro.mjs', '--help'], inherited))));
      help.bare.push(await timeToExit(track(spawnNode('bare commander --help', ['--input-type=module', '-e', BARE_HELP], inherited))));
      help.node.push(await timeToExit(track(spawnNode('node -e 0', ['-e', '0'], inherited))));
      say(`  lastro --help ${round(help.lastro.at(-1)!, 0)} ms, bare ${round(help.bare.at(-1)!, 0)} ms, node -e 0 ${round(help.node.at(-1)!, 0)} ms`);
    }

    // ---- GET /health against bare node:http, both up, alternating rounds ----
    const lastro = server!;
    const bPort = await freePort();
    const baseline = track(spawnNode('baseline node:http', ['-e', BASELINE_SERVER], { ...inherited, PORT: String(bPort) }));
    await waitFor200(baseline, `http://127.0.0.1:${bPort}/health`);
    say(`GET /health on lastro (${engine}) and on bare node:http: 2 s warm-up each, then ${rounds} rounds of ${load.durationS} s each, alternating, ${load.connections} connections…`);
    const loads = await alternateLoads(
      {
        lastro: { url: `${base}/health`, ...load, serverPid: lastro.pid },
        bare: { url: `http://127.0.0.1:${bPort}/health`, ...load, serverPid: baseline.pid },
      },
      rounds,
    );
    const rssAfterLoad = rssMb(lastro.pid);
    const rssPeak = rssMb(lastro.pid, 'VmHWM');
    const bareRss = rssMb(baseline.pid);
    await stopChild(baseline);
    await stop(lastro);
    server = undefined;

    const health = summarize(loads.lastro);
    const bare = { ...summarize(loads.bare), rss_after_load_mb: bareRss };
    const reqRatio = ratios(
      loads.lastro.map((r) => r.req_per_s),
      loads.bare.map((r) => r.req_per_s),
    );
    // CPU per request: bare ÷ lastro, so 1.0 means Lastro costs as little as the bare server.
    const cpuRatio = ratios(
      loads.bare.map((r) => r.server_cpu_us_per_req ?? 0),
      loads.lastro.map((r) => r.server_cpu_us_per_req ?? 0),
    );

    const loadMeasured = measuredAll('GET /health on lastro', loads.lastro);
    const bareMeasured = measuredAll('GET /health on bare node:http', loads.bare);
    const existingFigure = startupFigure(existing.lastro, existing.bare);
    const pgRatio = (postgres?.migrated_database as { ratio: number } | undefined)?.ratio;
    const met = {
      req_per_s: loadMeasured && (health.median_req_per_s as number) >= TARGETS.req_per_s,
      p99_ms: loadMeasured && (health.median_p99_ms as number) < TARGETS.p99_ms,
      load_measured: loadMeasured && bareMeasured,
      startup_existing_data_dir: existingFigure.ratio > 0 && existingFigure.ratio <= TARGETS.startup_ratio_to_bare,
      ...(pgRatio === undefined ? {} : { startup_postgres: pgRatio > 0 && pgRatio <= TARGETS.startup_ratio_to_bare }),
      clean_sigterm_exits: sigtermExits.every((e) => e === 0),
    };
    if (!met.clean_sigterm_exits) say(`lastro exits after SIGTERM: ${sigtermExits.join(', ')} (expected all 0)`);

    return {
      benchmark: 'http',
      engine,
      ...benchRun.facts(),
      duration_s_per_round: load.durationS,
      rounds,
      connections: load.connections,
      pipelining: load.pipelining,
      log_level: logLevel,
      health,
      baseline_node_http: bare,
      // lastro req/s ÷ bare req/s, per round (each pair back to back).
      ratio_to_baseline: reqRatio,
      // bare CPU per request ÷ lastro CPU per request: client and server share the cores, so
      // req/s is partly client-bound; CPU per request is not.
      cpu_ratio_to_baseline: cpuRatio,
      startup: {
        pglite_existing_data_dir: existingFigure,
        pglite_fresh_data_dir: startupFigure(fresh.lastro, fresh.bare),
        ...(postgres ? { postgres } : {}),
        help: {
          lastro_median_ms: round(median(help.lastro), 0),
          bare_commander_median_ms: round(median(help.bare), 0),
          node_e_0_median_ms: round(median(help.node), 0),
          ratio_to_bare_commander: ratios(help.lastro, help.bare, 2).median,
          lastro_samples_ms: help.lastro.map((ms) => round(ms, 0)),
        },
        rss_after_startup_mb: rssAfterStartup,
        timeout_ms: 120_000,
        // Exit of every SIGTERM'd lastro process; anything but 0 is an unclean shutdown.
        sigterm_exits: sigtermExits,
      },
      rss_after_load_mb: rssAfterLoad,
      rss_peak_mb: rssPeak,
      targets: TARGETS,
      met: { ...met, all: Object.values(met).every(Boolean) },
    };
  } finally {
    for (const c of children) await stopChild(c, 5000);
    await pgDb?.drop();
    await admin?.pool.end().catch(() => {});
    removeTempDir(tmp);
  }
}

export const httpBenchmark: Benchmark = {
  summary: 'GET /health vs bare node:http (alternating rounds); start-up vs bare PGlite/PostgreSQL + Fastify scripts; lastro --help; RSS',
  options: [
    '--duration N      seconds per load round (default 5; a 2 s warm-up of each server runs first)',
    '--rounds N        load rounds per server, alternating lastro and bare (default 4)',
    '--connections N   concurrent connections (default 50; pipelining 1)',
    '--starts N        starts on an existing data dir (and on PostgreSQL, and --help runs), alternating with the bare script; medians reported (default 3)',
    '--fresh-starts N  starts on a fresh data dir, alternating with the bare script (default 2)',
    '--log-level L     LOG_LEVEL for the server (default warn)',
  ],
  run,
};
