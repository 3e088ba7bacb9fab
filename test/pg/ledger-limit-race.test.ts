// A limit change racing a transfer (PostgreSQL: PGlite's one connection never lets transactions
// overlap). A limit change locks the account's balance row, then writes its limits row, and holds
// both until it commits. A transfer that waited for that balance lock must decide on the limits the
// change committed: it reads them on a statement after its lock statement (a new snapshot), not
// joined into the locking statement, where PostgreSQL would recheck the locked balance row and keep
// the limits row its snapshot saw before the wait.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let a: TestAccount;
let b: TestAccount;

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  a = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 100 } });
  b = await createAccount(app, tenant, { program: debit });
});
afterAll(async () => app?.close());

const transfer = (trackingId: string, amount: number) =>
  app.http.inject({
    method: 'POST',
    url: '/payments/v1/payments',
    headers: { ...tenant.headers, 'x-account-id': String(a.accountId) },
    payload: {
      tracking_id: trackingId,
      from: [{ processing_code: '002000', amount, account: { id: a.accountId } }],
      to: [{ processing_code: '004000', account: { id: b.accountId } }],
    },
  });

const availableOf = async (accountId: number): Promise<string> =>
  app.platform.db.transaction(
    async (tx) =>
      String(
        (await sql<{ available_minor: string }>`select available_minor from ledger_account_balances where org_id = ${tenant.org.orgId} and account_id = ${accountId}`.execute(tx))
          .rows[0]!.available_minor,
      ),
    { system: true },
  );

/** Runs `change` as a limit change does (balance row locked first), starts a transfer that waits for it, then commits. */
async function whileLimitChanges(newOverdraftMinor: number, start: () => ReturnType<typeof transfer>) {
  const blocker = await app.platform.db.pool.connect();
  try {
    await blocker.query('begin');
    await blocker.query('select 1 from ledger_account_balances where org_id = $1 and account_id = $2 for update', [tenant.org.orgId, a.accountId]);
    await blocker.query('update ledger_account_limits set total_overdraft_limit_minor = $3 where org_id = $1 and account_id = $2', [
      tenant.org.orgId,
      a.accountId,
      newOverdraftMinor,
    ]);
    const answer = start();
    // The transfer waits for the balance row the change holds.
    for (;;) {
      const { rows } = await app.platform.db.pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%ledger_account_balances%'`,
      );
      if (rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await blocker.query('commit');
    return await answer;
  } finally {
    blocker.release();
  }
}

it('a transfer that waited for a limit change is decided on the lowered limit (declined, nothing posted)', async () => {
  const before = await availableOf(a.accountId);
  // The overdraft goes from 100.00 to 10.00 while a transfer of 50.00 waits.
  const res = await whileLimitChanges(1_000, () => transfer('limit-race-1', 50));
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json().code).toBe('WLDG0006');
  expect(await availableOf(a.accountId)).toBe(before);
});

it('a transfer that waited for a limit change is decided on the raised limit (approved)', async () => {
  const before = BigInt(await availableOf(a.accountId));
  // The overdraft goes from 10.00 to 1,000.00 while a transfer of 500.00 waits.
  const res = await whileLimitChanges(100_000, () => transfer('limit-race-2', 500));
  expect(res.statusCode, res.body).toBe(201);
  expect(BigInt(await availableOf(a.accountId))).toBe(before - 50_000n);
});
