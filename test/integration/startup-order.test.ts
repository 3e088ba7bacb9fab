// What a start promises while it is still starting: the API listens before the job workers and
// the background services start (docs/architecture.md, "Start-up"). From its first answer /ready
// is 200 and a request that sends a job is answered; the job waits in its queue and runs once the
// workers have started. Here the workers are held back until the test lets them go, so the order
// is certain.
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestApp } from '../helpers/app.js';
import { ADMIN_TOKEN, bearer, createOrg, tokenFor } from '../helpers/auth.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

describe('a start, between listening and working jobs', () => {
  let tdb: TestDatabase | undefined;
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop();
    await tdb?.drop();
  });

  it('answers /ready and takes a job before the workers start; the job runs once they have', async () => {
    tdb = await freshDatabase();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PORT: '0',
      HOST: '127.0.0.1',
      LASTRO_JOB_POLL_SECONDS: '0.5',
      LASTRO_SHUTDOWN_TIMEOUT_MS: '2000',
      LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(tdb.databaseUrl ? { DATABASE_URL: tdb.databaseUrl } : {}),
    });
    const started = await createApp({ config, mode: 'all', clock: new ManualClock('2026-11-23T12:00:00.000Z'), logger: createLogger('silent'), pglite: tdb.pglite });
    app = started;
    const jobs = started.platform.jobs;
    const work = jobs.work.bind(jobs);
    let workersAsked = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jobs.work = async () => {
      workersAsked = true;
      await gate;
      return work();
    };

    const starting = started.start();
    const http = started.http!;
    while (!workersAsked) await new Promise((r) => setTimeout(r, 5));
    expect(http.server.listening).toBe(true);

    // Over the socket, as a load balancer asks.
    const { port } = http.server.address() as { port: number };
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });

    // A program created from a template is answered at once and made by a job.
    const asTest = started as unknown as TestApp;
    const org = await createOrg(asTest);
    const h = bearer(await tokenFor(asTest, org), org.orgId);
    const body = { name: 'Early', type: 'MERCHANT', timezone: 'America/Sao_Paulo', currency_numeric_code: '986', country_code: 'BRA' };
    const res = await http.inject({ method: 'POST', url: '/programs/v2/programs/template', headers: h, payload: body });
    expect(res.statusCode).toBe(201);
    const importId: number = res.json().program_import_id;
    const record = async () => (await http.inject({ method: 'GET', url: `/programs/v1/programs/import/${importId}`, headers: h })).json();
    expect((await record()).status).toBe('PENDING');
    expect((await jobs.queueDepth())['programs.import']).toBe(1);

    release();
    await starting;
    // PROCESS is the import's state while its job runs: wait for a final one.
    let status = (await record()).status;
    for (let i = 0; i < 400 && (status === 'PENDING' || status === 'PROCESS'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await record()).status;
    }
    expect(status).toBe('SUCCESS');
  });
});
