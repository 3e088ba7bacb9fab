// SQL for transaction types. Every function takes the transaction and the org id, and filters on it.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { offsetPage } from '../../platform/db/paging.js';
import type { Timestamp } from '../../platform/db/tables.js';
import type { PageRequest } from '../../platform/paging.js';
import { codeRulesChanged } from './ledger.cache.js';

export interface TransactionTypesTable {
  org_id: string;
  transaction_type_id: bigint;
  description: string;
  credit: boolean;
  posted_transaction: boolean;
  category: string | null;
  standard: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    transaction_types: TransactionTypesTable;
  }
}

export type TypeRow = Selectable<TransactionTypesTable>;
export type NewType = Insertable<TransactionTypesTable>;

export const findType = (tx: Tx, orgId: string, id: bigint): Promise<TypeRow | undefined> =>
  tx.selectFrom('transaction_types').selectAll().where('org_id', '=', orgId).where('transaction_type_id', '=', id).executeTakeFirst();

/** Inserts types; a type that exists already is left as it is (returns only the ones inserted). */
export const insertTypes = (tx: Tx, rows: NewType[]) =>
  rows.length
    ? codeRulesChanged(tx, rows[0]!.org_id).insertInto('transaction_types').values(rows).onConflict((oc) => oc.columns(['org_id', 'transaction_type_id']).doNothing()).returningAll().execute()
    : Promise.resolve([]);

export const updateType = (tx: Tx, orgId: string, id: bigint, changes: { description: string; updated_at: Date }) =>
  codeRulesChanged(tx, orgId)
    .updateTable('transaction_types')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('transaction_type_id', '=', id)
    .returningAll()
    .executeTakeFirst();

export interface TypeFilter {
  id?: bigint;
  /** Wildcard: matches anywhere in the description, case-insensitively. */
  description?: string;
  credit?: boolean;
}

export async function listTypes(
  tx: Tx,
  orgId: string,
  filter: TypeFilter,
  orderBy: 'transactionId' | 'description',
  page: PageRequest,
): Promise<{ rows: TypeRow[]; total: number }> {
  let q = tx.selectFrom('transaction_types').where('org_id', '=', orgId);
  if (filter.id !== undefined) q = q.where('transaction_type_id', '=', filter.id);
  if (filter.description !== undefined) q = q.where('description', 'ilike', `%${filter.description.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filter.credit !== undefined) q = q.where('credit', '=', filter.credit);
  let rows = q.selectAll();
  if (orderBy === 'description') rows = rows.orderBy(sql`lower(description)`);
  return offsetPage(q, rows.orderBy('transaction_type_id'), page);
}
