// 32 concurrent clients sending Payment methods cash-outs (half of them pre-authorized, so held)
// on one account, on PostgreSQL: every answer approves or denies (51), what was approved was
// posted or held exactly once, what was denied never, and the account never spends past its
// balance plus overdraft; then the pre-authorizations are confirmed and cancelled concurrently,
// and the ledger verifies.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let account: TestAccount;

const CLIENTS = 32;
const PER_CLIENT = 5;
const START = 50_000n; // 500.00 cashed in
const FLOOR = -5_000n; // overdraft 50

const post = (path: string, body: object | string) =>
  app.http.inject({
    method: 'POST',
    url: `/payment-methods/v2/payments${path}`,
    headers: { ...tenant.headers, 'x-account-id': String(account.accountId), 'content-type': 'application/json' },
    payload: body,
  });
const decimal = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: { ...NO_RATE_LIMITS, DATABASE_POOL_SIZE: '16' } }));
  const program = await createProgram(app, tenant, 'DEBITO');
  account = await createAccount(app, tenant, { program, account: { overdraft_limit: 50 } });
  const res = await post('', { account_id: account.accountId, amount: 500, processing_code: '219803', tracking_id: randomUUID() });
  expect(res.json().response_code).toBe('00');
}, 60_000);
afterAll(async () => app?.close());

const balance = () =>
  app.platform.db.transaction(
    async (tx) =>
      (
        await sql<{ available_minor: bigint; held_minor: bigint }>`
          select available_minor, held_minor from ledger_account_balances where org_id = ${tenant.org.orgId} and account_id = ${account.accountId}`.execute(tx)
      ).rows[0]!,
    { system: true },
  );

it('concurrent cash-outs and pre-authorizations of one account: exact, never past the limit, each approved one posted once', async () => {
  const amounts = Array.from({ length: CLIENTS * PER_CLIENT }, (_, i) => BigInt(101 + ((i * 7919) % 899)));
  const results: { tracking: string; minor: bigint; pre: boolean; code: string }[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = 0; k < PER_CLIENT; k++) {
        const i = c * PER_CLIENT + k;
        const tracking = randomUUID();
        const pre = i % 2 === 0;
        // The amount as JSON number text, exactly as a client sends it.
        const res = await post(
          '',
          `{"account_id":${account.accountId},"amount":${decimal(amounts[i]!)},"processing_code":"002000","tracking_id":"${tracking}","pre_authorization":${pre}}`,
        );
        expect(res.statusCode, res.body).toBe(201);
        results.push({ tracking, minor: amounts[i]!, pre, code: res.json().response_code });
      }
    }),
  );
  expect(new Set(results.map((r) => r.code))).toEqual(new Set(['00', '51']));
  const approved = results.filter((r) => r.code === '00');
  const posted = approved.filter((r) => !r.pre).reduce((s, r) => s + r.minor, 0n);
  const held = approved.filter((r) => r.pre).reduce((s, r) => s + r.minor, 0n);
  const after = await balance();
  expect(after.held_minor).toBe(held);
  expect(after.available_minor).toBe(START - posted - held);
  expect(after.available_minor >= FLOOR).toBe(true);
  const smallestDenied = results.filter((r) => r.code !== '00').reduce((m, r) => (r.minor < m ? r.minor : m), 10n ** 9n);
  expect(after.available_minor - smallestDenied < FLOOR).toBe(true);

  const entries = await app.platform.db.transaction(
    async (tx) =>
      new Map(
        (
          await sql<{ tracking_id: string; n: string }>`
            select a.tracking_id, count(e.*) as n from ledger_authorizations a
            left join ledger_journal_entries e on e.org_id = a.org_id and e.entry_id = a.entry_id
            where a.org_id = ${tenant.org.orgId} and a.operation = 'PM_AUTHORIZATION' group by a.tracking_id`.execute(tx)
        ).rows.map((r) => [r.tracking_id, Number(r.n)]),
      ),
    { system: true },
  );
  for (const r of results) expect(entries.get(r.tracking), r.tracking).toBe(r.code === '00' ? 1 : 0);

  // The pre-authorizations, confirmed (half) and cancelled (half) at once: the holds are gone.
  const pending = approved.filter((r) => r.pre);
  const settled = await Promise.all(
    pending.map((r, i) => post(i % 2 === 0 ? '/confirm' : '/cancel', { tracking_id: randomUUID(), original_tracking_id: r.tracking })),
  );
  for (const res of settled) expect(res.json().response_code, res.body).toBe('00');
  const confirmed = pending.filter((_, i) => i % 2 === 0).reduce((s, r) => s + r.minor, 0n);
  const end = await balance();
  expect(end.held_minor).toBe(0n);
  expect(end.available_minor).toBe(START - posted - confirmed);
  const verify = await app.http.inject({ method: 'GET', url: '/lastro/v1/ledger/verify', headers: tenant.headers });
  expect(verify.json()).toMatchObject({ ok: true, differences: [] });
}, 180_000);

it('one tracking_id sent by 16 clients at once: posted once; the others wait for it and answer its answer (200)', async () => {
  const tracking = randomUUID();
  const body = `{"account_id":${account.accountId},"amount":1.25,"processing_code":"219803","tracking_id":"${tracking}"}`;
  const before = await balance();
  const answers = await Promise.all(Array.from({ length: 16 }, () => post('', body)));
  const statuses = answers.map((r) => r.statusCode);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 200)).toHaveLength(15);
  const first = answers.find((x) => x.statusCode === 201)!.json();
  for (const r of answers) expect(r.json()).toEqual(first);
  expect((await balance()).available_minor).toBe(before.available_minor + 125n);
}, 60_000);
