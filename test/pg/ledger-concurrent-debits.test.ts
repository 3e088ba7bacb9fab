// 64 concurrent clients debiting one account on PostgreSQL (PGlite has one connection, so its
// transactions never overlap): the final balance is exact, never past the limit, each accepted
// debit is posted once and each declined one never; the ledger verifies afterwards.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let debit: TestAccount;
let credit: TestAccount;

const CLIENTS = 64;
const PER_CLIENT = 5;

const pay = (from: number, amount: string, trackingId: string) =>
  app.http.inject({
    method: 'POST',
    url: '/payments/v1/payments',
    headers: { ...tenant.headers, 'x-account-id': String(from), 'content-type': 'application/json' },
    // The amount as JSON number text, exactly as a client sends it.
    payload: `{"tracking_id":"${trackingId}","from":[{"processing_code":"002000","amount":${amount},"account":{"id":${from}}}],"to":[{"custom_info":{"type":"WITHDRAWAL"}}]}`,
  });

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: { ...NO_RATE_LIMITS, DATABASE_POOL_SIZE: '32' } }));
  const debitProgram = await createProgram(app, tenant, 'DEBITO');
  debit = await createAccount(app, tenant, { program: debitProgram, account: { overdraft_limit: 50 } });
  credit = await createAccount(app, tenant); // credit program: limit 500
  const cashIn = await app.http.inject({
    method: 'POST',
    url: '/payments/v1/payments',
    headers: { ...tenant.headers, 'x-account-id': String(debit.accountId) },
    payload: { from: [{ custom_info: { type: 'DEPOSIT' } }], to: [{ processing_code: '004000', amount: 1000, account: { id: debit.accountId } }] },
  });
  expect(cashIn.statusCode, cashIn.body).toBe(201);
}, 60_000);
afterAll(async () => app?.close());

async function run(account: TestAccount, startMinor: bigint, floorMinor: bigint) {
  // Amounts from 1.01 to 9.99: far more than the account can pay, so many are declined.
  const amounts = Array.from({ length: CLIENTS * PER_CLIENT }, (_, i) => 101 + ((i * 7919) % 899));
  const results: { tracking: string; minor: bigint; status: number; code?: string }[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = 0; k < PER_CLIENT; k++) {
        const minor = BigInt(amounts[c * PER_CLIENT + k]!);
        const tracking = randomUUID();
        const res = await pay(account.accountId, `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`, tracking);
        results.push({ tracking, minor, status: res.statusCode, code: res.statusCode === 201 ? undefined : res.json().code });
      }
    }),
  );
  const accepted = results.filter((r) => r.status === 201);
  const declined = results.filter((r) => r.status !== 201);
  expect(new Set(declined.map((r) => `${r.status} ${r.code}`))).toEqual(new Set(['400 WLDG0006']));
  expect(accepted.length).toBeGreaterThan(0);
  expect(declined.length).toBeGreaterThan(0);

  const spent = accepted.reduce((s, r) => s + r.minor, 0n);
  const facts = await app.platform.db.transaction(async (tx) => {
    const balance = await sql<{ available_minor: bigint; current_minor: bigint }>`
      select available_minor, current_minor from ledger_account_balances where org_id = ${tenant.org.orgId} and account_id = ${account.accountId}`.execute(tx);
    const posted = await sql<{ tracking_id: string; n: string }>`
      select a.tracking_id, count(p.*) as n from ledger_authorizations a
      join ledger_postings p on p.org_id = a.org_id and p.entry_id = a.entry_id and p.account_id = a.account_id
      where a.org_id = ${tenant.org.orgId} and a.account_id = ${account.accountId} and a.operation = 'PAYMENT_DEBIT'
      group by a.tracking_id`.execute(tx);
    return { balance: balance.rows[0]!, posted: new Map(posted.rows.map((r) => [r.tracking_id, Number(r.n)])) };
  }, { system: true });

  // Exact, and never past the limit: what stayed is the start less every accepted debit.
  expect(facts.balance.available_minor).toBe(startMinor - spent);
  expect(facts.balance.available_minor >= floorMinor).toBe(true);
  // Declines were real: the smallest declined amount does not fit what is left.
  const smallestDeclined = declined.reduce((m, r) => (r.minor < m ? r.minor : m), 10n ** 9n);
  expect(facts.balance.available_minor - smallestDeclined < floorMinor).toBe(true);
  for (const r of accepted) expect(facts.posted.get(r.tracking), r.tracking).toBe(1);
  for (const r of declined) expect(facts.posted.has(r.tracking)).toBe(false);
}

it('64 clients debiting one debit account: balance plus overdraft, exact to the cent', async () => {
  await run(debit, 100_000n, -5_000n);
}, 120_000);

it('64 clients debiting one credit account: its credit limit, exact to the cent', async () => {
  await run(credit, 0n, -50_000n);
  const verify = await app.http.inject({ method: 'GET', url: '/lastro/v1/ledger/verify', headers: tenant.headers });
  expect(verify.json()).toMatchObject({ ok: true, differences: [] });
}, 120_000);
