// SQL for transaction flows (processing code → transaction type). Every function takes the
// transaction and the org id, and filters on it.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { offsetPage } from '../../platform/db/paging.js';
import type { Timestamp } from '../../platform/db/tables.js';
import type { PageRequest } from '../../platform/paging.js';
import { codeRulesChanged } from './ledger.cache.js';

export type FlowKey = 'PRINCIPAL' | 'INSTALLMENT' | 'CONTRACT' | 'OTHER';

export interface TransactionFlowsTable {
  org_id: string;
  processing_code: string;
  transaction_type_id: bigint;
  key: FlowKey;
  custom_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    transaction_flows: TransactionFlowsTable;
  }
}

export type FlowRow = Selectable<TransactionFlowsTable>;
export type NewFlow = Insertable<TransactionFlowsTable>;

/** The unique index behind Pismo's ETRC04003 (one flow per amount type of a code). */
export const AMOUNT_TYPE_INDEX = 'transaction_flows_amount_type';
export const FLOW_PKEY = 'transaction_flows_pkey';

/** Every flow of a code, locked until the transaction ends (a code's flows change one at a time). */
export const lockFlowsOfCode = (tx: Tx, orgId: string, code: string): Promise<FlowRow[]> =>
  tx.selectFrom('transaction_flows').selectAll().where('org_id', '=', orgId).where('processing_code', '=', code).orderBy('transaction_type_id').forUpdate().execute();

/** Inserts flows; a flow that exists already is left as it is. */
export const insertFlows = (tx: Tx, rows: NewFlow[]) =>
  rows.length
    ? codeRulesChanged(tx, rows[0]!.org_id).insertInto('transaction_flows').values(rows).onConflict((oc) => oc.doNothing()).returningAll().execute()
    : Promise.resolve([]);

export const insertFlow = (tx: Tx, row: NewFlow) => codeRulesChanged(tx, row.org_id).insertInto('transaction_flows').values(row).returningAll().executeTakeFirstOrThrow();

export const updateFlow = (tx: Tx, orgId: string, code: string, typeId: bigint, changes: { key: FlowKey; custom_key: string | null; updated_at: Date }) =>
  codeRulesChanged(tx, orgId)
    .updateTable('transaction_flows')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('processing_code', '=', code)
    .where('transaction_type_id', '=', typeId)
    .returningAll()
    .executeTakeFirst();

export async function listFlows(
  tx: Tx,
  orgId: string,
  filter: { processingCode?: string; typeId?: bigint },
  page: PageRequest,
): Promise<{ rows: FlowRow[]; total: number }> {
  let q = tx.selectFrom('transaction_flows').where('org_id', '=', orgId);
  if (filter.processingCode !== undefined) q = q.where('processing_code', '=', filter.processingCode);
  if (filter.typeId !== undefined) q = q.where('transaction_type_id', '=', filter.typeId);
  // Byte order: the same on every engine and locale.
  return offsetPage(q, q.selectAll().orderBy(sql`processing_code collate "C"`).orderBy('transaction_type_id'), page);
}
