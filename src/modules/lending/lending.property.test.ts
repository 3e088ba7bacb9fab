// Property tests of the schedule engine, the allocator and the prepayment helpers over random
// products, amounts and dates: money is conserved to the minor unit, balances never go negative
// and end at zero, and the same input always gives the same output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money } from '../../platform/money.js';
import { COMPONENTS, allocateRepayment, type Component } from './lending.allocation.js';
import { DAYS_IN_YEAR_METHODS } from './lending.daycount.js';
import { FREQUENCY_METHODS } from './lending.frequency.js';
import { payoffQuote, reschedulePrepayment } from './lending.prepayment.js';
import { ROUNDING_MODES } from './lending.rounding.js';
import {
  type ChargeDefinition,
  REPAYMENT_CALCULATION_METHODS,
  type RepaymentModeType,
  type Schedule,
  type ScheduleRequest,
  type StageInput,
  buildSchedule,
} from './lending.schedule.js';

const CUR = 'USD';
const money = (minor: bigint | number): string => Money.ofMinor(BigInt(minor), CUR).toDecimalString();
const rateText = (basisPoints: number): string => (basisPoints / 10_000).toFixed(4); // exact: an integer ÷ 10⁴ printed to 4 places

const isoDate = fc
  .record({ y: fc.integer({ min: 1990, max: 2060 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .map(({ y, m, d }) => {
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate(); // fixture generation only, never the engine
    return `${y}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
  });

const charge: fc.Arbitrary<ChargeDefinition> = fc.record({
  type: fc.constantFrom('FEE', 'TAX', 'CHARGE'),
  collection_method: fc.constantFrom('DEDUCT', 'UPFRONT', 'AMORTISED'),
  kind: fc.oneof(
    fc.integer({ min: 0, max: 5_000 }).map((minor) => ({ fixed_amount: { value: money(minor) } })),
    fc.integer({ min: 0, max: 300 }).map((bp) => ({ percentage: { value: rateText(bp * 100).replace(/0+$/, '').replace(/\.$/, '') } })),
  ),
}).map(({ kind, ...rest }) => ({ ...rest, ...kind }));

const stage = (mode: RepaymentModeType): fc.Arbitrary<StageInput> =>
  fc
    .record({
      bp: fc.integer({ min: 0, max: 6_000 }),
      unit: fc.constantFrom('YEAR' as const, 'MONTH' as const),
      count: fc.integer({ min: 1, max: mode === 'PRINCIPAL_AND_INTEREST' ? 60 : 6 }),
    })
    .map(({ bp, unit, count }) => ({
      interest_rate: { value: rateText(unit === 'MONTH' ? Math.floor(bp / 12) : bp), unit },
      period: { value: count },
      repayment_mode: mode,
    }));

const stages: fc.Arbitrary<StageInput[]> = fc
  .tuple(
    fc.option(stage('MORATORIUM'), { nil: undefined }),
    fc.array(fc.oneof(stage('INTEREST_ONLY'), stage('PRINCIPAL_AND_INTEREST')), { maxLength: 2 }),
    stage('PRINCIPAL_AND_INTEREST'),
  )
  .map(([m, mid, last]) => [...(m ? [m] : []), ...mid, last]);

const request: fc.Arbitrary<ScheduleRequest> = fc
  .record({
    method: fc.constantFrom(...REPAYMENT_CALCULATION_METHODS),
    frequency: fc.constantFrom(...FREQUENCY_METHODS),
    every: fc.integer({ min: 1, max: 3 }),
    dayCount: fc.constantFrom(...DAYS_IN_YEAR_METHODS),
    daily: fc.boolean(),
    rounding: fc.constantFrom(...ROUNDING_MODES),
    multiple: fc.constantFrom(undefined, '0.05', '1', '10', '20'),
    gracePrincipal: fc.integer({ min: 0, max: 3 }),
    graceInterest: fc.integer({ min: 0, max: 3 }),
    interestFree: fc.integer({ min: 0, max: 3 }),
    downPayment: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    charges: fc.array(charge, { maxLength: 3 }),
    amount: fc.bigInt({ min: 100_00n, max: 5_000_000_00n }),
    start: isoDate,
    firstDueOffset: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    stages,
  })
  .map((r) => {
    const start = r.start;
    const firstDue = r.firstDueOffset === undefined ? undefined : shiftIso(start, r.firstDueOffset);
    return {
      product: {
        currency: CUR,
        repayment_calculation_method: r.method,
        repayment_frequency: { method: r.frequency, every: r.every },
        days_in_year_method: r.dayCount,
        interest_calculation_period: r.daily ? 'DAILY' : 'SAME_AS_REPAYMENT_PERIOD',
        rounding_mode: r.rounding,
        ...(r.multiple ? { installment_amount_in_multiples_of: r.multiple } : {}),
        grace_on_principal_periods: r.gracePrincipal,
        grace_on_interest_payment_periods: r.graceInterest,
        interest_free_periods: r.interestFree,
        ...(r.downPayment === undefined ? {} : { down_payment: { percentage: r.downPayment } }),
        charges: r.charges,
      },
      loan_amount: money(r.amount),
      start_date: start,
      ...(firstDue ? { first_due_date: firstDue } : {}),
      stages: r.stages,
    } satisfies ScheduleRequest;
  });

function shiftIso(iso: string, days: number): string {
  const t = Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000; // fixture generation only
  return new Date(t).toISOString().slice(0, 10);
}

/** Everything in a schedule as plain text, to compare two runs. */
const serialize = (s: Schedule): string => JSON.stringify(s, (_k, v: unknown) => (v instanceof Money ? v.toString() : v));

function checkSchedule(req: ScheduleRequest, s: Schedule): void {
  const loan = Money.fromDecimal(req.loan_amount, CUR).minor;
  // Tranches after the first join the balance of the period they land in (previous due ≤ date < due).
  const later = (req.tranches ?? []).slice(1).map((t) => ({ date: String(t.date), minor: Money.fromDecimal(t.amount, CUR).minor }));
  const landing = (from: string, to: string) => later.filter((t) => t.date >= from && t.date < to).reduce((a, t) => a + t.minor, 0n);
  let periodStart = String(req.start_date);
  let principal = 0n;
  let interest = 0n;
  let accrued = 0n;
  let fees = 0n;
  let paid = 0n;
  let previousClosing = loan - s.totals.down_payment.minor - later.reduce((a, t) => a + t.minor, 0n);
  let previousDue = '';
  for (const i of s.installments) {
    expect(i.opening_balance.minor).toBe(previousClosing + landing(periodStart, i.due_date));
    periodStart = i.due_date;
    expect(i.principal.minor >= 0n && i.interest.minor >= 0n && i.fees.minor >= 0n).toBe(true);
    expect(i.closing_balance.minor).toBe(i.opening_balance.minor - i.principal.minor);
    expect(i.closing_balance.minor >= 0n).toBe(true);
    expect(i.fees.minor).toBe(i.fee.minor + i.tax.minor + i.charge.minor);
    expect(i.payment_amount.minor).toBe(i.principal.minor + i.interest.minor + i.fees.minor);
    expect(i.due_date > previousDue).toBe(true);
    previousDue = i.due_date;
    previousClosing = i.closing_balance.minor;
    principal += i.principal.minor;
    interest += i.interest.minor;
    accrued += i.accrued_interest.minor;
    fees += i.fees.minor;
    paid += i.payment_amount.minor;
  }
  expect(previousClosing).toBe(0n);
  expect(principal + s.totals.down_payment.minor).toBe(loan);
  expect(s.totals.principal.minor).toBe(principal);
  expect(s.totals.interest.minor).toBe(interest);
  expect(interest).toBe(accrued); // every accrued minor unit is due once: deferred, never lost
  expect(s.totals.fees.minor).toBe(fees);
  expect(s.totals.installments.minor).toBe(paid);
  expect(s.totals.installments.minor).toBe(s.totals.principal.minor + s.totals.interest.minor + s.totals.fees.minor);
  expect(s.totals.total_payment_amount.minor).toBe(paid + s.totals.down_payment.minor + s.totals.upfront.minor);
  const amortised = s.charges.filter((c) => c.collection_method === 'AMORTISED').reduce((a, c) => a + c.amount.minor, 0n);
  const deducted = s.charges.filter((c) => c.collection_method === 'DEDUCT').reduce((a, c) => a + c.amount.minor, 0n);
  expect(fees).toBe(amortised);
  expect(s.disbursements.reduce((a, d) => a + d.amount.minor, 0n)).toBe(loan - deducted);
  expect(s.disbursements.reduce((a, d) => a + d.principal.minor, 0n)).toBe(loan);
  expect(s.disbursement).toEqual(s.disbursements[0]);
}

describe('schedule properties over random products, amounts and dates', () => {
  it('principal sums to the amount; balances ≥ 0 and the last is 0; total = principal + interest + fees; deterministic', () => {
    fc.assert(
      fc.property(request, (req) => {
        let s: Schedule;
        try {
          s = buildSchedule(req);
        } catch (err) {
          // Only documented refusals: deducted charges or a down payment eating the loan.
          expect((err as { code?: string }).code).toBe('ELND0003');
          return;
        }
        checkSchedule(req, s);
        expect(serialize(buildSchedule(req))).toBe(serialize(s));
      }),
      { numRuns: 400 },
    );
  });
});

describe('schedule properties over random tranche sets', () => {
  // A random product (no down payment: a loan with one is disbursed once) paid out in 2–4
  // tranches: the first on the start date, the others on distinct days before maturity.
  const tranched = fc.record({
    req: request.map(({ product: { down_payment: _dp, ...product }, ...rest }) => ({ ...rest, product })),
    shares: fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 2, maxLength: 4 }),
    days: fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 3, maxLength: 3 }),
  });

  it('principal sums to the amount; balances ≥ 0 and the last is 0; each tranche joins its period; deterministic', () => {
    let scheduled = 0;
    fc.assert(
      fc.property(tranched, ({ req: base, shares, days }) => {
        let plain: Schedule;
        try {
          plain = buildSchedule(base);
        } catch {
          return;
        }
        const start = String(base.start_date);
        const term = Math.round((Date.parse(`${plain.maturity_date}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000);
        const offsets = [...new Set(days.slice(0, shares.length - 1).map((d) => 1 + (d % (term - 1 || 1))))].filter((d) => d < term).sort((a, b) => a - b);
        const loan = Money.fromDecimal(base.loan_amount, CUR).minor;
        const weights = shares.slice(0, offsets.length + 1);
        const total = BigInt(weights.reduce((a, w) => a + w, 0));
        const amounts = weights.map((w) => (loan * BigInt(w)) / total);
        amounts[0] = amounts[0]! + loan - amounts.reduce((a, x) => a + x, 0n);
        if (amounts.some((a) => a <= 0n)) return;
        const req: ScheduleRequest = {
          ...base,
          tranches: amounts.map((a, j) => ({ date: j === 0 ? start : shiftIso(start, offsets[j - 1]!), amount: money(a) })),
        };
        let s: Schedule;
        try {
          s = buildSchedule(req);
        } catch (err) {
          // Only documented refusals: deducted charges eating the first tranche.
          expect((err as { code?: string }).code).toBe('ELND0003');
          expect((err as { details?: { field: string }[] }).details?.[0]?.field).toBe('charges');
          return;
        }
        if (amounts.length > 1) scheduled++;
        expect(s.disbursements).toHaveLength(amounts.length);
        checkSchedule(req, s);
        expect(serialize(buildSchedule(req))).toBe(serialize(s));
      }),
      { numRuns: 400 },
    );
    expect(scheduled).toBeGreaterThan(100); // schedules of two tranches or more
  });
});

// ---- allocation ----

const component = fc.constantFrom(...COMPONENTS);
const outstanding = fc.array(
  fc.record({ parts: fc.array(fc.tuple(component, fc.bigInt({ min: 0n, max: 100_000n })), { maxLength: 7 }) }),
  { minLength: 1, maxLength: 6 },
);

describe('allocation properties', () => {
  it('conserves money: allocated + overpayment = amount; allocated + remaining = outstanding; the hierarchy is respected', () => {
    fc.assert(
      fc.property(
        outstanding,
        fc.bigInt({ min: 0n, max: 500_000n }),
        fc.shuffledSubarray([...COMPONENTS]),
        fc.constantFrom('INSTALLMENT' as const, 'COMPONENT' as const),
        (rows, amount, hierarchy, order) => {
          const installments = rows.map((r, i) => {
            const o: Partial<Record<Component, Money>> = {};
            for (const [c, v] of r.parts) o[c] = Money.ofMinor(v, CUR);
            return { number: i + 1, outstanding: o };
          });
          const res = allocateRepayment({ amount: Money.ofMinor(amount, CUR), installments, hierarchy, order });
          expect(res.allocated.minor + res.overpayment.minor).toBe(amount);
          let sum = 0n;
          const full = [...hierarchy, ...COMPONENTS.filter((c) => !hierarchy.includes(c))];
          for (const [idx, a] of res.allocations.entries()) {
            const inst = installments[idx]!;
            let rowSum = 0n;
            for (const c of COMPONENTS) {
              const was = inst.outstanding[c]?.minor ?? 0n;
              expect(a.allocated[c].minor + a.remaining[c].minor).toBe(was);
              expect(a.allocated[c].minor >= 0n).toBe(true);
              rowSum += a.allocated[c].minor;
            }
            expect(a.total.minor).toBe(rowSum);
            sum += rowSum;
            if (order === 'INSTALLMENT') {
              // Within an installment, a component only gets money once every earlier one is clear.
              for (let j = 0; j < full.length; j++) {
                if (a.allocated[full[j]!].minor > 0n) for (let e = 0; e < j; e++) expect(a.remaining[full[e]!].minor).toBe(0n);
              }
              // A later installment only gets money once this one is clear.
              if (res.allocations.slice(idx + 1).some((b) => b.total.minor > 0n)) expect(a.settled).toBe(true);
            }
          }
          expect(sum).toBe(res.allocated.minor);
          if (res.overpayment.minor > 0n) expect(res.allocations.every((a) => a.settled)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ---- pay-off and prepayment ----

const emi: fc.Arbitrary<ScheduleRequest> = fc
  .record({
    amount: fc.bigInt({ min: 100_00n, max: 1_000_000_00n }),
    n: fc.integer({ min: 2, max: 120 }),
    bp: fc.integer({ min: 0, max: 4_000 }),
    method: fc.constantFrom(...REPAYMENT_CALCULATION_METHODS),
    start: isoDate,
  })
  .map((r) => ({
    product: { currency: CUR, repayment_calculation_method: r.method, repayment_frequency: { method: 'MONTHLY' as const } },
    loan_amount: money(r.amount),
    start_date: r.start,
    interest_rate: { value: rateText(r.bp) },
    number_of_installments: r.n,
  }));

describe('pay-off and prepayment properties', () => {
  it('a pay-off quote is the sum of its parts, all the principal, and no more interest than the schedule', () => {
    fc.assert(
      fc.property(emi, fc.integer({ min: -40, max: 4_000 }), (req, offset) => {
        const s = buildSchedule(req);
        const open = s.installments.map((i, idx) => ({
          number: i.number,
          period_start: idx === 0 ? s.start_date : s.installments[idx - 1]!.due_date,
          due_date: i.due_date,
          principal: i.principal,
          interest: i.interest,
          fee: i.fee,
          tax: i.tax,
          charge: i.charge,
          penalty: Money.zero(CUR),
        }));
        const q = payoffQuote({ installments: open, settlement_date: shiftIso(s.start_date, offset), penalty: { type: 'PERCENTAGE', value: '0.02' } });
        expect(q.principal.minor).toBe(s.totals.principal.minor);
        expect(q.interest.minor <= s.totals.interest.minor).toBe(true);
        expect(q.total.minor).toBe(q.principal.minor + q.interest.minor + q.fee.minor + q.tax.minor + q.charge.minor + q.penalty.minor + q.settlement_penalty.minor);
        if (offset <= 0) expect(q.interest.minor).toBe(0n);
        if (shiftIso(s.start_date, offset) >= s.maturity_date) expect(q.interest.minor).toBe(s.totals.interest.minor);
      }),
      { numRuns: 200 },
    );
  });

  it('a prepayment re-schedule repays exactly the new balance: INSTALLMENT keeps the term, TERM keeps the installment', () => {
    fc.assert(
      fc.property(emi, fc.integer({ min: 1, max: 99 }), fc.constantFrom('INSTALLMENT' as const, 'TERM' as const), (req, pct, reduce) => {
        const s = buildSchedule(req);
        const outstanding = s.installments[0]!.closing_balance;
        const paid = (outstanding.minor * BigInt(pct)) / 100n;
        if (paid === 0n) return;
        const remaining = s.installments.length - 1;
        const current = s.installments[1]!.principal.add(s.installments[1]!.accrued_interest);
        const r = reschedulePrepayment({
          product: req.product,
          interest_rate: req.interest_rate!,
          outstanding_principal: outstanding.toDecimalString(),
          amount_paid: money(paid),
          period_start: s.installments[0]!.due_date,
          next_due_date: s.installments[1]!.due_date,
          remaining_installments: remaining,
          current_installment: current.toDecimalString(),
          reduce,
          due_day_of_month: Number(s.start_date.slice(8)),
        });
        expect(r.schedule.totals.principal.minor).toBe(outstanding.minor - paid);
        checkSchedule({ ...req, loan_amount: r.outstanding_principal.toDecimalString() }, r.schedule);
        expect(r.schedule.installments[0]!.due_date).toBe(s.installments[1]!.due_date);
        if (reduce === 'INSTALLMENT') expect(r.schedule.maturity_date).toBe(s.maturity_date);
        else {
          expect(r.schedule.installments.length <= remaining).toBe(true);
          if (req.product.repayment_calculation_method === 'EI_REDUCING_BALANCE') {
            for (const i of r.schedule.installments.slice(0, -1)) expect(i.payment_amount.minor <= current.minor).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
