// SQL for charge plans. Status changes, lists and in-use checks are the shared plan SQL
// (lending.plans.repo.ts).
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Timestamp } from '../../platform/db/tables.js';
import type { PlanStatus } from './lending.plans.repo.js';

export interface ChargePlansTable {
  org_id: string;
  code: string;
  seq: Generated<bigint>;
  name: string;
  type: 'FEE' | 'TAX' | 'CHARGE';
  collection_method: 'DEDUCT' | 'UPFRONT' | 'AMORTISED' | 'DEBIT';
  currency_numeric_code: string;
  fixed_amount_minor: bigint | null;
  percentage: string | null;
  min_charged_minor: bigint | null;
  max_charged_minor: bigint | null;
  status: PlanStatus;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_charge_plans: ChargePlansTable;
  }
}

export type ChargePlanRow = Selectable<ChargePlansTable>;

/** The new plan, or undefined when the code is taken (a DELETED plan keeps its code). */
export const insertChargePlan = (tx: Tx, row: Insertable<ChargePlansTable>) =>
  tx.insertInto('lending_charge_plans').values(row).onConflict((oc) => oc.columns(['org_id', 'code']).doNothing()).returningAll().executeTakeFirst();
