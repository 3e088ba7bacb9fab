// The asynchronous create survives a restart between the answer and the creation: an `api`
// process answers POST /programs/v2/programs/template (writing the import and its job in one
// transaction) and stops; a later process works the job. Exactly one program and exactly one
// Program created event result, even when the job is delivered again.
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { createProgramsService } from '../../src/modules/programs/programs.service.js';
import { ManualClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestApp } from '../helpers/app.js';
import { ADMIN_TOKEN, bearer, createOrg, tokenFor } from '../helpers/auth.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

async function boot(tdb: TestDatabase, mode: 'api' | 'all'): Promise<App> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    LASTRO_JOB_POLL_SECONDS: '0.5',
    LASTRO_SHUTDOWN_TIMEOUT_MS: '2000',
    LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
    ...(tdb.databaseUrl ? { DATABASE_URL: tdb.databaseUrl } : {}),
  });
  const app = await createApp({ config, mode, clock: new ManualClock('2026-11-23T12:00:00.000Z'), logger: createLogger('silent'), pglite: tdb.pglite });
  await app.start();
  return app;
}

describe('asynchronous program creation across a restart', () => {
  it('creates the program once, after the process that answered has stopped', async () => {
    const tdb = await freshDatabase();
    const api = await boot(tdb, 'api');
    const asTest = api as unknown as TestApp;
    const org = await createOrg(asTest);
    const h = bearer(await tokenFor(asTest, org), org.orgId);
    const body = { name: 'Durable', type: 'MERCHANT', timezone: 'America/Sao_Paulo', currency_numeric_code: '986', country_code: 'BRA' };
    const res = await api.http!.inject({ method: 'POST', url: '/programs/v2/programs/template', headers: h, payload: body });
    expect(res.statusCode).toBe(201);
    const importId: number = res.json().program_import_id;
    // The api process only sends jobs: nothing is created before it stops.
    const pending = await api.http!.inject({ method: 'GET', url: `/programs/v1/programs/import/${importId}`, headers: h });
    expect(pending.json().status).toBe('PENDING');
    await api.stop();

    const worker = await boot(tdb, 'all');
    try {
      const get = (url: string) => worker.http!.inject({ method: 'GET', url, headers: h });
      const until = Date.now() + 20_000;
      let record = (await get(`/programs/v1/programs/import/${importId}`)).json();
      while (record.status !== 'SUCCESS' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        record = (await get(`/programs/v1/programs/import/${importId}`)).json();
      }
      expect(record.status).toBe('SUCCESS');

      // The job delivered again (a retry after a crash past the commit) changes nothing.
      // Counted only once pg-boss reports that delivery completed (not merely taken off the queue).
      const { importJob } = createProgramsService(worker.platform);
      const jobId = await worker.platform.jobs.send(importJob, { org_id: org.orgId, program_import_id: String(importId) });
      expect(jobId).toBeTruthy();
      const stateOf = async () => (await worker.platform.db.pool.query<{ state: string }>('select state from pgboss.job where id = $1', [jobId])).rows[0]?.state;
      const drainUntil = Date.now() + 20_000;
      let state = await stateOf();
      while (state !== 'completed' && state !== 'failed' && Date.now() < drainUntil) {
        await new Promise((r) => setTimeout(r, 100));
        state = await stateOf();
      }
      expect(state).toBe('completed');

      const list = (await get('/programs/v1/programs?name=Durable')).json();
      expect(list.total_items).toBe(1);
      expect(list.items[0].id).toBe(record.program_id);
      const events = (await get('/lastro/v1/events?domain=programs&event_type=creation&limit=1000')).json().items;
      expect(events).toHaveLength(1);
      expect(events[0].data).toMatchObject({ program_id: record.program_id, program_import_id: importId, program_name: 'Durable' });
    } finally {
      await worker.stop();
      await tdb.drop();
    }
  });
});
