// Writing the journal: one entry per financial transaction, its postings, and the stored balances
// they move, all in the caller's tenant transaction. Customer balance rows are locked in account
// id order; internal accounts are never locked as a whole: an entry updates one sub-balance row
// (its shard, by the entry id's hash), so concurrent entries of one org rarely meet.
import type { Clock } from '../../platform/clock.js';
import type { TenantTx } from '../../platform/tenant.js';
import * as repo from './journal.repo.js';
import { assertBalanced, customerDeltas, INTERNAL_ACCOUNTS, shardOf, type Buckets, type InternalAccount, type Posting } from './ledger.postings.js';

/** Sub-balance rows per internal account: enough that 64 concurrent writers seldom share one. */
export const INTERNAL_SHARDS = 16;

export interface PostedEntry {
  entryId: bigint;
  businessDate: string;
  /** The buckets of every customer account (and currency) the entry touched, after it. */
  balances: Map<string, Buckets & { accountId: string; currency: string }>;
}

export interface EntryInput {
  /** PAYMENT, HOLD, UNBLOCK, HOLD_TRANSFER, HOLD_EXPIRY, REVERSAL, … */
  kind: string;
  postings: Posting[];
  authorizationId?: bigint | null;
  reversesEntryId?: bigint | null;
}

export const balanceKey = (accountId: string, currency: string): string => `${accountId}|${currency}`;

const toBuckets = (r: repo.BalanceRow): Buckets & { accountId: string; currency: string } => ({
  accountId: String(r.account_id),
  currency: r.currency,
  available: r.available_minor,
  held: r.held_minor,
  current: r.current_minor,
  creditUsed: r.credit_used_minor,
});

export type JournalService = ReturnType<typeof createJournalService>;

export function createJournalService(deps: { clock: Clock }) {
  const { clock } = deps;

  /** Opens the org's internal accounts in `currency` (the org setup does it for the org's currency). */
  async function openInternalAccounts(t: TenantTx, currency: string): Promise<void> {
    for (const code of INTERNAL_ACCOUNTS) await repo.openInternalAccount(t.db, t.orgId, code, currency, INTERNAL_SHARDS, clock.now());
  }

  /** The buckets of these accounts' balance rows, locked until the transaction ends (account id order). */
  async function lock(t: TenantTx, accountIds: string[]): Promise<Map<string, Buckets & { accountId: string; currency: string }>> {
    const ids = [...new Set(accountIds)].map(BigInt);
    const rows = await repo.lockBalances(t.db, t.orgId, ids);
    return new Map(rows.map((r) => [balanceKey(String(r.account_id), r.currency), toBuckets(r)]));
  }

  /**
   * Posts one balanced entry and moves the stored balances with it. Throws (rolling the caller's
   * transaction back) when the postings do not balance or name an account without a balance row.
   */
  async function post(t: TenantTx, input: EntryInput): Promise<PostedEntry> {
    assertBalanced(input.postings);
    const now = clock.now();
    const deltas = [...customerDeltas(input.postings).values()];
    // Lock first, in the stable order, whatever the postings' order.
    await lock(t, deltas.map((d) => d.accountId));
    const entryId = await repo.nextEntryId(t.db);
    const businessDate = await t.dates.today();
    let shards = await repo.internalShards(t.db, t.orgId);
    if (input.postings.some((p) => p.target.kind === 'internal' && !shards.has(`${p.target.code}|${p.currency}`))) {
      for (const currency of new Set(input.postings.map((p) => p.currency))) await openInternalAccounts(t, currency);
      shards = await repo.internalShards(t.db, t.orgId);
    }
    await repo.insertEntry(t.db, {
      org_id: t.orgId,
      entry_id: entryId,
      kind: input.kind,
      authorization_id: input.authorizationId ?? null,
      reverses_entry_id: input.reversesEntryId ?? null,
      business_date: businessDate,
      cid: t.cid ?? null,
      created_at: now,
    });
    const rows: repo.PostingInsert[] = input.postings.map((p, i) => {
      const base = { org_id: t.orgId, entry_id: entryId, posting_no: i, bucket: p.bucket, currency: p.currency, amount_minor: p.amount, processing_code: p.processingCode };
      if (p.target.kind === 'customer') return { ...base, account_id: BigInt(p.target.accountId), internal_code: null, shard: null };
      const n = shards.get(`${p.target.code}|${p.currency}`)!;
      return { ...base, account_id: null, internal_code: p.target.code, shard: shardOf(entryId, n) };
    });
    await repo.insertPostings(t.db, rows);

    const balances = new Map<string, Buckets & { accountId: string; currency: string }>();
    for (const d of deltas) {
      const row = await repo.addToBalance(t.db, t.orgId, BigInt(d.accountId), d.currency, d.available, d.held, now);
      if (!row) throw new Error(`account ${d.accountId} has no ${d.currency} balance row`);
      balances.set(balanceKey(d.accountId, d.currency), toBuckets(row));
    }
    const internal = new Map<string, { code: string; currency: string; shard: number; amount: bigint }>();
    for (const r of rows) {
      if (r.internal_code == null || r.shard == null) continue;
      const key = `${r.internal_code}|${r.currency}|${r.shard}`;
      const d = internal.get(key) ?? { code: r.internal_code, currency: r.currency, shard: r.shard, amount: 0n };
      d.amount += r.amount_minor;
      internal.set(key, d);
    }
    for (const d of internal.values()) if (d.amount !== 0n) await repo.addToShard(t.db, t.orgId, d.code, d.currency, d.shard, d.amount);
    return { entryId, businessDate, balances };
  }

  /** The stored buckets of an account, every currency it has. */
  async function balancesOf(t: TenantTx, accountId: string): Promise<(Buckets & { accountId: string; currency: string })[]> {
    return (await repo.findBalances(t.db, t.orgId, BigInt(accountId))).map(toBuckets);
  }

  /** An entry's postings, as the engine's Posting values. */
  async function postingsOf(t: TenantTx, entryId: bigint): Promise<Posting[]> {
    const rows = await repo.findEntryPostings(t.db, t.orgId, entryId);
    return rows.map((r) => ({
      target: r.account_id !== null ? { kind: 'customer', accountId: String(r.account_id) } : { kind: 'internal', code: r.internal_code as InternalAccount },
      bucket: r.bucket,
      currency: r.currency,
      amount: r.amount_minor,
      processingCode: r.processing_code,
    }));
  }

  return { openInternalAccounts, lock, post, balancesOf, postingsOf };
}
