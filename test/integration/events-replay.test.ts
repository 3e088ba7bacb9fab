// Replay of an org's events: envelope, order, pagination, filters, and no event skipped when
// transactions commit out of sequence order (proved on PostgreSQL, where they run concurrently).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrgEvents } from '../../src/modules/orgs/index.js';
import { readAfterRaw } from '../../src/modules/events/events.repo.js';
import { eventOf, recordEvent, recordEvents } from '../../src/platform/outbox.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant } from '../helpers/fixture.js';
import { engine } from '../helpers/db.js';

let app: TestApp;
let org: TestOrg;
let token: string;
beforeAll(async () => {
  ({ app, org, token } = await setupTenant());
});
afterAll(async () => app?.close());

const replay = async (query = ''): Promise<{ items: any[]; next_cursor?: string; has_next: boolean }> => {
  const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/events${query}`, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

/** An event written by the test in its own transaction, optionally held open until released. */
function heldEvent(label: string) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let written!: () => void;
  const inserted = new Promise<void>((r) => (written = r));
  const committed = app.platform.db.transaction(
    async (tx) => {
      await recordEvent(tx, app.platform, OrgEvents.orgUpdated, {
        orgId: org.orgId,
        cid: label,
        data: { org_id: org.orgId, org_name: label, status: 'ACTIVE', sandbox: false, changed_fields: ['org_name'] },
      });
      // The outbox row travels with the transaction's next statement: send one, so the row is
      // written (and the transaction holds its id) before the gate.
      await sql`select 1`.execute(tx);
      written();
      await gate;
    },
    { orgId: org.orgId },
  );
  return { inserted, release, committed };
}

describe('GET /lastro/v1/events', () => {
  it('replays the org’s events in order, in Pismo’s envelope, with the cid of the request', async () => {
    const patch = await app.http.inject({
      method: 'PATCH',
      url: '/orgs-core/v1/orgs',
      headers: { ...bearer(token, org.orgId), 'x-cid': 'rename-1' },
      payload: { org_name: 'Renamed' },
    });
    expect(patch.statusCode).toBe(200);
    const { items, has_next } = await replay();
    expect(has_next).toBe(false);
    expect(items.map((e) => e.event_type)).toEqual(['org-created', 'credential-created', 'org-updated']);
    const last = items.at(-1);
    expect(Object.keys(last).sort()).toEqual(['cid', 'data', 'domain', 'event_id', 'event_type', 'org_id', 'schema_version', 'timestamp']);
    expect(last).toMatchObject({ domain: 'org', schema_version: 1, org_id: org.orgId, cid: 'rename-1', data: { org_name: 'Renamed' } });
  });

  it('pages with an opaque cursor, without repeating or losing an event', async () => {
    const all = (await replay()).items.map((e) => e.event_id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await replay(`?limit=1${cursor ? `&after=${cursor}` : ''}`);
      seen.push(...page.items.map((e) => e.event_id));
      cursor = page.next_cursor;
      if (!page.has_next) break;
    }
    expect(seen).toEqual(all);
    // Nothing new: the same cursor comes back, and no items.
    const idle = await replay(`?after=${cursor}`);
    expect(idle).toEqual({ items: [], next_cursor: cursor, has_next: false });
  });

  it('filters by domain and event type', async () => {
    expect((await replay('?event_type=org-updated')).items.map((e) => e.event_type)).toEqual(['org-updated']);
    expect((await replay('?domain=nothing')).items).toEqual([]);
  });

  it('refuses a cursor it did not make', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/events?after=bm9wZQ', headers: bearer(token) });
    expectError(res, 400, 'INVALID_CURSOR');
  });

  it('never shows an event of a rolled-back transaction', async () => {
    const before = (await replay()).items.length;
    await app.platform.db
      .transaction(
        async (tx) => {
          await recordEvent(tx, app.platform, OrgEvents.orgUpdated, {
            orgId: org.orgId,
            cid: 'rolled-back',
            data: { org_id: org.orgId, org_name: 'x', status: 'ACTIVE', sandbox: false },
          });
          throw new Error('roll back');
        },
        { orgId: org.orgId },
      )
      .catch(() => {});
    const after = (await replay()).items;
    expect(after).toHaveLength(before);
    expect(after.some((e) => e.cid === 'rolled-back')).toBe(false);
  });

  it.skipIf(engine() === 'pglite')('does not skip a transaction that inserted first and committed last', async () => {
    const { next_cursor: start } = await replay();
    // early: inserts first (lower sequence number), commits last.
    const early = heldEvent('early');
    await early.inserted;
    const late = heldEvent('late');
    await late.inserted;
    late.release();
    await late.committed;

    // "late" is committed, but "early" is still open: nothing is served past the cursor yet.
    const during = await replay(`?after=${start}`);
    expect(during.items).toEqual([]);

    early.release();
    await early.committed;
    const after = await replay(`?after=${during.next_cursor ?? start}`);
    expect(after.items.map((e) => e.cid)).toEqual(['early', 'late']);
  });
});

describe('transaction ids of different lengths', () => {
  it('orders by the number, not its text: 8, 9, 10, 11 — no event is skipped across pages', async () => {
    const other = await createOrg(app);
    const otherToken = await tokenFor(app, other);
    // Rows as if written by transactions 11, 10, 9 and 8 (all long finished), inserted out of order.
    await app.platform.db.transaction(
      async (tx) => {
        for (const txId of ['11', '10', '9', '8']) {
          await sql`
            insert into event_outbox (org_id, event_id, domain, event_type, schema_version, cid, occurred_at, data, tx_id)
            values (${other.orgId}, ${randomUUID()}, 'org', 'org-updated', 1, ${`tx-${txId}`}, now(),
                    ${JSON.stringify({ org_id: other.orgId, org_name: `tx ${txId}`, status: 'ACTIVE', sandbox: false })}, ${txId}::xid8)`.execute(tx);
        }
      },
      { system: true },
    );
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 5; page++) {
      const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/events?limit=2${after}`, headers: bearer(otherToken) });
      const body = res.json();
      seen.push(...body.items.map((e: { cid: string }) => e.cid));
      if (!body.has_next) break;
      after = `&after=${body.next_cursor}`;
    }
    expect(seen.slice(0, 4)).toEqual(['tx-8', 'tx-9', 'tx-10', 'tx-11']);
  });
});

describe('stored event data', () => {
  it('is the text Lastro wrote, in its key order, as sinks hand it on (not reordered as jsonb would)', async () => {
    // jsonb would store these keys shortest first (status, org_id, sandbox, org_name, changed_fields).
    const data = { org_id: org.orgId, org_name: 'Key order', status: 'ACTIVE' as const, sandbox: false, changed_fields: ['org_name'] };
    await app.platform.db.transaction((tx) => recordEvent(tx, app.platform, OrgEvents.orgUpdated, { orgId: org.orgId, cid: 'key-order', data }), {
      orgId: org.orgId,
    });
    const raw = await app.platform.db.transaction(
      (tx) => readAfterRaw(tx, org.orgId, undefined, { eventType: OrgEvents.orgUpdated.eventType }, 1000),
      { orgId: org.orgId },
    );
    const mine = raw.filter((r) => r.cid === 'key-order');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.data_json).toBe(JSON.stringify(data));
  });

  // Several events of one statement (platform/db/outbox.repo.ts, a transfer group writes six per
  // transfer): each stored as written, in the order given, with its own cid and business day.
  it.each([1, 3, 4, 7])('keeps %i events of one statement as written, in order, each with its own fields', async (n) => {
    const names = Array.from({ length: n }, (_, i) => `Batch ${n} #${i} "quoted" \\ é ✓ \u2028`);
    const events = names.map((name, i) =>
      eventOf(OrgEvents.orgUpdated, {
        orgId: org.orgId,
        cid: i % 2 ? `batch-${n}-${i}` : undefined,
        data: { org_id: org.orgId, org_name: name, status: 'ACTIVE', sandbox: false, changed_fields: ['org_name'] },
        ...(i % 3 === 1 ? { businessDate: '2026-02-28' } : {}),
      }),
    );
    const ids = await app.platform.db.transaction((tx) => recordEvents(tx, app.platform, events), { orgId: org.orgId });
    expect(new Set(ids).size).toBe(n);
    const raw = await app.platform.db.transaction(
      (tx) => readAfterRaw(tx, org.orgId, undefined, { eventType: OrgEvents.orgUpdated.eventType }, 1000),
      { orgId: org.orgId },
    );
    const mine = raw.filter((r) => ids.includes(r.event_id));
    expect(mine.map((r) => r.event_id)).toEqual(ids);
    expect(mine.map((r) => r.data_json)).toEqual(events.map((e) => JSON.stringify(e.data)));
    expect(mine.map((r) => r.cid)).toEqual(events.map((e) => e.cid ?? null));
    expect(mine.map((r) => r.business_date)).toEqual(events.map((e) => e.businessDate ?? null));
    expect(mine.map((r) => [r.domain, r.event_type, r.schema_version])).toEqual(events.map(() => ['org', 'org-updated', OrgEvents.orgUpdated.version]));
    expect(new Set(mine.map((r) => r.occurred_at.getTime())).size).toBe(1);
  });
});
