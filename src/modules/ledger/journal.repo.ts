// SQL of the journal: entries, postings, customer balance rows and internal sub-balances, and the
// checks `ledger verify` runs. Every function takes the transaction and the org id, and filters on it.
import { CompiledQuery, sql, type Generated, type Insertable, type RawBuilder, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { ascendingIds, probe, PROBE_IDS } from '../../platform/db/probes.js';
import type { Timestamp } from '../../platform/db/tables.js';

export interface LedgerInternalAccountsTable {
  org_id: string;
  code: string;
  currency: string;
  shards: number;
  created_at: Timestamp;
}

export interface LedgerInternalBalancesTable {
  org_id: string;
  code: string;
  currency: string;
  shard: number;
  balance_minor: Generated<bigint>;
}

export interface LedgerAccountBalancesTable {
  org_id: string;
  account_id: bigint;
  currency: string;
  available_minor: Generated<bigint>;
  held_minor: Generated<bigint>;
  current_minor: Generated<bigint>;
  credit_used_minor: Generated<bigint>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LedgerJournalEntriesTable {
  org_id: string;
  entry_id: bigint;
  kind: string;
  authorization_id: bigint | null;
  reverses_entry_id: bigint | null;
  business_date: string;
  cid: string | null;
  created_at: Timestamp;
}

export interface LedgerPostingsTable {
  org_id: string;
  entry_id: bigint;
  posting_no: number;
  account_id: bigint | null;
  internal_code: string | null;
  shard: number | null;
  bucket: 'AVAILABLE' | 'HELD' | 'GL';
  currency: string;
  amount_minor: bigint;
  processing_code: string | null;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    ledger_internal_accounts: LedgerInternalAccountsTable;
    ledger_internal_balances: LedgerInternalBalancesTable;
    ledger_account_balances: LedgerAccountBalancesTable;
    ledger_journal_entries: LedgerJournalEntriesTable;
    ledger_postings: LedgerPostingsTable;
  }
}

export type PostingInsert = Insertable<LedgerPostingsTable>;
export type EntryInsert = Insertable<LedgerJournalEntriesTable> & { created_at: Date };

export interface BalanceRow {
  account_id: bigint;
  currency: string;
  available_minor: bigint;
  held_minor: bigint;
  current_minor: bigint;
  credit_used_minor: bigint;
}

/** The next entry id (the sequence is global; ids are unique across orgs). */
export async function nextEntryId(tx: Tx): Promise<bigint> {
  const { rows } = await sql<{ id: bigint }>`select nextval('ledger_entry_id_seq') as id`.execute(tx);
  return rows[0]!.id;
}

/** Opens an internal account and its sub-balance rows unless it is open. */
export async function openInternalAccount(tx: Tx, orgId: string, code: string, currency: string, shards: number, now: Date): Promise<void> {
  const opened = await tx
    .insertInto('ledger_internal_accounts')
    .values({ org_id: orgId, code, currency, shards, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .returning('shards')
    .executeTakeFirst();
  if (!opened) return;
  await tx
    .insertInto('ledger_internal_balances')
    .values(Array.from({ length: shards }, (_, shard) => ({ org_id: orgId, code, currency, shard })))
    .execute();
}

/** How many shards each internal account of the org has (plain reads: nothing is locked). */
export async function internalShards(tx: Tx, orgId: string): Promise<Map<string, number>> {
  const rows = await tx.selectFrom('ledger_internal_accounts').select(['code', 'currency', 'shards']).where('org_id', '=', orgId).execute();
  return new Map(rows.map((r) => [`${r.code}|${r.currency}`, r.shards]));
}

/** Opens a customer account's balance row in a currency (no-op when open), stamped with the transaction's time. */
export async function openBalance(tx: Tx, orgId: string, accountId: bigint, currency: string): Promise<void> {
  await tx
    .insertInto('ledger_account_balances')
    .values({ org_id: orgId, account_id: accountId, currency, created_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const BALANCE_COLUMNS = ['account_id', 'currency', 'available_minor', 'held_minor', 'current_minor', 'credit_used_minor'] as const;

// Rows of a list of accounts: one unique-index probe per id, in ascending id order (and by
// currency within an account), whatever the tables' statistics (platform/db/probes.ts). It is
// also the one order every money movement locks them in, so two movements over the same accounts
// never deadlock.
const BALANCE_SELECT = 'b.account_id, b.currency, b.available_minor, b.held_minor, b.current_minor, b.credit_used_minor';
const BALANCES = `select ${BALANCE_SELECT} from ${PROBE_IDS} ${probe('ledger_account_balances', 'b', 'account_id', 'currency')}`;
const LOCK_BALANCES = `${BALANCES} for update of b`;

/** The balance rows of these accounts, locked FOR UPDATE in account id order. */
export async function lockBalances(tx: Tx, orgId: string, accountIds: bigint[]): Promise<BalanceRow[]> {
  if (!accountIds.length) return [];
  return (await tx.executeQuery<BalanceRow>(CompiledQuery.raw(LOCK_BALANCES, [orgId, ascendingIds(accountIds)]))).rows;
}

export interface SpendRow extends BalanceRow {
  total_credit_limit_minor: bigint | null;
  total_overdraft_limit_minor: bigint | null;
}

const SPEND_LIMITS = `select l.account_id, l.total_credit_limit_minor, l.total_overdraft_limit_minor
  from ${PROBE_IDS} ${probe('ledger_account_limits', 'l', 'account_id')}`;

export type SpendLimitsOfRow = Pick<SpendRow, 'account_id' | 'total_credit_limit_minor' | 'total_overdraft_limit_minor'>;

/**
 * lockBalances' statement, and the statement that reads the accounts' limits after it, sent right
 * behind it. A limit change locks the balance row first, then writes the limits, and holds both
 * until it commits; the limits read on the next statement's snapshot, once the balance locks are
 * granted, are therefore the ones that stand while they are held. The limits rows are not locked
 * (a row lock is a WAL record and a dirtied page per account per movement).
 */
export function lockBalancesWithLimitsQueries(orgId: string, accountIds: bigint[]): { lock: CompiledQuery<BalanceRow>; limits: CompiledQuery<SpendLimitsOfRow> } {
  const params = [orgId, ascendingIds(accountIds)];
  return { lock: CompiledQuery.raw(LOCK_BALANCES, params), limits: CompiledQuery.raw(SPEND_LIMITS, params) };
}

/** Balance rows of these accounts (no lock). */
export async function findBalancesOf(tx: Tx, orgId: string, accountIds: bigint[]): Promise<BalanceRow[]> {
  if (!accountIds.length) return [];
  return (await tx.executeQuery<BalanceRow>(CompiledQuery.raw(BALANCES, [orgId, ascendingIds(accountIds)]))).rows;
}

export async function findBalances(tx: Tx, orgId: string, accountId: bigint): Promise<BalanceRow[]> {
  return tx
    .selectFrom('ledger_account_balances')
    .select(BALANCE_COLUMNS)
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .orderBy('currency')
    .execute();
}

/** A balance row's change (customer) or a sub-balance's change (internal), for writeEntriesQuery. */
export interface BalanceDelta {
  accountId: bigint;
  currency: string;
  available: bigint;
  held: bigint;
}
export interface ShardDelta {
  code: string;
  currency: string;
  shard: number;
  amount: bigint;
}

/**
 * Writes entries in one statement: the entry rows, their postings (one insert), the internal
 * sub-balances and the customer balance rows they move (their derived buckets follow). Several
 * entries (a group of transfers) are one statement like one entry: `balances` and `shards` hold
 * one row each, the sum of what the entries move on it. The postings still meet the balance check
 * (a statement trigger, once per entry) and the append-only triggers.
 *
 * Without `returning` the caller holds every balance row it moves locked (FOR UPDATE, account id
 * order): each is reached by a primary-key probe and updated by its `ctid`, which nothing else can
 * change meanwhile (joined on the key to the list of changes instead, the generic plan read every
 * balance row of the org once per change). `returning` (rows this transaction may not hold): the
 * update joins on the key, so a row updated concurrently is followed to its new version, and the
 * statement returns the customer balance rows after it, one per delta that found its row.
 */
export function writeEntriesQuery(
  tx: Tx,
  entries: EntryInsert[],
  postings: Insertable<LedgerPostingsTable>[],
  balances: BalanceDelta[],
  shards: ShardDelta[],
  opts: { returning: boolean },
): CompiledQuery {
  const col = <T,>(rows: T[], f: (r: T) => unknown) => rows.map(f);
  const orgId = entries[0]!.org_id;
  const now = entries[entries.length - 1]!.created_at;
  // The rows to update as a VALUES list (not unnest): the planner knows how few they are and
  // reaches each through its primary key.
  const values = (rows: RawBuilder<unknown>[], empty: RawBuilder<unknown>) => (rows.length ? sql`(values ${sql.join(rows)})` : empty);
  const shardValues = values(
    shards.map((d) => sql`(${d.code}::text, ${d.currency}::text, ${d.shard}::smallint, ${d.amount}::bigint)`),
    sql`(select null::text, null::text, null::smallint, null::bigint where false)`,
  );
  const balanceValues = values(
    balances.map((d) => sql`(${d.accountId}::bigint, ${d.currency}::text, ${d.available}::bigint, ${d.held}::bigint)`),
    sql`(select null::bigint, null::text, null::bigint, null::bigint where false)`,
  );
  return sql`
    with entry as (
      insert into ledger_journal_entries (org_id, entry_id, kind, authorization_id, reverses_entry_id, business_date, cid, created_at)
      select ${orgId}, e.entry_id, e.kind, e.authorization_id, e.reverses_entry_id, e.business_date, e.cid, e.created_at
      from unnest(${col(entries, (e) => e.entry_id)}::bigint[], ${col(entries, (e) => e.kind)}::text[],
        ${col(entries, (e) => e.authorization_id ?? null)}::bigint[], ${col(entries, (e) => e.reverses_entry_id ?? null)}::bigint[],
        ${col(entries, (e) => e.business_date)}::text[], ${col(entries, (e) => e.cid ?? null)}::text[],
        ${col(entries, (e) => e.created_at.toISOString())}::timestamptz[])
        as e(entry_id, kind, authorization_id, reverses_entry_id, business_date, cid, created_at)
    ), postings as (
      insert into ledger_postings (org_id, entry_id, posting_no, account_id, internal_code, shard, bucket, currency, amount_minor, processing_code)
      select ${orgId}, p.entry_id, p.posting_no, p.account_id, p.internal_code, p.shard, p.bucket, p.currency, p.amount_minor, p.processing_code
      from unnest(${col(postings, (p) => p.entry_id)}::bigint[], ${col(postings, (p) => p.posting_no)}::smallint[], ${col(postings, (p) => p.account_id ?? null)}::bigint[],
        ${col(postings, (p) => p.internal_code ?? null)}::text[], ${col(postings, (p) => p.shard ?? null)}::smallint[],
        ${col(postings, (p) => p.bucket)}::text[], ${col(postings, (p) => p.currency)}::text[],
        ${col(postings, (p) => p.amount_minor)}::bigint[], ${col(postings, (p) => p.processing_code ?? null)}::text[])
        as p(entry_id, posting_no, account_id, internal_code, shard, bucket, currency, amount_minor, processing_code)
    ), shards as (
      update ledger_internal_balances s set balance_minor = s.balance_minor + d.amount
      from ${shardValues} as d(code, currency, shard, amount)
      where s.org_id = ${orgId} and s.code = d.code and s.currency = d.currency and s.shard = d.shard
    )
    update ledger_account_balances b set
      available_minor = b.available_minor + d.available,
      held_minor = b.held_minor + d.held,
      current_minor = b.current_minor + d.available + d.held,
      credit_used_minor = greatest(-(b.current_minor + d.available + d.held), 0),
      updated_at = ${now}
    ${
      opts.returning
        ? sql`from ${balanceValues} as d(account_id, currency, available, held)
    where b.org_id = ${orgId} and b.account_id = d.account_id and b.currency = d.currency`
        : sql`from (
      select x.ctid as row_id, d.available, d.held from ${balanceValues} as d(account_id, currency, available, held)
      cross join lateral (
        select x.ctid from ledger_account_balances x where x.org_id = ${orgId} and x.account_id = d.account_id and x.currency = d.currency offset 0
      ) x
    ) d
    where b.ctid = d.row_id and b.org_id = ${orgId}`
    }
    ${opts.returning ? sql`returning b.account_id, b.currency, b.available_minor, b.held_minor, b.current_minor, b.credit_used_minor` : sql``}`.compile(tx);
}

export async function insertEntry(tx: Tx, row: Insertable<LedgerJournalEntriesTable>): Promise<void> {
  await tx.insertInto('ledger_journal_entries').values(row).execute();
}

export async function insertPostings(tx: Tx, rows: Insertable<LedgerPostingsTable>[]): Promise<void> {
  if (rows.length) await tx.insertInto('ledger_postings').values(rows).execute();
}

/** Adds posted amounts to a balance row; its derived buckets follow. */
export async function addToBalance(tx: Tx, orgId: string, accountId: bigint, currency: string, available: bigint, held: bigint, now: Date): Promise<BalanceRow | undefined> {
  const { rows } = await sql<BalanceRow>`
    update ledger_account_balances set
      available_minor = available_minor + ${available}::bigint,
      held_minor = held_minor + ${held}::bigint,
      current_minor = current_minor + ${available}::bigint + ${held}::bigint,
      credit_used_minor = greatest(-(current_minor + ${available}::bigint + ${held}::bigint), 0),
      updated_at = ${now}
    where org_id = ${orgId} and account_id = ${accountId} and currency = ${currency}
    returning account_id, currency, available_minor, held_minor, current_minor, credit_used_minor`.execute(tx);
  return rows[0];
}

export async function addToShard(tx: Tx, orgId: string, code: string, currency: string, shard: number, amount: bigint): Promise<void> {
  await sql`
    update ledger_internal_balances set balance_minor = balance_minor + ${amount}::bigint
    where org_id = ${orgId} and code = ${code} and currency = ${currency} and shard = ${shard}`.execute(tx);
}

export type PostingRow = Selectable<LedgerPostingsTable>;

/** An entry's postings, in order. */
export const entryPostingsQuery = (tx: Tx, orgId: string, entryId: bigint) =>
  tx.selectFrom('ledger_postings').selectAll().where('org_id', '=', orgId).where('entry_id', '=', entryId).orderBy('posting_no');

// ---- verify ----

/** Every org id with a ledger (a system transaction). */
export async function orgIds(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{ org_id: string }>`select org_id from ledger_internal_accounts union select org_id from ledger_account_balances order by org_id`.execute(tx);
  return rows.map((r) => r.org_id);
}

export interface UnbalancedEntry {
  entry_id: bigint;
  currency: string;
  total: bigint;
}

/** Entries whose postings do not sum to zero in some currency (entry ids in (after, upTo]). */
export async function unbalancedEntries(tx: Tx, orgId: string, after: bigint, upTo: bigint): Promise<UnbalancedEntry[]> {
  const { rows } = await sql<UnbalancedEntry>`
    select entry_id, currency, sum(amount_minor)::bigint as total
    from ledger_postings
    where org_id = ${orgId} and entry_id > ${after} and entry_id <= ${upTo}
    group by entry_id, currency
    having sum(amount_minor) <> 0
    order by entry_id, currency`.execute(tx);
  return rows;
}

/** Entries without any posting (entry ids in (after, upTo]). */
export async function emptyEntries(tx: Tx, orgId: string, after: bigint, upTo: bigint): Promise<bigint[]> {
  const { rows } = await sql<{ entry_id: bigint }>`
    select e.entry_id from ledger_journal_entries e
    where e.org_id = ${orgId} and e.entry_id > ${after} and e.entry_id <= ${upTo}
      and not exists (select 1 from ledger_postings p where p.org_id = e.org_id and p.entry_id = e.entry_id)
    order by e.entry_id`.execute(tx);
  return rows.map((r) => r.entry_id);
}

export async function entryIdRange(tx: Tx, orgId: string): Promise<{ count: number; last: bigint }> {
  const { rows } = await sql<{ n: string | number; last: bigint | null }>`
    select count(*) as n, max(entry_id) as last from ledger_journal_entries where org_id = ${orgId}`.execute(tx);
  return { count: Number(rows[0]!.n), last: rows[0]!.last ?? 0n };
}

/** Entry ids at every `step`-th position: batch bounds for a verify that reports progress. */
export async function entryBounds(tx: Tx, orgId: string, step: number): Promise<bigint[]> {
  const { rows } = await sql<{ entry_id: bigint }>`
    select entry_id from (
      select entry_id, row_number() over (order by entry_id) as n from ledger_journal_entries where org_id = ${orgId}
    ) t where n % ${step} = 0 order by entry_id`.execute(tx);
  return rows.map((r) => r.entry_id);
}

export interface BalanceDifference {
  account_id: bigint;
  currency: string;
  bucket: 'available' | 'held' | 'current' | 'credit_used';
  stored: bigint;
  posted: bigint;
}

export async function countBalanceAccounts(tx: Tx, orgId: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select count(distinct account_id) as n from ledger_account_balances where org_id = ${orgId}`.execute(tx);
  return Number(rows[0]!.n);
}

/**
 * The next `limit` accounts after `after` (every currency of each): the buckets whose stored
 * value differs from the sums of their postings.
 */
export async function balanceDifferences(tx: Tx, orgId: string, after: bigint, limit: number): Promise<{ last: bigint | null; /** accounts read */ rows: number; differences: BalanceDifference[] }> {
  const { rows } = await sql<BalanceRow & { posted_available: bigint; posted_held: bigint }>`
    with a as (
      select distinct account_id from ledger_account_balances
      where org_id = ${orgId} and account_id > ${after}
      order by account_id
      limit ${limit}
    ), b as (
      select account_id, currency, available_minor, held_minor, current_minor, credit_used_minor
      from ledger_account_balances
      where org_id = ${orgId} and account_id in (select account_id from a)
    )
    select b.*,
      coalesce((select sum(p.amount_minor) from ledger_postings p
                where p.org_id = ${orgId} and p.account_id = b.account_id and p.currency = b.currency and p.bucket = 'AVAILABLE'), 0)::bigint as posted_available,
      coalesce((select sum(p.amount_minor) from ledger_postings p
                where p.org_id = ${orgId} and p.account_id = b.account_id and p.currency = b.currency and p.bucket = 'HELD'), 0)::bigint as posted_held
    from b order by b.account_id, b.currency`.execute(tx);
  const differences: BalanceDifference[] = [];
  for (const r of rows) {
    const current = r.posted_available + r.posted_held;
    const expected: [BalanceDifference['bucket'], bigint, bigint][] = [
      ['available', r.available_minor, r.posted_available],
      ['held', r.held_minor, r.posted_held],
      ['current', r.current_minor, current],
      ['credit_used', r.credit_used_minor, current < 0n ? -current : 0n],
    ];
    for (const [bucket, stored, posted] of expected) {
      if (stored !== posted) differences.push({ account_id: r.account_id, currency: r.currency, bucket, stored, posted });
    }
  }
  return { last: rows.length ? rows[rows.length - 1]!.account_id : null, rows: new Set(rows.map((r) => r.account_id)).size, differences };
}

/** Postings on customer accounts that have no balance row. */
export async function postingsWithoutBalance(tx: Tx, orgId: string): Promise<{ account_id: bigint; currency: string; posted: bigint }[]> {
  const { rows } = await sql<{ account_id: bigint; currency: string; posted: bigint }>`
    select p.account_id, p.currency, sum(p.amount_minor)::bigint as posted
    from ledger_postings p
    where p.org_id = ${orgId} and p.account_id is not null
      and not exists (select 1 from ledger_account_balances b
                      where b.org_id = p.org_id and b.account_id = p.account_id and b.currency = p.currency)
    group by p.account_id, p.currency order by p.account_id`.execute(tx);
  return rows;
}

/** Internal sub-balances whose stored balance differs from the sum of their postings. */
export async function internalDifferences(tx: Tx, orgId: string): Promise<{ code: string; currency: string; shard: number; stored: bigint; posted: bigint }[]> {
  const { rows } = await sql<{ code: string; currency: string; shard: number; stored: bigint; posted: bigint }>`
    select s.code, s.currency, s.shard, s.balance_minor as stored, coalesce(p.posted, 0)::bigint as posted
    from ledger_internal_balances s
    left join (
      select internal_code, currency, shard, sum(amount_minor) as posted
      from ledger_postings where org_id = ${orgId} and internal_code is not null
      group by internal_code, currency, shard
    ) p on p.internal_code = s.code and p.currency = s.currency and p.shard = s.shard
    where s.org_id = ${orgId} and s.balance_minor <> coalesce(p.posted, 0)
    order by s.code, s.currency, s.shard`.execute(tx);
  return rows;
}
