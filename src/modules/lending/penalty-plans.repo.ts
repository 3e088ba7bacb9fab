// SQL for penalty plans. Status changes, lists and in-use checks are the shared plan SQL
// (lending.plans.repo.ts).
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Timestamp } from '../../platform/db/tables.js';
import type { PlanStatus } from './lending.plans.repo.js';

export interface PenaltyPlansTable {
  org_id: string;
  code: string;
  seq: Generated<bigint>;
  name: string;
  apply_when: string[];
  currency_numeric_code: string;
  grace_days: number | null;
  fixed_amount_minor: bigint | null;
  percentage: string | null;
  apply_concerning: string[] | null;
  minimum_penalty_minor: bigint | null;
  maximum_penalty_minor: bigint | null;
  accrual_frequency: string | null;
  status: PlanStatus;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_penalty_plans: PenaltyPlansTable;
  }
}

export type PenaltyPlanRow = Selectable<PenaltyPlansTable>;

/** The new plan, or undefined when the code is taken (a DELETED plan keeps its code). */
export const insertPenaltyPlan = (tx: Tx, row: Insertable<PenaltyPlansTable>) =>
  tx.insertInto('lending_penalty_plans').values(row).onConflict((oc) => oc.columns(['org_id', 'code']).doNothing()).returningAll().executeTakeFirst();
