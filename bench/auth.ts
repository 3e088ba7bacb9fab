// `auth`: what authentication costs, on PGlite or (with DATABASE_URL) PostgreSQL. Tokens issued
// per second by the s2s endpoint (scrypt-bound by design), then three GETs on the same server in
// alternating rounds: the unauthenticated /health; /lastro/v1/whoami (JWT verification, org and
// credential check, rate limiters, no query of its own); /orgs-core/v1/orgs/{orgId} with x-tenant
// (all of that plus one org row read in a tenant transaction).
// Targets: whoami keeps at least 60 % of /health's req/s; on PostgreSQL the org read keeps 50 %.
import {
  adminPool,
  alternateLoads,
  backendPids,
  beginRun,
  type Benchmark,
  type Child,
  createOrg,
  makeTempDir,
  measuredAll,
  parseOptions,
  ratios,
  removeTempDir,
  rssMb,
  say,
  startBenchLastro,
  stopChild,
  summarize,
  type Throwaway,
  throwawayDatabase,
  UsageError,
  warmAndLoad,
} from './lib.js';

const TARGETS = { whoami_to_health: 0.6, org_get_to_health_on_postgres: 0.5 };

async function run(args: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(args, { duration: 5, rounds: 3, connections: 50, 'token-duration': 5, 'token-connections': 8 });
  for (const name of ['connections', 'token-connections', 'rounds']) {
    if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  }
  const rounds = opts.rounds!;
  const benchRun = beginRun();

  const databaseUrl = process.env.DATABASE_URL;
  const engine = databaseUrl ? 'postgres' : 'pglite';
  const admin = databaseUrl ? await adminPool(databaseUrl) : undefined;
  const tmp = makeTempDir('lastro-bench-auth-');
  let db: Throwaway | undefined;
  let server: Child | undefined;
  try {
    if (admin && databaseUrl) {
      db = await throwawayDatabase(admin.pool, databaseUrl, 'lastro_bench_');
      say(`PostgreSQL ${admin.version}; throwaway database ${db.name}`);
    }
    const started = await startBenchLastro({ engine, db, tmp });
    server = started.server;
    const { base, adminToken } = started;
    const org = await createOrg(base, adminToken, 'auth');
    const credentials = JSON.stringify({ server_key: org.serverKey, server_secret: org.serverSecret });
    const json = { 'content-type': 'application/json' };

    say(`s2s tokens: 1 s warm-up, then ${opts['token-duration']} s with ${opts['token-connections']} connections…`);
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
    say(`  ${tokens.requests} tokens issued: ${tokens.req_per_s} tokens/s, p50 ${tokens.p50_ms} ms, p99 ${tokens.p99_ms} ms`);

    // The org read must really read the org: check one answer before loading it.
    const auth = { authorization: `Bearer ${org.token}` };
    const orgPath = `/orgs-core/v1/orgs/${org.orgId}`;
    const probe = await fetch(`${base}${orgPath}`, { headers: { ...auth, 'x-tenant': org.orgId } });
    const probeBody = await probe.text();
    if (probe.status !== 200 || !probeBody.includes(org.orgId)) throw new Error(`GET ${orgPath}: ${probe.status} ${probeBody}`);

    const load = {
      durationS: opts.duration!,
      connections: opts.connections!,
      serverPid: server.pid,
      ...(admin && db ? { dbPids: backendPids(admin.pool, db.name) } : {}),
    };
    say(`GET /health, /lastro/v1/whoami, ${orgPath}: 2 s warm-up each, then ${rounds} rounds of ${load.durationS} s each, alternating, ${load.connections} connections…`);
    const loads = await alternateLoads(
      {
        health: { url: `${base}/health`, ...load },
        whoami: { url: `${base}/lastro/v1/whoami`, headers: auth, ...load },
        org_get: { url: `${base}${orgPath}`, headers: { ...auth, 'x-tenant': org.orgId }, ...load },
      },
      rounds,
    );
    const healthRps = loads.health.map((r) => r.req_per_s);
    const whoamiRatio = ratios(
      loads.whoami.map((r) => r.req_per_s),
      healthRps,
    );
    const orgRatio = ratios(
      loads.org_get.map((r) => r.req_per_s),
      healthRps,
    );
    say(`  whoami ÷ /health: median ${whoamiRatio.median}; org GET ÷ /health: median ${orgRatio.median}`);

    const tokensMeasured = measuredAll('s2s tokens', [tokens]);
    const healthMeasured = measuredAll('GET /health', loads.health);
    const whoamiMeasured = measuredAll('GET /lastro/v1/whoami', loads.whoami);
    const orgMeasured = measuredAll(`GET ${orgPath}`, loads.org_get);
    const rss = rssMb(server.pid);
    const exit = await stopChild(server);
    if (exit !== 0) say(`lastro exited with ${exit} after SIGTERM (expected 0)`);

    const met = {
      tokens_issued: tokensMeasured,
      whoami_ratio: healthMeasured && whoamiMeasured && whoamiRatio.median >= TARGETS.whoami_to_health,
      // The org-read target is PostgreSQL's; on PGlite the figure is reported, not judged, unless
      // it measured nothing.
      org_get_ratio:
        healthMeasured && orgMeasured ? (engine === 'postgres' ? orgRatio.median >= TARGETS.org_get_to_health_on_postgres : null) : false,
      clean_sigterm_exit: exit === 0,
    };
    return {
      benchmark: 'auth',
      engine,
      ...(admin ? { postgres: admin.version } : {}),
      ...benchRun.facts(),
      duration_s_per_round: load.durationS,
      rounds,
      connections: load.connections,
      s2s_tokens: tokens,
      health: summarize(loads.health),
      whoami: summarize(loads.whoami),
      org_get: summarize(loads.org_get),
      // Each ÷ /health in the same round.
      ratio_whoami_to_health: whoamiRatio,
      ratio_org_get_to_health: orgRatio,
      rss_after_load_mb: rss,
      targets: TARGETS,
      met: { ...met, all: Object.values(met).every((v) => v !== false) },
    };
  } finally {
    if (server) await stopChild(server);
    await db?.drop();
    await admin?.pool.end().catch(() => {});
    removeTempDir(tmp);
  }
}

export const authBenchmark: Benchmark = {
  summary: 'tokens issued per second (s2s); whoami and a one-row org read vs /health, alternating rounds (PGlite, or PostgreSQL with DATABASE_URL)',
  options: [
    '--duration N           seconds per GET round (default 5; a 2 s warm-up of each route runs first)',
    '--rounds N             rounds per route, alternating /health, whoami, org read (default 3)',
    '--connections N        concurrent connections for the GETs (default 50)',
    '--token-duration N     seconds of token requests (default 5)',
    '--token-connections N  concurrent token requests (default 8)',
  ],
  run,
};
