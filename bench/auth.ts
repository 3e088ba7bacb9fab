// `auth`: what authentication costs. Tokens issued per second by the s2s endpoint (scrypt-bound
// by design), and an authenticated trivial GET (/lastro/v1/whoami: JWT verification, org and
// credential check, rate limiters) against the unauthenticated /health in the same run.
// Target: the authenticated GET keeps at least 60 % of /health's throughput.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type Benchmark,
  UsageError,
  freePort,
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

const TARGET_RATIO = 0.6;

async function run(args: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(args, { duration: 10, connections: 50, 'token-duration': 5, 'token-connections': 8 });
  for (const name of ['connections', 'token-connections']) {
    if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  }
  if (process.env.DATABASE_URL) throw new UsageError('the auth benchmark runs on the embedded database (unset DATABASE_URL)');
  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > 0.5) say(`load average is ${loadAtStart.toFixed(2)}: other work on this machine may skew the figures`);

  const tmp = makeTempDir('lastro-bench-auth-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawnNode('lastro', ['bin/lastro.mjs', 'start'], {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LASTRO_DATA_DIR: join(tmp, 'data'),
    LOG_LEVEL: 'warn',
    // The limiters stay in the path (their cost is part of authentication) but never trip.
    LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '100000000',
    LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '100000000',
  });
  try {
    await waitFor200(server, `${base}/ready`);
    // The first embedded start made a demo org and kept its credential beside the data dir.
    const demo = JSON.parse(readFileSync(join(tmp, 'demo-org.json'), 'utf8')) as { serverKey: string; serverSecret: string };
    const credentials = JSON.stringify({ server_key: demo.serverKey, server_secret: demo.serverSecret });
    const json = { 'content-type': 'application/json' };

    say(`s2s tokens: ${opts['token-duration']} s with ${opts['token-connections']} connections…`);
    const tokens = await warmAndLoad(
      {
        url: `${base}/passport/v2/s2s/access-token`,
        method: 'POST',
        headers: json,
        body: credentials,
        durationS: opts['token-duration']!,
        connections: opts['token-connections']!,
        serverPid: server.pid,
      },
      1,
    );
    say(`  ${tokens.req_per_s} tokens/s, p50 ${tokens.p50_ms} ms, p99 ${tokens.p99_ms} ms`);

    const res = await fetch(`${base}/passport/v2/s2s/access-token`, { method: 'POST', headers: json, body: credentials });
    const { token } = (await res.json()) as { token: string };
    const load = { durationS: opts.duration!, connections: opts.connections!, serverPid: server.pid };

    say(`GET /health (no auth): ${load.durationS} s with ${load.connections} connections…`);
    const health = await warmAndLoad({ url: `${base}/health`, ...load });
    say(`  ${health.req_per_s} req/s, p99 ${health.p99_ms} ms`);
    say(`GET /lastro/v1/whoami (bearer token): ${load.durationS} s with ${load.connections} connections…`);
    const whoami = await warmAndLoad({ url: `${base}/lastro/v1/whoami`, headers: { authorization: `Bearer ${token}` }, ...load });
    say(`  ${whoami.req_per_s} req/s, p99 ${whoami.p99_ms} ms`);

    const ratio = health.req_per_s ? round(whoami.req_per_s / health.req_per_s, 3) : 0;
    const clean = [tokens, health, whoami].every((r) => r.errors === 0 && r.non_2xx === 0);
    return {
      benchmark: 'auth',
      engine: 'pglite',
      node: process.version,
      cpus: cpus().length,
      load_avg_1m_at_start: round(loadAtStart, 2),
      s2s_tokens: tokens,
      health,
      authenticated_get: whoami,
      ratio_authenticated_to_health: ratio,
      rss_after_load_mb: rssMb(server.pid),
      targets: { ratio_authenticated_to_health: TARGET_RATIO },
      met: { ratio: ratio >= TARGET_RATIO, clean, all: ratio >= TARGET_RATIO && clean },
    };
  } finally {
    await stopChild(server);
    removeTempDir(tmp);
  }
}

export const authBenchmark: Benchmark = {
  summary: 'tokens issued per second (s2s) and authenticated GET throughput vs /health, same run',
  options: [
    '--duration N           seconds of load per GET measurement (default 10)',
    '--connections N        concurrent connections for the GETs (default 50)',
    '--token-duration N     seconds of token requests (default 5)',
    '--token-connections N  concurrent token requests (default 8)',
  ],
  run,
};
