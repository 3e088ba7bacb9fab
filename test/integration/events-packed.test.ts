// Events sharing outbox rows (db/migrations/0028): a statement's events go into a few rows, and
// every reader still sees one event per position — the replay API across pages that end inside a
// row, a lookup by position, the subscriptions' lag, and retention, which keeps a whole row while
// a webhook still waits to send one of its events.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxEvent, readAfter } from '../../src/modules/events/events.repo.js';
import { purgeExpiredEvents } from '../../src/modules/events/retention.js';
import { largestLagBySink } from '../../src/modules/events/subscriptions.repo.js';
import { OrgEvents } from '../../src/modules/orgs/index.js';
import { eventOf, recordEvents } from '../../src/platform/outbox.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, type TestOrg } from '../helpers/auth.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let org: TestOrg;
let token: string;
beforeAll(async () => {
  ({ app, org, token } = await setupTenant({ env: { LASTRO_EVENT_RETENTION_DAYS: '7' } }));
});
afterAll(async () => app?.close());

const N = 150;
let ids: string[];

const system = <T>(fn: Parameters<typeof app.platform.db.transaction<T>>[0]) => app.platform.db.transaction(fn, { system: true });
const inOrg = <T>(fn: Parameters<typeof app.platform.db.transaction<T>>[0]) => app.platform.db.transaction(fn, { orgId: org.orgId });

/** The outbox rows (not events) holding these events. */
const rowsHolding = async (eventIds: string[]) =>
  (
    await sql<{ row_seq: string; n: number }>`
      select row_seq::text, count(*)::int as n from event_outbox_events where org_id = ${org.orgId} and event_id = any(${eventIds}::uuid[])
      group by row_seq order by row_seq`.execute(app.platform.db.kysely)
  ).rows;

beforeAll(async () => {
  const events = Array.from({ length: N }, (_, i) =>
    eventOf(OrgEvents.orgUpdated, {
      orgId: org.orgId,
      cid: `packed-${i}`,
      data: { org_id: org.orgId, org_name: `Packed #${i} ${'x'.repeat(i % 40)}`, status: 'ACTIVE', sandbox: false, changed_fields: ['org_name'] },
    }),
  );
  ids = await inOrg((tx) => recordEvents(tx, app.platform, events));
});

describe('events of one statement', () => {
  it('share outbox rows: fewer rows than events, each row holding a run of them', async () => {
    const rows = await rowsHolding(ids);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.length).toBeLessThan(N / 10);
    expect(rows.reduce((n, r) => n + r.n, 0)).toBe(N);
    const stored = (await sql<{ n: number }>`select count(*)::int as n from event_outbox where org_id = ${org.orgId} and domain = 'org' and cid like 'packed-%'`.execute(app.platform.db.kysely)).rows[0]!.n;
    expect(stored).toBe(rows.length);
  });

  it('are replayed one by one, in order, across pages that end inside a row', async () => {
    const seen: { event_id: string; cid: string; data: { org_name: string } }[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/events?event_type=org-updated&limit=7${cursor ? `&after=${cursor}` : ''}`, headers: bearer(token) });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      seen.push(...page.items);
      cursor = page.next_cursor;
      if (!page.has_next) break;
    }
    const mine = seen.filter((e) => ids.includes(e.event_id));
    expect(mine.map((e) => e.event_id)).toEqual(ids);
    expect(mine.map((e) => e.cid)).toEqual(ids.map((_, i) => `packed-${i}`));
    expect(mine.map((e) => e.data.org_name)).toEqual(ids.map((_, i) => `Packed #${i} ${'x'.repeat(i % 40)}`));
  });

  it('each have a position of their own, found again by it (and only with their id)', async () => {
    const read = await inOrg((tx) => readAfter(tx, org.orgId, undefined, { eventType: 'org-updated' }, 1000));
    const mine = read.filter((e) => ids.includes(e.event_id));
    expect(new Set(mine.map((e) => `${e.tx_id}/${e.seq}`)).size).toBe(N);
    for (const k of [0, 1, 2, 40, 75, N - 1]) {
      const at = { txId: mine[k]!.tx_id, seq: mine[k]!.seq };
      expect((await inOrg((tx) => outboxEvent(tx, org.orgId, at, ids[k]!)))?.cid).toBe(`packed-${k}`);
      expect(await inOrg((tx) => outboxEvent(tx, org.orgId, at, ids[(k + 1) % N]!))).toBeUndefined();
    }
    // After the 10th: the other N - 10, from the middle of a row on.
    const after = await inOrg((tx) => readAfter(tx, org.orgId, { txId: mine[9]!.tx_id, seq: mine[9]!.seq }, { eventType: 'org-updated' }, 1000));
    expect(after.filter((e) => ids.includes(e.event_id)).map((e) => e.event_id)).toEqual(ids.slice(10));
  });

  it('count one by one in a subscription’s lag', async () => {
    const sub = await app.http.inject({ method: 'POST', url: '/lastro/v1/event-subscriptions', headers: bearer(token), payload: { sink: { type: 'webhook', url: 'https://hooks.example.com/x' }, start_after: 'earliest' } });
    expect(sub.statusCode, sub.body).toBe(201);
    const total = (await sql<{ n: number }>`select count(*)::int as n from event_outbox_events where org_id = ${org.orgId}`.execute(app.platform.db.kysely)).rows[0]!.n;
    const lag = async () => (await system(largestLagBySink)).find((r) => r.sink === 'webhook')!.lag;
    expect(await lag()).toBe(total);
    const read = await inOrg((tx) => readAfter(tx, org.orgId, undefined, {}, 10_000));
    const tenth = read.findIndex((e) => e.event_id === ids[9]);
    await sql`update event_subscriptions set cursor_tx = ${read[tenth]!.tx_id}::xid8, cursor_seq = ${read[tenth]!.seq} where id = ${sub.json().id}`.execute(app.platform.db.kysely);
    expect(await lag()).toBe(read.length - tenth - 1);
    await app.http.inject({ method: 'DELETE', url: `/lastro/v1/event-subscriptions/${sub.json().id}`, headers: bearer(token) });
  });

  it('leave with their whole row: retention keeps a row while a webhook waits to send one of its events', async () => {
    const sub = (
      await app.http.inject({ method: 'POST', url: '/lastro/v1/event-subscriptions', headers: bearer(token), payload: { sink: { type: 'file' } } })
    ).json();
    const read = await inOrg((tx) => readAfter(tx, org.orgId, undefined, { eventType: 'org-updated' }, 1000));
    const mine = read.filter((e) => ids.includes(e.event_id));
    // A pending delivery of the 41st event (inside a row, not its first).
    const waiting = mine[40]!;
    const rows = await rowsHolding(ids);
    const held = (await rowsHolding([waiting.event_id]))[0]!;
    expect(BigInt(held.row_seq)).toBeLessThan(waiting.seq);
    const now = app.clock.now();
    await sql`insert into event_deliveries (id, org_id, subscription_id, event_id, event_tx, event_seq, status, attempts, next_attempt_at, created_at, updated_at)
              values (gen_random_uuid(), ${org.orgId}, ${sub.id}, ${waiting.event_id}, ${waiting.tx_id}::xid8, ${waiting.seq}, 'pending', 1, ${now}, ${now}, ${now})`.execute(app.platform.db.kysely);
    const before = (await sql<{ n: number }>`select count(*)::int as n from event_outbox_events`.execute(app.platform.db.kysely)).rows[0]!.n;
    app.clock.advance(8 * 86_400_000);
    const purged = await purgeExpiredEvents(app.platform);
    const keptRow = rows.find((r) => r.row_seq === held.row_seq)!;
    expect(purged.events).toBe(before - keptRow.n);
    const left = (await sql<{ event_id: string }>`select event_id from event_outbox_events order by tx_id, seq`.execute(app.platform.db.kysely)).rows.map((r) => r.event_id);
    expect(left).toContain(waiting.event_id);
    const first = BigInt(held.row_seq);
    expect(left).toEqual(mine.filter((e) => e.seq >= first && e.seq < first + BigInt(keptRow.n)).map((e) => e.event_id));
  });
});
