// SQL for processing codes. Every function takes the transaction and the org id, and filters on it.
// A code's status is not stored: it is SUCCESS exactly when its flows are configured (see
// `statusSql`), so adding a flow to a reversal code completes every code it serves at once.
import { sql, type Generated, type Insertable, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import { codeRulesChanged } from './ledger.cache.js';

export type CodeKind = 'AUTHORIZATION' | 'REVERSAL';
export type BalanceImpact = -1 | 0 | 1;
export type CodeStatus = 'SUCCESS' | 'PENDING';

export interface Translation {
  language?: string;
  description?: string;
}

export interface ProcessingCodesTable {
  org_id: string;
  processing_code: string;
  org_operation_id: Generated<bigint>;
  kind: CodeKind;
  balance_impact: number;
  description: string;
  standard: boolean;
  reversal_processing_code: string | null;
  partial_reversal_processing_code: string | null;
  tags: string[];
  translations: Json<Translation[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    processing_codes: ProcessingCodesTable;
  }
}

export type CodeRow = Selectable<ProcessingCodesTable> & { status: CodeStatus };
export type NewCode = Insertable<ProcessingCodesTable>;

/**
 * SUCCESS when the code has a transaction flow and, for an authorization code, its reversal and
 * partial reversal codes have one too (it can then be posted and undone); PENDING otherwise.
 */
const statusSql = sql<CodeStatus>`case when exists (select 1 from transaction_flows f where f.org_id = c.org_id and f.processing_code = c.processing_code)
  and (c.kind = 'REVERSAL' or (
    exists (select 1 from transaction_flows f where f.org_id = c.org_id and f.processing_code = c.reversal_processing_code)
    and exists (select 1 from transaction_flows f where f.org_id = c.org_id and f.processing_code = c.partial_reversal_processing_code)))
  then 'SUCCESS' else 'PENDING' end`;

const selectCodes = (tx: Tx, orgId: string) =>
  tx
    .selectFrom('processing_codes as c')
    .selectAll('c')
    .select(statusSql.as('status'))
    .where('c.org_id', '=', orgId);

export const findCode = (tx: Tx, orgId: string, code: string): Promise<CodeRow | undefined> =>
  selectCodes(tx, orgId).where('c.processing_code', '=', code).executeTakeFirst();

/** The code, locked until the transaction ends (concurrent updates apply one after another). */
export const lockCode = (tx: Tx, orgId: string, code: string) =>
  tx.selectFrom('processing_codes').select(['processing_code', 'kind']).where('org_id', '=', orgId).where('processing_code', '=', code).forUpdate().executeTakeFirst();

/** The codes named, as they are (for the checks of a create or an update). */
export const findCodes = (tx: Tx, orgId: string, codes: string[]): Promise<CodeRow[]> =>
  codes.length ? selectCodes(tx, orgId).where('c.processing_code', 'in', codes).execute() : Promise.resolve([]);

/** Inserts codes; a code that exists already is left as it is (returns only the ones inserted). */
export const insertCodes = (tx: Tx, rows: NewCode[]) =>
  rows.length
    ? codeRulesChanged(tx, rows[0]!.org_id).insertInto('processing_codes').values(rows).onConflict((oc) => oc.columns(['org_id', 'processing_code']).doNothing()).returningAll().execute()
    : Promise.resolve([]);

export const updateCode = (tx: Tx, orgId: string, code: string, changes: Partial<Omit<NewCode, 'org_id' | 'processing_code'>>) =>
  codeRulesChanged(tx, orgId).updateTable('processing_codes').set(changes).where('org_id', '=', orgId).where('processing_code', '=', code).execute();

/** One page of the org's codes after `afterId` (org_operation_id order); `limit + 1` rows are read. */
export const pageCodes = (tx: Tx, orgId: string, afterId: bigint | undefined, limit: number): Promise<CodeRow[]> => {
  let q = selectCodes(tx, orgId);
  if (afterId !== undefined) q = q.where('c.org_operation_id', '>', afterId);
  return q.orderBy('c.org_operation_id').limit(limit + 1).execute();
};

/** A code with the transaction types its flows post to (the journal's view of it). */
export interface CodeRuleRow {
  processing_code: string;
  kind: CodeKind;
  balance_impact: number;
  description: string;
  reversal_processing_code: string | null;
  partial_reversal_processing_code: string | null;
  status: CodeStatus;
  flows: { transaction_type_id: string; key: string; custom_key: string | null; credit: boolean; posted_transaction: boolean }[];
}

/** One query: the code, its status and its flows with their types' credit flags. */
export async function codeRule(tx: Tx, orgId: string, code: string): Promise<CodeRuleRow | undefined> {
  const { rows } = await sql<CodeRuleRow>`
    select c.processing_code, c.kind, c.balance_impact, c.description, c.reversal_processing_code,
      c.partial_reversal_processing_code, ${statusSql} as status,
      coalesce((select json_agg(json_build_object(
          'transaction_type_id', f.transaction_type_id::text, 'key', f.key, 'custom_key', f.custom_key,
          'credit', t.credit, 'posted_transaction', t.posted_transaction) order by f.transaction_type_id)
        from transaction_flows f
        join transaction_types t on t.org_id = f.org_id and t.transaction_type_id = f.transaction_type_id
        where f.org_id = c.org_id and f.processing_code = c.processing_code), '[]'::json) as flows
    from processing_codes c
    where c.org_id = ${orgId} and c.processing_code = ${code}`.execute(tx);
  const row = rows[0];
  if (!row) return undefined;
  // json_agg comes back parsed from pg, as text from some drivers.
  const flows = typeof row.flows === 'string' ? (JSON.parse(row.flows) as CodeRuleRow['flows']) : row.flows;
  return { ...row, balance_impact: Number(row.balance_impact), flows };
}
