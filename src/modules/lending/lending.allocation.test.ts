// Allocation, pay-off and prepayment on cases computed by hand (the properties are in
// lending.property.test.ts).
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { Money } from '../../platform/money.js';
import { allocateRepayment, type Component } from './lending.allocation.js';
import { payoffQuote, reschedulePrepayment } from './lending.prepayment.js';
import { buildSchedule, type ScheduleProduct } from './lending.schedule.js';

const usd = (v: string): Money => Money.fromDecimal(v, 'USD');
const dec = (m: Money): string => m.toDecimalString();
const owed = (parts: Partial<Record<Component, string>>): Partial<Record<Component, Money>> =>
  Object.fromEntries(Object.entries(parts).map(([c, v]) => [c, usd(v)]));

describe('repayment allocation', () => {
  const installments = [
    { number: 1, outstanding: owed({ PENALTY: '5.00', FEE: '2.00', INTEREST: '10.00', PRINCIPAL: '100.00' }) },
    { number: 2, outstanding: owed({ INTEREST: '8.00', PRINCIPAL: '100.00' }) },
  ];

  it('default: the oldest installment first, penalties → fees → interest → principal', () => {
    const r = allocateRepayment({ amount: usd('130.00'), installments });
    expect(dec(r.allocations[0]!.total)).toBe('117.00');
    expect(r.allocations[0]!.settled).toBe(true);
    expect([dec(r.allocations[1]!.allocated.INTEREST), dec(r.allocations[1]!.allocated.PRINCIPAL)]).toEqual(['8.00', '5.00']);
    expect(dec(r.allocations[1]!.remaining.PRINCIPAL)).toBe('95.00');
    expect(dec(r.overpayment)).toBe('0.00');
  });

  it('an overpayment is returned explicitly, never spread', () => {
    const r = allocateRepayment({ amount: usd('300.00'), installments });
    expect(dec(r.allocated)).toBe('225.00');
    expect(dec(r.overpayment)).toBe('75.00');
    expect(r.allocations.every((a) => a.settled)).toBe(true);
  });

  it('COMPONENT order clears a component across installments before the next; a custom hierarchy leads', () => {
    const byComponent = allocateRepayment({ amount: usd('20.00'), installments, order: 'COMPONENT' });
    expect(dec(byComponent.allocations[0]!.allocated.INTEREST)).toBe('10.00');
    expect(dec(byComponent.allocations[1]!.allocated.INTEREST)).toBe('3.00');
    const principalFirst = allocateRepayment({ amount: usd('50.00'), installments, hierarchy: ['PRINCIPAL', 'INTEREST'] });
    expect(dec(principalFirst.allocations[0]!.allocated.PRINCIPAL)).toBe('50.00');
    expect(dec(principalFirst.allocations[0]!.allocated.PENALTY)).toBe('0.00');
  });

  it('refuses a hierarchy naming a component twice', () => {
    expect(() => allocateRepayment({ amount: usd('1.00'), installments, hierarchy: ['FEE', 'FEE'] })).toThrow(AppError);
  });
});

const seedProduct: ScheduleProduct = { currency: 'USD', repayment_calculation_method: 'EI_REDUCING_BALANCE', repayment_frequency: { method: 'MONTHLY' } };
const seed = buildSchedule({ product: seedProduct, loan_amount: '1000.00', start_date: '2022-06-24', interest_rate: { value: '0.12' }, number_of_installments: 3 });
const open = seed.installments.map((i, idx) => ({
  number: i.number,
  period_start: idx === 0 ? seed.start_date : seed.installments[idx - 1]!.due_date,
  due_date: i.due_date,
  principal: i.principal,
  interest: i.interest,
  fee: i.fee,
  tax: i.tax,
  charge: i.charge,
  penalty: Money.zero('USD'),
}));

describe('pay-off quote (early final settlement)', () => {
  it('the seed loan on 2022-08-09: installment 1 in full, 16 of 31 days of period 2, all the principal, 2 % penalty', () => {
    const q = payoffQuote({ installments: open, settlement_date: '2022-08-09', penalty: { type: 'PERCENTAGE', value: '0.02' } });
    expect(dec(q.principal)).toBe('1000.00');
    expect(dec(q.interest)).toBe('13.46'); // 10.00 + 6.70 × 16/31 = 3.458
    expect(dec(q.settlement_penalty)).toBe('20.00');
    expect(dec(q.total)).toBe('1033.46');
    expect(q.installments).toBe(3);
  });

  it('PERIOD_END charges the running period’s whole interest; a FIXED_AMOUNT penalty is added as is', () => {
    const q = payoffQuote({ installments: open, settlement_date: '2022-08-09', interest_to: 'PERIOD_END', penalty: { type: 'FIXED_AMOUNT', value: '15.00' } });
    expect(dec(q.interest)).toBe('16.70');
    expect(dec(q.total)).toBe('1031.70');
  });
});

describe('prepayment re-schedule', () => {
  const after1 = {
    product: seedProduct,
    interest_rate: { value: '0.12' },
    outstanding_principal: '669.98',
    amount_paid: '300.00',
    period_start: '2022-07-24',
    next_due_date: '2022-08-24',
    remaining_installments: 2,
    current_installment: '340.02',
  };

  it('INSTALLMENT: 369.98 re-amortized over the same 2 installments (PMT(1 %, 2, 369.98) = 187.77)', () => {
    const r = reschedulePrepayment({ ...after1, reduce: 'INSTALLMENT' });
    expect(r.schedule.installments.map((i) => dec(i.payment_amount))).toEqual(['187.77', '187.77']);
    expect(r.schedule.maturity_date).toBe('2022-09-24');
  });

  it('TERM: the installment stays 340.02 and the last one shrinks', () => {
    const r = reschedulePrepayment({ ...after1, amount_paid: '100.00', reduce: 'TERM' });
    expect(r.schedule.installments.map((i) => dec(i.payment_amount))).toEqual(['340.02', '238.02']);
    const shorter = reschedulePrepayment({ ...after1, amount_paid: '400.00', reduce: 'TERM' });
    expect(shorter.schedule.installments.map((i) => dec(i.payment_amount))).toEqual(['272.68']);
  });

  // Several stages, 1000 at 12 % a year (1 % a month) from 2022-06-24: what the stages left to
  // run become, with their modes, after 400 is paid (the HTTP test works the same cents).
  const staged = (first: 'INTEREST_ONLY' | 'MORATORIUM', firstLeft: number) => ({
    product: seedProduct,
    interest_rate: { value: '0.12' },
    outstanding_principal: '1000.00',
    amount_paid: '400.00',
    period_start: firstLeft === 2 ? '2022-06-24' : '2022-07-24',
    next_due_date: firstLeft === 2 ? '2022-07-24' : '2022-08-24',
    remaining_installments: firstLeft + 3,
    current_installment: '0',
    due_day_of_month: 24,
    stages: [
      { interest_rate: { value: '0.12' }, period: { value: firstLeft }, repayment_mode: first },
      { interest_rate: { value: '0.12' }, period: { value: 3 }, repayment_mode: 'PRINCIPAL_AND_INTEREST' as const },
    ],
  });
  const rows = (s: { installments: { repayment_mode: string; principal: Money; interest: Money }[] }) =>
    s.installments.map((i) => [i.repayment_mode, dec(i.principal), dec(i.interest)]);

  it('INSTALLMENT across stages: interest only on 600 (6.00), then PMT(1 %, 3, 600) = 204.01; the stage before the payment as booked', () => {
    const r = reschedulePrepayment({ ...staged('INTEREST_ONLY', 2), reduce: 'INSTALLMENT' });
    expect(rows(r.schedule)).toEqual([
      ['INTEREST_ONLY', '0.00', '6.00'],
      ['INTEREST_ONLY', '0.00', '6.00'],
      ['PRINCIPAL_AND_INTEREST', '198.01', '6.00'],
      ['PRINCIPAL_AND_INTEREST', '199.99', '4.02'],
      ['PRINCIPAL_AND_INTEREST', '202.00', '2.02'],
    ]);
    expect(r.schedule.maturity_date).toBe('2022-11-24');
    // `before`: the same stages on 1000, the loan as booked (PMT(1 %, 3, 1000) = 340.02).
    expect(rows(r.before!).slice(2).map((l) => l[1])).toEqual(['330.02', '333.32', '336.66']);
  });

  it('TERM across stages: the moratorium month left stays, the last stage keeps the fewest installments within 340.02 (2: 304.51)', () => {
    const r = reschedulePrepayment({ ...staged('MORATORIUM', 1), reduce: 'TERM' });
    expect(r.schedule.installments.map((i) => i.repayment_mode)).toEqual(['MORATORIUM', 'PRINCIPAL_AND_INTEREST', 'PRINCIPAL_AND_INTEREST']);
    // The moratorium's 6.00 on 600 is spread over the 2 installments after it (3.00 each).
    expect(rows(r.schedule)).toEqual([
      ['MORATORIUM', '0.00', '0.00'],
      ['PRINCIPAL_AND_INTEREST', '298.51', '9.00'],
      ['PRINCIPAL_AND_INTEREST', '301.49', '6.01'],
    ]);
    expect(r.schedule.maturity_date).toBe('2022-10-24');
  });

  it('refuses a prepayment not below the outstanding principal (ELND0508)', () => {
    try {
      reschedulePrepayment({ ...after1, amount_paid: '669.98', reduce: 'TERM' });
      expect.fail('no error');
    } catch (err) {
      expect((err as AppError).code).toBe('ELND0508');
    }
  });
});
