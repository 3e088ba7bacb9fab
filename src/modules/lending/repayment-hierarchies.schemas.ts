// Request and response schemas of Pismo's repayment hierarchies (Lending v1:
// /lending/v1/repayment-hierarchies): the order in which a repayment pays an installment's parts.
import { Type, type Static } from 'typebox';
import { PlanStatus } from './lending.plans.js';

export const HIERARCHY_ITEMS = ['PRINCIPAL', 'INTEREST', 'TAX', 'CHARGE', 'FEE', 'PENALTY'] as const;
export type HierarchyItem = (typeof HIERARCHY_ITEMS)[number];

/** The order a product without repayment_hierarchy_code repays in: penalties, fees, interest, then principal. */
export const DEFAULT_REPAYMENT_HIERARCHY: readonly HierarchyItem[] = ['PENALTY', 'FEE', 'CHARGE', 'TAX', 'INTEREST', 'PRINCIPAL'];

// Repeats are checked by the service (the spec's ELND0600), not by uniqueItems.
const Hierarchy = Type.Array(Type.Union(HIERARCHY_ITEMS.map((i) => Type.Literal(i))), {
  minItems: 6,
  maxItems: 6,
  description: 'All six of PRINCIPAL, INTEREST, TAX, CHARGE, FEE, PENALTY, each once: the first is paid first.',
});

export const CreateRepaymentHierarchyBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 32, description: 'Repayment hierarchy code, unique in the org.' }),
  hierarchy: Hierarchy,
});
export type CreateRepaymentHierarchyBody = Static<typeof CreateRepaymentHierarchyBody>;

export const RepaymentHierarchy = Type.Object(
  {
    code: Type.String(),
    hierarchy: Type.Array(Type.String()),
    status: PlanStatus,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'RepaymentHierarchy' },
);
export type RepaymentHierarchy = Static<typeof RepaymentHierarchy>;

export const RepaymentHierarchyPage = Type.Object(
  {
    next_cursor: Type.String({ description: 'Cursor of the next page; "" on the last one.' }),
    has_next: Type.Boolean(),
    items: Type.Array(RepaymentHierarchy),
  },
  { title: 'RepaymentHierarchyPage' },
);
