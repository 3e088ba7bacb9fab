// Golden tests of the schedule engine: the seed's simulation example to the cent, every worked
// example in shared/reference/lending-examples.json, and each product option on a case computed by
// hand.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { parseDate } from './lending.dates.js';
import { dayCount, yearFraction, type DaysInYearMethod } from './lending.daycount.js';
import { installmentsIn } from './lending.frequency.js';
import { toDecimal } from './lending.rounding.js';
import {
  buildSchedule,
  type RepaymentCalculationMethod,
  type Schedule,
  type ScheduleProduct,
  type ScheduleRequest,
} from './lending.schedule.js';

const dec = (m: { toDecimalString(): string }): string => m.toDecimalString();
const rows = (s: Schedule, pick: (i: Schedule['installments'][number]) => unknown): unknown[] => s.installments.map(pick);

const monthly = (method: RepaymentCalculationMethod, extra: Partial<ScheduleProduct> = {}): ScheduleProduct => ({
  currency: 'USD',
  repayment_calculation_method: method,
  repayment_frequency: { method: 'MONTHLY' },
  ...extra,
});

function expectCode(fn: () => unknown, code: string): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    expect((err as AppError).kind).toBe('invalid');
    return err as AppError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('the seed (003, Digital lending overview): simulation example to the cent', () => {
  const request: ScheduleRequest = {
    product: { currency: 'BRL', repayment_calculation_method: 'EI_REDUCING_BALANCE', repayment_frequency: { method: 'MONTHLY' }, days_in_year_method: 'ACTUAL_ACTUAL' },
    loan_amount: 1000.0,
    start_date: '2022-06-24',
    stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
    disbursement_date: '2022-06-24',
  };

  it('340.02 / 340.02 / 340.03, interest 10.00 / 6.70 / 3.37, total 1020.07', () => {
    const s = buildSchedule(request);
    expect(rows(s, (i) => i.number)).toEqual([1, 2, 3]);
    expect(rows(s, (i) => i.due_date)).toEqual(['2022-07-24', '2022-08-24', '2022-09-24']);
    expect(rows(s, (i) => i.number_of_days)).toEqual([30, 31, 31]);
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['340.02', '340.02', '340.03']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['330.02', '333.32', '336.66']);
    expect(rows(s, (i) => dec(i.interest))).toEqual(['10.00', '6.70', '3.37']);
    expect(rows(s, (i) => dec(i.fees))).toEqual(['0.00', '0.00', '0.00']);
    expect(rows(s, (i) => dec(i.closing_balance))).toEqual(['669.98', '336.66', '0.00']);
    expect(rows(s, (i) => dec(i.opening_balance))).toEqual(['1000.00', '669.98', '336.66']);
    expect(dec(s.totals.principal)).toBe('1000.00');
    expect(dec(s.totals.interest)).toBe('20.07');
    expect(dec(s.totals.total_payment_amount)).toBe('1020.07');
    expect(s.disbursement).toMatchObject({ date: '2022-06-24' });
    expect(dec(s.disbursement.amount)).toBe('1000.00');
    expect(s.maturity_date).toBe('2022-09-24');
    expect(s.stages).toEqual([{ number: 1, repayment_mode: 'PRINCIPAL_AND_INTEREST', installments: 3, annual_rate: '0.12', periodic_rate: '0.01' }]);
  });

  it('under DAILY Actual/365 interest is 9.86 / 6.83 / 3.43, as the conventions file says', () => {
    const s = buildSchedule({ ...request, product: { ...request.product, interest_calculation_period: 'DAILY', days_in_year_method: 'ACTUAL_365' } });
    expect(rows(s, (i) => dec(i.interest))).toEqual(['9.86', '6.83', '3.43']);
    expect(dec(s.totals.principal)).toBe('1000.00');
  });

  it('a Temporal.PlainDate start and a stage counted in installments give the same schedule', async () => {
    const { Temporal } = await import('temporal-polyfill');
    const s = buildSchedule({ ...request, start_date: Temporal.PlainDate.from('2022-06-24'), stages: [{ interest_rate: { value: '0.01', unit: 'MONTH' }, period: { value: 3 } }] });
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['340.02', '340.02', '340.03']);
  });
});

// ---- lending-examples.json ----

/**
 * shared/reference/lending-examples.json beside the repository or beside one of its parent
 * folders (the contract tests find Pismo's specs the same way), or LENDING_EXAMPLES_FILE.
 */
function findExamples(): URL {
  const fromEnv = process.env.LENDING_EXAMPLES_FILE;
  if (fromEnv) return pathToFileURL(fromEnv);
  const repo = new URL('../../../', import.meta.url);
  for (let dir = new URL('../', repo); ; dir = new URL('../', dir)) {
    const candidate = new URL('shared/reference/lending-examples.json', dir);
    if (existsSync(candidate)) return candidate;
    if (dir.pathname === '/') return new URL('../shared/reference/lending-examples.json', repo);
  }
}

interface Example {
  id: string;
  description?: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}

const EXAMPLES_FILE = findExamples();
const examplesPresent = existsSync(EXAMPLES_FILE);

/** An input value as text ('' when absent or not a scalar). */
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** The engine's request for an example's inputs, one per calculation method the example asserts. */
function requestsFor(ex: Example): { method: RepaymentCalculationMethod; request: ScheduleRequest }[] {
  const inp = ex.inputs;
  const methodText = text(inp.method);
  const methods: RepaymentCalculationMethod[] = [];
  if (/EMI|EI_REDUCING|DECLINING/i.test(methodText)) methods.push('EI_REDUCING_BALANCE');
  if (/flat/i.test(methodText)) methods.push('FLAT_BASIS');
  if (/equal principal/i.test(methodText)) methods.push('EQUAL_PRINCIPAL');
  if (methods.length === 0) throw new Error(`example ${ex.id}: no calculation method recognised in "${methodText}"`);
  const freq = /^(\d+)\s+(DAYS|WEEKS|MONTHS|YEARS)$/i.exec(text(inp.frequency) || '1 MONTHS');
  if (!freq) throw new Error(`example ${ex.id}: frequency "${text(inp.frequency)}" not understood`);
  const unit = freq[2]!.toUpperCase();
  const frequency = {
    method: unit === 'DAYS' ? 'DAILY' : unit === 'WEEKS' ? 'WEEKLY' : unit === 'YEARS' ? 'YEARLY' : 'MONTHLY',
    every: Number(freq[1]),
  } as const;
  const config = (inp.product_config ?? {}) as Record<string, unknown>;
  const icp = text(inp.interest_calculation_period) || text(config.interest_calculation_period);
  const multiple = text(inp.installment_amount_in_multiples_of) || text(config.installment_amount_in_multiples_of);
  return methods.map((method) => ({
    method,
    request: {
      product: {
        currency: text(config.currency) || 'USD',
        repayment_calculation_method: method,
        repayment_frequency: frequency,
        interest_calculation_period: icp === 'DAILY' ? 'DAILY' : 'SAME_AS_REPAYMENT_PERIOD',
        ...(multiple ? { installment_amount_in_multiples_of: multiple } : {}),
        ...(inp.grace_on_principal_periods ? { grace_on_principal_periods: Number(inp.grace_on_principal_periods) } : {}),
      },
      loan_amount: text(inp.principal),
      start_date: text(inp.start_date),
      interest_rate: { value: text(inp.annual_rate), unit: 'YEAR' },
      number_of_installments: Number(inp.n_periods),
    },
  }));
}

const FIELDS: [string, (i: Schedule['installments'][number]) => number | string][] = [
  ['due_date', (i) => i.due_date],
  ['days', (i) => i.number_of_days],
  ['principal', (i) => i.principal.toApiNumber()],
  ['interest', (i) => i.interest.toApiNumber()],
  ['fees', (i) => i.fees.toApiNumber()],
  ['total', (i) => i.payment_amount.toApiNumber()],
  ['balance', (i) => i.closing_balance.toApiNumber()],
];

const CONVENTIONS: Record<string, DaysInYearMethod> = {
  '30/360 Bond Basis': 'US_30_360',
  '30E/360': 'EUROPEAN_30_360',
  '30E/360 ISDA': 'ISDA_30E_360',
  'Actual/365 (Fixed)': 'ACTUAL_365',
  'Actual/360': 'ACTUAL_360',
};

describe('every worked example in lending-examples.json', () => {
  if (!examplesPresent) {
    // The examples sit beside the repository (shared/reference), never inside it. In CI their
    // absence is a failure, not a skip; on a bare checkout the golden seed tests above still run.
    const where = fileURLToPath(EXAMPLES_FILE);
    if (process.env.CI) it('finds lending-examples.json', () => expect.fail(`lending examples not found at ${where}`));
    else it.skip(`lending examples not found at ${where}`, () => {});
    return;
  }
  const examples = JSON.parse(readFileSync(EXAMPLES_FILE, 'utf8')) as Example[];

  it('has examples', () => expect(examples.length).toBeGreaterThan(0));

  for (const ex of examples) {
    if (ex.inputs.kind === 'day_count_days') {
      it(`${ex.id}: day counts`, () => {
        const method = CONVENTIONS[String(ex.inputs.convention)];
        expect(method, `convention ${String(ex.inputs.convention)}`).toBeDefined();
        for (const c of (ex.expected.cases ?? []) as { start: string; end: string; days: number }[]) {
          const a = parseDate(c.start)!;
          const b = parseDate(c.end)!;
          expect(dayCount(method!, a, b), `${c.start} → ${c.end}`).toBe(c.days);
          expect(toDecimal(yearFraction(method!, a, b)).toString()).toBe(toDecimal({ n: BigInt(c.days), d: 360n }).toString());
        }
      });
      continue;
    }
    for (const { method, request } of requestsFor(ex)) {
      it(`${ex.id} (${method})`, () => {
        const s = buildSchedule(request);
        const expected = (ex.expected.installments ?? []) as Record<string, number | string>[];
        expect(s.installments).toHaveLength(expected.length);
        for (const [idx, row] of expected.entries()) {
          const got = s.installments[idx]!;
          expect(got.number).toBe(row.period);
          for (const [name, read] of FIELDS) {
            if (row[name] !== undefined) expect(read(got), `period ${String(row.period)} ${name}`).toBe(row[name]);
          }
        }
        if (typeof ex.expected.total_interest === 'number') expect(s.totals.interest.toApiNumber()).toBe(ex.expected.total_interest);
        if (typeof ex.expected.total_repayment === 'number') expect(s.totals.total_payment_amount.toApiNumber()).toBe(ex.expected.total_repayment);
        const totals = ex.expected.totals as Record<string, number> | undefined;
        if (totals?.['Principal due'] !== undefined) expect(s.totals.principal.toApiNumber()).toBe(totals['Principal due']);
        if (totals?.Interest !== undefined) expect(s.totals.interest.toApiNumber()).toBe(totals.Interest);
        if (totals?.Due !== undefined) expect(s.totals.total_payment_amount.toApiNumber()).toBe(totals.Due);
        for (const d of (ex.expected.disbursement_rows ?? []) as { date: string; amount: number }[]) {
          expect(s.disbursement.date).toBe(d.date);
          expect(s.disbursement.amount.toApiNumber()).toBe(d.amount);
        }
      });
    }
  }
});

// ---- each option on a case computed by hand ----

describe('day counts and dates', () => {
  const d = (s: string) => parseDate(s)!;

  it('30E/360 moves both 31sts; 30E/360 ISDA moves month ends but not a February maturity', () => {
    expect(dayCount('EUROPEAN_30_360', d('2006-08-31'), d('2007-02-28'))).toBe(178);
    expect(dayCount('EUROPEAN_30_360', d('2007-02-28'), d('2007-08-31'))).toBe(182);
    expect(dayCount('ISDA_30E_360', d('2007-02-28'), d('2007-08-31'))).toBe(180);
    expect(dayCount('ISDA_30E_360', d('2006-08-31'), d('2007-02-28'))).toBe(180);
    expect(dayCount('ISDA_30E_360', d('2006-08-31'), d('2007-02-28'), true)).toBe(178);
  });

  it('Actual/Actual (ISDA) splits by calendar year; Actual/364 and Actual/360 divide the actual days', () => {
    // 2003-11-01 → 2004-05-01: 61/365 + 121/366 (ISDA's own example, 0.497724380…)
    expect(toDecimal(yearFraction('ACTUAL_ACTUAL', d('2003-11-01'), d('2004-05-01'))).toFixed(10)).toBe('0.4977243806');
    expect(toDecimal(yearFraction('ACTUAL_364', d('2022-01-01'), d('2023-01-01'))).toFixed(6)).toBe('1.002747');
    expect(toDecimal(yearFraction('ACTUAL_360', d('2022-01-01'), d('2022-01-31'))).toFixed(6)).toBe('0.083333');
  });

  it('due dates keep the start day and clamp to the month end (31 Jan → 28 Feb → 31 Mar)', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE'),
      loan_amount: '900.00',
      start_date: '2023-12-31',
      interest_rate: { value: '0.1' },
      number_of_installments: 4,
    });
    expect(rows(s, (i) => i.due_date)).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']);
    expect(rows(s, (i) => i.number_of_days)).toEqual([31, 29, 31, 30]);
    // the first due date clamped (29 Feb) does not drag the next ones to the 29th
    const t = buildSchedule({ product: monthly('EI_REDUCING_BALANCE'), loan_amount: '900.00', start_date: '2024-01-31', interest_rate: { value: '0.1' }, number_of_installments: 3 });
    expect(rows(t, (i) => i.due_date)).toEqual(['2024-02-29', '2024-03-31', '2024-04-30']);
    // a re-schedule from a clamped date keeps the loan's own day
    const u = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE'),
      loan_amount: '600.00',
      start_date: '2024-02-29',
      first_due_date: '2024-03-31',
      due_day_of_month: 31,
      interest_rate: { value: '0.1' },
      number_of_installments: 2,
    });
    expect(rows(u, (i) => i.due_date)).toEqual(['2024-03-31', '2024-04-30']);
  });

  it('a stage period is a duration: 3 MONTH monthly = 3; 45 DAY every 15 days = 3; 12 WEEK biweekly = 6; 1 YEAR quarterly = 4', () => {
    const from = d('2024-01-15');
    expect(installmentsIn({ value: 3, unit: 'MONTH' }, { method: 'MONTHLY' }, from)).toBe(3);
    expect(installmentsIn({ value: 45, unit: 'DAY' }, { method: 'DAILY', every: 15 }, from)).toBe(3);
    expect(installmentsIn({ value: 12, unit: 'WEEK' }, { method: 'BIWEEKLY' }, from)).toBe(6);
    expect(installmentsIn({ value: 1, unit: 'YEAR' }, { method: 'QUARTERLY' }, from)).toBe(4);
    expect(installmentsIn({ value: 2, unit: 'FORTNIGHT' }, { method: 'MONTHLY' }, from)).toBeUndefined();
    const s = buildSchedule({
      product: { currency: 'USD', repayment_calculation_method: 'EI_REDUCING_BALANCE', repayment_frequency: { method: 'DAILY', every: 15 } },
      loan_amount: '300.00',
      start_date: '2024-01-15',
      stages: [{ interest_rate: { value: 0 }, period: { value: 45, unit: 'DAY' } }],
    });
    expect(rows(s, (i) => i.due_date)).toEqual(['2024-01-30', '2024-02-14', '2024-02-29']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['100.00', '100.00', '100.00']);
  });

  it('real_due_date comes from the business-day adjuster the caller passes', () => {
    const nextMonday = (iso: string): string => (iso === '2022-07-24' ? '2022-07-25' : iso); // a Sunday
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE'),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      interest_rate: { value: '0.12' },
      number_of_installments: 3,
      business_day: nextMonday,
    });
    expect(rows(s, (i) => i.real_due_date)).toEqual(['2022-07-25', '2022-08-24', '2022-09-24']);
    expect(rows(s, (i) => i.due_date)).toEqual(['2022-07-24', '2022-08-24', '2022-09-24']);
  });

  it('a first due date makes a broken first period with interest for its days', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE', { days_in_year_method: 'ACTUAL_365' }),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      first_due_date: '2022-08-10',
      interest_rate: { value: '0.12' },
      number_of_installments: 3,
    });
    expect(rows(s, (i) => i.due_date)).toEqual(['2022-08-10', '2022-09-10', '2022-10-10']);
    expect(s.installments[0]!.number_of_days).toBe(47);
    expect(dec(s.installments[0]!.interest)).toBe('15.45'); // 1000 × 0.12 × 47/365 = 15.452
    // the annuity stays PMT(1 %, 3, 1000) = 340.02: principal 324.57, then 675.43 × 1 % = 6.75
    expect(dec(s.installments[0]!.principal)).toBe('324.57');
    expect(dec(s.installments[1]!.interest)).toBe('6.75');
  });
});

describe('calculation methods', () => {
  const base = { loan_amount: '1250.00', start_date: '2023-01-01', interest_rate: { value: '0.12' }, number_of_installments: 3 };

  it('FLAT_BASIS: interest on the amount lent each period, principal in equal parts, the last taking the rest', () => {
    const s = buildSchedule({ ...base, product: monthly('FLAT_BASIS') });
    expect(rows(s, (i) => dec(i.interest))).toEqual(['12.50', '12.50', '12.50']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['416.67', '416.67', '416.66']);
  });

  it('FLAT_BASIS in multiples of 1: principal 416.50 / 416.50 / 417.00 (Fineract)', () => {
    const s = buildSchedule({ ...base, product: monthly('FLAT_BASIS', { installment_amount_in_multiples_of: 1 }) });
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['429.00', '429.00', '429.50']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['416.50', '416.50', '417.00']);
  });

  it('ADD_ON_INTEREST: the whole term’s interest once, spread evenly', () => {
    const s = buildSchedule({ ...base, loan_amount: '1000.00', product: monthly('ADD_ON_INTEREST') });
    expect(dec(s.totals.interest)).toBe('30.00');
    expect(rows(s, (i) => dec(i.interest))).toEqual(['10.00', '10.00', '10.00']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['333.33', '333.33', '333.34']);
  });

  it('EQUAL_PRINCIPAL: level principal, interest on the reducing balance', () => {
    const s = buildSchedule({ ...base, loan_amount: '1200.00', product: monthly('EQUAL_PRINCIPAL') });
    expect(rows(s, (i) => dec(i.principal))).toEqual(['400.00', '400.00', '400.00']);
    expect(rows(s, (i) => dec(i.interest))).toEqual(['12.00', '8.00', '4.00']);
  });

  it('rounding modes: HALF_UP, DOWN and UP round the installment and interest their way', () => {
    const req = { ...base, loan_amount: '1000.00', product: monthly('EI_REDUCING_BALANCE') };
    // PMT(1 %, 3, 1000) = 340.0221…
    expect(dec(buildSchedule({ ...req, product: { ...req.product, rounding_mode: 'UP' } }).installments[0]!.payment_amount)).toBe('340.03');
    expect(dec(buildSchedule({ ...req, product: { ...req.product, rounding_mode: 'DOWN' } }).installments[0]!.payment_amount)).toBe('340.02');
    // 669.98 × 1 % = 6.6998: DOWN 6.69, HALF_UP 6.70
    expect(dec(buildSchedule({ ...req, product: { ...req.product, rounding_mode: 'DOWN' } }).installments[1]!.interest)).toBe('6.69');
    expect(dec(buildSchedule({ ...req, product: { ...req.product, rounding_mode: 'HALF_UP' } }).installments[1]!.interest)).toBe('6.70');
  });
});

describe('stages, grace and moratorium', () => {
  it('INTEREST_ONLY then PRINCIPAL_AND_INTEREST: interest alone, then an annuity over the rest', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE', { stages: [{ repayment_mode: 'INTEREST_ONLY' }, { repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }] }),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      stages: [
        { interest_rate: { value: 0.12 }, period: { value: 2, unit: 'MONTH' } },
        { interest_rate: { value: 0.12 }, period: { value: 3, unit: 'MONTH' } },
      ],
    });
    expect(rows(s, (i) => i.repayment_mode)).toEqual(['INTEREST_ONLY', 'INTEREST_ONLY', 'PRINCIPAL_AND_INTEREST', 'PRINCIPAL_AND_INTEREST', 'PRINCIPAL_AND_INTEREST']);
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['10.00', '10.00', '340.02', '340.02', '340.03']);
    expect(s.installments.map((i) => i.stage)).toEqual([1, 1, 2, 2, 2]);
  });

  it('a stage with its own rate re-amortizes the balance at that rate', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE'),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      stages: [
        { interest_rate: { value: 0 }, period: { value: 1 } },
        { interest_rate: { value: 0.12 }, period: { value: 3 } },
      ],
    });
    // 0 % first: PMT(0, 4, 1000) = 250.00 all principal; then PMT(1 %, 3, 750) = 255.02
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['250.00', '255.02', '255.02', '255.00']);
    expect(rows(s, (i) => dec(i.interest))).toEqual(['0.00', '7.50', '5.02', '2.52']);
  });

  it('MORATORIUM: nothing due, interest at the moratorium rate amortized over the remaining installments', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE', { stages: [{ repayment_mode: 'MORATORIUM', moratorium_interest_rate: { value: '0.06' } }, { repayment_mode: 'PRINCIPAL_AND_INTEREST' }] }),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      stages: [
        { interest_rate: { value: 0.12 }, period: { value: 2, unit: 'MONTH' } },
        { interest_rate: { value: 0.12 }, period: { value: 3, unit: 'MONTH' } },
      ],
    });
    // 2 × 1000 × 0.5 % = 10.00 accrued, 3.33 / 3.33 / 3.34 on top of the 10.00 / 6.70 / 3.37
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['0.00', '0.00', '343.35', '343.35', '343.37']);
    expect(rows(s, (i) => dec(i.accrued_interest))).toEqual(['5.00', '5.00', '10.00', '6.70', '3.37']);
    expect(dec(s.totals.interest)).toBe('30.07');
  });

  it('Pismo refuses a moratorium at the end (ELND0301) or between collecting stages (ELND0317)', () => {
    const stages = (...modes: ('MORATORIUM' | 'PRINCIPAL_AND_INTEREST')[]) => ({
      product: monthly('EI_REDUCING_BALANCE', { stages: modes.map((m) => ({ repayment_mode: m })) }),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      stages: modes.map(() => ({ interest_rate: { value: 0.12 }, period: { value: 2 } })),
    });
    expectCode(() => buildSchedule(stages('PRINCIPAL_AND_INTEREST', 'MORATORIUM')), 'ELND0301');
    expectCode(() => buildSchedule(stages('PRINCIPAL_AND_INTEREST', 'MORATORIUM', 'PRINCIPAL_AND_INTEREST')), 'ELND0317');
  });

  it('grace on principal: interest only for the grace periods, then the annuity over the rest', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE', { grace_on_principal_periods: 2 }),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      interest_rate: { value: 0.12 },
      number_of_installments: 5,
    });
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['10.00', '10.00', '340.02', '340.02', '340.03']);
  });

  it('grace on interest payment: interest deferred to the first installment after the grace', () => {
    const s = buildSchedule({
      product: monthly('EQUAL_PRINCIPAL', { grace_on_interest_payment_periods: 1 }),
      loan_amount: '1200.00',
      start_date: '2022-06-24',
      interest_rate: { value: 0.12 },
      number_of_installments: 3,
    });
    expect(rows(s, (i) => dec(i.interest))).toEqual(['0.00', '20.00', '4.00']);
    expect(rows(s, (i) => dec(i.accrued_interest))).toEqual(['12.00', '8.00', '4.00']);
  });

  it('interest-free periods waive the interest (BNPL promotion)', () => {
    const s = buildSchedule({
      product: monthly('EQUAL_PRINCIPAL', { interest_free_periods: 2 }),
      loan_amount: '1200.00',
      start_date: '2022-06-24',
      interest_rate: { value: 0.12 },
      number_of_installments: 3,
    });
    expect(rows(s, (i) => dec(i.interest))).toEqual(['0.00', '0.00', '4.00']);
  });
});

describe('BNPL down payment and charges', () => {
  it('down payment: 25 % due on the disbursement date, the rest in installments; the merchant gets the whole amount', () => {
    const s = buildSchedule({
      product: { currency: 'USD', repayment_calculation_method: 'EQUAL_PRINCIPAL', repayment_frequency: { method: 'BIWEEKLY' }, down_payment: { percentage: 25 }, interest_free_periods: 3 },
      loan_amount: '400.00',
      start_date: '2024-03-01',
      interest_rate: { value: 0.3 },
      number_of_installments: 3,
    });
    expect(s.down_payment).toEqual({ amount: expect.anything(), due_date: '2024-03-01' });
    expect(dec(s.down_payment!.amount)).toBe('100.00');
    expect(rows(s, (i) => i.due_date)).toEqual(['2024-03-15', '2024-03-29', '2024-04-12']);
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['100.00', '100.00', '100.00']);
    expect(dec(s.disbursement.amount)).toBe('400.00');
    expect(dec(s.totals.total_payment_amount)).toBe('400.00');
  });

  it('charges: DEDUCT from the disbursement, UPFRONT on the disbursement date, AMORTISED over installments; percentages clamp to min/max', () => {
    const s = buildSchedule({
      product: monthly('EI_REDUCING_BALANCE', {
        charges: [
          { code: 'ORIG', type: 'FEE', collection_method: 'DEDUCT', percentage: { value: 2, max_charged_amount: '15.00' } },
          { code: 'IOF', type: 'TAX', collection_method: 'DEDUCT', percentage: { value: '0.38' } },
          { code: 'DOC', type: 'CHARGE', collection_method: 'UPFRONT', fixed_amount: { value: '5.00' } },
          { code: 'SVC', type: 'FEE', collection_method: 'AMORTISED', percentage: { value: 1, min_charged_amount: '20.00' } },
        ],
      }),
      loan_amount: '1000.00',
      start_date: '2022-06-24',
      interest_rate: { value: 0.12 },
      number_of_installments: 3,
    });
    expect(s.charges.map((c) => [c.code, dec(c.amount)])).toEqual([
      ['ORIG', '15.00'],
      ['IOF', '3.80'],
      ['DOC', '5.00'],
      ['SVC', '20.00'],
    ]);
    expect(dec(s.disbursement.amount)).toBe('981.20');
    expect([dec(s.disbursement.fee), dec(s.disbursement.tax), dec(s.disbursement.charge)]).toEqual(['15.00', '3.80', '0.00']);
    expect(dec(s.upfront.total)).toBe('5.00');
    expect(rows(s, (i) => dec(i.fee))).toEqual(['6.67', '6.67', '6.66']);
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['346.69', '346.69', '346.69']);
    expect(dec(s.totals.total_payment_amount)).toBe('1045.07');
  });

  it('a charge with both fixed_amount and percentage is refused (ELND0202)', () => {
    expectCode(
      () =>
        buildSchedule({
          product: monthly('EI_REDUCING_BALANCE', { charges: [{ type: 'FEE', collection_method: 'DEDUCT', fixed_amount: { value: 1 }, percentage: { value: 1 } }] }),
          loan_amount: '1000.00',
          start_date: '2022-06-24',
          interest_rate: { value: 0.12 },
          number_of_installments: 3,
        }),
      'ELND0202',
    );
  });
});

describe('limits and bad input', () => {
  const req = (n: number, extra: Partial<ScheduleRequest> = {}): ScheduleRequest => ({
    product: monthly('EI_REDUCING_BALANCE'),
    loan_amount: '1000.00',
    start_date: '2022-06-24',
    interest_rate: { value: 0.12 },
    number_of_installments: n,
    ...extra,
  });

  it('500 installments are scheduled; 501 are refused with Pismo’s ELND0006', () => {
    expect(buildSchedule(req(500)).installments).toHaveLength(500);
    const err = expectCode(() => buildSchedule(req(501)), 'ELND0006');
    expect(err.message).toBe('More than 500 repayments not supported');
    expectCode(() => buildSchedule({ ...req(1), stages: [{ interest_rate: { value: 0.1 }, period: { value: 42, unit: 'YEAR' } }] }), 'ELND0006');
    expectCode(() => buildSchedule({ ...req(1), stages: [{ interest_rate: { value: 0.1 }, period: { value: 1e12, unit: 'DAY' } }] }), 'ELND0006');
  });

  it('refuses a zero amount, a negative rate, 0 or 6 stages, a bad date, a period that is not whole periods', () => {
    expectCode(() => buildSchedule(req(3, { loan_amount: '0' })), 'ELND0105');
    expectCode(() => buildSchedule(req(3, { interest_rate: { value: -0.1 } })), 'ELND0116');
    expectCode(() => buildSchedule({ ...req(3), stages: [] }), 'ELND0107');
    expectCode(() => buildSchedule({ ...req(3), stages: Array.from({ length: 6 }, () => ({ interest_rate: { value: 0.1 }, period: { value: 1 } })) }), 'ELND0107');
    expectCode(() => buildSchedule(req(3, { start_date: '2022-02-30' })), 'ELND0003');
    expectCode(() => buildSchedule(req(3, { loan_amount: '10.005' })), 'ELND0003');
    expectCode(() => buildSchedule({ ...req(3), stages: [{ interest_rate: { value: 0.1 }, period: { value: 10, unit: 'DAY' } }] }), 'ELND0003');
    expectCode(() => buildSchedule({ ...req(3), stages: [{ interest_rate: { value: 0.1 }, period: { value: -1 } }] }), 'ELND0119');
  });
});

describe('tranches (multiple disbursements)', () => {
  // 3 000.00 at 12 % a year (1 % a month, nominal), 3 monthly installments from 2023-01-01 (due
  // 02-01, 03-01, 04-01): 1 000.00 disbursed on 2023-01-01 and 2 000.00 on 2023-02-15, half-way
  // through the 28 days of period 2 (14 days out of 28).
  const base: ScheduleRequest = {
    product: monthly('EI_REDUCING_BALANCE'),
    loan_amount: '3000.00',
    start_date: '2023-01-01',
    interest_rate: { value: '0.12' },
    number_of_installments: 3,
    tranches: [
      { date: '2023-01-01', amount: '1000.00' },
      { date: '2023-02-15', amount: '2000.00' },
    ],
  };

  it('one tranche is the schedule of a single disbursement, bit for bit', () => {
    const single: ScheduleRequest = {
      product: { currency: 'BRL', repayment_calculation_method: 'EI_REDUCING_BALANCE', repayment_frequency: { method: 'MONTHLY' } },
      loan_amount: 1000.0,
      start_date: '2022-06-24',
      stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
      disbursement_date: '2022-06-30',
    };
    const { disbursement_date: _d, ...rest } = single;
    expect(buildSchedule({ ...rest, tranches: [{ date: '2022-06-30', amount: '1000.00' }] })).toEqual(buildSchedule(single));
    expect(buildSchedule(single).disbursements).toHaveLength(1);
  });

  it('EI_REDUCING_BALANCE: the installment is re-amortized from the period the tranche lands in', () => {
    // 1: PMT(1 %, 3, 1000.00) = 340.02; interest 10.00; principal 330.02; balance 669.98.
    // 2: opening 669.98 + 2000.00 = 2669.98; PMT(1 %, 2, 2669.98) = 1355.048… → 1355.05;
    //    interest 1 % × (669.98 + 2000.00 × 14/28) = 16.6998 → 16.70; principal 1338.35; balance 1331.63.
    // 3: interest 13.3163 → 13.32; principal 1331.63 (the rest); payment 1344.95.
    const s = buildSchedule(base);
    expect(rows(s, (i) => dec(i.opening_balance))).toEqual(['1000.00', '2669.98', '1331.63']);
    expect(rows(s, (i) => dec(i.interest))).toEqual(['10.00', '16.70', '13.32']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['330.02', '1338.35', '1331.63']);
    expect(rows(s, (i) => dec(i.payment_amount))).toEqual(['340.02', '1355.05', '1344.95']);
    expect(rows(s, (i) => dec(i.closing_balance))).toEqual(['669.98', '1331.63', '0.00']);
    expect(dec(s.totals.principal)).toBe('3000.00');
    expect(dec(s.totals.interest)).toBe('40.02');
    expect(s.disbursements.map((d) => [d.date, dec(d.principal), dec(d.amount)])).toEqual([
      ['2023-01-01', '1000.00', '1000.00'],
      ['2023-02-15', '2000.00', '2000.00'],
    ]);
    expect(s.disbursement.date).toBe('2023-01-01');
  });

  it('a tranche on a due date is out for the whole of the next period', () => {
    // 2 000.00 on 2023-02-01 (installment 1's due date): in period 2 for all its 28 days.
    // 2: interest 1 % × (669.98 + 2000.00) = 26.6998 → 26.70; principal 1355.05 − 26.70 = 1328.35.
    const s = buildSchedule({ ...base, tranches: [{ date: '2023-01-01', amount: '1000.00' }, { date: '2023-02-01', amount: '2000.00' }] });
    expect(rows(s, (i) => dec(i.interest))).toEqual(['10.00', '26.70', '13.42']);
    expect(rows(s, (i) => dec(i.principal))).toEqual(['330.02', '1328.35', '1341.63']);
  });

  it('EQUAL_PRINCIPAL: the principal per installment is recomputed on the larger balance', () => {
    // 1: 1000.00 / 3 = 333.33; interest 10.00. 2: (666.67 + 2000.00) / 2 = 1333.335 → 1333.34 (half-even);
    // interest 1 % × (666.67 + 1000.00) = 16.6667 → 16.67. 3: 1333.33; interest 13.3333 → 13.33.
    const s = buildSchedule({ ...base, product: monthly('EQUAL_PRINCIPAL') });
    expect(rows(s, (i) => dec(i.principal))).toEqual(['333.33', '1333.34', '1333.33']);
    expect(rows(s, (i) => dec(i.interest))).toEqual(['10.00', '16.67', '13.33']);
  });

  it('FLAT_BASIS and ADD_ON_INTEREST: interest on the amount disbursed, each tranche from its own date', () => {
    // Flat: 1 % × 1000.00 = 10.00; 1 % × (1000.00 + 2000.00 × 14/28) = 20.00; 1 % × 3000.00 = 30.00.
    const flat = buildSchedule({ ...base, product: monthly('FLAT_BASIS') });
    expect(rows(flat, (i) => dec(i.interest))).toEqual(['10.00', '20.00', '30.00']);
    expect(rows(flat, (i) => dec(i.principal))).toEqual(['333.33', '1333.34', '1333.33']);
    // Add-on: the same 60.00 for the term, spread evenly.
    const addOn = buildSchedule({ ...base, product: monthly('ADD_ON_INTEREST') });
    expect(rows(addOn, (i) => dec(i.interest))).toEqual(['20.00', '20.00', '20.00']);
    expect(dec(addOn.totals.principal)).toBe('3000.00');
  });

  it('charges deducted come off the first tranche; upfront charges fall due on its date', () => {
    const s = buildSchedule({
      ...base,
      product: monthly('EI_REDUCING_BALANCE', {
        charges: [
          { type: 'FEE', collection_method: 'DEDUCT', fixed_amount: { value: '50.00' } },
          { type: 'TAX', collection_method: 'UPFRONT', fixed_amount: { value: '10.00' } },
        ],
      }),
    });
    expect(s.disbursements.map((d) => [dec(d.principal), dec(d.fee), dec(d.amount)])).toEqual([
      ['1000.00', '50.00', '950.00'],
      ['2000.00', '0.00', '2000.00'],
    ]);
    expect(s.upfront.due_date).toBe('2023-01-01');
    expect(dec(s.upfront.tax)).toBe('10.00');
  });

  it('refuses tranches not summing to the loan, out of order, before the start or past maturity, and a down payment', () => {
    const t = (tranches: ScheduleRequest['tranches'], extra: Partial<ScheduleRequest> = {}) => () => buildSchedule({ ...base, tranches, ...extra });
    const field = (err: AppError) => (err.details as { field: string }[])[0]!.field;
    expect(field(expectCode(t([{ date: '2023-01-01', amount: '1000.00' }, { date: '2023-02-15', amount: '1999.99' }]), 'ELND0003'))).toBe('tranches');
    expect(field(expectCode(t([{ date: '2023-02-15', amount: '1000.00' }, { date: '2023-01-10', amount: '2000.00' }]), 'ELND0003'))).toBe('tranches[1].date');
    expect(field(expectCode(t([{ date: '2023-01-05', amount: '1000.00' }, { date: '2023-01-05', amount: '2000.00' }]), 'ELND0003'))).toBe('tranches[1].date');
    expect(field(expectCode(t([{ date: '2022-12-31', amount: '1000.00' }, { date: '2023-02-15', amount: '2000.00' }]), 'ELND0003'))).toBe('tranches[0].date');
    expect(field(expectCode(t([{ date: '2023-01-01', amount: '1000.00' }, { date: '2023-04-01', amount: '2000.00' }]), 'ELND0003'))).toBe('tranches[1].date');
    expect(field(expectCode(t([{ date: '2023-01-01', amount: '3000.00' }, { date: '2023-02-01', amount: '0' }]), 'ELND0003'))).toBe('tranches[1].amount');
    expect(field(expectCode(t(base.tranches, { product: monthly('FLAT_BASIS', { down_payment: { percentage: 25 } }) }), 'ELND0003'))).toBe('tranches');
    const deducting = monthly('EI_REDUCING_BALANCE', { charges: [{ type: 'FEE', collection_method: 'DEDUCT', fixed_amount: { value: '1000.00' } }] });
    expect(field(expectCode(t(base.tranches, { product: deducting }), 'ELND0003'))).toBe('charges');
  });
});
