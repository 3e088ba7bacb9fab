// Repayment allocation (pure): a payment spread over installments' outstanding components in a
// hierarchy order, every minor unit accounted for — what is allocated plus the overpayment is
// exactly the amount paid.
import type { Money } from '../../platform/money.js';
import { ScheduleErrors } from './lending.schedule.errors.js';

/** Pismo v2 repayment-hierarchy components. */
export type Component = 'PENALTY' | 'FEE' | 'TAX' | 'CHARGE' | 'INSURANCE' | 'INTEREST' | 'PRINCIPAL';

export const COMPONENTS: readonly Component[] = ['PENALTY', 'FEE', 'TAX', 'CHARGE', 'INSURANCE', 'INTEREST', 'PRINCIPAL'];

/** The default hierarchy: penalties → fees (fee, tax, charge, insurance) → interest → principal. */
export const DEFAULT_HIERARCHY: readonly Component[] = COMPONENTS;

export interface OutstandingInstallment {
  number: number;
  /** Outstanding amount per component; a missing component is 0. */
  outstanding: Partial<Record<Component, Money>>;
}

export interface AllocationRequest {
  amount: Money;
  /** In the order they are to be paid (oldest due first). */
  installments: OutstandingInstallment[];
  /** Components in priority order; components left out follow in the default order. */
  hierarchy?: readonly Component[];
  /**
   * INSTALLMENT (default): each installment is cleared component by component before the next one;
   * COMPONENT: each component is cleared across every installment before the next component.
   */
  order?: 'INSTALLMENT' | 'COMPONENT';
}

export interface InstallmentAllocation {
  number: number;
  /** What the payment covers, per component (every component present, 0 when untouched). */
  allocated: Record<Component, Money>;
  total: Money;
  /** What stays outstanding after the payment. */
  remaining: Record<Component, Money>;
  settled: boolean;
}

export interface AllocationResult {
  allocations: InstallmentAllocation[];
  allocated: Money;
  /** The part of the payment nothing was outstanding for; the caller decides what to do with it. */
  overpayment: Money;
}

/** The full hierarchy: the caller's order, then whatever it left out in the default order. */
export function resolveHierarchy(hierarchy: readonly Component[] | undefined): Component[] {
  const given = hierarchy ?? DEFAULT_HIERARCHY;
  const seen = new Set<Component>();
  for (const [i, c] of given.entries()) {
    if (!COMPONENTS.includes(c)) throw ScheduleErrors.notValid(`hierarchy[${i}]`, `must be one of ${COMPONENTS.join(', ')}`);
    if (seen.has(c)) throw ScheduleErrors.notValid(`hierarchy[${i}]`, `repeats ${c}`);
    seen.add(c);
  }
  return [...given, ...DEFAULT_HIERARCHY.filter((c) => !seen.has(c))];
}

export function allocateRepayment(req: AllocationRequest): AllocationResult {
  const currency = req.amount.currency;
  if (req.amount.isNegative()) throw ScheduleErrors.notValid('repayment_amount', 'must not be negative');
  const order = resolveHierarchy(req.hierarchy);
  const zero = req.amount.subtract(req.amount);
  const rows = req.installments.map((inst, i) => {
    const remaining = {} as Record<Component, Money>;
    for (const c of COMPONENTS) {
      const v = inst.outstanding[c] ?? zero;
      if (v.currency.code !== currency.code) throw ScheduleErrors.notValid(`installments[${i}].${c}`, `is not in ${currency.code}`);
      if (v.isNegative()) throw ScheduleErrors.notValid(`installments[${i}].${c}`, 'must not be negative');
      remaining[c] = v;
    }
    const allocated = Object.fromEntries(COMPONENTS.map((c) => [c, zero])) as Record<Component, Money>;
    return { number: inst.number, remaining, allocated };
  });

  let left = req.amount;
  const take = (row: (typeof rows)[number], c: Component): void => {
    if (left.isZero() || row.remaining[c].isZero()) return;
    const part = row.remaining[c].compare(left) <= 0 ? row.remaining[c] : left;
    row.allocated[c] = row.allocated[c].add(part);
    row.remaining[c] = row.remaining[c].subtract(part);
    left = left.subtract(part);
  };
  if ((req.order ?? 'INSTALLMENT') === 'INSTALLMENT') {
    for (const row of rows) for (const c of order) take(row, c);
  } else {
    for (const c of order) for (const row of rows) take(row, c);
  }

  let allocatedTotal = zero;
  const allocations = rows.map((row) => {
    const total = COMPONENTS.reduce((s, c) => s.add(row.allocated[c]), zero);
    allocatedTotal = allocatedTotal.add(total);
    return {
      number: row.number,
      allocated: row.allocated,
      total,
      remaining: row.remaining,
      settled: COMPONENTS.every((c) => row.remaining[c].isZero()),
    };
  });
  return { allocations, allocated: allocatedTotal, overpayment: left };
}
