// Writing the journal: one entry per financial transaction, its postings, and the stored balances
// they move, all in the caller's tenant transaction. Customer balance rows are locked in account
// id order; internal accounts are never locked as a whole: an entry updates one sub-balance row
// (its shard, by the entry id's hash), so concurrent entries of one org rarely meet.
//
// A balance row this transaction locked is known from then on (the lock's read, then each entry
// posted on it): an entry on known rows computes the balances after it and sends its one
// statement with the transaction's next statement or COMMIT, not on its own.
import type { Clock } from '../../platform/clock.js';
import { readTogether, sendWithNext, txSlot, txState, type Read, type Tx } from '../../platform/db/database.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import { keepInternalShards, knownInternalShards } from './ledger.cache.js';
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

/**
 * Entries posted with a batch (post's last argument, on balance rows the transaction holds) are
 * written by writeBatch, all in one statement: a group of transfers sends one journal statement,
 * not one per transfer. Balance and sub-balance changes are summed per row.
 */
export interface EntryBatch {
  entries: repo.EntryInsert[];
  postings: repo.PostingInsert[];
  balances: Map<string, repo.BalanceDelta>;
  shards: Map<string, repo.ShardDelta>;
}

export const newEntryBatch = (): EntryBatch => ({ entries: [], postings: [], balances: new Map(), shards: new Map() });

export interface EntryInput {
  /** PAYMENT, HOLD, UNBLOCK, HOLD_TRANSFER, HOLD_EXPIRY, REVERSAL, … */
  kind: string;
  postings: Posting[];
  authorizationId?: bigint | null;
  reversesEntryId?: bigint | null;
  /** An id the caller took from the entry sequence already (stamped on its authorizations); else the next one. */
  entryId?: bigint;
  /**
   * What picks the internal accounts' sub-balance rows (default: the entry id). Entries posted in
   * one transaction with one seed update one row each, so that transaction holds one row lock per
   * internal account, as a lone entry does, and two such transactions never wait on each other's.
   */
  shardSeed?: bigint;
}

/** The limits a spending decision reads. */
export type SpendLimitsRow = Pick<repo.SpendRow, 'total_credit_limit_minor' | 'total_overdraft_limit_minor'>;

/** The balance rows lockWithLimitsRead's statement locked, and the accounts' limits read after it. */
export interface LockedRows {
  ids: bigint[];
  rows: repo.BalanceRow[];
  limits: repo.SpendLimitsOfRow[];
}

/** Balance rows locked for a spending decision, and the accounts' limits. */
export interface LockedForSpend {
  balances: Map<string, Buckets & { accountId: string; currency: string }>;
  limits: Map<string, SpendLimitsRow>;
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

type Balance = Buckets & { accountId: string; currency: string };

/**
 * Accounts whose balance rows a transaction has locked (FOR UPDATE lasts until it ends), so post
 * does not lock them again, and those rows' buckets as the transaction last wrote them (by
 * balanceKey): nobody else may change a row this transaction locked, and only post writes them
 * here. The ledger takes no savepoint, whose rollback would release the locks and undo its writes.
 */
const heldLocks = txSlot(() => ({ accounts: new Set<string>(), rows: new Map<string, Balance>() }));
const heldBy = (tx: Tx): { accounts: Set<string>; rows: Map<string, Balance> } => txState(tx, heldLocks);

/** Records rows locked by `tx` (their accounts, and the buckets each row had when locked). */
function holdRows(tx: Tx, accountIds: bigint[], rows: Map<string, Balance>): void {
  const held = heldBy(tx);
  for (const id of accountIds) held.accounts.add(String(id));
  for (const [k, v] of rows) held.rows.set(k, v);
}

export type JournalService = ReturnType<typeof createJournalService>;

export function createJournalService(deps: { clock: Clock }) {
  const { clock } = deps;

  /** Opens the org's internal accounts in `currency` (the org setup does it for the org's currency). */
  async function openInternalAccounts(t: TenantTx, currency: string): Promise<void> {
    for (const code of INTERNAL_ACCOUNTS) await repo.openInternalAccount(t.db, t.orgId, code, currency, INTERNAL_SHARDS, clock.now());
  }

  /** The buckets of these accounts' balance rows, locked until the transaction ends (account id order). */
  async function lock(t: TenantTx, accountIds: string[]): Promise<Map<string, Balance>> {
    const ids = [...new Set(accountIds)].map(BigInt);
    const rows = await repo.lockBalances(t.db, t.orgId, ids);
    const balances = new Map(rows.map((r) => [balanceKey(String(r.account_id), r.currency), toBuckets(r)]));
    holdRows(t.db, ids, balances);
    return new Map(balances);
  }

  /**
   * lock, and the accounts' credit and overdraft limits read under the same locks, in one
   * statement; undefined when an account lacks its balance row or its limits row (the caller
   * then opens and reads them one by one).
   */
  async function lockWithLimits(t: TenantTx, accounts: { accountId: string; currency: string }[]): Promise<LockedForSpend | undefined> {
    const [locked] = await readTogether(t.db, [lockWithLimitsRead(t, accounts.map((a) => a.accountId))]);
    return lockedForSpend(t, accounts, locked);
  }

  /** lockWithLimits' statement, for a caller that sends it with its own (readTogether); lockedForSpend reads it. */
  function lockWithLimitsRead(t: TenantTx, accountIds: string[]): Read<LockedRows> {
    // Ids that cannot name an account lock nothing (the caller finds no such account).
    const ids = [...new Set(accountIds.map(int8Id).filter((id): id is bigint => id !== undefined))];
    const { lock, limits } = repo.lockBalancesWithLimitsQueries(t.orgId, ids);
    return {
      query: lock,
      then: limits,
      read: (rows, limitRows = []) => ({ ids, rows: rows as unknown as repo.BalanceRow[], limits: limitRows as unknown as repo.SpendLimitsOfRow[] }),
    };
  }

  /** What lockWithLimits answers, from its statement's rows (lockWithLimitsRead). */
  function lockedForSpend(t: TenantTx, accounts: { accountId: string; currency: string }[], locked: LockedRows): LockedForSpend | undefined {
    const balances = new Map(locked.rows.map((r) => [balanceKey(String(r.account_id), r.currency), toBuckets(r)]));
    // The locks are held from here whatever the caller does next.
    holdRows(t.db, locked.ids, balances);
    const limits = new Map(locked.limits.map((r) => [String(r.account_id), { total_credit_limit_minor: r.total_credit_limit_minor, total_overdraft_limit_minor: r.total_overdraft_limit_minor }]));
    if (!accounts.every((a) => balances.has(balanceKey(a.accountId, a.currency)) && limits.has(a.accountId))) return undefined;
    return { balances: new Map(balances), limits };
  }

  /** The org's internal accounts (`code|currency` → shards): kept per org once read (ledger.cache.ts). */
  async function internalShards(t: TenantTx): Promise<ReadonlyMap<string, number>> {
    const known = knownInternalShards(t.orgId);
    if (known) return known;
    const shards = await repo.internalShards(t.db, t.orgId);
    keepInternalShards(t.db, t.orgId, shards);
    return shards;
  }

  /**
   * Posts one balanced entry and moves the stored balances with it. Throws (rolling the caller's
   * transaction back) when the postings do not balance or name an account without a balance row.
   * When this transaction knows every balance row the entry moves (it locked them), the balances
   * after it are computed here and its statement travels with the transaction's next statement or
   * COMMIT (an error of it fails that one); otherwise it is sent now and the rows read back.
   */
  async function post(t: TenantTx, input: EntryInput, batch?: EntryBatch): Promise<PostedEntry> {
    assertBalanced(input.postings);
    const now = clock.now();
    const deltas = [...customerDeltas(input.postings).values()];
    // Lock first, in the stable order, whatever the postings' order (unless this transaction holds them).
    const held = heldBy(t.db);
    // An entry that is not on rows this transaction holds reads (or locks) balances from the
    // database: the batch's entries go first, or that read would miss them.
    if (batch?.entries.length && !deltas.every((d) => held.accounts.has(d.accountId) && held.rows.has(balanceKey(d.accountId, d.currency)))) {
      await writeBatch(t, batch);
    }
    if (!deltas.every((d) => held.accounts.has(d.accountId))) await lock(t, deltas.map((d) => d.accountId));
    const entryId = input.entryId ?? (await repo.nextEntryId(t.db));
    const businessDate = await t.dates.today();
    let shards = await internalShards(t);
    if (input.postings.some((p) => p.target.kind === 'internal' && !shards.has(`${p.target.code}|${p.currency}`))) {
      for (const currency of new Set(input.postings.map((p) => p.currency))) await openInternalAccounts(t, currency);
      shards = await repo.internalShards(t.db, t.orgId);
      keepInternalShards(t.db, t.orgId, shards);
    }
    // Written out in full, not `{ ...base, account_id, … }` (no-restricted-syntax in eslint.config.js).
    const rows: repo.PostingInsert[] = input.postings.map((p, i) => {
      const target = p.target;
      const customer = target.kind === 'customer';
      return {
        org_id: t.orgId,
        entry_id: entryId,
        posting_no: i,
        bucket: p.bucket,
        currency: p.currency,
        amount_minor: p.amount,
        processing_code: p.processingCode,
        account_id: customer ? BigInt(target.accountId) : null,
        internal_code: customer ? null : target.code,
        shard: customer ? null : shardOf(input.shardSeed ?? entryId, shards.get(`${target.code}|${p.currency}`)!),
      };
    });
    const internal = new Map<string, repo.ShardDelta>();
    for (const r of rows) {
      if (r.internal_code == null || r.shard == null) continue;
      const key = `${r.internal_code}|${r.currency}|${r.shard}`;
      const d = internal.get(key) ?? { code: r.internal_code, currency: r.currency, shard: r.shard, amount: 0n };
      d.amount += r.amount_minor;
      internal.set(key, d);
    }
    // The entry, its postings and every balance they move: one statement.
    const entry: repo.EntryInsert = {
      org_id: t.orgId,
      entry_id: entryId,
      kind: input.kind,
      authorization_id: input.authorizationId ?? null,
      reverses_entry_id: input.reversesEntryId ?? null,
      business_date: businessDate,
      cid: t.cid ?? null,
      created_at: now,
    };
    const balanceDeltas = deltas.map((d) => ({ accountId: BigInt(d.accountId), currency: d.currency, available: d.available, held: d.held }));
    const shardDeltas = [...internal.values()].filter((d) => d.amount !== 0n);
    const write = (returning: boolean) => repo.writeEntriesQuery(t.db, [entry], rows, balanceDeltas, shardDeltas, { returning });
    const balances = new Map<string, Balance>();
    if (deltas.every((d) => held.rows.has(balanceKey(d.accountId, d.currency)))) {
      // The rows are locked and known: what the statement's update makes of them, computed here.
      for (const d of deltas) {
        const key = balanceKey(d.accountId, d.currency);
        const before = held.rows.get(key)!;
        const current = before.current + d.available + d.held;
        balances.set(key, { accountId: before.accountId, currency: before.currency, available: before.available + d.available, held: before.held + d.held, current, creditUsed: current < 0n ? -current : 0n });
      }
      if (batch) addToBatch(batch, entry, rows, balanceDeltas, shardDeltas);
      else await sendWithNext(t.db, write(false));
    } else {
      const updated = await t.db.executeQuery(write(true));
      const after = new Map((updated.rows as repo.BalanceRow[]).map((r) => [balanceKey(String(r.account_id), r.currency), toBuckets(r)]));
      for (const d of deltas) {
        const row = after.get(balanceKey(d.accountId, d.currency));
        if (!row) throw new Error(`account ${d.accountId} has no ${d.currency} balance row`);
        balances.set(balanceKey(d.accountId, d.currency), row);
      }
    }
    for (const [k, v] of balances) held.rows.set(k, v);
    return { entryId, businessDate, balances: new Map(balances) };
  }

  /** Sends the batch's entries as one statement with the transaction's next statement or COMMIT, and empties it. */
  async function writeBatch(t: TenantTx, batch: EntryBatch): Promise<void> {
    if (!batch.entries.length) return;
    const shards = [...batch.shards.values()].filter((d) => d.amount !== 0n);
    const query = repo.writeEntriesQuery(t.db, batch.entries, batch.postings, [...batch.balances.values()], shards, { returning: false });
    Object.assign(batch, newEntryBatch());
    await sendWithNext(t.db, query);
  }

  /** The stored buckets of an account, every currency it has. */
  async function balancesOf(t: TenantTx, accountId: string): Promise<(Buckets & { accountId: string; currency: string })[]> {
    return (await repo.findBalances(t.db, t.orgId, BigInt(accountId))).map(toBuckets);
  }

  /** An entry's postings, as the engine's Posting values. */
  async function postingsOf(t: TenantTx, entryId: bigint): Promise<Posting[]> {
    const read = postingsOfRead(t, entryId);
    return read.read((await t.db.executeQuery(read.query)).rows as Record<string, unknown>[]);
  }

  /** postingsOf as a Read (readTogether). */
  function postingsOfRead(t: TenantTx, entryId: bigint): Read<Posting[]> {
    return {
      query: repo.entryPostingsQuery(t.db, t.orgId, entryId).compile(),
      read: (rows) =>
        (rows as unknown as repo.PostingRow[]).map((r) => ({
          target: r.account_id !== null ? { kind: 'customer', accountId: String(r.account_id) } : { kind: 'internal', code: r.internal_code as InternalAccount },
          bucket: r.bucket,
          currency: r.currency,
          amount: r.amount_minor,
          processingCode: r.processing_code,
        })),
    };
  }

  return { openInternalAccounts, lock, lockWithLimits, lockWithLimitsRead, lockedForSpend, post, writeBatch, balancesOf, postingsOf, postingsOfRead };
}

function addToBatch(batch: EntryBatch, entry: repo.EntryInsert, postings: repo.PostingInsert[], balances: repo.BalanceDelta[], shards: repo.ShardDelta[]): void {
  batch.entries.push(entry);
  batch.postings.push(...postings);
  for (const d of balances) {
    const key = balanceKey(String(d.accountId), d.currency);
    const sum = batch.balances.get(key);
    batch.balances.set(key, { accountId: d.accountId, currency: d.currency, available: (sum?.available ?? 0n) + d.available, held: (sum?.held ?? 0n) + d.held });
  }
  for (const d of shards) {
    const key = `${d.code}|${d.currency}|${d.shard}`;
    const sum = batch.shards.get(key);
    batch.shards.set(key, { code: d.code, currency: d.currency, shard: d.shard, amount: (sum?.amount ?? 0n) + d.amount });
  }
}
