// Retention: after LASTRO_EVENT_RETENTION_DAYS, events leave the outbox (except those a webhook
// delivery is still retrying), finished deliveries and their attempt log go, and batch files are
// removed from disk and from the listing.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { purgeExpiredEvents } from '../../src/modules/events/retention.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, tokenFor, type TestOrg } from '../helpers/auth.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let org: TestOrg;
let token: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lastro-retention-'));
  ({ app, org, token } = await setupTenant({ start: true, env: { LASTRO_RELAY_POLL_MS: '20', LASTRO_EVENTS_DIR: dir, LASTRO_EVENT_RETENTION_DAYS: '7' } }));
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = async (table: 'event_outbox' | 'event_deliveries' | 'event_delivery_attempts' | 'event_files') =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(app.platform.db.kysely)).rows[0]!.n);

it('purges what is older than the retention, and keeps what a webhook still retries', async () => {
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => app.http.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const file = (await api('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'file', roll_seconds: 1 }, start_after: 'earliest' })).json();
  // A file holding the org's first two events.
  for (let i = 0; i < 100 && (await count('event_files')) === 0; i++) {
    app.clock.advance(2000);
    await new Promise((r) => setTimeout(r, 30));
  }
  expect(await count('event_files')).toBe(1);
  expect(readdirSync(join(dir, org.orgId, file.id)).length).toBe(2); // the file and its manifest

  // A delivery that is still being retried, and one that finished, both for old events.
  const events = (await sql<{ event_id: string; tx_id: string; seq: bigint }>`
    select event_id, tx_id::text as tx_id, seq from event_outbox_events where org_id = ${org.orgId} order by seq`.execute(app.platform.db.kysely)).rows;
  const hook = (await api('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'file' } })).json(); // any subscription row will do
  const now = app.clock.now();
  for (const [i, status] of ['pending', 'succeeded'].entries()) {
    const e = events[i]!;
    await sql`insert into event_deliveries (id, org_id, subscription_id, event_id, event_tx, event_seq, status, attempts, next_attempt_at, created_at, updated_at)
              values (gen_random_uuid(), ${org.orgId}, ${hook.id}, ${e.event_id}, ${e.tx_id}::xid8, ${e.seq}, ${status}, 1,
                      ${status === 'pending' ? new Date(now.getTime() + 9 * 86_400_000) : null}, ${now}, ${now})`.execute(app.platform.db.kysely);
  }

  expect(await purgeExpiredEvents(app.platform)).toEqual({ events: 0, deliveries: 0, files: 0 });
  app.clock.advance(8 * 86_400_000);
  const purged = await purgeExpiredEvents(app.platform);
  expect(purged.events).toBe(events.length - 1);
  expect(purged.deliveries).toBe(1);
  expect(purged.files).toBe(1);
  // The event of the pending delivery is still there to send.
  const left = (await sql<{ event_id: string }>`select event_id from event_outbox_events where org_id = ${org.orgId}`.execute(app.platform.db.kysely)).rows;
  expect(left.map((r) => r.event_id)).toEqual([events[0]!.event_id]);
  expect(await count('event_files')).toBe(0);
  expect(readdirSync(join(dir, org.orgId, file.id))).toEqual([]);
  const listed = (await app.http.inject({ method: 'GET', url: '/lastro/v1/event-files', headers: bearer(await tokenFor(app, org)) })).json();
  expect(listed.items).toEqual([]);
});
