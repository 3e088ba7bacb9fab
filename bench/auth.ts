// `auth`: what authentication costs, on PGlite or (with DATABASE_URL) PostgreSQL. Tokens issued
// per second by the s2s endpoint (scrypt-bound by design), then three GETs on the same server in
// alternating rounds: the unauthenticated /health; /lastro/v1/whoami (JWT verification, org and
// credential check, rate limiters, no query of its own); /orgs-core/v1/orgs/{orgId} with x-tenant
// (all of that plus one org row read in a tenant transaction).
// Targets: whoami keeps at least 60 % of /health's req/s; on PostgreSQL the org read keeps 50 %.
// On PostgreSQL a bare read runs in the same rounds, as information (no target): a Fastify server
// with a pg.Pool answering GET /org/:id with the org row, on the same database.
import {
  adminPool,
  alternateLoads,
  backendPids,
  beginRun,
  type Benchmark,
  type Child,
  createOrg,
  type LoadOptions,
  type LoadResult,
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
  waitFor200,
  freePort,
  spawnNode,
  warmAndLoad,
} from './lib.js';

const TARGETS = { whoami_to_health: 0.6, org_get_to_health_on_postgres: 0.5 };

/** The pool's application name, so its backends' CPU is told apart from Lastro's. */
const BARE_APP = 'lastro-bench-bare-read';

// The least a one-row read over HTTP needs: Fastify, a pg.Pool of Lastro's default size, one
// parameterized SELECT of the org row, the row as JSON (Fastify's default serializer). Its idle
// connections are kept between rounds, so the backends whose CPU a round counts (those open when
// it starts) are the ones that serve it.
const BARE_READ = `
import pg from 'pg';
import Fastify from 'fastify';
const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10, idleTimeoutMillis: 0, application_name: '${BARE_APP}' });
const app = Fastify();
app.get('/org/:id', async (req, reply) => {
  const { rows } = await pool.query('select * from orgs where org_id = $1', [req.params.id]);
  if (rows.length === 0) return reply.code(404).send({ code: 'NOT_FOUND' });
  return rows[0];
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => { await app.close(); await pool.end(); process.exit(0); });
`;

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
  let bare: Child | undefined;
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

    // The bare read (PostgreSQL only): its own process, so its CPU is measured as Lastro's is.
    let bareUrl: string | undefined;
    if (admin && db) {
      const port = await freePort();
      const { DATABASE_URL: _ignored, ...inherited } = process.env;
      bare = spawnNode('bare read (Fastify + pg.Pool)', ['--input-type=module', '-e', BARE_READ], { ...inherited, PORT: String(port), BENCH_DATABASE_URL: db.url });
      const bareBase = `http://127.0.0.1:${port}`;
      bareUrl = `${bareBase}/org/${org.orgId}`;
      await waitFor200(bare, bareUrl);
      const bareProbe = await fetch(bareUrl);
      const bareBody = await bareProbe.text();
      if (bareProbe.status !== 200 || !bareBody.includes(org.orgId)) throw new Error(`bare GET /org/${org.orgId}: ${bareProbe.status} ${bareBody}`);
    }

    const targets: Record<string, LoadOptions> = {
      health: { url: `${base}/health`, ...load },
      whoami: { url: `${base}/lastro/v1/whoami`, headers: auth, ...load },
      org_get: { url: `${base}${orgPath}`, headers: { ...auth, 'x-tenant': org.orgId }, ...load },
      ...(bare && bareUrl && admin && db ? { bare_read: { ...load, url: bareUrl, serverPid: bare.pid, dbPids: backendPids(admin.pool, db.name, BARE_APP) } } : {}),
    };
    say(`GET ${Object.values(targets)
      .map((t) => new URL(t.url).pathname)
      .join(', ')}: 2 s warm-up each, then ${rounds} rounds of ${load.durationS} s each, alternating, ${load.connections} connections…`);
    const loads = (await alternateLoads(targets, rounds)) as Record<'health' | 'whoami' | 'org_get', LoadResult[]> & { bare_read?: LoadResult[] };
    const healthRps = loads.health.map((r) => r.req_per_s);
    const whoamiRatio = ratios(
      loads.whoami.map((r) => r.req_per_s),
      healthRps,
    );
    const orgRatio = ratios(
      loads.org_get.map((r) => r.req_per_s),
      healthRps,
    );
    // Information, no target: what Lastro's org read costs against the least such a read needs.
    const bareRatio = loads.bare_read
      ? ratios(
          loads.org_get.map((r) => r.req_per_s),
          loads.bare_read.map((r) => r.req_per_s),
        )
      : undefined;
    const bareCpuRatio = loads.bare_read
      ? ratios(
          loads.org_get.map((r) => r.server_cpu_us_per_req ?? 0),
          loads.bare_read.map((r) => r.server_cpu_us_per_req ?? 0),
        )
      : undefined;
    say(
      `  whoami ÷ /health: median ${whoamiRatio.median}; org GET ÷ /health: median ${orgRatio.median}` +
        (bareRatio ? `; org GET ÷ bare read: median ${bareRatio.median} (CPU per request ${bareCpuRatio!.median}×)` : ''),
    );

    const tokensMeasured = measuredAll('s2s tokens', [tokens]);
    const healthMeasured = measuredAll('GET /health', loads.health);
    const whoamiMeasured = measuredAll('GET /lastro/v1/whoami', loads.whoami);
    const orgMeasured = measuredAll(`GET ${orgPath}`, loads.org_get);
    const bareMeasured = loads.bare_read ? measuredAll('GET /org/:id on the bare read', loads.bare_read) : null;
    if (bare) {
      const bareExit = await stopChild(bare);
      if (bareExit !== 0) say(`the bare read exited with ${bareExit} after SIGTERM (expected 0)`);
      bare = undefined;
    }
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
      // No target: only that the baseline measured something (null on PGlite, where it does not run).
      bare_read_measured: bareMeasured,
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
      bare_read: loads.bare_read ? summarize(loads.bare_read) : { skipped: 'PostgreSQL only (DATABASE_URL)' },
      // Each ÷ /health in the same round.
      ratio_whoami_to_health: whoamiRatio,
      ratio_org_get_to_health: orgRatio,
      // Information, no target: the org GET ÷ the bare read in the same round (req/s), and its CPU
      // per request × the bare read's.
      ratio_org_get_to_bare_read: bareRatio ?? null,
      cpu_per_req_org_get_to_bare_read: bareCpuRatio ?? null,
      rss_after_load_mb: rss,
      targets: TARGETS,
      met: { ...met, all: Object.values(met).every((v) => v !== false) },
    };
  } finally {
    if (bare) await stopChild(bare);
    if (server) await stopChild(server);
    await db?.drop();
    await admin?.pool.end().catch(() => {});
    removeTempDir(tmp);
  }
}

export const authBenchmark: Benchmark = {
  summary:
    'tokens issued per second (s2s); whoami and a one-row org read vs /health, and (PostgreSQL) the org read vs a bare Fastify + pg.Pool read, alternating rounds (PGlite, or PostgreSQL with DATABASE_URL)',
  options: [
    '--duration N           seconds per GET round (default 5; a 2 s warm-up of each route runs first)',
    '--rounds N             rounds per route, alternating /health, whoami, org read, bare read (default 3)',
    '--connections N        concurrent connections for the GETs (default 50)',
    '--token-duration N     seconds of token requests (default 5)',
    '--token-connections N  concurrent token requests (default 8)',
  ],
  run,
};
