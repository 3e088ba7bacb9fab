// Loan products: the template every loan inherits (repayment frequency and method, day count,
// stages, rules, plans, early settlement and prepayment options). Create, get and list. A product
// belongs to a program of the org whose type may hold loans and whose currency it shares; the
// charge and penalty plans and the repayment hierarchy it names must be ENABLED (and in its
// currency) when it is created, and cannot be deleted while it names them.
import type { RequestContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { Currency } from '../../platform/money.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { isoSeconds } from '../../platform/wire.js';
import { processingCodeRule } from '../ledger/index.js';
import { programSummary } from '../programs/index.js';
import type { ChargePlanRow } from './charge-plans.repo.js';
import { LendingEvents, type LoanProductEventData } from './lending.events.js';
import { LendingErrors, coded } from './lending.errors.js';
import { afterCursor, cursorPage, once } from './lending.http.js';
import { currencyOf, fromMinor, rateNumber, rateText, toMinor } from './lending.money.js';
import { findPlansForUse } from './lending.plans.repo.js';
import * as repo from './loan-products.repo.js';
import { LENDING_PROGRAM_TYPES, productIssues } from './loan-products.rules.js';
import { PRODUCT_TYPES, type CreateLoanProductBody, type ProcessingCodes, type LoanProduct, type LoanProductListQuery } from './loan-products.schemas.js';
import type { PenaltyPlanRow } from './penalty-plans.repo.js';
import type { RepaymentHierarchyRow } from './repayment-hierarchies.repo.js';
import { keepLoanProduct, keptLoanProduct } from './lending.cache.js';

export const LOAN_PRODUCTS_BASE = '/lending/v1/loan-products';
/** v1 has no product update: every product is at its first version. */
const PRODUCT_VERSION = '1';
/** The `next.version` of a page: the version of Lastro's cursor format. */
const CURSOR_VERSION = '1';

type Json = Record<string, unknown>;

/** Where a product's rates sit in its terms: stored as decimal text, answered as the numbers sent. */
const RATE_PATHS: string[][] = [
  ['rules', 'interest_rate', 'min', 'value'],
  ['rules', 'interest_rate', 'max', 'value'],
  ['rules', 'moratorium_interest_rate', 'min', 'value'],
  ['rules', 'moratorium_interest_rate', 'max', 'value'],
  ['down_payment', 'percentage'],
];

function mapAt(obj: Json, path: string[], fn: (v: unknown) => unknown): void {
  let node: unknown = obj;
  for (const key of path.slice(0, -1)) {
    node = (node as Json | undefined)?.[key];
    if (node === null || typeof node !== 'object') return;
  }
  const leaf = path[path.length - 1]!;
  const parent = node as Json;
  if (parent[leaf] !== undefined) parent[leaf] = fn(parent[leaf]);
}

/** Every rate of the terms through `fn`: the paths above, each stage's moratorium rate, PERCENTAGE penalties. */
function mapRates(terms: Json, fn: (v: unknown) => unknown): void {
  for (const path of RATE_PATHS) mapAt(terms, path, fn);
  const stages = (terms.stages as Json[] | undefined) ?? [];
  stages.forEach((_s, i) => mapAt(terms, ['stages', String(i), 'moratorium_interest_rate', 'value'], fn));
  for (const name of ['early_final_settlement', 'prepayment']) {
    const p = (terms[name] as Json | undefined)?.penalty as Json | undefined;
    if (p?.type === 'PERCENTAGE') mapAt(terms, [name, 'penalty', 'value'], fn);
  }
}

/** Fields kept in their own columns (or link tables), not in the terms. */
const COLUMN_FIELDS = ['product_id', 'program_id', 'product_name', 'product_type', 'currency', 'charge_plan_codes', 'penalty_plan_codes', 'repayment_hierarchy_code', 'installment_amount_in_multiples_of'];

interface Amounts {
  loan_amount_min_minor: bigint | null;
  loan_amount_max_minor: bigint | null;
  installment_amount_min_minor: bigint | null;
  installment_amount_max_minor: bigint | null;
  installment_multiple_minor: bigint | null;
  efs_penalty_fixed_minor: bigint | null;
  prepayment_penalty_fixed_minor: bigint | null;
}

/** The product's amounts as minor units in its currency (more decimals than it has: 400 naming the field). */
function amountsOf(body: CreateLoanProductBody, cur: Currency): Amounts {
  const minor = (field: string, text: string | undefined) => (text === undefined ? null : toMinor(field, text, cur));
  const fixed = (name: 'early_final_settlement' | 'prepayment') => {
    const p = body[name]?.penalty;
    return p?.type === 'FIXED_AMOUNT' ? minor(`body.${name}.penalty.value`, String(p.value)) : null;
  };
  const r = body.rules;
  return {
    loan_amount_min_minor: minor('body.rules.loan_amount.min', r?.loan_amount?.min),
    loan_amount_max_minor: minor('body.rules.loan_amount.max', r?.loan_amount?.max),
    installment_amount_min_minor: minor('body.rules.installment_amount.min', r?.installment_amount?.min),
    installment_amount_max_minor: minor('body.rules.installment_amount.max', r?.installment_amount?.max),
    installment_multiple_minor: minor('body.installment_amount_in_multiples_of', body.installment_amount_in_multiples_of),
    efs_penalty_fixed_minor: fixed('early_final_settlement'),
    prepayment_penalty_fixed_minor: fixed('prepayment'),
  };
}

/** What the terms column keeps: the body without its column fields and amounts, rates as decimal text. */
function termsOf(body: CreateLoanProductBody): Json {
  const terms = structuredClone(body) as Json;
  for (const f of COLUMN_FIELDS) delete terms[f];
  const rules = terms.rules as Json | undefined;
  if (rules) {
    delete rules.loan_amount;
    delete rules.installment_amount;
  }
  for (const name of ['early_final_settlement', 'prepayment']) {
    const p = (terms[name] as Json | undefined)?.penalty as Json | undefined;
    if (p?.type === 'FIXED_AMOUNT') delete p.value;
  }
  mapRates(terms, (v) => rateText(v as number));
  return terms;
}

const range = (min: bigint | null, max: bigint | null, cur: string) =>
  min === null && max === null ? undefined : { ...(min !== null ? { min: fromMinor(min, cur) } : {}), ...(max !== null ? { max: fromMinor(max, cur) } : {}) };

/** The product as the API answers it: the terms with the columns, amounts and rates put back. */
export function toLoanProduct(r: repo.LoanProductRow, chargePlans: string[], penaltyPlans: string[]): LoanProduct {
  const terms = structuredClone(r.terms) as Json;
  mapRates(terms, (v) => rateNumber(v as string));
  const cur = r.currency_numeric_code;
  for (const [name, column] of [
    ['early_final_settlement', r.efs_penalty_fixed_minor],
    ['prepayment', r.prepayment_penalty_fixed_minor],
  ] as const) {
    const p = (terms[name] as Json | undefined)?.penalty as Json | undefined;
    if (p?.type === 'FIXED_AMOUNT' && column !== null) p.value = fromMinor(column, cur);
  }
  const loanAmount = range(r.loan_amount_min_minor, r.loan_amount_max_minor, cur);
  const installmentAmount = range(r.installment_amount_min_minor, r.installment_amount_max_minor, cur);
  const rules = (terms.rules as Json | undefined) ?? (loanAmount || installmentAmount ? {} : undefined);
  if (rules) {
    if (loanAmount) rules.loan_amount = loanAmount;
    if (installmentAmount) rules.installment_amount = installmentAmount;
  }
  return {
    ...(terms as unknown as LoanProduct),
    product_id: r.product_id,
    product_name: r.product_name,
    product_type: r.product_type as LoanProduct['product_type'],
    program_id: Number(r.program_id),
    product_version: r.product_version,
    status: r.status,
    currency: Number(cur),
    created_at: isoSeconds(r.created_at).slice(0, 10),
    updated_at: isoSeconds(r.updated_at),
    ...(rules ? { rules: rules } : {}),
    ...(chargePlans.length ? { charge_plan_codes: chargePlans } : {}),
    ...(penaltyPlans.length ? { penalty_plan_codes: penaltyPlans } : {}),
    ...(r.repayment_hierarchy_code !== null ? { repayment_hierarchy_code: r.repayment_hierarchy_code } : {}),
    ...(r.installment_multiple_minor !== null ? { installment_amount_in_multiples_of: fromMinor(r.installment_multiple_minor, cur) } : {}),
  };
}

const toEvent = (r: repo.LoanProductRow, chargePlans: string[], penaltyPlans: string[]): LoanProductEventData => ({
  org_id: r.org_id,
  product_id: r.product_id,
  product_name: r.product_name,
  product_type: r.product_type,
  product_version: r.product_version,
  program_id: Number(r.program_id),
  currency: Number(r.currency_numeric_code),
  status: r.status,
  created_at: isoSeconds(r.created_at).slice(0, 10),
  ...(chargePlans.length ? { charge_plan_codes: chargePlans } : {}),
  ...(penaltyPlans.length ? { penalty_plan_codes: penaltyPlans } : {}),
  ...(r.repayment_hierarchy_code !== null ? { repayment_hierarchy_code: r.repayment_hierarchy_code } : {}),
});

export type LoanProductsService = ReturnType<typeof createLoanProductsService>;

export function createLoanProductsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock, ids } = deps;
  const events = { clock, ids };

  /** The program must be the org's, of a type that holds loans, in the product's currency. */
  async function checkProgram(t: TenantTx, body: CreateLoanProductBody, cur: Currency) {
    const program = await programSummary(t.db, t.orgId, BigInt(body.program_id));
    if (!program) throw LendingErrors.relatedNotFound('Program', 'body.program_id', 'names no program of this org');
    if (!LENDING_PROGRAM_TYPES.includes(program.type)) {
      throw LendingErrors.invalid('body.program_id', `names a ${program.type} program; loans are held by ${LENDING_PROGRAM_TYPES.join(', ')} programs`);
    }
    if (program.currencyNumericCode !== cur.numeric) {
      throw LendingErrors.invalid('body.currency', `must be the program's currency (${program.currencyNumericCode})`);
    }
  }

  /** Each named plan exists, is ENABLED and is in the product's currency. */
  async function checkPlans(t: TenantTx, body: CreateLoanProductBody, cur: Currency) {
    const kinds = [
      { field: 'charge_plan_codes', table: 'lending_charge_plans', label: 'Charge plan', codes: body.charge_plan_codes ?? [] },
      { field: 'penalty_plan_codes', table: 'lending_penalty_plans', label: 'Penalty plan', codes: body.penalty_plan_codes ?? [] },
    ] as const;
    for (const kind of kinds) {
      const rows = await findPlansForUse<ChargePlanRow | PenaltyPlanRow>(t.db, kind.table, t.orgId, [...kind.codes]);
      const byCode = new Map(rows.map((p) => [p.code, p]));
      kind.codes.forEach((code, i) => {
        const field = `body.${kind.field}[${i}]`;
        const plan = byCode.get(code);
        if (!plan || plan.status === 'DELETED') throw LendingErrors.relatedNotFound(kind.label, field, `${code} is not a plan of this org`);
        if (plan.status !== 'ENABLED') throw LendingErrors.relatedNotFound(kind.label, field, `${code} is ${plan.status}`);
        if (plan.currency_numeric_code !== cur.numeric) {
          throw coded('ELND0318', [{ field, reason: `${code} is in currency ${plan.currency_numeric_code}, the product in ${cur.numeric}` }]);
        }
      });
    }
    const code = body.repayment_hierarchy_code;
    if (code !== undefined) {
      const [h] = await findPlansForUse<RepaymentHierarchyRow>(t.db, 'lending_repayment_hierarchies', t.orgId, [code]);
      if (!h || h.status === 'DELETED') throw LendingErrors.relatedNotFound('Repayment hierarchy', 'body.repayment_hierarchy_code', `${code} is not a hierarchy of this org`);
      if (h.status !== 'ENABLED') throw LendingErrors.relatedNotFound('Repayment hierarchy', 'body.repayment_hierarchy_code', `${code} is ${h.status}`);
    }
  }

  /**
   * The product's processing codes (Pismo's v2 rules): a code names one operation of the product
   * (ELND0361), is a code of the org's ledger (ELND0363) with transaction flows (ELND0362), and
   * is not another product's (ELND0360).
   */
  async function checkProcessingCodes(t: TenantTx, codes: ProcessingCodes | undefined) {
    if (!codes) return;
    const named = processingCodeUses(codes);
    const seen = new Map<string, string>();
    for (const u of named) {
      const before = seen.get(u.code);
      if (before !== undefined) throw coded('ELND0361', [{ field: `body.processing_codes.${u.operation}`, reason: `${u.code} is also the code of ${before}` }]);
      seen.set(u.code, u.operation);
    }
    for (const u of named) {
      const rule = await processingCodeRule(t, u.code);
      const field = `body.processing_codes.${u.operation}`;
      if (!rule) throw new AppError('invalid', 'ELND0363', `Processing code ${u.code} is invalid or does not exist.`, [{ field, reason: `${u.code} is not a processing code of this org` }]);
      if (rule.status !== 'SUCCESS') throw new AppError('invalid', 'ELND0362', `Processing code ${u.code} is not linked to transactions types.`, [{ field, reason: `${u.code} has no transaction flows` }]);
    }
    for (const other of await repo.productsWithProcessingCodes(t.db, t.orgId)) {
      for (const u of processingCodeUses(other.codes as ProcessingCodes)) {
        const mine = named.find((n) => n.code === u.code);
        if (mine) {
          throw new AppError('invalid', 'ELND0360', `Processing code \`${u.code}\` already in use by product id ${other.product_id}, and operation ${u.operation}`, [
            { field: `body.processing_codes.${mine.operation}`, reason: `${u.code} is product ${other.product_id}'s code for ${u.operation}` },
          ]);
        }
      }
    }
  }

  async function load(t: TenantTx, productId: string): Promise<LoanProduct> {
    const product = await findLoanProduct(t, productId);
    if (!product) throw LendingErrors.notFound('Loan product');
    return product;
  }

  return {
    async create(t: TenantTx, body: CreateLoanProductBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<{ product_id: string }> {
      const issues = productIssues(body);
      if (issues.length) throw coded(issues[0]!.code, issues.filter((i) => i.code === issues[0]!.code).map(({ field, reason }) => ({ field, reason })));
      const cur = currencyOf('body.currency', body.currency);
      const amounts = amountsOf(body, cur);
      const res = await once(t, clock, ctx, `POST ${LOAN_PRODUCTS_BASE}`, body, 'ELND1501', async () => {
        await checkProgram(t, body, cur);
        await checkPlans(t, body, cur);
        await checkProcessingCodes(t, body.processing_codes);
        const now = clock.now();
        const productId = body.product_id ?? ids.uuid();
        const row = await repo.insertProduct(t.db, {
          org_id: t.orgId,
          product_id: productId,
          product_name: body.product_name,
          product_type: body.product_type,
          program_id: BigInt(body.program_id),
          currency_numeric_code: cur.numeric,
          status: 'ACTIVE',
          product_version: PRODUCT_VERSION,
          ...amounts,
          repayment_hierarchy_code: body.repayment_hierarchy_code ?? null,
          terms: JSON.stringify(termsOf(body)),
          created_at: now,
          updated_at: now,
        });
        if (!row) throw LendingErrors.exists(`Loan product ${productId}`, 'body.product_id');
        const charges = body.charge_plan_codes ?? [];
        const penalties = body.penalty_plan_codes ?? [];
        await repo.insertPlanLinks(t.db, 'lending_loan_product_charge_plans', t.orgId, productId, charges);
        await repo.insertPlanLinks(t.db, 'lending_loan_product_penalty_plans', t.orgId, productId, penalties);
        await recordEvent(t.db, events, LendingEvents.loanProductCreated, { orgId: t.orgId, cid: t.cid, data: toEvent(row, charges, penalties) });
        return { status: 201, body: { product_id: productId } };
      });
      return res.body;
    },

    get: load,

    async list(t: TenantTx, q: LoanProductListQuery) {
      if (q.next_cursor !== undefined && q.next_version === undefined) {
        throw LendingErrors.rule('ELND0700', 'query.next_version', 'is required with next_cursor');
      }
      if (q.next_version !== undefined && q.next_version !== CURSOR_VERSION) throw LendingErrors.invalid('query.next_version', 'is not a version this API returned');
      if (q.product_type !== undefined && !(PRODUCT_TYPES as readonly string[]).includes(q.product_type)) {
        throw LendingErrors.rule('ELND0800', 'query.product_type', `must be one of ${PRODUCT_TYPES.join(', ')}`);
      }
      const limit = q.limit ?? 10;
      const rows = await repo.listProducts(t.db, t.orgId, afterCursor(q.next_cursor), limit + 1, {
        ...(q.product_type !== undefined ? { productType: q.product_type } : {}),
        ...(q.program_id !== undefined ? { programId: BigInt(q.program_id) } : {}),
      });
      const page = cursorPage(rows, limit);
      return {
        has_next: page.hasNext,
        items: page.items.map((r) => ({
          product_id: r.product_id,
          product_name: r.product_name,
          product_version: r.product_version,
          product_type: r.product_type as LoanProduct['product_type'],
          created_at: isoSeconds(r.created_at).slice(0, 10),
        })),
        ...(page.next ? { next: { cursor: page.next, version: CURSOR_VERSION } } : {}),
      };
    },
  };
}

/** Every code a product's processing_codes name, with its operation (`disbursement.internal`, …), in order. */
export function processingCodeUses(codes: ProcessingCodes): { operation: string; code: string }[] {
  const uses: { operation: string; code: string }[] = [];
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) for (const code of node) uses.push({ operation: path, code: String(code) });
    else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(codes, '');
  return uses;
}

/** The product a loan or simulation names, or undefined (for the lifecycle's services). */
export async function findLoanProduct(t: TenantTx, productId: string): Promise<LoanProduct | undefined> {
  const kept = keptLoanProduct(t.orgId, productId);
  if (kept) return kept;
  const row = await repo.findProduct(t.db, t.orgId, productId);
  if (!row) return undefined;
  const [charges, penalties] = await Promise.all([
    repo.planCodes(t.db, 'lending_loan_product_charge_plans', t.orgId, productId),
    repo.planCodes(t.db, 'lending_loan_product_penalty_plans', t.orgId, productId),
  ]);
  // Products never change once created (lending.cache.ts): kept once this transaction commits.
  const product = deepFreeze(toLoanProduct(row, charges, penalties));
  keepLoanProduct(t.db, t.orgId, product);
  return product;
}

/** A kept product is shared by every request of the org: nothing may change it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
