// Data events of lending products and plans. Loan product created is Pismo's
// `lending-loan-product-creation-3`; Pismo's lending events page names Charge plan created /
// status changed / deleted without publishing slugs, so Lastro names them in the same form
// (`lending-charge-plan-creation-1`, …) and does the same for penalty plans, repayment hierarchies
// and program configurations.
import { Type, type Static, type TSchema } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

export const LENDING_DOMAIN = 'lending';

const PlanStatus = Type.Union([Type.Literal('ENABLED'), Type.Literal('DISABLED'), Type.Literal('DELETED')]);

const LoanProductEventData = Type.Object({
  org_id: Type.String(),
  product_id: Type.String(),
  product_name: Type.String(),
  product_type: Type.String(),
  product_version: Type.String(),
  program_id: Type.Integer(),
  currency: Type.Integer({ description: 'ISO 4217 numeric code.' }),
  status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE')]),
  created_at: Type.String({ format: 'date' }),
  charge_plan_codes: Type.Optional(Type.Array(Type.String())),
  penalty_plan_codes: Type.Optional(Type.Array(Type.String())),
  repayment_hierarchy_code: Type.Optional(Type.String()),
});

const ChargePlanEventData = Type.Object({
  org_id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: Type.String(),
  collection_method: Type.String(),
  currency: Type.Integer(),
  status: PlanStatus,
  previous_status: Type.Optional(PlanStatus),
});

const PenaltyPlanEventData = Type.Object({
  org_id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  apply_when: Type.Array(Type.String()),
  currency: Type.Integer(),
  status: PlanStatus,
  previous_status: Type.Optional(PlanStatus),
});

const HierarchyEventData = Type.Object({
  org_id: Type.String(),
  code: Type.String(),
  hierarchy: Type.Array(Type.String()),
  status: PlanStatus,
  previous_status: Type.Optional(PlanStatus),
});

const ProgramConfigurationEventData = Type.Object({
  org_id: Type.String(),
  program_id: Type.Integer(),
  configs: Type.Array(Type.Object({ enabled: Type.Boolean(), type: Type.String(), number_of_days: Type.Integer() })),
});

const ORG = 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11';
const chargeExample = { org_id: ORG, code: 'TAC', name: 'Contract fee', type: 'FEE', collection_method: 'DEDUCT', currency: 986, status: 'ENABLED' as const };
const penaltyExample = { org_id: ORG, code: 'LATE_FEE', name: 'Late fee', apply_when: ['PAST_DUE'], currency: 986, status: 'ENABLED' as const };
const hierarchyExample = {
  org_id: ORG,
  code: 'CR005',
  hierarchy: ['PENALTY', 'FEE', 'CHARGE', 'TAX', 'INTEREST', 'PRINCIPAL'],
  status: 'ENABLED' as const,
};

/** The three events of a plan kind: created, status changed (enable/disable), deleted. */
function planEvents<S extends TSchema>(kind: string, title: string, schema: S, example: Static<S>) {
  return {
    created: defineEvent({
      domain: LENDING_DOMAIN,
      eventType: `${kind}-creation`,
      version: 1,
      title: `${title} created`,
      description: `A ${title.toLowerCase()} was created (status ENABLED).`,
      schema,
      example,
    }),
    statusChanged: defineEvent({
      domain: LENDING_DOMAIN,
      eventType: `${kind}-status-change`,
      version: 1,
      title: `${title} status changed`,
      description: `A ${title.toLowerCase()} was enabled or disabled.`,
      schema,
      example: { ...example, status: 'DISABLED', previous_status: 'ENABLED' },
    }),
    deleted: defineEvent({
      domain: LENDING_DOMAIN,
      eventType: `${kind}-deletion`,
      version: 1,
      title: `${title} deleted`,
      description: `A ${title.toLowerCase()} was deleted (status DELETED; it cannot be recovered).`,
      schema,
      example: { ...example, status: 'DELETED', previous_status: 'ENABLED' },
    }),
  };
}

export const LendingEvents = {
  loanProductCreated: defineEvent({
    domain: LENDING_DOMAIN,
    eventType: 'loan-product-creation',
    version: 3,
    title: 'Loan product created',
    description: 'A loan product was created (POST /lending/v1/loan-products).',
    schema: LoanProductEventData,
    example: {
      org_id: ORG,
      product_id: '8753ee7e-d227-4bcf-bd10-af03afca738e',
      product_name: 'Personal loan 12%',
      product_type: 'PERSONAL',
      product_version: '1',
      program_id: 1504,
      currency: 986,
      status: 'ACTIVE',
      created_at: '2022-06-24',
      charge_plan_codes: ['TAC'],
    },
  }),
  chargePlan: planEvents('charge-plan', 'Charge plan', ChargePlanEventData, chargeExample),
  penaltyPlan: planEvents('penalty-plan', 'Penalty plan', PenaltyPlanEventData, penaltyExample),
  repaymentHierarchy: planEvents('repayment-hierarchy', 'Repayment hierarchy', HierarchyEventData, hierarchyExample),
  programConfigurationUpdated: defineEvent({
    domain: LENDING_DOMAIN,
    eventType: 'program-configuration-update',
    version: 1,
    title: 'Program configuration updated',
    description: "A program's lending configuration (past-due notifications) was set (PUT /lending/v1/program-configurations/{programId}).",
    schema: ProgramConfigurationEventData,
    example: { org_id: ORG, program_id: 1504, configs: [{ enabled: true, type: 'BEFORE_PAST_DUE', number_of_days: 3 }] },
  }),
};

/** Every event type of lending products and plans, for the catalog. */
export const LENDING_PRODUCT_EVENTS = [
  LendingEvents.loanProductCreated,
  ...Object.values(LendingEvents.chargePlan),
  ...Object.values(LendingEvents.penaltyPlan),
  ...Object.values(LendingEvents.repaymentHierarchy),
  LendingEvents.programConfigurationUpdated,
];

export type ChargePlanEventData = Static<typeof ChargePlanEventData>;
export type PenaltyPlanEventData = Static<typeof PenaltyPlanEventData>;
export type HierarchyEventData = Static<typeof HierarchyEventData>;
export type LoanProductEventData = Static<typeof LoanProductEventData>;
