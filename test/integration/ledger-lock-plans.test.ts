// The statements a transfer locks its accounts with must reach each row through its primary key,
// whatever the tables' statistics. Written as `account_id in (…)`, their generic plan (a prepared
// statement after five runs) on tables without statistics (a new org's accounts, a database
// without autovacuum) read every account, balance and limits row of the org and filtered them:
// in the ledger benchmark that was most of PostgreSQL's time per transfer, and it grew with the
// org. Checked on the generic plan, as the statement is run in a long-lived connection.
import { sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountFactsQuery, lockAccounts } from '../../src/modules/accounts/accounts.repo.js';
import { findLoans, installmentsOf } from '../../src/modules/lending/loans.repo.js';
import { findBalancesOf, lockBalances, lockBalancesWithLimitsQueries, writeEntriesQuery } from '../../src/modules/ledger/journal.repo.js';
import { findLimitsOf } from '../../src/modules/ledger/limits.repo.js';
import { lockHoldByTrackingRead } from '../../src/modules/ledger/holds.repo.js';
import {
  authorizationIdsByTracking,
  authorizationsByTracking,
  authorizationsByTrackingsRead,
  lockAuthorizationByTracking,
  lockAuthorizations,
} from '../../src/modules/ledger/payments.repo.js';
import { PROBE_IDS, PROBE_KEY_PAIRS, PROBE_KEYS } from '../../src/platform/db/probes.js';
import type { TenantTx } from '../../src/platform/tenant.js';
import type { TestApp } from '../helpers/app.js';
import { createAccount } from '../helpers/accounts.js';
import { setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let a: Tenant;
let close: () => Promise<void>;

// The org holds a few hundred accounts, each with its balance and limits rows and five
// authorizations (whose ids are probed with the same numbers as the accounts'), and no table has
// statistics (nothing analyzed them): a new org that has just opened its accounts. (With only a
// few hundred rows or fewer, PostgreSQL guesses the org has one row and may as well scan another
// index on org_id; harmless at that size, and its guess grows with the table.)
const SIZE = 400;
let ids: bigint[] = [];

beforeAll(async () => {
  const f = await setupTenant();
  ({ app, close } = f);
  a = f;
  const first = BigInt((await createAccount(app, a)).accountId);
  ids = await app.platform.db.transaction(
    async (tx) => {
      const { rows } = await sql<{ account_id: bigint }>`
        insert into accounts (org_id, program_id, program_type_id, entity_id, document_number, status_id, status_changed_at, account_type,
          currency_numeric_code, currency, created_on, created_at, updated_at)
        select a.org_id, a.program_id, a.program_type_id, a.entity_id, a.document_number || '-' || g, a.status_id, a.status_changed_at, a.account_type,
          a.currency_numeric_code, a.currency, a.created_on, a.created_at, a.updated_at
        from accounts a, generate_series(1, ${SIZE}) g
        where a.org_id = ${a.org.orgId} and a.account_id = ${first}
        returning account_id`.execute(tx);
      await sql`insert into ledger_account_balances (org_id, account_id, currency, created_at, updated_at)
        select org_id, account_id, currency, now(), now() from accounts where org_id = ${a.org.orgId} on conflict do nothing`.execute(tx);
      await sql`insert into ledger_account_limits (org_id, account_id, program_id, currency, mode, created_at, updated_at)
        select org_id, account_id, program_id, currency, 'credit', now(), now() from accounts where org_id = ${a.org.orgId} on conflict do nothing`.execute(tx);
      await sql`insert into ledger_authorizations (org_id, operation, tracking_id, status, response_code, account_id, currency, amount_minor, request, created_at, updated_at)
        select org_id, 'PAYMENT_DEBIT', 'trk-' || account_id || '-' || g, 'DECLINED', '51', account_id, currency, 100, '{}'::jsonb, now(), now()
        from accounts, generate_series(1, 5) g where org_id = ${a.org.orgId}`.execute(tx);
      await sql`insert into ledger_holds (org_id, account_id, currency, amount_minor, status, tracking_id, authorization_id, entry_id, created_at, updated_at)
        select org_id, account_id, currency, 100, 'UNBLOCKED', 'hold-' || account_id || '-' || g, 1, 1, now(), now()
        from accounts, generate_series(1, 5) g where org_id = ${a.org.orgId}`.execute(tx);
      // Five loans per account with three installments each (their simulations and products are
      // not needed by a plan: foreign keys off for this insert).
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`insert into lending_loans (org_id, loan_id, simulation_id, product_id, program_id, account_id, status, currency_numeric_code,
          loan_amount_minor, start_date, terms, created_at, updated_at)
        select org_id, 'loan-' || account_id || '-' || g, 'sim-' || account_id || '-' || g, 'product', program_id, account_id, 'ACTIVE', '986', 100000,
          '2026-01-01', '{}'::jsonb, now(), now()
        from accounts, generate_series(1, 5) g where org_id = ${a.org.orgId}`.execute(tx);
      await sql`insert into lending_loan_installments (org_id, loan_id, number, due_date, real_due_date, number_of_days, principal_minor, interest_minor,
          fee_minor, tax_minor, charge_minor, closing_balance_minor, status)
        select org_id, loan_id, g, '2026-02-01', '2026-02-01', 30, 100, 10, 0, 0, 0, 0, 'SCHEDULED'
        from lending_loans, generate_series(1, 3) g where org_id = ${a.org.orgId}`.execute(tx);
      await sql`set local session_replication_role = origin`.execute(tx);
      return rows.map((r) => BigInt(r.account_id)).filter((_, i) => i % 25 === 0);
    },
    { system: true },
  );
});
afterAll(async () => close?.());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const walk = (node: PlanNode, out: PlanNode[] = []): PlanNode[] => {
  out.push(node);
  for (const child of node.Plans ?? []) walk(child, out);
  return out;
};

/** The generic plan of a statement, as the application role of the org sees it (RLS on). */
async function genericPlan(query: CompiledQuery, types: string[]): Promise<PlanNode[]> {
  return app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, async (t: TenantTx) => {
    await sql`set local plan_cache_mode = force_generic_plan`.execute(t.db);
    // No types: PostgreSQL takes them from the statement's casts and context.
    await sql.raw(`prepare lock_plan_check${types.length ? `(${types.join(', ')})` : ''} as ${query.sql}`).execute(t.db);
    try {
      // Parameters are strings, numbers, bigints, dates, null, or arrays of those.
      const text = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
      const literal = (v: unknown): string => (v === null ? 'null' : `'${text(v)}'`);
      const args = query.parameters
        .map((v) => (Array.isArray(v) ? `'{${v.map((x: unknown) => (x === null ? 'NULL' : `"${text(x)}"`)).join(',')}}'` : literal(v)))
        .join(', ');
      const { rows } = await sql.raw<{ 'QUERY PLAN': unknown }>(`explain (format json) execute lock_plan_check(${args})`).execute(t.db);
      const raw = rows[0]!['QUERY PLAN'];
      const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
      return walk(plan[0]!.Plan);
    } finally {
      await sql`deallocate lock_plan_check`.execute(t.db);
    }
  });
}

/** Every scan of these tables is a probe of a unique index by the account id (one row each). */
function expectProbes(nodes: PlanNode[], tables: Record<string, string[]>): void {
  const scans = nodes.filter((n) => n['Relation Name'] !== undefined && n['Relation Name'] in tables);
  expect(new Set(scans.map((n) => n['Relation Name']))).toEqual(new Set(Object.keys(tables)));
  for (const scan of scans) {
    expect(scan['Node Type'], JSON.stringify(scan)).toBe('Index Scan');
    expect(tables[scan['Relation Name']!], JSON.stringify(scan)).toContain(scan['Index Name']);
    expect(scan['Index Cond']).toMatch(/(account_id|authorization_id|tracking_id|loan_id) = ids\.id\b/);
  }
}

/** The statements `fn` sends that probe by a list of ids (what the repo functions really send). */
async function probesSentBy(fn: (t: TenantTx) => Promise<unknown>, probeText = PROBE_IDS, parameters: unknown[] = [a.org.orgId, ids.map(String)]): Promise<CompiledQuery[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as { text?: string; steps?: { text: string }[] } | string;
    if (typeof q === 'object') for (const step of q.steps ?? [{ text: q.text ?? '' }]) sent.push(step.text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, fn);
  } finally {
    pg.Client.prototype.query = original;
  }
  const probes = [...new Set(sent.filter((text) => text.includes(probeText)))];
  return probes.map((text) => ({ sql: text, parameters }) as unknown as CompiledQuery);
}

describe('the locks of a transfer', () => {
  it('balances (locked) and then limits: one primary-key probe per account, without statistics', async () => {
    const { lock, limits } = lockBalancesWithLimitsQueries(a.org.orgId, ids);
    expectProbes(await genericPlan(lock, ['text', 'bigint[]']), { ledger_account_balances: ['ledger_account_balances_pkey'] });
    expectProbes(await genericPlan(limits, ['text', 'bigint[]']), { ledger_account_limits: ['ledger_account_limits_pkey'] });
  });

  it('the accounts, locked FOR SHARE: one primary-key probe per account, without statistics', async () => {
    const nodes = await genericPlan(accountFactsQuery(a.org.orgId, ids, true), ['text', 'bigint[]']);
    // (org_id, account_id) or the unique account_id alone: either reaches one row.
    expectProbes(nodes, { accounts: ['accounts_pkey', 'accounts_id'] });
  });

  it('the other reads and locks by a list of ids: balances, limits, authorizations', async () => {
    const cases: [(t: TenantTx) => Promise<unknown>, Record<string, string[]>][] = [
      [(t) => lockBalances(t.db, t.orgId, ids), { ledger_account_balances: ['ledger_account_balances_pkey'] }],
      [(t) => findBalancesOf(t.db, t.orgId, ids), { ledger_account_balances: ['ledger_account_balances_pkey'] }],
      [(t) => findLimitsOf(t.db, t.orgId, ids), { ledger_account_limits: ['ledger_account_limits_pkey'] }],
      [(t) => lockAuthorizations(t.db, t.orgId, ids), { ledger_authorizations: ['ledger_authorizations_pkey'] }],
      [(t) => lockAccounts(t.db, t.orgId, ids), { accounts: ['accounts_pkey', 'accounts_id'] }],
    ];
    for (const [fn, tables] of cases) {
      const probes = await probesSentBy(fn);
      expect(probes).toHaveLength(1);
      expectProbes(await genericPlan(probes[0]!, ['text', 'bigint[]']), tables);
    }
  });

  it('locks in ascending account id order whatever order the ids come in', () => {
    const shuffled = [ids[5]!, ids[0]!, ids[9]!, ids[0]!, ids[2]!];
    const { lock, limits } = lockBalancesWithLimitsQueries(a.org.orgId, shuffled);
    expect(lock.parameters[1]).toEqual([ids[0], ids[2], ids[5], ids[9]].map(String));
    expect(limits.parameters[1]).toEqual([ids[0], ids[2], ids[5], ids[9]].map(String));
  });
});

describe('lookups by tracking id', () => {
  // A transfer group checks its tracking ids before it writes (a replay answers what was stored);
  // written as `tracking_id in (…) and operation in (…)` that read the org's authorizations.
  it('authorizations and holds by tracking id, loans and installments by loan id: one index probe per key, without statistics', async () => {
    const keys = ids.map((id) => `trk-${id}-3`);
    const loans = ids.map((id) => `loan-${id}-2`);
    const operations = ['PAYMENT_CREDIT', 'PAYMENT_DEBIT'];
    const tracking = { ledger_authorizations: ['ledger_authorizations_tracking'] };
    const group = await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, async (t) =>
      Promise.resolve(authorizationsByTrackingsRead(t.db, t.orgId, keys, operations).query),
    );
    expectProbes(await genericPlan(group, ['text', 'text[]', 'text[]']), tracking);

    const pairs = [a.org.orgId, keys.flatMap((k) => operations.map(() => k)), keys.flatMap(() => operations)];
    const cases: [(t: TenantTx) => Promise<unknown>, unknown[], string[], Record<string, string[]>, string?][] = [
      [(t) => authorizationsByTracking(t.db, t.orgId, keys[0]!, operations), pairs, ['text', 'text[]', 'text[]'], tracking, PROBE_KEY_PAIRS],
      [(t) => lockAuthorizationByTracking(t.db, t.orgId, keys[0]!, 'PAYMENT_DEBIT'), pairs, ['text', 'text[]', 'text[]'], tracking, PROBE_KEY_PAIRS],
      [(t) => authorizationIdsByTracking(t.db, t.orgId, keys[0]!), [a.org.orgId, keys], ['text', 'text[]'], tracking],
      [(t) => findLoans(t.db, t.orgId, loans), [a.org.orgId, loans], ['text', 'text[]'], { lending_loans: ['lending_loans_pkey'] }],
      [
        (t) => installmentsOf(t.db, t.orgId, loans, true),
        [a.org.orgId, loans],
        ['text', 'text[]'],
        { lending_loan_installments: ['lending_loan_installments_pkey'] },
      ],
      [
        (t) => t.db.executeQuery(lockHoldByTrackingRead(t.db, t.orgId, `hold-${ids[0]}-2`).query),
        [a.org.orgId, ids.map((id) => `hold-${id}-2`)],
        ['text', 'text[]'],
        { ledger_holds: ['ledger_holds_tracking'] },
      ],
    ];
    for (const [fn, parameters, types, tables, probeText = PROBE_KEYS] of cases) {
      const probes = await probesSentBy(fn, probeText, parameters);
      expect(probes).toHaveLength(1);
      expectProbes(await genericPlan(probes[0]!, types), tables);
    }
  });

  it('a group’s lookup keeps one plan: PostgreSQL does not plan it again at each execution', async () => {
    // Planned anew, it cost 0.2-0.3 ms of each transfer group's first round trip (bench ledger).
    const keys = ids.slice(0, 8).map((id) => `trk-${id}-3`);
    const counts = await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, async (t) => {
      const { query } = authorizationsByTrackingsRead(t.db, t.orgId, keys, ['PAYMENT_CREDIT', 'PAYMENT_DEBIT']);
      await sql.raw(`prepare group_lookup as ${query.sql}`).execute(t.db);
      try {
        const args = query.parameters.map((v) => (Array.isArray(v) ? `'{${v.map((x) => `"${String(x)}"`).join(',')}}'` : `'${String(v)}'`)).join(', ');
        for (let i = 0; i < 12; i++) await sql.raw(`execute group_lookup(${args})`).execute(t.db);
        return (await sql<{ generic_plans: string; custom_plans: string }>`
          select generic_plans::text, custom_plans::text from pg_prepared_statements where name = 'group_lookup'`.execute(t.db)).rows[0]!;
      } finally {
        await sql`deallocate group_lookup`.execute(t.db);
      }
    });
    // The first five executions are planned for their values; then the generic plan is kept.
    expect(Number(counts.custom_plans)).toBe(5);
    expect(Number(counts.generic_plans)).toBe(7);
  });

  it('finds what it is asked for, oldest first', async () => {
    const rows = await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, (t) =>
      authorizationsByTracking(t.db, t.orgId, `trk-${ids[1]}-4`, ['PAYMENT_DEBIT', 'PAYMENT_CREDIT']),
    );
    expect(rows.map((r) => [r.tracking_id, r.account_id])).toEqual([[`trk-${ids[1]}-4`, ids[1]]]);
    const none = await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, (t) =>
      authorizationsByTracking(t.db, t.orgId, `trk-${ids[1]}-4`, ['PAYMENT_CREDIT']),
    );
    expect(none).toEqual([]);
    const asked = [`loan-${ids[3]}-4`, `loan-${ids[1]}-1`, 'loan-none', `loan-${ids[1]}-1`];
    const [loans, installments] = await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, async (t) => [
      await findLoans(t.db, t.orgId, asked),
      await installmentsOf(t.db, t.orgId, asked),
    ] as const);
    expect(loans.map((l) => l.loan_id)).toEqual([`loan-${ids[1]}-1`, `loan-${ids[3]}-4`].sort());
    expect(installments.map((i) => `${i.loan_id}#${i.number}`)).toEqual(
      [`loan-${ids[1]}-1`, `loan-${ids[3]}-4`].sort().flatMap((l) => [1, 2, 3].map((n) => `${l}#${n}`)),
    );
  });
});

describe('the journal statement of a group', () => {
  // A group of transfers writes its entries in one statement, whose update of the balance rows
  // joins a list of (account, currency) changes. Joined as `b.account_id = d.account_id`, the
  // generic plan on tables without statistics read every balance row of the org once per change.
  it('reaches each balance row it updates through its primary key, without statistics', async () => {
    const now = new Date();
    const query = await app.platform.tenant({ orgId: a.org.orgId, cid: 'test', actor: 'test' }, async (t) => {
      const entries = ids.slice(0, 8).map((_, i) => ({
        org_id: t.orgId,
        entry_id: BigInt(9_000_000 + i),
        kind: 'PAYMENT',
        authorization_id: null,
        reverses_entry_id: null,
        business_date: '2026-01-01',
        cid: null,
        created_at: now,
      }));
      const postings = entries.flatMap((e, i) => [
        { org_id: t.orgId, entry_id: e.entry_id, posting_no: 0, account_id: ids[i]!, bucket: 'AVAILABLE' as const, currency: 'BRL', amount_minor: -5n },
        { org_id: t.orgId, entry_id: e.entry_id, posting_no: 1, account_id: ids[i + 8]!, bucket: 'AVAILABLE' as const, currency: 'BRL', amount_minor: 5n },
      ]);
      const balances = ids.slice(0, 16).map((id, i) => ({ accountId: id, currency: 'BRL', available: i < 8 ? -5n : 5n, held: 0n }));
      return Promise.resolve(writeEntriesQuery(t.db, entries, postings, balances, [], { returning: false }));
    });
    const nodes = await genericPlan(query, []);
    const scans = nodes.filter((n) => n['Relation Name'] === 'ledger_account_balances' && n['Node Type'] !== 'ModifyTable');
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) {
      expect(['Index Scan', 'Tid Scan'], JSON.stringify(scan)).toContain(scan['Node Type']);
      if (scan['Node Type'] === 'Index Scan') {
        expect(scan['Index Name']).toBe('ledger_account_balances_pkey');
        expect(scan['Index Cond']).toMatch(/account_id = /);
      }
    }
  });
});
