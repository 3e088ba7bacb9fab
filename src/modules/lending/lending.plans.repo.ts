// SQL shared by the three plan tables (charge plans, penalty plans, repayment hierarchies): each
// has org_id, code, seq (list order), status ENABLED | DISABLED | DELETED and updated_at. Every
// function takes the transaction and the org id, and filters on it.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';

export type PlanTable = 'lending_charge_plans' | 'lending_penalty_plans' | 'lending_repayment_hierarchies';
export type PlanStatus = 'ENABLED' | 'DISABLED' | 'DELETED';

/** The plan with this code (DELETED ones included), locked for update when asked. */
export async function findPlan<R>(tx: Tx, table: PlanTable, orgId: string, code: string, lock = false): Promise<R | undefined> {
  const res = await sql<R>`select * from ${sql.table(table)} where org_id = ${orgId} and code = ${code} ${lock ? sql`for update` : sql``}`.execute(tx);
  return res.rows[0];
}

/** The plans with these codes, locked against a concurrent delete (key share) while a product comes to use them. */
export async function findPlansForUse<R>(tx: Tx, table: PlanTable, orgId: string, codes: string[]): Promise<R[]> {
  if (codes.length === 0) return [];
  const res = await sql<R>`select * from ${sql.table(table)} where org_id = ${orgId} and code = any(${codes}::text[]) for key share`.execute(tx);
  return res.rows;
}

/** Plans after `afterSeq`, in creation order, at most `limit`; DELETED ones only when asked by status. */
export async function listPlans<R>(tx: Tx, table: PlanTable, orgId: string, afterSeq: bigint, limit: number, status?: PlanStatus): Promise<R[]> {
  const filter = status ? sql`status = ${status}` : sql`status <> 'DELETED'`;
  const res = await sql<R>`
    select * from ${sql.table(table)}
    where org_id = ${orgId} and seq > ${afterSeq} and ${filter}
    order by seq limit ${limit}`.execute(tx);
  return res.rows;
}

export async function setPlanStatus<R>(tx: Tx, table: PlanTable, orgId: string, code: string, status: PlanStatus, at: Date): Promise<R> {
  const res = await sql<R>`
    update ${sql.table(table)} set status = ${status}, updated_at = ${at}
    where org_id = ${orgId} and code = ${code} returning *`.execute(tx);
  return res.rows[0]!;
}

/** The products that name a plan (ids, at most `max`): a plan in use cannot be deleted. */
export async function productsUsing(tx: Tx, table: PlanTable, orgId: string, code: string, max = 5): Promise<string[]> {
  const q =
    table === 'lending_charge_plans'
      ? sql<{ product_id: string }>`select distinct product_id from lending_loan_product_charge_plans where org_id = ${orgId} and code = ${code} order by product_id limit ${max}`
      : table === 'lending_penalty_plans'
        ? sql<{ product_id: string }>`select distinct product_id from lending_loan_product_penalty_plans where org_id = ${orgId} and code = ${code} order by product_id limit ${max}`
        : sql<{ product_id: string }>`select product_id from lending_loan_products where org_id = ${orgId} and repayment_hierarchy_code = ${code} order by product_id limit ${max}`;
  return (await q.execute(tx)).rows.map((r) => r.product_id);
}
