// `http`: GET /health through the full stack (the real `lastro start` process) against a bare
// node:http server under the same load, plus start-up time to /ready and RSS.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type Benchmark,
  type Child,
  type LoadResult,
  UsageError,
  freePort,
  get,
  makeTempDir,
  parseOptions,
  removeTempDir,
  round,
  rssMb,
  say,
  spawnNode,
  stopChild,
  waitFor200,
  warmAndLoad,
} from './lib.js';

const TARGETS = { req_per_s: 20_000, p99_ms: 10, startup_ms: 3000 };
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

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
  const opts = parseOptions(rest, { duration: 10, connections: 50, starts: 3 });
  for (const name of ['connections', 'starts']) {
    if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  }
  const load = { durationS: opts.duration!, connections: opts.connections!, pipelining: 1 };
  const starts = opts.starts!;

  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > 0.5) say(`load average is ${loadAtStart.toFixed(2)}: other work on this machine may skew the figures`);
  const engine = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  const tmp = makeTempDir('lastro-bench-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LASTRO_DATA_DIR: join(tmp, 'data'),
    LOG_LEVEL: logLevel,
  };
  const startLastro = (label: string): Child => spawnNode(`lastro (${label})`, ['bin/lastro.mjs', 'start'], env);

  say(`engine ${engine}, data dir ${env.LASTRO_DATA_DIR}, port ${port}, LOG_LEVEL=${logLevel}`);
  say(`cold start (${engine === 'pglite' ? 'creates the data dir and migrates' : 'migrates the database if needed'})…`);
  const cold = startLastro('cold');
  const coldMs = await waitFor200(cold, `${base}/ready`);
  const served = (JSON.parse((await get(`${base}/ready`)).body) as { database?: string }).database;
  if (served !== engine) throw new Error(`expected the server on ${engine}, /ready says ${served}`);
  say(`  ready in ${round(coldMs, 0)} ms`);
  const sigtermExits = [await stopChild(cold)];

  const startMs: number[] = [];
  let server: Child | undefined;
  for (let i = 1; i <= starts; i++) {
    if (server) sigtermExits.push(await stopChild(server));
    say(`start on the existing data dir${starts > 1 ? ` (${i}/${starts})` : ''}…`);
    server = startLastro('existing data dir');
    startMs.push(await waitFor200(server, `${base}/ready`));
    say(`  ready in ${round(startMs.at(-1)!, 0)} ms`);
  }
  const lastro = server!;
  const rssAfterStartup = rssMb(lastro.pid);

  say(`GET /health: 2 s warm-up, then ${load.durationS} s with ${load.connections} connections…`);
  const health = await warmAndLoad({ url: `${base}/health`, ...load, serverPid: lastro.pid });
  const rssAfterLoad = rssMb(lastro.pid);
  const rssPeak = rssMb(lastro.pid, 'VmHWM');
  say(`  ${health.req_per_s} req/s, p50 ${health.p50_ms} ms, p99 ${health.p99_ms} ms`);
  sigtermExits.push(await stopChild(lastro));
  if (sigtermExits.some((e) => e !== 0)) say(`lastro exits after SIGTERM: ${sigtermExits.join(', ')} (expected all 0)`);
  removeTempDir(tmp);

  say('baseline: bare node:http server, same load…');
  const bPort = await freePort();
  const baseline = spawnNode('baseline node:http', ['-e', BASELINE_SERVER], { ...process.env, PORT: String(bPort) });
  await waitFor200(baseline, `http://127.0.0.1:${bPort}/health`);
  const bare: LoadResult & { rss_after_load_mb?: number | null } = await warmAndLoad({
    url: `http://127.0.0.1:${bPort}/health`,
    ...load,
    serverPid: baseline.pid,
  });
  bare.rss_after_load_mb = rssMb(baseline.pid);
  await stopChild(baseline);
  say(`  ${bare.req_per_s} req/s, p50 ${bare.p50_ms} ms, p99 ${bare.p99_ms} ms`);

  const startup = median(startMs);
  const met = {
    req_per_s: health.req_per_s >= TARGETS.req_per_s,
    p99_ms: health.p99_ms < TARGETS.p99_ms,
    startup_ms: startup <= TARGETS.startup_ms,
    clean: health.errors === 0 && health.non_2xx === 0,
  };
  return {
    benchmark: 'http',
    engine,
    node: process.version,
    cpus: cpus().length,
    // Other work on the machine skews req/s and latency; cpu_us_per_req is much less sensitive.
    load_avg_1m_at_start: round(loadAtStart, 2),
    duration_s: load.durationS,
    connections: load.connections,
    pipelining: load.pipelining,
    log_level: logLevel,
    health,
    baseline_node_http: bare,
    ratio_to_baseline: bare.req_per_s ? round(health.req_per_s / bare.req_per_s, 3) : null,
    // Client and server share the 2 cores, so req/s is partly client-bound; CPU per request is not.
    cpu_ratio_to_baseline:
      health.server_cpu_us_per_req && bare.server_cpu_us_per_req
        ? round(bare.server_cpu_us_per_req / health.server_cpu_us_per_req, 3)
        : null,
    startup: {
      cold_first_start_ms: round(coldMs, 0),
      existing_data_dir_to_ready_ms: round(startup, 0),
      ...(starts > 1 ? { existing_data_dir_samples_ms: startMs.map((ms) => round(ms, 0)) } : {}),
      rss_after_startup_mb: rssAfterStartup,
      // Exit of every SIGTERM'd lastro process; anything but 0 is an unclean shutdown.
      sigterm_exits: sigtermExits,
    },
    rss_after_load_mb: rssAfterLoad,
    rss_peak_mb: rssPeak,
    targets: TARGETS,
    met: { ...met, all: Object.values(met).every(Boolean) },
  };
}

export const httpBenchmark: Benchmark = {
  summary: 'GET /health through the full stack vs a bare node:http server; start-up time to /ready; RSS',
  options: [
    '--duration N      seconds of measured load (default 10; a 2 s warm-up runs first)',
    '--connections N   concurrent connections (default 50; pipelining 1)',
    '--starts N        starts on the existing data dir; the median is reported (default 3)',
    '--log-level L     LOG_LEVEL for the server (default warn)',
  ],
  run,
};
