// Lookups that must stay one index probe whatever the tables' statistics: a database never analyzed
// (PGlite; a new PostgreSQL database; a server with autovacuum off) or analyzed while still empty.
// The accounts' probes (the ledger's facts and locks, the account token's check) go through the
// account id's own unique index, reading one row per account; the journal's balance check (a
// statement trigger) probes the journal's primary key, never reading the whole journal.
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountExists, accountExistsQuery, accountFactsQuery } from '../../src/modules/accounts/accounts.repo.js';
import { lockBalancesWithLimitsQueries } from '../../src/modules/ledger/journal.repo.js';
import { authorizationsByTrackingsRead } from '../../src/modules/ledger/payments.repo.js';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
const accounts: TestAccount[] = [];

beforeAll(async () => {
  // One connection: the journal test reads the statistics its own backend published.
  ({ app, ...tenant } = await setupTenant({ env: { ...NO_RATE_LIMITS, DATABASE_POOL_SIZE: '1' } }));
  // The journal analyzed while empty: a plan made from these statistics reads it whole.
  await app.platform.db.transaction((tx) => sql`analyze ledger_journal_entries`.execute(tx), { system: true });
  const debit = await createProgram(app, tenant, 'DEBITO');
  // Enough accounts in one org that reading them all per probe is not one row (never analyzed).
  for (let i = 0; i < 60; i++) accounts.push(await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 1000 } }));
}, 180_000);
afterAll(async () => app?.close());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

/** The plan nodes that read `relation` when `query` runs in the org's transaction (EXPLAIN ANALYZE). */
async function reads(query: CompiledQuery, relation: string): Promise<PlanNode[]> {
  const scope = { orgId: tenant.org.orgId, cid: undefined, actor: 'test' };
  const rows = await app.platform.tenant(scope, async (t) =>
    (await t.db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters]))).rows,
  );
  const raw = rows[0]!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return nodesOf(plan[0]!.Plan).filter((n) => n['Relation Name'] === relation);
}
const accountReads = (query: CompiledQuery) => reads(query, 'accounts');

describe('lookups that do not depend on statistics', () => {
  it('the ledger’s facts of accounts read one row per account, through the account id’s unique index', async () => {
    const ids = accounts.slice(10, 26).map((a) => BigInt(a.accountId));
    const reads = await accountReads(accountFactsQuery(tenant.org.orgId, ids, true));
    expect(reads).toHaveLength(1);
    expect(reads[0]!['Index Name']).toBe('accounts_id');
    // One probe per account, not one per account and status (a join of the org's statuses
    // outside the probes), one row per probe, none read and dropped (through an index naming only the org, every
    // account of the org was read per probe).
    expect(reads[0]!['Actual Loops']).toBe(16);
    expect(reads[0]!['Actual Rows']).toBe(1);
    expect(reads[0]!['Rows Removed by Filter'] ?? 0).toBe(0);
  });

  it('the account token’s check reads the one account, and still refuses another org’s', async () => {
    const id = BigInt(accounts[30]!.accountId);
    const reads = await accountReads(accountExistsQuery(tenant.org.orgId, id));
    expect(reads.map((n) => n['Index Name'])).toEqual(['accounts_id']);
    expect(reads[0]!['Rows Removed by Filter'] ?? 0).toBe(0);
    // The function itself: the org's account is found; the same id under another org is not.
    const scope = { orgId: tenant.org.orgId, cid: undefined, actor: 'test' };
    expect(await app.platform.tenant(scope, (t) => accountExists(t.db, t.orgId, id))).toBe(true);
    expect(await app.platform.db.transaction((tx) => accountExists(tx, 'TN-00000000-0000-4000-8000-000000000000', id), { system: true })).toBe(false);
  });

  it('the limits of accounts read one row per account, through the limits’ own key', async () => {
    const ids = accounts.slice(5, 21).map((a) => BigInt(a.accountId));
    const limits = await reads(lockBalancesWithLimitsQueries(tenant.org.orgId, ids).limits, 'ledger_account_limits');
    expect(limits.map((n) => n['Index Name'])).toEqual(['ledger_account_limits_pkey']);
    expect(limits[0]!['Actual Rows']).toBe(1);
    expect(limits[0]!['Rows Removed by Filter'] ?? 0).toBe(0);
  });

  it('authorizations by tracking id read the one authorization per tracking id', async () => {
    // Transfers with tracking ids, so the org has authorizations to read past.
    const tracking = Array.from({ length: 20 }, (_, i) => `plans-${i}-${Date.now()}`);
    for (const [i, id] of tracking.entries()) {
      const from = accounts[40 + (i % 10)]!;
      const res = await app.http.inject({
        method: 'POST',
        url: '/payments/v1/payments',
        headers: { ...tenant.headers, 'x-account-id': String(from.accountId) },
        payload: { tracking_id: id, from: [{ processing_code: '002000', amount: 1, account: { id: from.accountId } }], to: [{ processing_code: '004000', account: { id: accounts[50]!.accountId } }] },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const read = authorizationsByTrackingsRead(undefined as never, tenant.org.orgId, tracking.slice(3, 9), ['PAYMENT_DEBIT', 'PAYMENT_CREDIT']);
    const nodes = await reads(read.query, 'ledger_authorizations');
    expect(nodes.map((n) => n['Index Name'])).toEqual(['ledger_authorizations_tracking']);
    // 6 tracking ids × 2 operations: one row per probe, none read and dropped.
    expect(nodes[0]!['Actual Loops']).toBe(12);
    expect(nodes[0]!['Actual Rows']).toBe(1);
    expect(nodes[0]!['Rows Removed by Filter'] ?? 0).toBe(0);
  });

  it('the journal’s balance check probes entries by key: no sequential scan of the journal per statement', async () => {
    // Sequential scans of the journal so far: the app's one connection publishes its counters
    // (pg_stat_force_next_flush: at the end of that transaction), then they are read.
    const seqScans = async (): Promise<number> => {
      await app.platform.db.transaction((tx) => sql`select pg_stat_force_next_flush()`.execute(tx), { system: true });
      return app.platform.db.transaction(
        async (tx) => Number((await sql<{ n: string }>`select seq_scan::text as n from pg_stat_user_tables where relname = 'ledger_journal_entries'`.execute(tx)).rows[0]!.n),
        { system: true },
      );
    };
    const before = await seqScans();
    const transfers = 25;
    for (let i = 0; i < transfers; i++) {
      const from = accounts[i]!;
      const res = await app.http.inject({
        method: 'POST',
        url: '/payments/v1/payments',
        headers: { ...tenant.headers, 'x-account-id': String(from.accountId) },
        payload: { from: [{ processing_code: '002000', amount: 1, account: { id: from.accountId } }], to: [{ processing_code: '004000', account: { id: accounts[i + 1]!.accountId } }] },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    // Each transfer wrote its entry and postings in one statement: the trigger ran 25 times.
    expect((await seqScans()) - before).toBeLessThan(3);
  });
});
