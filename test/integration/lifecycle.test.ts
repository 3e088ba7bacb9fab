// Start-up, readiness, metrics and graceful shutdown of the in-process app.
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { routeAuth } from '../../src/platform/auth/guard.js';
import { defineJob } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import type { LastroModule } from '../../src/platform/module.js';
import { testApp } from '../helpers/app.js';
import { freshDatabase } from '../helpers/db.js';

describe('readiness', () => {
  it('/ready is 503 until migrations are applied (api mode does not migrate)', async () => {
    const tdb = await freshDatabase({ empty: true });
    const config = loadConfig({ LOG_LEVEL: 'silent', ...(tdb.databaseUrl ? { DATABASE_URL: tdb.databaseUrl } : {}) });
    const app = await createApp({ config, mode: 'api', pglite: tdb.pglite, logger: createLogger('silent') }).catch(
      (err: unknown) => err as Error,
    );
    // Without migrations the api process still starts and reports "not ready" instead of crashing.
    expect(app).not.toBeInstanceOf(Error);
    if (app instanceof Error) return;
    const res = await app.http!.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('lastro migrate') });
    expect((await app.http!.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await app.stop();
    await tdb.drop();
  });
});

describe('metrics', () => {
  it('exposes requests by route and status, latency, pool and queue depth', async () => {
    const job = defineJob({ name: 'metrics.probe', schema: Type.Object({}), handler: async () => {} });
    const mod: LastroModule = { name: 'probe', jobs: () => [job] };
    const app = await testApp({ modules: [mod], start: false });
    await app.platform.jobs.start({ work: false });
    await app.platform.jobs.send(job, {});
    await app.http.inject({ method: 'GET', url: '/health' });
    await app.http.inject({ method: 'GET', url: '/nowhere' });
    const text = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/lastro_http_requests_total\{method="GET",route="\/health",status_code="200"\} 1/);
    expect(text).toMatch(/lastro_http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1/);
    expect(text).toMatch(/lastro_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health"\}/);
    expect(text).toMatch(/lastro_db_pool_connections\{state="max"\} \d+/);
    expect(text).toMatch(/lastro_job_queue_depth\{queue="metrics.probe"\} 1/);
    await app.close();
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then refuses new connections and closes the database', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const slow: LastroModule = {
      name: 'slow',
      routes(app) {
        app.get('/slow', { config: { auth: routeAuth.public() }, schema: { response: { 200: Type.Object({ done: Type.Boolean() }) } } }, async () => {
          entered();
          await new Promise((r) => setTimeout(r, 400));
          return { done: true };
        });
      },
    };
    const app = await testApp({ modules: [slow], start: true });
    const address = app.http.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const inFlight = fetch(`${base}/slow`);
    await inside;
    const stopping = app.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await stopping;
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    await expect(app.platform.db.ping()).rejects.toThrow();
    await app.testDb.drop();
  });
});
