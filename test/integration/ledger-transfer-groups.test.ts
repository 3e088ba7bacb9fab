// Group commit of P2P transfers (src/modules/ledger/transfer-groups.ts): concurrent transfers of
// one org with a tracking_id are committed together, each accepted or declined on its own. Sent
// all at once over PostgreSQL, they meet in groups (the /metrics histogram says how many; on
// PGlite, in process, each request has finished before the next one arrives, so the group is
// exercised there through the service itself); every answer is the one the transfer alone would
// have had, and balances, authorizations, events and the ledger's verification come out as if
// each had been committed on its own.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';
import { createPaymentsService } from '../../src/modules/ledger/payments.service.js';
import { countRoundTrips, counted } from '../helpers/round-trips.js';

const onPostgres = process.env.LASTRO_TEST_ENGINE === 'postgres';
let app: TestApp;
let tenant: Tenant;
let a: TestAccount; // debit, overdraft 10.00
let b: TestAccount; // debit

const post = (payload: unknown, account: number) =>
  app.http.inject({ method: 'POST', url: '/payments/v1/payments', headers: { ...tenant.headers, 'x-account-id': String(account) }, payload: payload as object });
const get = (url: string) => app.http.inject({ method: 'GET', url, headers: tenant.headers });
const p2p = (from: number, to: number, amount: number, trackingId: string, code = '002000') => ({
  tracking_id: trackingId,
  from: [{ processing_code: code, amount, account: { id: from } }],
  to: [{ processing_code: '004000', account: { id: to } }],
});
const groupsCommitted = async (): Promise<{ groups: number; transfers: number }> => {
  const text = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
  const n = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN');
  return { groups: n('lastro_ledger_transfer_group_size_count'), transfers: n('lastro_ledger_transfer_group_size_sum') };
};
const available = async (account: number): Promise<number> => {
  const res = await get(`/ledger/v1/accounts/${account}/limits`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ available_credit_limit: number }>().available_credit_limit;
};

interface Stored {
  available: bigint;
  current: bigint;
  creditUsed: bigint;
}
/** The stored balance rows of the org's accounts, by account id. */
const storedBalances = async (): Promise<Map<number, Stored>> => {
  const rows = await app.platform.db.transaction(
    async (tx) =>
      (
        await sql<{ account_id: string; available_minor: string; current_minor: string; credit_used_minor: string }>`
          select account_id::text, available_minor::text, current_minor::text, credit_used_minor::text
          from ledger_account_balances where org_id = ${tenant.org.orgId}`.execute(tx)
      ).rows,
    { system: true },
  );
  return new Map(rows.map((r) => [Number(r.account_id), { available: BigInt(r.available_minor), current: BigInt(r.current_minor), creditUsed: BigInt(r.credit_used_minor) }]));
};
const moved = (before: Stored, minor: bigint): Stored => {
  const current = before.current + minor;
  return { available: before.available + minor, current, creditUsed: current < 0n ? -current : 0n };
};

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  a = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 10 } });
  b = await createAccount(app, tenant, { program: debit });
});
afterAll(async () => app?.close());

describe('transfers committed in groups', () => {
  it('sent at once, each is accepted or declined on its own: the limit holds exactly, a bad code and a reused tracking_id get their own answers', async () => {
    const reused = await post(p2p(a.accountId, b.accountId, 1, 'group-reused'), a.accountId);
    expect(reused.statusCode, reused.body).toBe(201);
    const before = await groupsCommitted();

    // 30 transfers of 0.50 against the 9.00 left: 18 fit. One names an unknown code, one a tracking_id already used.
    const requests = [
      ...Array.from({ length: 30 }, (_, i) => p2p(a.accountId, b.accountId, 0.5, `group-${i}`)),
      p2p(a.accountId, b.accountId, 0.5, 'group-bad-code', '999999'),
      p2p(a.accountId, b.accountId, 0.5, 'group-reused'),
    ];
    const answers = await Promise.all(requests.map((r) => post(r, a.accountId)));

    const accepted = answers.slice(0, 30).filter((r) => r.statusCode === 201);
    const declined = answers.slice(0, 30).filter((r) => r.statusCode !== 201);
    expect(accepted).toHaveLength(18);
    for (const r of declined) await expectError(r, 400, 'WLDG0006');
    await expectError(answers[30]!, 400, 'WP2P0003');
    const conflict = answers[31]!;
    await expectError(conflict, 409, 'WP2P0010');
    expect(conflict.json().authorizations.map((x: { authorization_id: number }) => x.authorization_id)).toEqual([
      reused.json().authorization_ids.debit,
      reused.json().authorization_ids.credit,
    ]);

    // Over PostgreSQL they met in groups (a transfer alone is not counted).
    const after = await groupsCommitted();
    if (onPostgres) expect(after.groups).toBeGreaterThan(before.groups);
    expect(after.transfers - before.transfers).toBeGreaterThanOrEqual(2 * (after.groups - before.groups));

    // Every accepted one is there once, with its own ids and its own request's cid; no declined one left anything.
    const ids = accepted.flatMap((r) => [r.json().authorization_ids.debit, r.json().authorization_ids.credit]);
    expect(new Set(ids).size).toBe(36);
    const rows = await app.platform.db.transaction(
      async (tx) =>
        (
          await sql<{ tracking_id: string; operation: string; cid: string }>`
            select tracking_id, operation, cid from ledger_authorizations
            where org_id = ${tenant.org.orgId} and tracking_id like 'group-%' and tracking_id <> 'group-reused'`.execute(tx)
        ).rows,
      { system: true },
    );
    expect(rows).toHaveLength(36);
    const byTracking = new Map(accepted.map((r) => [r.json().tracking_id as string, r.headers['x-cid']]));
    expect(new Set(rows.map((r) => r.tracking_id))).toEqual(new Set(byTracking.keys()));
    for (const r of rows) expect(r.cid).toBe(byTracking.get(r.tracking_id));
    const events = await app.platform.db.transaction(
      async (tx) =>
        (
          await sql<{ cid: string; tracking_id: string }>`
            select cid, data->>'tracking_id' as tracking_id from event_outbox_events
            where org_id = ${tenant.org.orgId} and event_type = 'authorization-event' and data->>'tracking_id' like 'group-%' and data->>'tracking_id' <> 'group-reused'`.execute(tx)
        ).rows,
      { system: true },
    );
    expect(events).toHaveLength(36);
    for (const e of events) expect(e.cid).toBe(byTracking.get(e.tracking_id));

    // Balances: 1.00 + 18 × 0.50 = 10.00 spent of the overdraft; the credited account has it.
    expect(await available(a.accountId)).toBe(0);
    expect(await available(b.accountId)).toBe(10);
    const verify = await get('/lastro/v1/ledger/verify');
    expect(verify.json()).toMatchObject({ ok: true, differences: [] });
  });

  it('a tracking_id sent twice at once is accepted once; the other answers WP2P0010', async () => {
    const back = await post(p2p(b.accountId, a.accountId, 5, 'group-back'), b.accountId);
    expect(back.statusCode, back.body).toBe(201);
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => post(p2p(a.accountId, b.accountId, 0.01, `group-twice-${i}`), a.accountId)),
      post(p2p(a.accountId, b.accountId, 0.01, 'group-twice'), a.accountId),
      post(p2p(a.accountId, b.accountId, 0.01, 'group-twice'), a.accountId),
    ]);
    expect(answers.slice(0, 6).every((r) => r.statusCode === 201)).toBe(true);
    expect(answers.slice(6).map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const verify = await get('/lastro/v1/ledger/verify');
    expect(verify.json()).toMatchObject({ ok: true, differences: [] });
  });
});

describe('a group in one transaction (transferMany)', () => {
  it('answers each transfer as it would alone, in order, against the balances the ones before it left', async () => {
    const payments = createPaymentsService(app.platform);
    const scope = { orgId: tenant.org.orgId, cid: 'group-tx', actor: 'test' };
    const left = await available(a.accountId);
    const item = (body: unknown, cid: string, account = a.accountId) => ({ body: body as never, tokenAccount: String(account), cid });
    const outcomes = await app.platform.tenant(scope, (t) =>
      payments.transferMany(t, [
        item(p2p(a.accountId, b.accountId, Math.round((left - 1) * 100) / 100, 'many-1'), 'cid-1'),
        item(p2p(a.accountId, b.accountId, 2, 'many-2'), 'cid-2'), // 1.00 left: declined
        item(p2p(a.accountId, b.accountId, 1, 'many-3'), 'cid-3'), // exactly what is left
        item(p2p(a.accountId, b.accountId, 1, 'many-4', '777777'), 'cid-4'), // unknown code
        item(p2p(a.accountId, b.accountId, 1, 'group-reused'), 'cid-5'), // tracking_id used
        item(p2p(a.accountId, b.accountId, 1, 'many-6'), 'cid-6', b.accountId), // another account's token
        item(p2p(b.accountId, a.accountId, 3, 'many-7'), 'cid-7', b.accountId), // the other way: fine
        item(p2p(a.accountId, b.accountId, 3, 'many-8'), 'cid-8'), // now it has 3.00
      ]),
    );
    const codes = outcomes.map((o) => (o.ok ? 'ok' : (o.error as { code?: string }).code));
    expect(codes).toEqual(['ok', 'WLDG0006', 'ok', 'WP2P0003', 'WP2P0010', 'WP2P0000', 'ok', 'ok']);
    expect(await available(a.accountId)).toBe(0);
    const cids = await app.platform.db.transaction(
      async (tx) =>
        (await sql<{ tracking_id: string; cid: string }>`select distinct tracking_id, cid from ledger_authorizations where org_id = ${tenant.org.orgId} and tracking_id like 'many-%' order by tracking_id`.execute(tx)).rows,
      { system: true },
    );
    expect(cids).toEqual([
      { tracking_id: 'many-1', cid: 'cid-1' },
      { tracking_id: 'many-3', cid: 'cid-3' },
      { tracking_id: 'many-7', cid: 'cid-7' },
      { tracking_id: 'many-8', cid: 'cid-8' },
    ]);
    const verify = await get('/lastro/v1/ledger/verify');
    expect(verify.json()).toMatchObject({ ok: true, differences: [] });
  });

  it('writes its accepted transfers as one statement per table, each balance row moved once by their sum', async () => {
    // (after the test above, a has spent all of its 10.00 overdraft)
    const payments = createPaymentsService(app.platform);
    const scope = { orgId: tenant.org.orgId, cid: 'group-writes', actor: 'test' };
    const [beforeA, beforeB] = [await available(a.accountId), await available(b.accountId)];
    const rowsBefore = await storedBalances();
    const item = (body: unknown, account: number) => ({ body: body as never, tokenAccount: String(account), cid: 'group-writes' });
    const undo = countRoundTrips();
    let sent: string[];
    try {
      const { result: outcomes, statements } = await counted(() =>
        app.platform.tenant(scope, (t) =>
          payments.transferMany(t, [
            item(p2p(b.accountId, a.accountId, 1, 'sum-1'), b.accountId),
            item(p2p(b.accountId, a.accountId, 2.5, 'sum-2'), b.accountId),
            item(p2p(a.accountId, b.accountId, 0.25, 'sum-3'), a.accountId),
            item(p2p(b.accountId, a.accountId, 3, 'sum-4', '777777'), b.accountId), // declined: writes nothing
            item(p2p(b.accountId, a.accountId, 0.1, 'sum-5'), b.accountId),
          ]),
        ),
      );
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, true]);
      sent = statements;
    } finally {
      undo();
    }
    const rowsAfter = await storedBalances();
    const count = (re: RegExp) => sent.filter((text) => re.test(text)).length;
    expect(count(/insert into "?ledger_authorizations"?/)).toBe(1);
    expect(count(/insert into "?ledger_journal_entries"?/)).toBe(1);
    expect(count(/insert into "?ledger_transactions"?/)).toBe(1);
    expect(count(/update "?ledger_account_balances"?/)).toBe(1);
    expect(await available(a.accountId)).toBeCloseTo(beforeA + 1 + 2.5 - 0.25 + 0.1, 2);
    expect(await available(b.accountId)).toBeCloseTo(beforeB - 1 - 2.5 + 0.25 - 0.1, 2);
    // The stored rows are what the transfers in turn would leave, each row updated once by the sum
    // (a is in its overdraft: its credit used follows its current balance).
    expect(rowsAfter.get(a.accountId)).toEqual(moved(rowsBefore.get(a.accountId)!, 335n));
    expect(rowsAfter.get(b.accountId)).toEqual(moved(rowsBefore.get(b.accountId)!, -335n));
    expect(rowsBefore.get(a.accountId)!.current).toBeLessThan(0n);
    const entries = await app.platform.db.transaction(
      async (tx) =>
        (
          await sql<{ tracking_id: string; postings: number }>`
            select a.tracking_id, count(p.*)::int as postings from ledger_authorizations a
            join ledger_postings p on p.org_id = a.org_id and p.entry_id = a.entry_id
            where a.org_id = ${tenant.org.orgId} and a.tracking_id like 'sum-%' and a.operation = 'PAYMENT_DEBIT'
            group by a.tracking_id order by a.tracking_id`.execute(tx)
        ).rows,
      { system: true },
    );
    expect(entries.map((e) => e.tracking_id)).toEqual(['sum-1', 'sum-2', 'sum-3', 'sum-5']);
    // A group's 8 authorizations and 8 transactions go as one statement each (payments.repo
    // insertWithIds): every row holds what its own transfer made.
    const stored = await app.platform.db.transaction(
      async (tx) =>
        (
          await sql<{ tracking_id: string; operation: string; account_id: string; amount_minor: string; currency: string; status: string; request: unknown; response: unknown; cid: string; same_time: boolean; transactions: { account_id: string; amount_minor: string; credit: boolean; processing_code: string; event_date: string }[] }>`
            select a.tracking_id, a.operation, a.account_id::text, a.amount_minor::text, a.currency, a.status, a.request, a.response, a.cid,
              a.created_at = a.updated_at as same_time,
              (select json_agg(json_build_object('account_id', t.account_id::text, 'amount_minor', t.amount_minor::text, 'credit', t.credit,
                'processing_code', t.processing_code, 'event_date', t.event_date) order by t.transaction_id)
               from ledger_transactions t where t.org_id = a.org_id and t.authorization_id = a.authorization_id) as transactions
            from ledger_authorizations a
            where a.org_id = ${tenant.org.orgId} and a.tracking_id in ('sum-2', 'sum-3') order by a.tracking_id, a.operation`.execute(tx)
        ).rows,
      { system: true },
    );
    const today = stored[0]!.transactions[0]!.event_date;
    expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const side = (tracking: string, operation: string, account: number, minor: string, body: unknown, credit: boolean, code: string) => ({
      tracking_id: tracking, operation, account_id: String(account), amount_minor: minor, currency: 'BRL', status: 'APPROVED', request: body, response: null,
      cid: 'group-writes', same_time: true, transactions: [{ account_id: String(account), amount_minor: minor, credit, processing_code: code, event_date: today }],
    });
    expect(stored).toEqual([
      side('sum-2', 'PAYMENT_CREDIT', a.accountId, '250', p2p(b.accountId, a.accountId, 2.5, 'sum-2'), true, '004000'),
      side('sum-2', 'PAYMENT_DEBIT', b.accountId, '250', p2p(b.accountId, a.accountId, 2.5, 'sum-2'), false, '002000'),
      side('sum-3', 'PAYMENT_CREDIT', b.accountId, '25', p2p(a.accountId, b.accountId, 0.25, 'sum-3'), true, '004000'),
      side('sum-3', 'PAYMENT_DEBIT', a.accountId, '25', p2p(a.accountId, b.accountId, 0.25, 'sum-3'), false, '002000'),
    ]);
    for (const e of entries) expect(e.postings).toBe(2); // account to account: one posting on each
    const verify = await get('/lastro/v1/ledger/verify');
    expect(verify.json()).toMatchObject({ ok: true, differences: [] });
  });
});
