// SQL of authorizations (payments, holds, cancellations) and of Pismo's transactions. Every
// function takes the transaction and the org id, and filters on it.
import { CompiledQuery, sql, type Generated, type Insertable, type Selectable } from 'kysely';
import { sendWithNext, type Read, type Tx } from '../../platform/db/database.js';
import { ascendingIds, ascendingKeys, probe, PROBE_IDS, PROBE_KEY_PAIRS, PROBE_KEYS } from '../../platform/db/probes.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';

export interface LedgerAuthorizationsTable {
  org_id: string;
  authorization_id: Generated<bigint>;
  operation: string;
  tracking_id: string | null;
  status: 'APPROVED' | 'DECLINED' | 'CANCELLED';
  response_code: string;
  reason: string | null;
  account_id: bigint | null;
  currency: string | null;
  amount_minor: bigint | null;
  entry_id: bigint | null;
  cancel_entry_id: bigint | null;
  original_authorization_id: bigint | null;
  request: Json<Record<string, unknown>>;
  response: Json<Record<string, unknown>> | null;
  cid: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LedgerTransactionsTable {
  org_id: string;
  transaction_id: Generated<bigint>;
  account_id: bigint;
  program_id: bigint;
  authorization_id: bigint | null;
  entry_id: bigint;
  processing_code: string;
  processing_description: string | null;
  credit: boolean;
  currency: string;
  amount_minor: bigint;
  event_date: string;
  event_datetime: Timestamp;
  created_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    ledger_authorizations: LedgerAuthorizationsTable;
    ledger_transactions: LedgerTransactionsTable;
  }
}

export type AuthorizationRow = Selectable<LedgerAuthorizationsTable>;
/** An authorization as written with the id taken for it (takeIds): every column but the JSON ones as read back. */
export type AuthorizationWithId = Omit<AuthorizationRow, 'request' | 'response'> & { request: string; response: string | null };
export type TransactionRow = Selectable<LedgerTransactionsTable>;
export type TransactionInsert = Insertable<LedgerTransactionsTable>;

/** Inserts an authorization; a tracking id already used by the same operation violates `ledger_authorizations_tracking`. */
export const insertAuthorization = (tx: Tx, row: Insertable<LedgerAuthorizationsTable>) =>
  tx.insertInto('ledger_authorizations').values(row).returningAll().executeTakeFirstOrThrow();

/** Ids a money movement takes before it writes: its entry's, and its authorizations' and transactions'. */
export interface TakenIds {
  entryId: bigint;
  /** With `entries` > 1, every entry id taken, ascending (entryId is the first). */
  entryIds: bigint[];
  /** Ascending: the order the rows are inserted in. */
  authorizationIds: bigint[];
  transactionIds: bigint[];
}

/**
 * A new journal entry id and `authorizations` authorization ids and `transactions` transaction ids
 * from their sequences, in one statement: the rows are then written with them (insertWithIds)
 * without reading anything back.
 */
export const takeIds = (tx: Tx, counts: { authorizations: number; transactions: number; entries?: number }): Read<TakenIds> => ({
  query: sql`
    select array(select nextval('ledger_entry_id_seq') from generate_series(1, ${counts.entries ?? 1}::int))::text[] as entry_ids,
      array(select nextval('ledger_authorizations_authorization_id_seq') from generate_series(1, ${counts.authorizations}::int))::text[] as authorization_ids,
      array(select nextval('ledger_transactions_transaction_id_seq') from generate_series(1, ${counts.transactions}::int))::text[] as transaction_ids`.compile(tx),
  read(rows) {
    const r = rows[0] as { entry_ids: string[]; authorization_ids: string[]; transaction_ids: string[] };
    const ids = (texts: string[]) => texts.map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const entryIds = ids(r.entry_ids);
    return { entryId: entryIds[0]!, entryIds, authorizationIds: ids(r.authorization_ids), transactionIds: ids(r.transaction_ids) };
  },
});

/**
 * Inserts rows whose identity column the caller took from its sequence already (takeIds): one
 * statement, rows in the order given. For a caller that sends it with the transaction's next
 * statement or COMMIT (sendWithNext).
 */
function insertWithIds<T extends Record<string, unknown>>(table: 'ledger_authorizations' | 'ledger_transactions', rows: T[]): CompiledQuery {
  // Written here rather than built through Kysely per call (a group of 64 transfers is 128 rows of
  // about 20 values each); the text is kept per table, columns and row count.
  const columns = Object.keys(rows[0]!);
  const key = `${table}|${rows.length}|${columns.join(',')}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const width = columns.length;
    const tuples = rows.map((_, r) => `(${columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    text = `insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) overriding system value values ${tuples.join(', ')}`;
    if (insertTexts.size < 1000) insertTexts.set(key, text);
  }
  const values: unknown[] = [];
  // Instants go as ISO text (the driver's own Date formatting, in local time with its offset, was
  // a visible share of a transfer group's CPU); a row's instants are mostly one Date.
  let lastDate: Date | undefined;
  let lastText = '';
  for (const row of rows) {
    for (const c of columns) {
      const v = row[c];
      if (v instanceof Date) {
        if (v !== lastDate) {
          lastText = v.toISOString();
          lastDate = v;
        }
        values.push(lastText);
      } else values.push(v ?? null);
    }
  }
  return CompiledQuery.raw(text, values);
}
const insertTexts = new Map<string, string>();

/** Authorizations with their ids (a tracking id already used by the same operation violates `ledger_authorizations_tracking`). */
export const insertAuthorizationsQuery = (rows: AuthorizationWithId[]): CompiledQuery =>
  insertWithIds('ledger_authorizations', rows);

/** Transactions with their ids. */
export const insertTransactionsQuery = (rows: (Insertable<LedgerTransactionsTable> & { transaction_id: bigint })[]): CompiledQuery =>
  insertWithIds('ledger_transactions', rows);

export const setAuthorizationEntry = (tx: Tx, orgId: string, ids: bigint[], entryId: bigint) =>
  tx.updateTable('ledger_authorizations').set({ entry_id: entryId }).where('org_id', '=', orgId).where('authorization_id', 'in', ids).execute();

// By tracking id: one probe of the unique (org_id, tracking_id, operation) index per tracking id
// and operation, whatever the table's statistics (platform/db/probes.ts). Written as
// `tracking_id in (…) and operation in (…)`, the generic plan of a group's lookup read the org's
// authorizations and took most of PostgreSQL's time per transfer. The (tracking id, operation)
// pairs go as pairs (PROBE_KEY_PAIRS): as two lists crossed in SQL, PostgreSQL planned the
// statement again at every execution, 0.2-0.3 ms of a transfer group's first round trip.
const BY_TRACKING = `select a.* from ${PROBE_KEY_PAIRS}
  ${probe('ledger_authorizations', 'a', 'tracking_id', undefined, 'a.operation = ids.op')}`;
function byTrackingQuery(orgId: string, trackingIds: readonly string[], operations: readonly string[], lock = false): CompiledQuery {
  // In ascending (tracking id, operation) order: FOR UPDATE locks in that one order.
  const ids: string[] = [];
  const ops: string[] = [];
  const sortedOps = ascendingKeys(operations);
  for (const id of ascendingKeys(trackingIds)) {
    for (const op of sortedOps) {
      ids.push(id);
      ops.push(op);
    }
  }
  return CompiledQuery.raw(`${BY_TRACKING} ${lock ? 'for update of a' : 'order by a.authorization_id'}`, [orgId, ids, ops]);
}

/** Authorizations of these operations with this tracking id, oldest first. */
export const authorizationsByTracking = async (tx: Tx, orgId: string, trackingId: string, operations: string[]): Promise<AuthorizationRow[]> =>
  (await tx.executeQuery<AuthorizationRow>(byTrackingQuery(orgId, [trackingId], operations))).rows;

/** authorizationsByTracking as a Read (readTogether). */
export const authorizationsByTrackingRead = (_tx: Tx, orgId: string, trackingId: string, operations: string[]): Read<AuthorizationRow[]> => ({
  query: byTrackingQuery(orgId, [trackingId], operations),
  read: (rows) => rows as unknown as AuthorizationRow[],
});

/** authorizationsByTrackingRead for several tracking ids at once (a group of transfers). */
export const authorizationsByTrackingsRead = (_tx: Tx, orgId: string, trackingIds: string[], operations: string[]): Read<AuthorizationRow[]> => ({
  query: byTrackingQuery(orgId, trackingIds, operations),
  read: (rows) => rows as unknown as AuthorizationRow[],
});

export const findAuthorization = (tx: Tx, orgId: string, authorizationId: bigint) =>
  tx.selectFrom('ledger_authorizations').selectAll().where('org_id', '=', orgId).where('authorization_id', '=', authorizationId).executeTakeFirst();

/** Locks authorizations (a cancellation marks them), in id order: one probe per id (platform/db/probes.ts). */
export const lockAuthorizations = async (tx: Tx, orgId: string, ids: bigint[]): Promise<AuthorizationRow[]> =>
  (await tx.executeQuery<AuthorizationRow>(CompiledQuery.raw(LOCK_AUTHORIZATIONS, [orgId, ascendingIds(ids)]))).rows;
const LOCK_AUTHORIZATIONS = `select a.* from ${PROBE_IDS} ${probe('ledger_authorizations', 'a', 'authorization_id')} for update of a`;

const markCancelledQuery = (tx: Tx, orgId: string, ids: bigint[], cancelEntryId: bigint, now: Date) =>
  tx
    .updateTable('ledger_authorizations')
    .set({ status: 'CANCELLED', cancel_entry_id: cancelEntryId, updated_at: now })
    .where('org_id', '=', orgId)
    .where('authorization_id', 'in', ids);

export const markCancelled = (tx: Tx, orgId: string, ids: bigint[], cancelEntryId: bigint, now: Date) => markCancelledQuery(tx, orgId, ids, cancelEntryId, now).execute();

/** markCancelled, sent with the transaction's next statement or COMMIT. */
export const markCancelledWithNext = (tx: Tx, orgId: string, ids: bigint[], cancelEntryId: bigint, now: Date) =>
  sendWithNext(tx, markCancelledQuery(tx, orgId, ids, cancelEntryId, now).compile());

export const insertTransactions = (tx: Tx, rows: Insertable<LedgerTransactionsTable>[]) =>
  rows.length ? tx.insertInto('ledger_transactions').values(rows).returningAll().execute() : Promise.resolve([]);

export interface TransactionFilter {
  accountId: bigint;
  processingCode?: string;
  credit?: boolean;
  authorizationIds?: bigint[];
  /** Only transactions with one of these processing codes. */
  processingCodes?: string[];
  transactionIds?: bigint[];
  /** true: only transactions of an authorization (PLATFORM). */
  withAuthorization?: boolean;
  from?: string;
  to?: string;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** An account's transactions with their authorization's tracking id, by event date then id. */
export const listTransactions = (tx: Tx, orgId: string, f: TransactionFilter) => {
  let q = tx
    .selectFrom('ledger_transactions as t')
    .leftJoin('ledger_authorizations as a', (j) => j.onRef('a.org_id', '=', 't.org_id').onRef('a.authorization_id', '=', 't.authorization_id'))
    .selectAll('t')
    .select('a.tracking_id')
    .where('t.org_id', '=', orgId)
    .where('t.account_id', '=', f.accountId);
  if (f.processingCode !== undefined) q = q.where('t.processing_code', '=', f.processingCode);
  if (f.credit !== undefined) q = q.where('t.credit', '=', f.credit);
  if (f.authorizationIds !== undefined) q = q.where('t.authorization_id', 'in', f.authorizationIds.length ? f.authorizationIds : [0n]);
  if (f.processingCodes !== undefined) q = q.where('t.processing_code', 'in', f.processingCodes.length ? f.processingCodes : ['']);
  if (f.transactionIds !== undefined) q = q.where('t.transaction_id', 'in', f.transactionIds.length ? f.transactionIds : [0n]);
  if (f.withAuthorization) q = q.where('t.authorization_id', 'is not', null);
  if (f.from !== undefined) q = q.where('t.event_date', '>=', f.from);
  if (f.to !== undefined) q = q.where('t.event_date', '<=', f.to);
  return q.orderBy('t.event_date', f.order).orderBy('t.transaction_id', f.order).limit(f.limit).offset(f.offset).execute();
};

export const findTransaction = (tx: Tx, orgId: string, accountId: bigint, transactionId: bigint) =>
  tx
    .selectFrom('ledger_transactions as t')
    .leftJoin('ledger_authorizations as a', (j) => j.onRef('a.org_id', '=', 't.org_id').onRef('a.authorization_id', '=', 't.authorization_id'))
    .selectAll('t')
    .select('a.tracking_id')
    .where('t.org_id', '=', orgId)
    .where('t.account_id', '=', accountId)
    .where('t.transaction_id', '=', transactionId)
    .executeTakeFirst();

/** Authorization ids of a tracking id (any operation): a prefix of the tracking index. */
export const authorizationIdsByTracking = async (tx: Tx, orgId: string, trackingId: string): Promise<bigint[]> =>
  (await tx.executeQuery<{ authorization_id: bigint }>(CompiledQuery.raw(IDS_BY_TRACKING, [orgId, [trackingId]]))).rows.map((r) => r.authorization_id);
const IDS_BY_TRACKING = `select a.authorization_id from ${PROBE_KEYS} ${probe('ledger_authorizations', 'a', 'tracking_id', 'authorization_id')}`;

/** The authorization of `operation` with this tracking id, locked until the transaction ends. */
export const lockAuthorizationByTracking = async (tx: Tx, orgId: string, trackingId: string, operation: string): Promise<AuthorizationRow | undefined> =>
  (await tx.executeQuery<AuthorizationRow>(byTrackingQuery(orgId, [trackingId], [operation], true))).rows[0];

/** Approved authorizations of `operation` that follow `originalId` (confirmations, cancellations), oldest first. */
export const followUpsOf = (tx: Tx, orgId: string, originalId: bigint, operation: string) =>
  tx
    .selectFrom('ledger_authorizations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('original_authorization_id', '=', originalId)
    .where('operation', '=', operation)
    .where('status', '!=', 'DECLINED')
    .orderBy('authorization_id')
    .execute();

/** Keeps the answer an authorization was given (a repeat of its tracking id answers it again). */
export const setAuthorizationResponse = (tx: Tx, orgId: string, id: bigint, response: Record<string, unknown>) =>
  tx
    .updateTable('ledger_authorizations')
    .set({ response: JSON.stringify(response) })
    .where('org_id', '=', orgId)
    .where('authorization_id', '=', id)
    .execute();

export const setAuthorizationStatus = (tx: Tx, orgId: string, id: bigint, status: 'APPROVED' | 'CANCELLED', now: Date) =>
  tx.updateTable('ledger_authorizations').set({ status, updated_at: now }).where('org_id', '=', orgId).where('authorization_id', '=', id).execute();

/** The processing codes an account's transactions have. */
export const processingCodesOf = async (tx: Tx, orgId: string, accountId: bigint): Promise<string[]> =>
  (await tx.selectFrom('ledger_transactions').select('processing_code').distinct().where('org_id', '=', orgId).where('account_id', '=', accountId).execute()).map(
    (r) => r.processing_code,
  );
