// Liveness, readiness and metrics. /health answers while the process runs; /ready only when the
// database answers and every migration is applied (load balancers route on it).
import { Type } from 'typebox';
import { loadMigrations, migrationsApplied } from '../db/migrate.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { HttpApp, Platform } from '../module.js';
import { routeAuth } from '../auth/guard.js';

const Health = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({
  status: Type.Literal('ready'),
  database: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
  migrations: Type.Integer({ description: 'Number of schema migrations applied.' }),
});

export async function healthRoutes(app: HttpApp, opts: { platform: Platform; metrics: Metrics }): Promise<void> {
  const { db, config } = opts.platform;
  const expected = loadMigrations().length;
  let migrated = false; // once applied, migrations do not un-apply while we run

  app.get(
    '/health',
    { schema: { tags: ['system'], summary: 'Liveness: the process is up', response: { 200: Health } }, config: { auth: routeAuth.public() } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database is reachable and migrations are applied',
        response: { 200: Ready },
      },
      config: { auth: routeAuth.public() },
    },
    async () => {
      try {
        await db.ping();
      } catch {
        throw new AppError('unavailable', 'NOT_READY', 'Database is not reachable');
      }
      if (!migrated) migrated = await migrationsApplied(db.pool, expected);
      if (!migrated) throw new AppError('unavailable', 'NOT_READY', 'Database migrations are not applied yet; run `lastro migrate`');
      return { status: 'ready' as const, database: db.kind, migrations: expected };
    },
  );

  if (config.metrics) {
    app.get('/metrics', { schema: { hide: true }, config: { auth: routeAuth.public() } }, async (_req, reply) => {
      reply.header('content-type', opts.metrics.registry.contentType);
      return opts.metrics.registry.metrics();
    });
  }
}
