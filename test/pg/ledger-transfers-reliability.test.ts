// Random P2P transfers among 1,000 accounts by 32 concurrent clients on PostgreSQL, for a bounded
// time: afterwards `ledger verify` passes, the sum over all accounts is unchanged, and every
// account's balance is exactly its opening balance plus what the clients saw accepted to and from
// it. The accounts are opened and funded through the API, many requests at a time.
//
// LEDGER_TRANSFERS_SECONDS sets how long the clients transfer (default 30). Nothing here is
// timed: a busy machine only makes fewer transfers.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

const ACCOUNTS = 1_000;
const CLIENTS = 32;
const SECONDS = Number(process.env.LEDGER_TRANSFERS_SECONDS ?? 30);
/** Every account is funded with this much (minor units) before the transfers. */
const OPENING = 10_000n;
const OVERDRAFT = 20; // BRL

let app: TestApp;
let tenant: Tenant;
let accounts: number[] = [];

/** Runs `n` jobs, `lanes` at a time. */
async function inLanes<T>(n: number, lanes: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

const money = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

const pay = (from: number, body: string) =>
  app.http.inject({
    method: 'POST',
    url: '/payments/v1/payments',
    headers: { ...tenant.headers, 'x-account-id': String(from), 'content-type': 'application/json' },
    payload: body,
  });

async function balances(): Promise<Map<number, bigint>> {
  const rows = await app.platform.db.transaction(
    async (tx) =>
      (
        await sql<{ account_id: string; available_minor: bigint; held_minor: bigint }>`
          select account_id, available_minor, held_minor from ledger_account_balances where org_id = ${tenant.org.orgId}`.execute(tx)
      ).rows,
    { system: true },
  );
  return new Map(rows.map((r) => [Number(r.account_id), BigInt(r.available_minor) + BigInt(r.held_minor)]));
}

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: { ...NO_RATE_LIMITS, DATABASE_POOL_SIZE: '32', LOG_LEVEL: 'warn' } }));
  const program = await createProgram(app, tenant, 'DEBITO');
  // Opening 1,000 accounts: submitted applications, 16 at a time, then a cash-in to each.
  accounts = (await inLanes(ACCOUNTS, 16, () => createAccount(app, tenant, { program, account: { overdraft_limit: OVERDRAFT } }))).map(
    (a) => a.accountId,
  );
  await inLanes(ACCOUNTS, 16, async (i) => {
    const id = accounts[i]!;
    const res = await pay(
      id,
      `{"from":[{"custom_info":{"type":"DEPOSIT"}}],"to":[{"processing_code":"004000","amount":${money(OPENING)},"account":{"id":${id}}}]}`,
    );
    if (res.statusCode !== 201) throw new Error(`cash-in ${id}: ${res.statusCode} ${res.body}`);
  });
}, 600_000);
afterAll(async () => app?.close(), 300_000);

it(`random transfers among ${ACCOUNTS} accounts by ${CLIENTS} clients: verify passes, the sum is unchanged, each balance is exact`, async () => {
  const before = await balances();
  expect(before.size).toBe(ACCOUNTS);
  const sumBefore = [...before.values()].reduce((s, v) => s + v, 0n);
  expect(sumBefore).toBe(OPENING * BigInt(ACCOUNTS));

  // What the clients saw: per account, the net of accepted transfers; every answer by status.
  const net = new Map<number, bigint>(accounts.map((a) => [a, 0n]));
  const accepted: string[] = [];
  const declined: string[] = [];
  const answers = new Map<string, number>();
  // Amounts up to 150.00 against 100.00 opening balances plus 20.00 overdraft, so some decline.
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      // The time bound, and a floor of accepted transfers however slow the machine is.
      while (Date.now() < until || accepted.length < CLIENTS * 2) {
        const from = accounts[Math.floor(rand() * ACCOUNTS)]!;
        let to = accounts[Math.floor(rand() * ACCOUNTS)]!;
        if (to === from) to = accounts[(accounts.indexOf(from) + 1) % ACCOUNTS]!;
        const minor = 1n + BigInt(Math.floor(rand() * 15_000));
        const tracking = randomUUID();
        const res = await pay(
          from,
          `{"tracking_id":"${tracking}","from":[{"processing_code":"002000","amount":${money(minor)},"account":{"id":${from}}}],"to":[{"processing_code":"004000","account":{"id":${to}}}]}`,
        );
        const key = res.statusCode === 201 ? '201' : `${res.statusCode} ${res.json<{ code?: string }>().code}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        if (res.statusCode === 201) {
          accepted.push(tracking);
          net.set(from, net.get(from)! - minor);
          net.set(to, net.get(to)! + minor);
        } else declined.push(tracking);
      }
    }),
  );

  // Only accepted transfers and insufficient-funds declines: no error, no deadlock, no timeout.
  expect([...answers.keys()].sort(), JSON.stringify(Object.fromEntries(answers))).toEqual(
    declined.length ? ['201', '400 WLDG0006'] : ['201'],
  );
  expect(accepted.length).toBeGreaterThanOrEqual(CLIENTS * 2);

  const after = await balances();
  const sumAfter = [...after.values()].reduce((s, v) => s + v, 0n);
  expect(sumAfter).toBe(sumBefore);
  for (const a of accounts) {
    expect(after.get(a), `account ${a}`).toBe(before.get(a)! + net.get(a)!);
    expect(after.get(a)! >= -BigInt(OVERDRAFT * 100), `account ${a} past its overdraft`).toBe(true);
  }

  // Each accepted transfer is one journal entry; no declined one is.
  const posted = await app.platform.db.transaction(
    async (tx) =>
      (
        await sql<{ tracking_id: string; entries: string }>`
          select a.tracking_id, count(distinct e.entry_id) as entries from ledger_authorizations a
          left join ledger_journal_entries e on e.org_id = a.org_id and e.entry_id = a.entry_id
          where a.org_id = ${tenant.org.orgId} and a.operation = 'PAYMENT_DEBIT' group by a.tracking_id`.execute(tx)
      ).rows,
    { system: true },
  );
  const entries = new Map(posted.map((r) => [r.tracking_id, Number(r.entries)]));
  for (const t of accepted) expect(entries.get(t), t).toBe(1);
  for (const t of declined) expect(entries.get(t) ?? 0, t).toBe(0);

  const verify = await app.http.inject({ method: 'GET', url: '/lastro/v1/ledger/verify', headers: tenant.headers });
  expect(verify.statusCode).toBe(200);
  expect(verify.json()).toMatchObject({ ok: true, differences: [], accounts_checked: ACCOUNTS });
}, 600_000);
