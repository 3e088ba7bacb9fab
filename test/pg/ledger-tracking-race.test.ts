// A tracking_id taken by a concurrent request after a transfer looked it up (PostgreSQL: PGlite's
// one connection never lets transactions overlap). The transfer's lookup cannot see the other
// request's uncommitted authorization; its own authorizations then meet the unique index in the
// round trip that carries its COMMIT, wait for the other transaction, and fail once it commits.
// The transfer must answer WP2P0010 as when the lookup finds the tracking id, and write nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let a: TestAccount;
let b: TestAccount;
let c: TestAccount;

const p2p = (trackingId: string) => ({
  tracking_id: trackingId,
  from: [{ processing_code: '002000', amount: 5, account: { id: a.accountId } }],
  to: [{ processing_code: '004000', account: { id: b.accountId } }],
});

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  a = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 100 } });
  b = await createAccount(app, tenant, { program: debit });
  c = await createAccount(app, tenant, { program: debit });
});
afterAll(async () => app?.close());

/** What the transfer could have written: a's authorizations, balance rows, entries and events. */
const written = () =>
  app.platform.db.transaction(
    async (tx) => ({
      authorizations: (await sql<{ n: number }>`select count(*)::int as n from ledger_authorizations where org_id = ${tenant.org.orgId} and account_id in (${a.accountId}, ${b.accountId})`.execute(tx)).rows[0]!.n,
      entries: (await sql<{ n: number }>`select count(*)::int as n from ledger_journal_entries where org_id = ${tenant.org.orgId}`.execute(tx)).rows[0]!.n,
      balances: (await sql`select account_id, available_minor from ledger_account_balances where org_id = ${tenant.org.orgId} order by account_id`.execute(tx)).rows,
      events: (await sql<{ n: number }>`select count(*)::int as n from event_outbox_events where org_id = ${tenant.org.orgId}`.execute(tx)).rows[0]!.n,
    }),
    { system: true },
  );

it('a tracking id committed by another transaction after the lookup answers 409 WP2P0010 at COMMIT, writing nothing', async () => {
  const before = await written();
  const blocker = await app.platform.db.pool.connect();
  try {
    // Another request's authorization with the tracking id, on another account, not committed yet.
    await blocker.query('begin');
    await blocker.query(
      `insert into ledger_authorizations (org_id, operation, tracking_id, status, response_code, account_id, currency, amount_minor, request, created_at, updated_at)
       values ($1, 'PAYMENT_DEBIT', 'race-1', 'APPROVED', '00', $2, 'BRL', 100, '{}', now(), now())`,
      [tenant.org.orgId, c.accountId],
    );
    const answer = app.http.inject({
      method: 'POST',
      url: '/payments/v1/payments',
      headers: { ...tenant.headers, 'x-account-id': String(a.accountId) },
      payload: p2p('race-1'),
    });
    // The transfer has read and decided, and its writes wait on the blocker's row in the unique index.
    for (;;) {
      const { rows } = await app.platform.db.pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%ledger_authorizations%'`,
      );
      if (rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await blocker.query('commit');
    const res = await answer;
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe('WP2P0010');
  } finally {
    blocker.release();
  }
  expect(await written()).toEqual(before);

  // Looked up now, the same tracking id is answered from the lookup, listing the authorization.
  const again = await app.http.inject({ method: 'POST', url: '/payments/v1/payments', headers: { ...tenant.headers, 'x-account-id': String(a.accountId) }, payload: p2p('race-1') });
  expect(again.statusCode, again.body).toBe(409);
  expect(again.json()).toMatchObject({ code: 'WP2P0010', authorizations: [{ response_code: '00', amount: 1 }] });
  // And a fresh one goes through.
  const fresh = await app.http.inject({ method: 'POST', url: '/payments/v1/payments', headers: { ...tenant.headers, 'x-account-id': String(a.accountId) }, payload: p2p('race-2') });
  expect(fresh.statusCode, fresh.body).toBe(201);
});
