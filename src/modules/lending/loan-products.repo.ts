// SQL for loan products and the plans they name. Every function takes the transaction and the
// org id, and filters on it.
import { sql } from 'kysely';
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { loanProductsChanged } from './lending.cache.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';

export interface LoanProductsTable {
  org_id: string;
  product_id: string;
  seq: Generated<bigint>;
  product_name: string;
  product_type: string;
  program_id: bigint;
  currency_numeric_code: string;
  status: 'ACTIVE' | 'INACTIVE';
  product_version: string;
  loan_amount_min_minor: bigint | null;
  loan_amount_max_minor: bigint | null;
  installment_amount_min_minor: bigint | null;
  installment_amount_max_minor: bigint | null;
  installment_multiple_minor: bigint | null;
  efs_penalty_fixed_minor: bigint | null;
  prepayment_penalty_fixed_minor: bigint | null;
  repayment_hierarchy_code: string | null;
  terms: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProductPlansTable {
  org_id: string;
  product_id: string;
  position: number;
  code: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_loan_products: LoanProductsTable;
    lending_loan_product_charge_plans: ProductPlansTable;
    lending_loan_product_penalty_plans: ProductPlansTable;
  }
}

export type LoanProductRow = Selectable<LoanProductsTable>;
type PlanLinks = 'lending_loan_product_charge_plans' | 'lending_loan_product_penalty_plans';

/** The new product, or undefined when its id is taken in the org. */
export const insertProduct = (tx: Tx, row: Insertable<LoanProductsTable>) =>
  loanProductsChanged(tx, row.org_id)
    .insertInto('lending_loan_products').values(row).onConflict((oc) => oc.columns(['org_id', 'product_id']).doNothing()).returningAll().executeTakeFirst();

export async function insertPlanLinks(tx: Tx, table: PlanLinks, orgId: string, productId: string, codes: string[]): Promise<void> {
  if (codes.length === 0) return;
  await loanProductsChanged(tx, orgId)
    .insertInto(table)
    .values(codes.map((code, position) => ({ org_id: orgId, product_id: productId, position, code })))
    .execute();
}

export const findProduct = (tx: Tx, orgId: string, productId: string) =>
  tx.selectFrom('lending_loan_products').selectAll().where('org_id', '=', orgId).where('product_id', '=', productId).executeTakeFirst();

/** The org's products that name processing codes, with them (ELND0360: a code belongs to one product). */
export const productsWithProcessingCodes = async (tx: Tx, orgId: string): Promise<{ product_id: string; codes: unknown }[]> =>
  (
    await tx
      .selectFrom('lending_loan_products')
      .select(['product_id', sql<unknown>`terms -> 'processing_codes'`.as('codes')])
      .where('org_id', '=', orgId)
      .where(sql<boolean>`terms ? 'processing_codes'`)
      .orderBy('seq')
      .execute()
  ).map((r) => ({ product_id: r.product_id, codes: typeof r.codes === 'string' ? (JSON.parse(r.codes) as unknown) : r.codes }));

/** The product's plan codes, in order. */
export const planCodes = async (tx: Tx, table: PlanLinks, orgId: string, productId: string): Promise<string[]> =>
  (await tx.selectFrom(table).select('code').where('org_id', '=', orgId).where('product_id', '=', productId).orderBy('position').execute()).map((r) => r.code);

export interface ProductFilter {
  productType?: string;
  programId?: bigint;
}

/** Products after `afterSeq`, in creation order, at most `limit`. */
export function listProducts(tx: Tx, orgId: string, afterSeq: bigint, limit: number, filter: ProductFilter) {
  let q = tx
    .selectFrom('lending_loan_products')
    .select(['seq', 'product_id', 'product_name', 'product_version', 'product_type', 'created_at'])
    .where('org_id', '=', orgId)
    .where('seq', '>', afterSeq);
  if (filter.productType !== undefined) q = q.where('product_type', '=', filter.productType);
  if (filter.programId !== undefined) q = q.where('program_id', '=', filter.programId);
  return q.orderBy('seq').limit(limit).execute();
}
