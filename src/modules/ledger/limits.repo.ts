// SQL of account limits and program limit configurations. Every function takes the transaction
// and the org id, and filters on it.
import { CompiledQuery, sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { ascendingIds, probe, PROBE_IDS } from '../../platform/db/probes.js';
import type { Timestamp } from '../../platform/db/tables.js';

export interface LedgerAccountLimitsTable {
  org_id: string;
  account_id: bigint;
  program_id: bigint;
  currency: string;
  mode: 'credit' | 'debit';
  max_credit_limit_minor: bigint | null;
  total_credit_limit_minor: bigint | null;
  total_overdraft_limit_minor: bigint | null;
  percentage_over_limit: string | null;
  total_installment_credit_limit_minor: bigint | null;
  withdrawal_credit_limit_minor: bigint | null;
  monthly_credit_limit_minor: bigint | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LedgerGlobalConfigsTable {
  org_id: string;
  program_id: bigint;
  level: 'PROGRAM';
  max_credit_limit_minor: bigint;
  max_credit_limit_active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    ledger_account_limits: LedgerAccountLimitsTable;
    ledger_global_configs: LedgerGlobalConfigsTable;
  }
}

export type LimitsRow = Selectable<LedgerAccountLimitsTable>;
export type GlobalConfigRow = Selectable<LedgerGlobalConfigsTable>;

/** Inserts an account's limits unless it has them, stamped with the transaction's time. */
export async function insertLimits(tx: Tx, row: Omit<Insertable<LedgerAccountLimitsTable>, 'created_at' | 'updated_at'>): Promise<void> {
  await tx
    .insertInto('ledger_account_limits')
    .values({ ...row, created_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export const findLimits = (tx: Tx, orgId: string, accountId: bigint) =>
  tx.selectFrom('ledger_account_limits').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId).executeTakeFirst();

/** Limits rows of these accounts: one probe per id (platform/db/probes.ts). */
export const findLimitsOf = async (tx: Tx, orgId: string, accountIds: bigint[]): Promise<Selectable<LedgerAccountLimitsTable>[]> =>
  accountIds.length
    ? (await tx.executeQuery<Selectable<LedgerAccountLimitsTable>>(CompiledQuery.raw(LIMITS_OF, [orgId, ascendingIds(accountIds)]))).rows
    : [];
const LIMITS_OF = `select l.* from ${PROBE_IDS} ${probe('ledger_account_limits', 'l', 'account_id')}`;

export const updateLimits = (tx: Tx, orgId: string, accountId: bigint, changes: Updateable<LedgerAccountLimitsTable>) =>
  tx.updateTable('ledger_account_limits').set(changes).where('org_id', '=', orgId).where('account_id', '=', accountId).returningAll().executeTakeFirst();

export const findGlobalConfig = (tx: Tx, orgId: string, programId: bigint) =>
  tx.selectFrom('ledger_global_configs').selectAll().where('org_id', '=', orgId).where('program_id', '=', programId).executeTakeFirst();

export const listGlobalConfigs = (tx: Tx, orgId: string) =>
  tx.selectFrom('ledger_global_configs').selectAll().where('org_id', '=', orgId).orderBy('program_id').execute();

/** Inserts the program's configuration; undefined when it has one already. */
export const insertGlobalConfig = (tx: Tx, row: Insertable<LedgerGlobalConfigsTable>) =>
  tx.insertInto('ledger_global_configs').values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();

export const updateGlobalConfig = (tx: Tx, orgId: string, programId: bigint, changes: Updateable<LedgerGlobalConfigsTable>) =>
  tx.updateTable('ledger_global_configs').set(changes).where('org_id', '=', orgId).where('program_id', '=', programId).returningAll().executeTakeFirst();

/** What the program's accounts are granted together: the sum of their max_credit_limit, in minor units. */
export async function accumulatedMaxCreditLimit(tx: Tx, orgId: string, programId: bigint): Promise<bigint> {
  const row = await tx
    .selectFrom('ledger_account_limits')
    .select(sql<string>`coalesce(sum(max_credit_limit_minor), 0)`.as('total'))
    .where('org_id', '=', orgId)
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return BigInt(row.total);
}
