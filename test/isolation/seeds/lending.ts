// Isolation seed of lending products and plans: a charge plan, a penalty plan and a repayment
// hierarchy, a loan product on the org's CREDITO program naming all three, and the program's
// configuration; a DEBITO program with an account and a product of its own, a simulation, a
// booked loan and a disbursed one, and spare simulations for B to book; and the routes that name
// a program, a plan, a product, a simulation or an account in their body. (Codes and product
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

/** The seed's simulation (a sandbox org replays its 2022 dates). */
const simulationBody = (productId: string, extra: Record<string, unknown> = {}) => ({
  product_id: productId,
  loan_amount: 1000,
  start_date: '2022-06-24',
  stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
  disbursement: [{ due_date: '2022-06-24' }],
  ...extra,
});
const disburseBody = (accountId: string) => ({ disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: Number(accountId) } });

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

    // Loans: a DEBITO program of their own with the borrower's account.
    const debit = await s.call('POST', '/programs/v1/programs/template', {
      name: s.mark('loan-program'),
      type: 'DEBITO',
      timezone: 'America/Sao_Paulo',
      currency_numeric_code: '986',
      country_code: 'BRA',
      bin: { value: '999998', start_range: '0', end_range: '999999999' },
      brand: 'VISA',
    });
    // An account holds one loan until it is final (409 WLND0001): one borrower per loan, and a
    // spare one for B's booking in the walk.
    const borrower = async (doc: string) =>
      String(
        (
          await s.call(
            'POST',
            '/acquisitions/v3/s2s/applications',
            { application: { submit: true, program_id: debit.id, applicant: { document_number: s.mark(doc).slice(0, 15), personal: { name: s.mark('borrower') } } } },
            201,
          )
        ).account_id,
      );
    const account = await borrower('loan-doc');
    const spareAccount = await borrower('ld-spare');
    const loanProduct = String((await s.call('POST', `${L}/loan-products`, productBody(Number(debit.id), { product_name: s.mark('loan-product'), days_in_year_method: 'ACTUAL_ACTUAL' }))).product_id);
    const simulate = async (external: string) => (await s.call('POST', `${L}/simulations`, simulationBody(loanProduct, { external_id: s.mark(external) }))).loan_simulation_id as string;
    const simulation = await simulate('sim');
    const booked = (await s.call('POST', `${L}/loans`, { loan_simulation_id: simulation, account_id: Number(account), external_id: s.mark('booked') }, 202)).loan_id as string;
    const active = (await s.call('POST', `${L}/loans`, { loan_simulation_id: await simulate('sim2'), account_id: Number(await borrower('ld-active')), external_id: s.mark('active') }, 202)).loan_id as string;
    await s.call('POST', `${L}/loans/${active}/disburse`, disburseBody(account), 202);
    await s.call('POST', `${L}/loans/${active}/repayment`, { repayment_id: s.mark('repayment'), repayment_date: '2022-07-24', repayment_amount: 340.02 }, 202);
    const efsProduct = String(
      (await s.call('POST', `${L}/loan-products`, productBody(Number(debit.id), { days_in_year_method: 'ACTUAL_ACTUAL', early_final_settlement: { penalty: { type: 'PERCENTAGE', value: 0.02 }, lock_in_period: 0 } }))).product_id,
    );
    const efsSimulation = (await s.call('POST', `${L}/simulations`, simulationBody(efsProduct))).loan_simulation_id as string;
    const settling = (await s.call('POST', `${L}/loans`, { loan_simulation_id: efsSimulation, account_id: Number(await borrower('ld-efs')) }, 202)).loan_id as string;
    await s.call('POST', `${L}/loans/${settling}/disburse`, disburseBody(account), 202);
    const efs = (await s.call('POST', `${L}/loans/${settling}/early-settlement/simulate`, {}, 201)).id as string;
    // Prepayment: a loan starting today (nothing due yet) on a product with prepayment.
    const today = (await s.call('GET', '/lastro/v1/clock', undefined, 200)).business_date as string;
    const ppProduct = String(
      (await s.call('POST', `${L}/loan-products`, productBody(Number(debit.id), { days_in_year_method: 'ACTUAL_ACTUAL', prepayment: { penalty: { type: 'PERCENTAGE', value: 0.01 }, reduce_option: ['INSTALLMENT'] } }))).product_id,
    );
    const ppSimulation = (await s.call('POST', `${L}/simulations`, simulationBody(ppProduct, { start_date: today, disbursement: [{ due_date: today }] }))).loan_simulation_id as string;
    const prepaying = (await s.call('POST', `${L}/loans`, { loan_simulation_id: ppSimulation, account_id: Number(await borrower('ld-pp')) }, 202)).loan_id as string;
    await s.call('POST', `${L}/loans/${prepaying}/disburse`, { ...disburseBody(account), disbursement_date: today }, 202);
    const prepayment = (await s.call('POST', `${L}/loans/${prepaying}/prepayment/simulate`, { amount_paid: 100, waive_penalty: false }, 201)).prepayment_id as string;
    const spare = await simulate('spare');
    const spare2 = await simulate('spare2');
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
        [`${L}/simulations/{loanSimulationId}`]: [{ loanSimulationId: simulation }],
        [`${L}/loans/{loanId}`]: [{ loanId: booked }, { loanId: active }],
        [`${L}/loans/{loanId}/disburse`]: [{ loanId: booked }],
        [`${L}/loans/{loanId}/repayment`]: [{ loanId: active }],
        [`${L}/loans/{loanId}/early-settlement/simulate`]: [{ loanId: settling }],
        [`${L}/loans/{loanId}/early-settlement/{efsId}/register`]: [{ loanId: settling, efsId: efs }],
        [`${L}/loans/{loanId}/prepayment/simulate`]: [{ loanId: prepaying }],
        [`${L}/loans/{loanId}/prepayment/{prepaymentId}/register`]: [{ loanId: prepaying, prepaymentId: prepayment }],
      },
      values: {
        loanProduct: productId,
        chargePlan: charge,
        penaltyPlan: penalty,
        repaymentHierarchy: hierarchy,
        debitLoanProduct: loanProduct,
        loanAccount: account,
        spareAccount,
        loanSimulation: simulation,
        spareSimulation: spare,
        spareSimulation2: spare2,
        bookedLoan: booked,
      },
      markers: [
        productId,
        s.mark('product'),
        charge,
        penalty,
        hierarchy,
        s.mark('charge-name'),
        s.mark('penalty-name'),
        simulation,
        booked,
        active,
        s.mark('sim'),
        s.mark('booked'),
        s.mark('active'),
        s.mark('loan-product'),
      ],
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
        `${L}/simulations/${simulation}`,
        `${L}/loans/${booked}?expand=true`,
        `${L}/loans/${active}?expand=true`,
        `${L}/loans/${settling}?expand=true`,
        `${L}/loans/${prepaying}?expand=true`,
        `${L}/loans?limit=50`,
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
    [`POST ${L}/simulations`]: {
      body: ({ b }) => simulationBody(b.value('debitLoanProduct')),
      cases: ({ a }) => [{ label: "A's loan product", body: simulationBody(a.value('debitLoanProduct')), expect: refusedReference('loan product') }],
    },
    [`POST ${L}/loans`]: {
      body: ({ b }) => ({ loan_simulation_id: b.value('spareSimulation'), account_id: Number(b.value('spareAccount')) }),
      expect: { status: 202, reason: 'B books its own simulation on a free account of its own' },
      cases: ({ a, b }) => [
        { label: "A's simulation", body: { loan_simulation_id: a.value('spareSimulation'), account_id: Number(b.value('spareAccount')) }, expect: refusedReference('simulation') },
        { label: "A's account", body: { loan_simulation_id: b.value('spareSimulation2'), account_id: Number(a.value('loanAccount')) }, expect: refusedReference('account') },
      ],
    },
    [`GET ${L}/loans`]: {
      cases: ({ a }) => [noProducts("A's account", `account_id=${a.value('loanAccount')}`), noProducts("A's loan product", `product_id=${a.value('debitLoanProduct')}`)],
    },
    [`POST ${L}/loans/{loanId}/disburse`]: {
      body: ({ b }) => disburseBody(b.value('loanAccount')),
      cases: ({ a, b }) => [{ label: "A's account", params: { loanId: b.value('bookedLoan') }, body: disburseBody(a.value('loanAccount')), expect: refusedReference('account') }],
    },
  },
};
