// Isolation seed of lending products and plans: a charge plan, a penalty plan and a repayment
// hierarchy, a loan product on the org's CREDITO program naming all three, and the program's
// configuration; and the routes that name a program or a plan in their body. (Codes and product
// ids are per org, so B could create its own under A's; the walk does not, as B's own object
// under the same code would then answer the routes that name it.)
import type { IsolationSeed, WalkCase } from '../walk.js';

const L = '/lending/v1';

const productBody = (programId: number, extra: Record<string, unknown> = {}) => ({
  program_id: programId,
  product_name: 'walk product',
  product_type: 'PERSONAL',
  collateral: 'NONE',
  currency: 986,
  days_in_year_method: 'US_30_360',
  disbursement: { type: 'SINGLE' },
  interest_type: 'SIMPLE',
  loan_type: 'FIXED_RATE',
  repayment_calculation_method: 'EI_REDUCING_BALANCE',
  repayment_frequency: { method: 'MONTHLY' },
  stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }],
  ...extra,
});
const chargeBody = (code: string, name = 'walk charge plan') => ({ code, name, type: 'FEE', collection_method: 'DEDUCT', currency: 986, fixed_amount: { value: 10 } });
const penaltyBody = (code: string, name = 'walk penalty plan') => ({ code, name, apply_when: ['PAST_DUE'], currency: 986, grace_days: 2, fixed_amount: 5 });
const hierarchyBody = (code: string) => ({ code, hierarchy: ['PENALTY', 'FEE', 'CHARGE', 'TAX', 'INTEREST', 'PRINCIPAL'] });

/** A list filtered on one of A's objects must come back empty to B. */
const noProducts = (label: string, query: string): WalkCase => ({
  label,
  query,
  expect: { status: 200, reason: "a filter on another org's object matches nothing" },
  check: (res) => (res.json().items.length === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
});

const refusedReference = (field: string): WalkCase['expect'] => ({
  status: 400,
  code: 'ELND0005',
  reason: `another org's ${field} is related data not found (the spec's 400 ELND0005)`,
});

export const lendingSeed: IsolationSeed = {
  module: 'lending',
  async seed(s) {
    const program = Number(s.value('program'));
    const charge = s.mark('tac');
    const penalty = s.mark('late');
    const hierarchy = s.mark('hier');
    await s.call('POST', `${L}/charge-plans`, chargeBody(charge, s.mark('charge-name')));
    await s.call('POST', `${L}/penalty-plans`, penaltyBody(penalty, s.mark('penalty-name')));
    await s.call('POST', `${L}/repayment-hierarchies`, hierarchyBody(hierarchy));
    const product = await s.call(
      'POST',
      `${L}/loan-products`,
      productBody(program, { product_name: s.mark('product'), charge_plan_codes: [charge], penalty_plan_codes: [penalty], repayment_hierarchy_code: hierarchy }),
    );
    const productId = String(product.product_id);
    await s.call('PUT', `${L}/program-configurations/${program}`, { configs: [{ enabled: true, type: 'BEFORE_PAST_DUE', number_of_days: 3 }] });
    return {
      params: {
        [`${L}/loan-products/{productId}`]: [{ productId }],
        [`${L}/charge-plans/{code}`]: [{ code: charge }],
        [`${L}/charge-plans/{code}/enable`]: [{ code: charge }],
        [`${L}/charge-plans/{code}/disable`]: [{ code: charge }],
        [`${L}/penalty-plans/{code}`]: [{ code: penalty }],
        [`${L}/penalty-plans/{code}/enable`]: [{ code: penalty }],
        [`${L}/penalty-plans/{code}/disable`]: [{ code: penalty }],
        [`${L}/repayment-hierarchies/{code}`]: [{ code: hierarchy }],
        [`${L}/repayment-hierarchies/{code}/enable`]: [{ code: hierarchy }],
        [`${L}/repayment-hierarchies/{code}/disable`]: [{ code: hierarchy }],
        [`${L}/program-configurations/{programId}`]: [{ programId: String(program) }],
      },
      values: { loanProduct: productId, chargePlan: charge, penaltyPlan: penalty, repaymentHierarchy: hierarchy },
      markers: [productId, s.mark('product'), charge, penalty, hierarchy, s.mark('charge-name'), s.mark('penalty-name')],
      snapshot: [
        `${L}/loan-products?limit=50`,
        `${L}/loan-products/${productId}`,
        `${L}/charge-plans?limit=50`,
        `${L}/charge-plans/${encodeURIComponent(charge)}`,
        `${L}/penalty-plans?limit=50`,
        `${L}/penalty-plans/${encodeURIComponent(penalty)}`,
        `${L}/repayment-hierarchies?limit=50`,
        `${L}/repayment-hierarchies/${encodeURIComponent(hierarchy)}`,
        `${L}/program-configurations/${program}`,
      ],
    };
  },
  routes: {
    [`GET ${L}/loan-products`]: {
      cases: ({ a }) => [noProducts("A's program", `program_id=${a.value('program')}`)],
    },
    [`POST ${L}/loan-products`]: {
      body: ({ b }) => productBody(Number(b.value('program'))),
      cases: ({ a, b }) => [
        { label: "A's program", body: productBody(Number(a.value('program'))), expect: refusedReference('program') },
        { label: "A's charge plan", body: productBody(Number(b.value('program')), { charge_plan_codes: [a.value('chargePlan')] }), expect: refusedReference('charge plan') },
        { label: "A's penalty plan", body: productBody(Number(b.value('program')), { penalty_plan_codes: [a.value('penaltyPlan')] }), expect: refusedReference('penalty plan') },
        {
          label: "A's repayment hierarchy",
          body: productBody(Number(b.value('program')), { repayment_hierarchy_code: a.value('repaymentHierarchy') }),
          expect: refusedReference('repayment hierarchy'),
        },
      ],
    },
    [`POST ${L}/charge-plans`]: {
      body: () => chargeBody('WALK_CHARGE'),
    },
    [`POST ${L}/penalty-plans`]: {
      body: () => penaltyBody('WALK_PENALTY'),
    },
    [`POST ${L}/repayment-hierarchies`]: {
      body: () => hierarchyBody('WALK_HIERARCHY'),
    },
    [`PUT ${L}/program-configurations/{programId}`]: {
      body: () => ({ configs: [{ enabled: false, type: 'AFTER_PAST_DUE', number_of_days: 1 }] }),
      expect: { status: 400, code: 'ELND0005', reason: "another org's program is related data not found (the spec's PUT declares no 404)" },
    },
  },
};
