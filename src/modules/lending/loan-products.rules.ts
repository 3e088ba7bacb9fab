// Rules of a loan product that span fields, checked before anything is written: stages, the
// repayment frequency their periods must divide by, min ≤ max in the rules, the early settlement
// and prepayment penalties, BNPL's down payment. Pure functions: each issue names its field and
// carries the spec's code (ELND…), or ELND0003 where the spec has none.
import { Dec } from '../../platform/money.js';
import type { CreateLoanProductBody, FrequencyMethod, TimeUnit } from './loan-products.schemas.js';

export interface ProductIssue {
  code: string;
  field: string;
  reason: string;
}

/** Program types whose accounts may hold loans: customer accounts of credit, debit, prepaid and current-account programs. */
export const LENDING_PROGRAM_TYPES: readonly string[] = [
  'CREDITO',
  'CREDITO ZERO-BALANCE',
  'DEBITO',
  'DEBITO ZERO-BALANCE',
  'PRE-PAGO',
  'PRE-PAGO ZERO-BALANCE',
  'CURRENT ACCOUNTS',
];

type Base = 'DAY' | 'MONTH';
const FREQUENCY: Record<FrequencyMethod, { base: Base; n: number }> = {
  DAILY: { base: 'DAY', n: 1 },
  WEEKLY: { base: 'DAY', n: 7 },
  BIWEEKLY: { base: 'DAY', n: 14 },
  FORTNIGHTLY: { base: 'DAY', n: 14 },
  MONTHLY: { base: 'MONTH', n: 1 },
  QUARTERLY: { base: 'MONTH', n: 3 },
  YEARLY: { base: 'MONTH', n: 12 },
};
const UNIT: Record<TimeUnit, { base: Base; n: number }> = {
  DAY: { base: 'DAY', n: 1 },
  WEEK: { base: 'DAY', n: 7 },
  FORTNIGHT: { base: 'DAY', n: 14 },
  MONTH: { base: 'MONTH', n: 1 },
  QUARTER: { base: 'MONTH', n: 3 },
  YEAR: { base: 'MONTH', n: 12 },
};

export const unitOf = (unit: string): TimeUnit => unit.toUpperCase() as TimeUnit;

export interface Frequency {
  method: FrequencyMethod;
  every: number;
}

/** The product's repayment frequency with its defaults (MONTHLY, every 1). */
export const frequencyOf = (f: CreateLoanProductBody['repayment_frequency']): Frequency => ({ method: f.method ?? 'MONTHLY', every: f.every ?? 1 });

/**
 * How many repayment periods a duration holds (3 MONTH monthly = 3; 45 DAY every 15 days = 3), or
 * undefined when it is not a whole number of them (30 DAY monthly, 2 MONTH quarterly).
 */
export function installmentsIn(period: { value: number; unit: string }, frequency: Frequency): number | undefined {
  const p = UNIT[unitOf(period.unit)];
  const f = FREQUENCY[frequency.method];
  if (p.base !== f.base) return undefined;
  const length = period.value * p.n;
  const step = f.n * frequency.every;
  return length % step === 0 ? length / step : undefined;
}

const describe = (f: Frequency) => (f.every === 1 ? f.method : `${f.method} every ${f.every}`);

/** Every rule the product breaks, in field order. */
export function productIssues(body: CreateLoanProductBody): ProductIssue[] {
  const issues: ProductIssue[] = [];
  const add = (code: string, field: string, reason: string) => issues.push({ code, field, reason });
  const frequency = frequencyOf(body.repayment_frequency);

  const stages = body.stages;
  const last = stages[stages.length - 1];
  if (last && last.repayment_mode.type !== 'PRINCIPAL_AND_INTEREST') {
    add('ELND0301', `body.stages[${stages.length - 1}].repayment_mode.type`, 'must be PRINCIPAL_AND_INTEREST: the last stage collects the loan');
  }
  stages.forEach((stage, i) => {
    const at = `body.stages[${i}]`;
    if (stage.repayment_mode.type === 'MORATORIUM' && stages.slice(0, i).some((s) => s.repayment_mode.type !== 'MORATORIUM')) {
      add('ELND0317', `${at}.repayment_mode.type`, 'a MORATORIUM stage may only open the schedule');
    }
    if (stage.moratorium_interest_rate && stage.repayment_mode.type !== 'MORATORIUM') {
      add('ELND0003', `${at}.moratorium_interest_rate`, 'applies only to a MORATORIUM stage');
    }
    if (stage.period && installmentsIn(stage.period, frequency) === undefined) {
      add('ELND0003', `${at}.period`, `${stage.period.value} ${unitOf(stage.period.unit)} is not a whole number of repayment periods (${describe(frequency)})`);
    }
  });

  const rules = body.rules ?? {};
  const amountRange = (name: 'loan_amount' | 'installment_amount') => {
    const r = rules[name];
    if (r?.min !== undefined && r.max !== undefined && new Dec(r.min).gt(new Dec(r.max))) add('ELND0003', `body.rules.${name}.max`, 'must be at least min');
  };
  amountRange('loan_amount');
  amountRange('installment_amount');
  const n = rules.installment_number;
  if (n?.min !== undefined && n.max !== undefined && n.min > n.max) add('ELND0003', 'body.rules.installment_number.max', 'must be at least min');
  // Terms compare in days or in months (1 MONTH to 4 YEAR is fine); rates compare in the same unit.
  for (const name of ['loan_term', 'moratorium_term'] as const) {
    const r = rules[name];
    if (!r?.min || !r.max) continue;
    const [a, b] = [UNIT[unitOf(r.min.unit)], UNIT[unitOf(r.max.unit)]];
    if (a.base === b.base && r.min.value * a.n > r.max.value * b.n) add('ELND0003', `body.rules.${name}.max`, 'must be at least min');
  }
  for (const name of ['interest_rate', 'moratorium_interest_rate'] as const) {
    const r = rules[name];
    if (!r?.min || !r.max || unitOf(r.min.unit) !== unitOf(r.max.unit)) continue;
    if (new Dec(String(r.min.value)).gt(new Dec(String(r.max.value)))) add('ELND0003', `body.rules.${name}.max.value`, 'must be at least min');
  }

  const penalty = (name: 'early_final_settlement' | 'prepayment', code: string) => {
    const p = body[name]?.penalty;
    if (p?.type === 'PERCENTAGE' && p.value > 1) add(code, `body.${name}.penalty.value`, 'a PERCENTAGE is a fraction from 0 to 1');
  };
  penalty('early_final_settlement', 'ELND0303');
  penalty('prepayment', 'ELND0307');

  if (body.down_payment && body.product_type !== 'BNPL') add('ELND0003', 'body.down_payment', 'applies to BNPL products only');
  if (body.disbursement.type === 'NONE' && body.loan_activation_method === 'ON_DISBURSE') {
    add('ELND0003', 'body.loan_activation_method', 'cannot be ON_DISBURSE for a product without disbursement (disbursement.type NONE)');
  }
  return issues;
}
