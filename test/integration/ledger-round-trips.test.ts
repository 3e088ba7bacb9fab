// What one P2P transfer costs in round trips to the database: every pg client call (one pipeline,
// one Sync) while the request runs, counted in process. A transfer after the org's first one reads
// nothing that does not change between requests (processing codes, internal accounts: cached per
// org), reads and locks everything else in one round trip and sends every write with its COMMIT;
// the bound below fails when a change adds a round trip to the hot path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as codesRepo from '../../src/modules/ledger/processing-codes.repo.js';
import { processingCodeRule } from '../../src/modules/ledger/processing-codes.service.js';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';
import { countRoundTrips, counted } from '../helpers/round-trips.js';

let app: TestApp;
let tenant: Tenant;
let a: TestAccount;
let b: TestAccount;
let stopCounting: (() => void) | undefined;

const post = (payload: unknown, account: number) =>
  app.http.inject({ method: 'POST', url: '/payments/v1/payments', headers: { ...tenant.headers, 'x-account-id': String(account) }, payload: payload as object });
const p2p = (from: number, to: number, amount: number, extra: Record<string, unknown> = {}) => ({
  from: [{ processing_code: '002000', amount, account: { id: from } }],
  to: [{ processing_code: '004000', account: { id: to } }],
  ...extra,
});

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  a = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 1000 } });
  b = await createAccount(app, tenant, { program: debit });
  stopCounting = countRoundTrips();
});
afterAll(async () => {
  stopCounting?.();
  await app?.close();
});

describe('round trips of a P2P transfer', () => {
  it('a warm transfer, with and without a tracking id', async () => {
    const first = await post(p2p(a.accountId, b.accountId, 1), a.accountId);
    expect(first.statusCode, first.body).toBe(201);
    const plain = await counted(() => post(p2p(a.accountId, b.accountId, 1), a.accountId));
    expect(plain.result.statusCode, plain.result.body).toBe(201);
    const tracked = await counted(() => post(p2p(a.accountId, b.accountId, 1, { tracking_id: 'rt-1' }), a.accountId));
    expect(tracked.result.statusCode, tracked.result.body).toBe(201);
    if (process.env.LASTRO_TRACE_TRIPS) console.log(`round trips: ${plain.trips} (no tracking_id), ${tracked.trips} (tracking_id)`);
    // 1: BEGIN and the settings, the accounts (FOR SHARE), their balances and limits (FOR
    //    UPDATE), the authorizations of the tracking id (when one is sent), the org's day scopes
    //    (business dates: zones and closing times are kept by the process), the entry,
    //    authorization and transaction ids. The decision is made in TypeScript.
    // 2: the authorizations, the entry (postings, balances, internal sub-balance), the
    //    transactions and the events (one insert each), with COMMIT.
    expect(plain.trips).toBeLessThanOrEqual(2);
    expect(tracked.trips).toBeLessThanOrEqual(2);
  });
});

describe('processing code rules kept per org', () => {
  const CODES = '/orgs-operation/v1/processing-codes';
  const TYPES = '/transactions-core/v1/transaction-types';
  const FLOWS = '/transactions-core/v1/transaction-flow';
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    app.http.inject({ method, url, headers: tenant.headers, ...(payload === undefined ? {} : { payload }) });
  const transactionsOf = async (account: number) => {
    const start = new Date(app.clock.now().getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
    const res = await app.http.inject({
      method: 'GET',
      url: `/transactions-core/v2/transactions?eventDateStart=${start}&pageSize=1000`,
      headers: { ...tenant.headers, 'x-account-id': String(account) },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: { processing_code: string; processing_description?: string; authorization?: unknown }[] }>().items;
  };
  const custom = (code: string) => ({ from: [{ processing_code: code, amount: 1, account: { id: a.accountId } }], to: [{ processing_code: '004000', account: { id: b.accountId } }] });

  it('a code configured after a decline is usable at once; a changed description is used by the next transfer', async () => {
    expect((await call('POST', CODES, { processing_code: '710001', balance_impact: -1, description: 'Kept one', reversal_processing_code: '710002' })).statusCode).toBe(201);
    // PENDING: declined, and not kept.
    const pending = await post(custom('710001'), a.accountId);
    expect(pending.statusCode, pending.body).toBe(400);
    expect(pending.json().code, pending.body).toBe('WP2P0003');
    expect((await call('POST', TYPES, { transaction_type_id: 7110, description: 'Kept debit', credit: false, posted_transaction: true })).statusCode).toBe(201);
    expect((await call('POST', TYPES, { transaction_type_id: 7111, description: 'Kept credit', credit: true, posted_transaction: true })).statusCode).toBe(201);
    expect((await call('POST', FLOWS, { transaction_type_id: 7110, processing_code: '710001', key: 'PRINCIPAL' })).statusCode).toBe(201);
    expect((await call('POST', FLOWS, { transaction_type_id: 7111, processing_code: '710002', key: 'PRINCIPAL' })).statusCode).toBe(201);
    const first = await post(custom('710001'), a.accountId);
    expect(first.statusCode, first.body).toBe(201);
    // Kept now: the next transfer does not read it. Renaming it forgets it.
    expect((await call('PATCH', `${CODES}/710001`, { description: 'Renamed' })).statusCode).toBe(204);
    const second = await post(custom('710001'), a.accountId);
    expect(second.statusCode, second.body).toBe(201);
    const descriptions = (await transactionsOf(a.accountId)).filter((t) => t.processing_code === '710001').map((t) => t.processing_description);
    expect(descriptions.sort()).toEqual(['Kept one', 'Renamed']);
  });

  it('a rule changed in a transaction that rolls back is not kept', async () => {
    const failed = app.platform.tenant({ orgId: tenant.org.orgId, cid: 'test', actor: 'test' }, async (t) => {
      await codesRepo.updateCode(t.db, t.orgId, '710001', { description: 'Rolled back' });
      // Read in the changing transaction: not kept.
      expect((await processingCodeRule(t, '710001'))?.description).toBe('Rolled back');
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    const again = await post(custom('710001'), a.accountId);
    expect(again.statusCode, again.body).toBe(201);
    expect((await transactionsOf(a.accountId)).some((t) => t.processing_description === 'Rolled back')).toBe(false);
  });
});
