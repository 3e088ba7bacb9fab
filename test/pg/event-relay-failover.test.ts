// Several worker processes on one PostgreSQL database: exactly one runs the event relay (an
// advisory lock); when it stops, another takes over from the stored cursors and delivery goes on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, type TestOrg } from '../helpers/auth.js';
import { setupTenant } from '../helpers/fixture.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

let api: TestApp;
let workers: App[] = [];
let receiver: Receiver;
let org: TestOrg;
let token: string;

const worker = async () => {
  const w = await createApp({
    config: loadConfig({ DATABASE_URL: api.testDb.databaseUrl, LOG_LEVEL: 'silent', LASTRO_WEBHOOK_ALLOW_PRIVATE: 'true', LASTRO_RELAY_POLL_MS: '50' }),
    mode: 'worker',
    logger: createLogger('silent'),
  });
  await w.start();
  return w;
};

beforeAll(async () => {
  receiver = await startReceiver();
  ({ app: api, org, token } = await setupTenant({ mode: 'api', clockStart: new Date(), env: { LASTRO_WEBHOOK_ALLOW_PRIVATE: 'true' } }));
  workers = [await worker()];
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await api?.close();
  await receiver?.close();
});

const rename = async (name: string) => {
  const res = await api.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { org_name: name } });
  expect(res.statusCode).toBe(200);
};
const names = () => receiver.received.map((r) => JSON.parse(r.body).data.org_name as string);

it('one worker delivers; when it stops, another takes over and nothing is lost or sent twice', async () => {
  const sub = await api.http.inject({
    method: 'POST',
    url: '/lastro/v1/event-subscriptions',
    headers: bearer(token),
    payload: { sink: { type: 'webhook', url: receiver.url }, filter: { event_types: ['org-updated'] } },
  });
  expect(sub.statusCode, sub.body).toBe(201);
  for (let i = 0; i < 5; i++) await rename(`before ${i}`);
  await receiver.waitFor(5);
  const leaders = async (): Promise<number> => {
    const db = await api.testDb.open();
    try {
      const { rows } = await db.pool.query<{ n: string }>(
        // This database's leader only: other deployments on the same server hold the same lock key.
        "select count(*) as n from pg_locks where locktype = 'advisory' and granted and classid = 1 and objid = 3047051992 and database = (select oid from pg_database where datname = current_database())",
      );
      return Number(rows[0]!.n);
    } finally {
      await db.close();
    }
  };
  const relaySessions = async (): Promise<string[]> => {
    const db = await api.testDb.open();
    try {
      const { rows } = await db.pool.query<{ pid: number }>(
        "select pid from pg_stat_activity where application_name = 'lastro-relay' and datname = current_database() order by pid",
      );
      return rows.map((r) => String(r.pid));
    } finally {
      await db.close();
    }
  };
  // The first worker leads; a second one waits beside it, asking for the lock again on the
  // session it keeps (not a new connection per try): the same two sessions across a retry.
  expect(await leaders()).toBe(1);
  workers.push(await worker());
  expect(await leaders()).toBe(1);
  await new Promise((r) => setTimeout(r, 500));
  const sessions = await relaySessions();
  expect(sessions).toHaveLength(2);
  await new Promise((r) => setTimeout(r, 3_500)); // longer than a follower's retry
  expect(await relaySessions()).toEqual(sessions);

  // Stop the leader (the oldest worker) twice: each time the waiting worker takes over from the
  // cursor within a few seconds, and a new worker joins as the next one waiting.
  for (const round of [1, 2]) {
    await workers.shift()!.stop();
    for (let i = 0; i < 5; i++) await rename(`round ${round} ${i}`);
    await receiver.waitFor(5 + round * 5, () => true, 15_000);
    expect(await leaders()).toBe(1);
    workers.push(await worker());
  }
  await new Promise((r) => setTimeout(r, 300));
  const got = names();
  const expected = ['before', 'round 1', 'round 2'].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `${p} ${i}`));
  expect([...got].sort()).toEqual([...expected].sort()); // each exactly once
}, 60_000);
