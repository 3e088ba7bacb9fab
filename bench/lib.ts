// Shared benchmark helpers: child processes that never outlive the runner, readiness polling,
// free ports, RSS from /proc, an autocannon wrapper with sub-millisecond percentiles, rounds that
// alternate between a measurement and its baseline, checks that a figure measured something,
// throwaway PostgreSQL databases and orgs made through the operator API.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { constants, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Node.js flags `lastro` runs with: those `npm start` passes (package.json's `start` script,
 * `node <flags> bin/lastro.mjs start`). Every benchmark starts the server with them, as a user's
 * start would. `LASTRO_BENCH_NODE_ARGS` replaces them (`''`: none), to compare flags.
 */
export function lastroNodeArgs(): string[] {
  const given = process.env.LASTRO_BENCH_NODE_ARGS;
  if (given !== undefined) return given.split(/\s+/).filter(Boolean);
  const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const m = /^node((?: --\S+)*) bin\/lastro\.mjs start$/.exec(scripts.start ?? '');
  if (!m) throw new Error(`package.json's start script is not "node [flags] bin/lastro.mjs start": ${scripts.start}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

/** A benchmark module: `run` gets the arguments after its name and returns the JSON to print. */
export interface Benchmark {
  summary: string;
  /** Option lines for the usage text. */
  options: string[];
  run(args: string[]): Promise<Record<string, unknown>>;
}

/** Bad command-line input: the runner prints usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Progress for humans; stdout is reserved for the one JSON result. */
export function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Reads `--name value` / `--name=value` options; anything unknown is a UsageError. Values are
 * positive numbers, but for the `switches` (on/off parts of a benchmark), which also take 0 (off).
 */
export function parseOptions(args: string[], known: Record<string, number>, switches: readonly string[] = []): Record<string, number> {
  const out = { ...known };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !Object.hasOwn(known, m[1]!)) throw new UsageError(`unknown argument "${arg}"`);
    const name = m[1]!;
    const raw = m[2] ?? args[++i];
    const value = Number(raw);
    if (switches.includes(name)) {
      if (raw !== '0' && raw !== '1') throw new UsageError(`--${name} is 1 (on) or 0 (off), got "${raw ?? ''}"`);
    } else if (raw === undefined || raw === '' || !Number.isFinite(value) || value <= 0) {
      throw new UsageError(`--${name} needs a positive number, got "${raw ?? ''}"`);
    }
    out[name] = value;
  }
  return out;
}

// ---- cleanup: children and temp dirs are released on every way out ----

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
/** Throwaway databases not dropped yet: "<maintenance url> <name>". */
const tempDatabases = new Set<string>();

// If the runner dies without running its handlers (SIGKILL, OOM kill), this detached process
// sees our pipe close and does the cleanup instead. Lines: "+ pid 123", "- dir /tmp/x", …
const WATCHDOG = `
const pids = new Set(), dirs = new Set(), dbs = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) {
    const [op, kind, ...rest] = buf.slice(0, i).split(' ');
    const set = kind === 'pid' ? pids : kind === 'db' ? dbs : dirs;
    if (op === '+') set.add(rest.join(' ')); else set.delete(rest.join(' '));
  }
});
process.stdin.on('close', () => {
  for (const p of pids) try { process.kill(Number(p), 'SIGKILL'); } catch {}
  for (const d of dirs) require('node:fs').rmSync(d, { recursive: true, force: true });
  for (const line of dbs) {
    const [url, name] = line.split(' ');
    require('node:child_process').spawnSync('psql', ['-qc', 'drop database if exists "' + name + '" with (force)', url], { stdio: 'ignore', timeout: 30000 });
  }
});
`;
let watchdog: ChildProcess | undefined;

function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.stdin!.on('error', () => {}); // it may be gone first at exit; nothing to do then
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
  }
  watchdog.stdin!.write(`${line}\n`);
}

function cleanupSync(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
  // Only reached when a run is cut short: a normal run drops its databases itself.
  for (const line of tempDatabases) {
    const [url, name] = line.split(' ') as [string, string];
    spawnSync('psql', ['-qc', `drop database if exists "${name}" with (force)`, url], { stdio: 'ignore', timeout: 30_000 });
  }
  tempDatabases.clear();
}

process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    say(`${signal}: stopping child processes`);
    cleanupSync();
    process.exit(128 + constants.signals[signal]);
  });
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  tellWatchdog(`+ dir ${dir}`);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
  tellWatchdog(`- dir ${dir}`);
}

// ---- child processes ----

/**
 * How long a start may take before it counts as failed. A cold start on a busy 2-core machine
 * has taken 15–20 s; this leaves room for worse without hanging forever.
 */
export const START_TIMEOUT_MS = 120_000;

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** The last few KB of stdout+stderr, for error messages. */
  output(): string;
}

const OUTPUT_TAIL = 16 * 1024;

/** Spawns `node <args>` directly (no shell, no npm), so `pid` is the process doing the work. */
export function spawnNode(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  let tail = '';
  // LASTRO_BENCH_SERVER_LOG=<file>: every child's output is appended there too.
  const logFile = process.env.LASTRO_BENCH_SERVER_LOG;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    if (logFile) appendFileSync(logFile, chunk);
  };
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${process.execPath}`);
  children.add(proc);
  tellWatchdog(`+ pid ${proc.pid}`);
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise<number | string>((res) => {
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      tellWatchdog(`- pid ${proc.pid}`);
      res(code ?? signal ?? 'unknown');
    });
  });
  return { name, process: proc, pid: proc.pid, spawnedAt, exited, output: () => tail };
}

/** SIGTERM, wait for a clean exit; SIGKILL if it takes longer than `timeoutMs`. */
export async function stopChild(child: Child, timeoutMs = 15_000): Promise<number | string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), timeoutMs);
  });
  const first = await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  if (first !== 'timeout') return first;
  say(`${child.name} did not exit within ${timeoutMs} ms of SIGTERM; sending SIGKILL`);
  child.process.kill('SIGKILL');
  await child.exited;
  return 'timeout';
}

/** GET `url`; resolves with the status and body, or status 0 on any connection error. */
export function get(url: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  return new Promise((res) => {
    // agent: false, so probes never hold a keep-alive socket open against the server under test.
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (body += chunk));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      r.on('error', () => res({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res({ status: 0, body: '' }));
  });
}

/**
 * Polls `url` every `intervalMs` until it answers 200; returns ms since the child was spawned.
 * Fails fast if the child exits first.
 */
export async function waitFor200(child: Child, url: string, opts: { intervalMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const intervalMs = opts.intervalMs ?? 25;
  const timeoutMs = opts.timeoutMs ?? START_TIMEOUT_MS;
  let exit: number | string | undefined;
  void child.exited.then((e) => (exit = e));
  for (;;) {
    const { status } = await get(url);
    if (status === 200) return performance.now() - child.spawnedAt;
    if (exit !== undefined) {
      throw new Error(`${child.name} exited (${exit}) before ${url} answered 200. Output:\n${child.output()}`);
    }
    if (performance.now() - child.spawnedAt > timeoutMs) {
      throw new Error(`${child.name}: ${url} did not answer 200 within ${timeoutMs} ms (last status ${status}). Output:\n${child.output()}`);
    }
    await sleep(intervalMs);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? res(port) : rej(new Error('no free port'))));
    });
  });
}

/** Resident set size in MB from /proc/<pid>/status (VmRSS; VmHWM for the peak). Null off Linux. */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? round(Number(m[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

// USER_HZ is 100 on every Linux build Node supports; /proc/<pid>/stat counts in these ticks.
const USER_HZ = 100;

/** CPU seconds (user + system, all threads) a process has used. Null off Linux. */
export function cpuSeconds(pid: number): number | null {
  const t = cpuTimes(pid);
  return t && t.user + t.sys;
}

/** The fields of /proc/<pid>/stat after the command name (state first); null off Linux. */
function procStat(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** User and system CPU seconds (all threads) a process has used. Null off Linux. */
export function cpuTimes(pid: number): { user: number; sys: number } | null {
  const fields = procStat(pid);
  return fields && { user: Number(fields[11]) / USER_HZ, sys: Number(fields[12]) / USER_HZ };
}

/**
 * CPU seconds of this process's children that have exited and been waited for (cutime + cstime):
 * a pgbench run's client, read before and after it. Null off Linux.
 */
export function reapedChildrenCpu(): number | null {
  const fields = procStat('self');
  return fields && (Number(fields[13]) + Number(fields[14])) / USER_HZ;
}

/** The whole machine's CPU seconds so far (all cores, from /proc/stat): busy and in all. Null off Linux. */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is in user already)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy: busy / USER_HZ, total: (busy + idle + iowait) / USER_HZ };
  } catch {
    return null;
  }
}

/**
 * Machine CPU per operation and the share of the machine left idle between a `machineCpu()`
 * reading and now: every process counts (the server, PostgreSQL, the load generator, anything
 * else running), so a transfer and a pgbench transaction are costed alike.
 */
export function machineCpuSince(before: { busy: number; total: number } | null, operations: number): { machine_cpu_us_per_op: number | null; machine_idle_share: number | null } {
  const after = machineCpu();
  if (!before || !after || after.total <= before.total) return { machine_cpu_us_per_op: null, machine_idle_share: null };
  const busy = after.busy - before.busy;
  return {
    machine_cpu_us_per_op: operations > 0 ? round((busy * 1e6) / operations, 0) : null,
    machine_idle_share: round(1 - busy / (after.total - before.total), 2),
  };
}

// ---- load ----

export interface LoadOptions {
  url: string;
  durationS: number;
  connections: number;
  pipelining?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** A body per request (e.g. unique names); replaces `body`. */
  bodyFor?: () => string;
  /** A body and extra headers per request (e.g. the payer of a random transfer); replaces `bodyFor`. */
  requestFor?: () => { body: string; headers?: Record<string, string> };
  /** The server's pid, to report its CPU time per request (robust against a busy machine). */
  serverPid?: number;
  /** The database's server processes serving the server under test, to report their CPU per request too. */
  dbPids?: () => Promise<number[]>;
}

export interface LoadResult {
  req_per_s: number;
  requests: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  server_cpu_us_per_req?: number | null;
  /** The part of server_cpu_us_per_req spent in the kernel (sockets, mostly). */
  server_sys_cpu_us_per_req?: number | null;
  db_cpu_us_per_req?: number | null;
  /** The whole machine's CPU per request (every process: server, database, load generator). */
  machine_cpu_us_per_req: number | null;
  /** The share of the machine's CPU left idle during the run. */
  machine_idle_share: number | null;
  /** The load generator's own CPU per request (this process: autocannon, building each request). */
  client_cpu_us_per_req: number | null;
}

/** CPU seconds of each pid (those readable both times count). */
function cpuOf(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s !== null) m.set(pid, s);
  }
  return m;
}

function cpuDelta(before: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of before) {
    const after = cpuSeconds(pid);
    if (after !== null) sum += after - s;
  }
  return sum;
}

/**
 * One autocannon run. Autocannon's own latency histogram has 1 ms resolution, too coarse for a
 * 10 ms target, so percentiles come from every response time (µs precision) instead.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  // The first few refusals, said once the run ends: a figure with non-2xx answers is not measured, and why matters.
  const refusals = new Map<string, number>();
  const noteRefusal = (status: number, body: string): void => {
    if (status >= 200 && status < 300) return;
    const key = `${status} ${body.slice(0, 200)}`.replace(/"cid":"[^"]*"/, '"cid":…');
    if (refusals.size < 5 || refusals.has(key)) refusals.set(key, (refusals.get(key) ?? 0) + 1);
  };
  let samples = new Float64Array(1 << 20);
  let n = 0;
  const cpuBefore = opts.serverPid === undefined ? null : cpuTimes(opts.serverPid);
  const dbBefore = opts.dbPids ? cpuOf(await opts.dbPids()) : undefined;
  const machineBefore = machineCpu();
  const clientBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((res, rej) => {
    const instance = autocannon(
      {
        url: opts.url,
        duration: opts.durationS,
        connections: opts.connections,
        pipelining: opts.pipelining ?? 1,
        method: opts.method ?? 'GET',
        ...(opts.headers ? { headers: opts.headers } : {}),
        ...(opts.body === undefined ? {} : { body: opts.body }),
        ...(opts.bodyFor && !opts.requestFor ? { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: opts.bodyFor!() }) }] } : {}),
        ...(opts.requestFor
          ? {
              requests: [
                {
                  setupRequest: (req: autocannon.Request) => {
                    const r = opts.requestFor!();
                    return { ...req, body: r.body, headers: { ...req.headers, ...r.headers } };
                  },
                  onResponse: (status: number, body: string) => noteRefusal(status, body),
                },
              ],
            }
          : {}),
      },
      (err: unknown, r: autocannon.Result) => (err ? rej(err instanceof Error ? err : new Error('autocannon failed', { cause: err })) : res(r)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      if (n === samples.length) {
        const grown = new Float64Array(samples.length * 2);
        grown.set(samples);
        samples = grown;
      }
      samples[n++] = ms;
    });
  });
  for (const [key, count] of refusals) say(`  refused ${count}×: ${key}`);
  const cpuAfter = opts.serverPid === undefined ? null : cpuTimes(opts.serverPid);
  const dbCpu = dbBefore ? cpuDelta(dbBefore) : undefined;
  const machine = machineCpuSince(machineBefore, result.requests.total);
  const client = process.cpuUsage(clientBefore);
  const sorted = samples.subarray(0, n).sort();
  const pct = (p: number): number => percentileOf(sorted, p);
  return {
    req_per_s: round(result.requests.average, 0),
    requests: result.requests.total,
    p50_ms: pct(50),
    p90_ms: pct(90),
    p99_ms: pct(99),
    max_ms: n ? round(sorted[n - 1]!, 2) : 0,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    ...(opts.serverPid === undefined
      ? {}
      : {
          server_cpu_us_per_req:
            cpuBefore === null || cpuAfter === null || !result.requests.total
              ? null
              : round(((cpuAfter.user + cpuAfter.sys - cpuBefore.user - cpuBefore.sys) * 1e6) / result.requests.total, 1),
          server_sys_cpu_us_per_req:
            cpuBefore === null || cpuAfter === null || !result.requests.total
              ? null
              : round(((cpuAfter.sys - cpuBefore.sys) * 1e6) / result.requests.total, 1),
        }),
    ...(dbCpu === undefined ? {} : { db_cpu_us_per_req: result.requests.total ? round((dbCpu * 1e6) / result.requests.total, 1) : null }),
    machine_cpu_us_per_req: machine.machine_cpu_us_per_op,
    machine_idle_share: machine.machine_idle_share,
    client_cpu_us_per_req: result.requests.total ? round((client.user + client.system) / result.requests.total, 1) : null,
  };
}

/** The p-th percentile (nearest rank) of sorted samples, rounded to 0.01; 0 without samples. */
function percentileOf(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  return n ? round(sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]!, 2) : 0;
}

/** Short warm-up (JIT, connection setup), then the measured run. */
export async function warmAndLoad(opts: LoadOptions, warmupS = 2): Promise<LoadResult> {
  const warm = await runLoad({ ...opts, durationS: warmupS });
  if (warm.errors || warm.non_2xx) say(`warm-up saw ${warm.errors} errors and ${warm.non_2xx} non-2xx responses`);
  return runLoad(opts);
}

/** Waits for a short-lived child (`--help`, `-e 0`) to exit; ms from spawn to exit. Fails on a non-zero exit. */
export async function timeToExit(child: Child, timeoutMs = START_TIMEOUT_MS): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), timeoutMs);
  });
  const exit = await Promise.race([child.exited, timedOut]);
  const ms = performance.now() - child.spawnedAt;
  clearTimeout(timer);
  if (exit === 'timeout') {
    child.process.kill('SIGKILL');
    throw new Error(`${child.name} did not exit within ${timeoutMs} ms`);
  }
  if (exit !== 0) throw new Error(`${child.name} exited with ${exit}. Output:\n${child.output()}`);
  return ms;
}

// ---- which code `lastro` runs ----

function newestMtime(dir: string): number {
  let ms = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    ms = Math.max(ms, e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return ms;
}

/**
 * What `node bin/lastro.mjs` runs right now, by the rule bin/lastro.mjs applies: the compiled
 * dist/ while no file under src/ is newer than its build stamp, else the sources through tsx.
 */
export function lastroCode(): { runs: 'dist' | 'tsx'; why: string } {
  let built = 0;
  try {
    built = statSync(join(REPO_ROOT, 'dist', '.built')).mtimeMs;
  } catch {
    return { runs: 'tsx', why: 'dist/ was never built (npm run build)' };
  }
  if (newestMtime(join(REPO_ROOT, 'src')) > built) return { runs: 'tsx', why: 'src/ changed after the last build (npm run build)' };
  return existsSync(join(REPO_ROOT, 'dist', 'bundle', 'main.js'))
    ? { runs: 'dist', why: 'dist/ is newer than every file in src/; the bundle dist/bundle/main.js' }
    : { runs: 'dist', why: 'dist/ is newer than every file in src/; unbundled dist/main.js (esbuild missing at build)' };
}

// ---- figures: did it measure anything, medians, alternating rounds ----

export const median = (xs: number[]): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Why a load measurement cannot be trusted: nothing answered, or some answers failed. Empty when fine. */
export function loadProblems(r: LoadResult): string[] {
  const out: string[] = [];
  if (r.requests === 0) out.push('0 requests completed');
  if (r.errors) out.push(`${r.errors} errors`);
  if (r.timeouts) out.push(`${r.timeouts} timeouts`);
  if (r.non_2xx) out.push(`${r.non_2xx} non-2xx responses`);
  return out;
}

/**
 * True when every measurement measured something and nothing failed; otherwise says why on
 * stderr and returns false, so the figure built on them is not met.
 */
export function measuredAll(label: string, results: LoadResult[]): boolean {
  let ok = results.length > 0;
  if (!ok) say(`FIGURE NOT MEASURED: ${label}: no measurement`);
  results.forEach((r, i) => {
    const problems = loadProblems(r);
    if (problems.length) {
      ok = false;
      say(`FIGURE NOT MEASURED: ${label}${results.length > 1 ? ` (round ${i + 1})` : ''}: ${problems.join(', ')}`);
    }
  });
  return ok;
}

/** Per-round ratios a/b with their median and spread (min, max). */
export function ratios(a: number[], b: number[], digits = 3): { per_round: number[]; median: number; min: number; max: number } {
  const per = a.map((x, i) => {
    const d = b[i];
    return d ? x / d : 0;
  });
  return {
    per_round: per.map((r) => round(r, digits)),
    median: round(median(per), digits),
    min: round(per.length ? Math.min(...per) : 0, digits),
    max: round(per.length ? Math.max(...per) : 0, digits),
  };
}

/** The median of the figures that were measured, rounded; null when none was. */
export function medianOf(xs: readonly (number | null | undefined)[], digits = 2): number | null {
  const got = xs.filter((x): x is number => typeof x === 'number');
  return got.length ? round(median(got), digits) : null;
}

/** Rounds of one route or server, with the medians that the ratios and targets use. */
export function summarize(rounds: LoadResult[]): Record<string, unknown> {
  const cpu = medianOf(rounds.map((r) => r.server_cpu_us_per_req), 1);
  const dbCpu = medianOf(rounds.map((r) => r.db_cpu_us_per_req), 1);
  const machineCpuPer = medianOf(rounds.map((r) => r.machine_cpu_us_per_req), 0);
  const idle = medianOf(rounds.map((r) => r.machine_idle_share));
  const clientCpu = medianOf(rounds.map((r) => r.client_cpu_us_per_req), 1);
  return {
    median_req_per_s: round(median(rounds.map((r) => r.req_per_s)), 0),
    median_p50_ms: round(median(rounds.map((r) => r.p50_ms)), 2),
    median_p99_ms: round(median(rounds.map((r) => r.p99_ms)), 2),
    ...(cpu !== null ? { median_server_cpu_us_per_req: cpu } : {}),
    ...(dbCpu !== null ? { median_db_cpu_us_per_req: dbCpu } : {}),
    ...(machineCpuPer !== null ? { median_machine_cpu_us_per_req: machineCpuPer } : {}),
    ...(idle !== null ? { median_machine_idle_share: idle } : {}),
    ...(clientCpu !== null ? { median_client_cpu_us_per_req: clientCpu } : {}),
    requests: rounds.reduce((n, r) => n + r.requests, 0),
    rounds,
  };
}

/**
 * Loads each target in turn, round after round (A B C A B C …), so a change in the machine's load
 * hits every target alike and per-round ratios compare like with like. A short warm-up of each
 * target runs first and is not reported.
 */
export async function alternateLoads<K extends string>(
  targets: Record<K, LoadOptions>,
  rounds: number,
  warmupS = 2,
): Promise<Record<K, LoadResult[]>> {
  const names = Object.keys(targets) as K[];
  for (const name of names) {
    const warm = await runLoad({ ...targets[name], durationS: warmupS });
    if (loadProblems(warm).length) say(`warm-up of ${name}: ${loadProblems(warm).join(', ')}`);
  }
  const out = Object.fromEntries(names.map((n) => [n, [] as LoadResult[]])) as unknown as Record<K, LoadResult[]>;
  for (let i = 1; i <= rounds; i++) {
    for (const name of names) {
      const r = await runLoad(targets[name]);
      out[name].push(r);
      say(`  round ${i}/${rounds} ${name}: ${r.req_per_s} req/s, p99 ${r.p99_ms} ms, ${r.server_cpu_us_per_req ?? '–'} µs CPU/req${r.db_cpu_us_per_req === undefined ? '' : ` (+ ${r.db_cpu_us_per_req ?? '–'} µs in PostgreSQL)`}`);
    }
  }
  return out;
}

// ---- PostgreSQL: throwaway databases ----

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Throwaway {
  name: string;
  /** The database's URL (the server's URL with the database's name). */
  url: string;
  /** Drops it (also dropped when the run is cut short by a signal or SIGKILL). */
  drop(): Promise<void>;
}

/** A pool on the server's maintenance database (the one `serverUrl` names), for CREATE/DROP DATABASE. */
export async function adminPool(serverUrl: string): Promise<{ pool: pg.Pool; version: string }> {
  const pool = new pg.Pool({ connectionString: serverUrl, max: 2, application_name: 'lastro-bench' });
  try {
    const version = (await pool.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
    return { pool, version };
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(
      `PostgreSQL at ${serverUrl.replace(/\/\/[^@]*@/, '//…@')} did not answer (${(err as Error).message}). ` +
        'Set DATABASE_URL to a server where this user may create databases.',
    );
  }
}

/** Creates `<prefix><random>` on the server; the caller drops it (the runner does if cut short). */
export async function throwawayDatabase(admin: pg.Pool, serverUrl: string, prefix: string): Promise<Throwaway> {
  const name = `${prefix}${randomBytes(4).toString('hex')}`;
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  await admin.query(`create database "${name}"`);
  const line = `${serverUrl} ${name}`;
  tempDatabases.add(line);
  tellWatchdog(`+ db ${line}`);
  return {
    name,
    url: u.toString(),
    async drop() {
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
        tempDatabases.delete(line);
        tellWatchdog(`- db ${line}`);
      } catch (err) {
        say(`could not drop database ${name}: ${(err as Error).message}`);
      }
    },
  };
}

/** What a benchmark against pgbench runs on: see `withLastroAndPgbench`. */
export interface LastroAndPgbench {
  admin: { pool: pg.Pool; version: string };
  /** A temp dir of the run's own (removed afterwards). */
  tmp: string;
  /** Lastro's throwaway database. */
  db: Throwaway;
  /** pgbench's throwaway database, initialized at the scale asked for. */
  benchDb: Throwaway;
  /** Seconds `pgbench -i` took. */
  pgbenchInitS: number;
}

/**
 * Runs `body` on DATABASE_URL's server (or the default) with an admin pool, a temp dir and two
 * throwaway databases, Lastro's (`lastro_bench_<name>_…`) and pgbench's (`…_pgbench_…`, initialized
 * by `pgbench -i -q -s <scale>`), and drops and removes them all afterwards, whatever happens.
 * What `body` starts (servers, apps) it stops itself.
 */
export async function withLastroAndPgbench<T>(opts: { name: string; scale: number }, body: (env: LastroAndPgbench) => Promise<T>): Promise<T> {
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const admin = await adminPool(serverUrl);
  const tmp = makeTempDir(`lastro-bench-${opts.name}-`);
  let db: Throwaway | undefined;
  let benchDb: Throwaway | undefined;
  try {
    db = await throwawayDatabase(admin.pool, serverUrl, `lastro_bench_${opts.name}_`);
    benchDb = await throwawayDatabase(admin.pool, serverUrl, `lastro_bench_${opts.name}_pgbench_`);
    say(`PostgreSQL ${admin.version}; throwaway databases ${db.name} (lastro) and ${benchDb.name} (pgbench -i -s ${opts.scale})`);
    const t0 = performance.now();
    await pgbench(['-i', '-q', '-s', String(opts.scale), benchDb.url], 600_000);
    const pgbenchInitS = round((performance.now() - t0) / 1000, 1);
    return await body({ admin, tmp, db, benchDb, pgbenchInitS });
  } finally {
    await db?.drop();
    await benchDb?.drop();
    await admin.pool.end().catch(() => {});
    removeTempDir(tmp);
  }
}

// ---- PostgreSQL: what a workload writes to the WAL ----

export interface WalWritten {
  /** Per operation: WAL records and bytes (full-page images included), and full-page-image bytes. */
  records: number;
  bytes: number;
  fpi_bytes: number;
  /** Per operation, by the relation a record's first block is in (its resource manager when none). */
  by_relation: { relation: string; records: number; bytes: number }[];
}

/**
 * A reader of what the server writes to its WAL, on `url`'s database (pg_walinspect, PostgreSQL 15
 * and later, installed there; a throwaway database): `mark()` its position now, `since(mark, n)`
 * what was written from there, divided by `n` operations. Everything the server wrote counts,
 * whichever database: run nothing else meanwhile. Null where the extension is not available.
 */
export async function walReader(url: string): Promise<{ mark(): Promise<string>; since(mark: string, n: number): Promise<WalWritten>; end(): Promise<void> } | null> {
  const client = new pg.Client({ connectionString: url, application_name: 'lastro-bench-wal' });
  await client.connect();
  try {
    await client.query('create extension if not exists pg_walinspect');
  } catch {
    await client.end().catch(() => {});
    return null;
  }
  return {
    async mark() {
      return (await client.query<{ lsn: string }>('select pg_current_wal_flush_lsn()::text as lsn')).rows[0]!.lsn;
    },
    async since(mark, n) {
      const { rows } = await client.query<{ relation: string; records: number; bytes: string; fpi: string }>(
        `with r as (
           select record_length, fpi_length, resource_manager, (regexp_match(block_ref, 'rel \\d+/\\d+/(\\d+)'))[1]::oid as node
           from pg_get_wal_records_info($1::pg_lsn, pg_current_wal_flush_lsn())
         )
         select coalesce(c.relname::text, r.resource_manager) as relation, count(*)::int as records,
                sum(r.record_length)::text as bytes, sum(r.fpi_length)::text as fpi
         from r left join pg_class c on c.relfilenode = r.node and r.node <> 0
         group by 1 order by sum(r.record_length) desc`,
        [mark],
      );
      const per = (x: number) => round(x / Math.max(1, n), 2);
      return {
        records: per(rows.reduce((s, r) => s + r.records, 0)),
        bytes: per(rows.reduce((s, r) => s + Number(r.bytes), 0)),
        fpi_bytes: per(rows.reduce((s, r) => s + Number(r.fpi), 0)),
        by_relation: rows.map((r) => ({ relation: r.relation, records: per(r.records), bytes: per(Number(r.bytes)) })),
      };
    },
    end: () => client.end(),
  };
}

// ---- the Lastro API ----

/** Environment that keeps the rate limiters in the path (their cost is real) without ever tripping them. */
export const LIMITERS_OPEN = {
  LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '100000000',
  LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '100000000',
};

export interface BenchOrg {
  orgId: string;
  serverKey: string;
  serverSecret: string;
  /** An s2s token of the org's first credential (all permission groups). */
  token: string;
}

/** A new org through the operator API (LASTRO_ADMIN_TOKEN) and a token of its first credential. */
export async function createOrg(base: string, adminToken: string, label: string): Promise<BenchOrg> {
  const digits = String(Math.floor(Math.random() * 1e11)).padStart(11, '0');
  const res = await fetch(`${base}/lastro/v1/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      official_name: `Bench ${label} Pagamentos Ltda`,
      org_name: `Bench ${label}`,
      document_number: `9${digits}`,
      responsible: `bench-${label}@example.com`,
      currency_numeric_code: '986',
      timezone: 'America/Sao_Paulo',
      country_code: 'BRA',
    }),
  });
  if (res.status !== 201) throw new Error(`creating an org: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { org: { id: string }; credential: { server_key: string; server_secret: string } };
  const serverKey = created.credential.server_key;
  const serverSecret = created.credential.server_secret;
  const tokenRes = await fetch(`${base}/passport/v2/s2s/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ server_key: serverKey, server_secret: serverSecret }),
  });
  if (tokenRes.status !== 201) throw new Error(`token: ${tokenRes.status} ${await tokenRes.text()}`);
  const { token } = (await tokenRes.json()) as { token: string };
  return { orgId: created.org.id, serverKey, serverSecret, token };
}

/**
 * The PostgreSQL server processes of client sessions on database `name`: Lastro's (its pool,
 * pg-boss), not this runner's nor a bench baseline's (application names `lastro-bench…`); or,
 * with `applicationName`, those of that application only (a baseline's pool).
 */
export function backendPids(admin: pg.Pool, name: string, applicationName?: string): () => Promise<number[]> {
  const which = applicationName === undefined ? "application_name not like 'lastro-bench%'" : 'application_name = $2';
  return async () =>
    (
      await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend' and ${which}`,
        applicationName === undefined ? [name] : [name, applicationName],
      )
    ).rows.map((r) => r.pid);
}

// ---- what every benchmark run states, and the `lastro start` of auth and writes ----

export interface BenchRun {
  /** Which code `lastro` runs (dist/, the bundle, or the sources through tsx). */
  code: ReturnType<typeof lastroCode>;
  /** The machine and the run, for the JSON: Node, cores, load average at start and end, wall time. */
  facts(): { lastro_runs: 'dist' | 'tsx'; node: string; cpus: number; load_avg_1m_at_start: number; load_avg_1m_at_end: number; wall_s: number };
}

/** Starts a run: says how busy the machine is and which code lastro runs. */
export function beginRun(): BenchRun {
  const began = performance.now();
  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > 0.5) say(`load average is ${loadAtStart.toFixed(2)}: other work on this machine may skew the figures`);
  const code = lastroCode();
  say(`lastro runs ${code.runs}: ${code.why}`);
  return {
    code,
    facts: () => ({
      lastro_runs: code.runs,
      node: process.version,
      cpus: cpus().length,
      // Other work on the machine skews req/s and latency; CPU per request is much less sensitive.
      load_avg_1m_at_start: round(loadAtStart, 2),
      load_avg_1m_at_end: round(loadavg()[0]!, 2),
      wall_s: round((performance.now() - began) / 1000, 0),
    }),
  };
}

/**
 * `lastro start` on the throwaway database `db` (PostgreSQL) or a PGlite data dir under `tmp`, with
 * a random operator token and the rate limiters out of reach; resolves once /ready answers.
 */
export async function startBenchLastro(opts: {
  engine: string;
  db: Throwaway | undefined;
  tmp: string;
  /** More environment for the server (e.g. its pool size). */
  env?: Record<string, string>;
}): Promise<{ server: Child; base: string; adminToken: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const adminToken = `bench-${randomBytes(16).toString('hex')}`;
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  // LASTRO_BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops.
  const profileDir = process.env.LASTRO_BENCH_PROFILE;
  const nodeArgs = [...lastroNodeArgs(), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const server = spawnNode('lastro', [...nodeArgs, 'bin/lastro.mjs', 'start'], {
    ...inherited,
    ...(opts.db ? { DATABASE_URL: opts.db.url } : {}),
    PORT: String(port),
    HOST: '127.0.0.1',
    LASTRO_DATA_DIR: join(opts.tmp, 'data'),
    LASTRO_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    ...LIMITERS_OPEN,
    ...opts.env,
  });
  say(`starting lastro on ${opts.engine}…`);
  const readyMs = await waitFor200(server, `${base}/ready`);
  say(`  ready in ${round(readyMs, 0)} ms`);
  return { server, base, adminToken };
}

// ---- pgbench: the PostgreSQL baseline of the write benchmarks ----

/** pgbench's query mode: its default, the figure usually quoted as "TPC-B tps". */
export const PGBENCH_MODE = 'simple';

export interface PgbenchRun {
  tps: number;
  transactions: number;
  failed: number;
  latency_avg_ms: number | null;
  /**
   * Latency percentiles of every transaction (pgbench's per-transaction log, µs precision), as
   * the transfers' p50/p99 are of every response: the baseline's own tail on the same machine.
   */
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  /** The whole machine's CPU per transaction (pgbench's client and PostgreSQL's backends alike). */
  machine_cpu_us_per_tx: number | null;
  /** The share of the machine's CPU left idle during the run. */
  machine_idle_share: number | null;
  /** pgbench's own CPU per transaction (its client threads), as the load generator's for transfers. */
  client_cpu_us_per_tx: number | null;
}

export function pgbench(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('pgbench', args, { timeout: timeoutMs }, (err, stdout, stderr) =>
      err ? reject(new Error(`pgbench ${args.slice(0, -1).join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    ),
  );
}

export async function pgbenchRun(url: string, clients: number, seconds: number): Promise<PgbenchRun> {
  const machineBefore = machineCpu();
  const clientBefore = reapedChildrenCpu();
  const logDir = mkdtempSync(join(tmpdir(), 'lastro-pgbench-log-'));
  let out: string;
  let latencies: Float64Array;
  try {
    out = await pgbench(
      ['-c', String(clients), '-j', String(Math.min(2, clients)), '-T', String(seconds), '-M', PGBENCH_MODE, '-n', '-l', `--log-prefix=${join(logDir, 'tx')}`, url],
      (seconds + 60) * 1000,
    );
    latencies = transactionLatenciesMs(logDir);
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
  const num = (re: RegExp): number | null => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const tps = num(/tps = ([\d.]+) \(without initial connection time\)/) ?? num(/tps = ([\d.]+)/) ?? 0;
  const transactions = num(/number of transactions actually processed: (\d+)/) ?? 0;
  // Connecting and disconnecting the clients fall in the window too: a little more than the run's own.
  const machine = machineCpuSince(machineBefore, transactions);
  const clientAfter = reapedChildrenCpu();
  return {
    tps: round(tps, 0),
    transactions,
    failed: num(/number of failed transactions: (\d+)/) ?? 0,
    latency_avg_ms: num(/latency average = ([\d.]+) ms/),
    latency_p50_ms: latencies.length ? percentileOf(latencies, 50) : null,
    latency_p99_ms: latencies.length ? percentileOf(latencies, 99) : null,
    machine_cpu_us_per_tx: machine.machine_cpu_us_per_op,
    machine_idle_share: machine.machine_idle_share,
    client_cpu_us_per_tx: clientBefore !== null && clientAfter !== null && transactions ? round(((clientAfter - clientBefore) * 1e6) / transactions, 1) : null,
  };
}

/**
 * Every transaction's latency (ms, sorted) from pgbench's per-transaction logs in `dir` (`-l`: one
 * file per thread; each line `client transaction latency_us script epoch_s epoch_us`).
 */
function transactionLatenciesMs(dir: string): Float64Array {
  const values: number[] = [];
  for (const f of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (line && Number.isFinite(us)) values.push(us / 1000);
    }
  }
  return Float64Array.from(values).sort();
}
