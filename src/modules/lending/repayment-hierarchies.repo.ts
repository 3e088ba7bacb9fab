// SQL for repayment hierarchies. Status changes, lists and in-use checks are the shared plan SQL
// (lending.plans.repo.ts).
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Timestamp } from '../../platform/db/tables.js';
import type { PlanStatus } from './lending.plans.repo.js';

export interface RepaymentHierarchiesTable {
  org_id: string;
  code: string;
  seq: Generated<bigint>;
  hierarchy: string[];
  status: PlanStatus;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_repayment_hierarchies: RepaymentHierarchiesTable;
  }
}

export type RepaymentHierarchyRow = Selectable<RepaymentHierarchiesTable>;

/** The new hierarchy, or undefined when the code is taken (a DELETED one keeps its code). */
export const insertHierarchy = (tx: Tx, row: Insertable<RepaymentHierarchiesTable>) =>
  tx
    .insertInto('lending_repayment_hierarchies')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
