// Loan products and the plans they name, over HTTP: create, echo and list; the spec's codes for
// refused fields; plans that are disabled, deleted, unknown or in another currency; deleting a
// plan in use; idempotent creates; program configurations; another org's objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { addTenant, setupTenant, NO_RATE_LIMITS } from '../helpers/fixture.js';
import { bodies } from './programs-fixtures.js';
import { personalProduct } from '../helpers/lending.js';

let app: TestApp;
let h: Record<string, string>;
let programId: number;

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = h) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const chargePlan = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: `Plan ${code}`,
  type: 'FEE',
  collection_method: 'DEDUCT',
  currency: 986,
  fixed_amount: { value: 12.5 },
  ...extra,
});

async function created(res: { statusCode: number; body: string; json: () => any }) {
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  ({ app, headers: h } = await setupTenant({ start: true, env: NO_RATE_LIMITS }));
  const program = await call('POST', '/programs/v1/programs/template', bodies.CREDITO);
  expect(program.statusCode, program.body).toBe(200);
  programId = program.json().id;
});
afterAll(async () => app?.close());

describe('loan products', () => {
  it('creates a product with every option, echoes it exactly and lists it', async () => {
    await created(await call('POST', '/lending/v1/charge-plans', chargePlan('TAC')));
    await created(
      await call('POST', '/lending/v1/penalty-plans', { code: 'LATE', name: 'Late fee', apply_when: ['PAST_DUE'], currency: 986, grace_days: 3, fixed_amount: 9.99 }),
    );
    await created(
      await call('POST', '/lending/v1/repayment-hierarchies', { code: 'CR005', hierarchy: ['PENALTY', 'FEE', 'CHARGE', 'TAX', 'INTEREST', 'PRINCIPAL'] }),
    );
    const body = personalProduct(programId, {
      product_id: 'PERSONAL_12',
      repayment_frequency: { method: 'DAILY', every: 15 },
      stages: [
        { repayment_mode: { type: 'MORATORIUM' }, period: { value: 30, unit: 'DAY' }, moratorium_interest_rate: { value: 0.06, unit: 'YEAR' } },
        { repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 45, unit: 'DAY' } },
      ],
      loan_activation_method: 'ON_DISBURSE',
      charge_plan_codes: ['TAC'],
      penalty_plan_codes: ['LATE'],
      repayment_hierarchy_code: 'CR005',
      rules: {
        loan_amount: { min: 100.05, max: 20000 },
        installment_number: { min: 1, max: 48 },
        loan_term: { min: { value: 1, unit: 'month' }, max: { value: 4, unit: 'year' } },
        interest_rate: { min: { value: 0.015, unit: 'YEAR' }, max: { value: 0.399999, unit: 'YEAR' } },
      },
      repayment_due: 'END_OF_PERIOD',
      early_final_settlement: { penalty: { type: 'PERCENTAGE', value: 0.02 }, lock_in_period: 2 },
      prepayment: { penalty: { type: 'FIXED_AMOUNT', value: 15.1 }, reduce_option: ['INSTALLMENT', 'TERM'] },
      interest_calculation_period: 'SAME_AS_REPAYMENT_PERIOD',
      rounding_mode: 'HALF_EVEN',
      installment_amount_in_multiples_of: 0.05,
      grace_on_principal_periods: 1,
      grace_on_interest_payment_periods: 0,
      interest_free_periods: 0,
      grace_period_days: 5,
      overdue_threshold_days: 30,
      stop_accrual_number_of_days: 90,
    });
    const res = await created(await call('POST', '/lending/v1/loan-products', body));
    expect(res).toEqual({ product_id: 'PERSONAL_12' });

    const got = await call('GET', '/lending/v1/loan-products/PERSONAL_12');
    expect(got.statusCode, got.body).toBe(200);
    const product = got.json();
    const { product_id: _id, ...rest } = body;
    expect(product).toMatchObject({ ...rest, product_id: 'PERSONAL_12', product_version: '1', status: 'ACTIVE' });
    expect(product.created_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Amounts sit in minor units, rates as decimal text.
    const row = await app.platform.db.kysely
      .selectFrom('lending_loan_products')
      .select(['loan_amount_min_minor', 'installment_multiple_minor', 'prepayment_penalty_fixed_minor', 'terms'])
      .where('product_id', '=', 'PERSONAL_12')
      .executeTakeFirstOrThrow();
    expect(row.loan_amount_min_minor).toBe(10005n);
    expect(row.installment_multiple_minor).toBe(5n);
    expect(row.prepayment_penalty_fixed_minor).toBe(1510n);
    expect((row.terms as any).rules.interest_rate.max.value).toBe('0.399999');

    // Only what the product sets is echoed: a minimal product has no extension fields.
    const minimal = await created(await call('POST', '/lending/v1/loan-products', personalProduct(programId)));
    expect(minimal.product_id).toMatch(/^[0-9a-f-]{36}$/);
    const plain = (await call('GET', `/lending/v1/loan-products/${minimal.product_id}`)).json();
    for (const f of ['rounding_mode', 'interest_calculation_period', 'rules', 'charge_plan_codes', 'down_payment', 'grace_period_days']) expect(plain).not.toHaveProperty(f);

    const list = await call('GET', '/lending/v1/loan-products?limit=1');
    expect(list.statusCode, list.body).toBe(200);
    const first = list.json();
    expect(first.has_next).toBe(true);
    expect(first.items).toHaveLength(1);
    const next = await call('GET', `/lending/v1/loan-products?limit=1&next_cursor=${first.next.cursor}&next_version=${first.next.version}`);
    expect(next.json().items[0].product_id).not.toBe(first.items[0].product_id);
    const bnpl = await call('GET', '/lending/v1/loan-products?product_type=BNPL');
    expect(bnpl.json()).toEqual({ has_next: false, items: [] });
    expect((await call('GET', `/lending/v1/loan-products?program_id=${programId}&limit=50`)).json().items.length).toBeGreaterThanOrEqual(2);
  });

  it('a BNPL product with a down payment, biweekly, interest free', async () => {
    const res = await created(
      await call(
        'POST',
        '/lending/v1/loan-products',
        personalProduct(programId, {
          product_type: 'BNPL',
          product_name: 'BNPL 4x',
          repayment_frequency: { method: 'BIWEEKLY' },
          stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 8, unit: 'WEEK' } }],
          interest_free_periods: 4,
          down_payment: { percentage: 0.25 },
        }),
      ),
    );
    const got = (await call('GET', `/lending/v1/loan-products/${res.product_id}`)).json();
    expect(got.down_payment).toEqual({ percentage: 0.25 });
    expect(got.repayment_frequency).toEqual({ method: 'BIWEEKLY' });
  });

  it('stage periods must be whole repayment periods: 400 naming the stage', async () => {
    const bad = await call(
      'POST',
      '/lending/v1/loan-products',
      personalProduct(programId, { stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 30, unit: 'DAY' } }] }),
    );
    expectError(bad, 400, 'ELND0003', 'body.stages[0].period');
    const quarterly = await call(
      'POST',
      '/lending/v1/loan-products',
      personalProduct(programId, { repayment_frequency: { method: 'QUARTERLY' }, stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 4, unit: 'MONTH' } }] }),
    );
    expectError(quarterly, 400, 'ELND0003', 'body.stages[0].period');
    await created(
      await call(
        'POST',
        '/lending/v1/loan-products',
        personalProduct(programId, { repayment_frequency: { method: 'QUARTERLY' }, stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 1, unit: 'YEAR' } }] }),
      ),
    );
  });

  it("refuses fields with the spec's codes", async () => {
    const post = (extra: Record<string, unknown>) => call('POST', '/lending/v1/loan-products', personalProduct(programId, extra));
    const pi = { repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } };
    expectError(await post({ stages: [pi, pi, pi, pi, pi, pi] }), 400, 'ELND0300', 'body.stages');
    expectError(await post({ stages: [] }), 400, 'ELND0300', 'body.stages');
    expectError(await post({ stages: [{ repayment_mode: { type: 'INTEREST_ONLY' } }] }), 400, 'ELND0301', 'body.stages[0].repayment_mode.type');
    expectError(await post({ stages: [{ repayment_mode: { type: 'INTEREST_ONLY' } }, { repayment_mode: { type: 'MORATORIUM' } }, pi] }), 400, 'ELND0317', 'body.stages[1].repayment_mode.type');
    expectError(await post({ early_final_settlement: { lock_in_period: 1 } }), 400, 'ELND0302', 'body.early_final_settlement.penalty');
    expectError(await post({ early_final_settlement: { penalty: { type: 'PERCENTAGE', value: 1.5 } } }), 400, 'ELND0303', 'body.early_final_settlement.penalty.value');
    expectError(await post({ early_final_settlement: { penalty: { type: 'PERCENTAGE', value: 0.1 }, lock_in_period: -1 } }), 400, 'ELND0305');
    expectError(await post({ prepayment: { penalty: { type: 'PERCENTAGE', value: 0.1 } } }), 400, 'ELND0310', 'body.prepayment.reduce_option');
    expectError(await post({ prepayment: { penalty: { type: 'PERCENTAGE', value: 2 }, reduce_option: ['TERM'] } }), 400, 'ELND0307');
    expectError(await post({ charge_plan_codes: [] }), 400, 'ELND0311', 'body.charge_plan_codes');
    expectError(await post({ penalty_plan_codes: Array.from({ length: 21 }, (_, i) => `P${i}`) }), 400, 'ELND0313', 'body.penalty_plan_codes');
    expectError(await post({ repayment_hierarchy_code: 'X'.repeat(33) }), 400, 'ELND0312', 'body.repayment_hierarchy_code');
    expectError(await post({ loan_activation_method: 'LATER' }), 400, 'ELND0314', 'body.loan_activation_method');
    expectError(await post({ repayment_due: 'WHENEVER' }), 400, 'ELND0121', 'body.repayment_due');
    expectError(await post({ product_name: undefined }), 400, 'ELND0002', 'body.product_name');
    expectError(await post({ days_in_year_method: 'LUNAR' }), 400, 'ELND0003', 'body.days_in_year_method');
    expectError(await post({ down_payment: { percentage: 0.2 } }), 400, 'ELND0003', 'body.down_payment');
    expectError(await post({ rules: { loan_amount: { min: 10, max: 5 } } }), 400, 'ELND0003', 'body.rules.loan_amount.max');
    expectError(await post({ rules: { loan_amount: { min: 10.001 } } }), 400, 'ELND0003', 'body.rules.loan_amount.min');
    expectError(await post({ product_id: 'lower_case' }), 400, 'ELND0003', 'body.product_id');
    expectError(await post({ currency: 840 }), 400, 'ELND0003', 'body.currency');
    expectError(await post({ program_id: 987654321 }), 400, 'ELND0005', 'body.program_id');
    const badKey = await call('POST', '/lending/v1/loan-products', personalProduct(programId), { ...h, 'idempotency-key': 'has space' });
    expectError(badKey, 400, 'ELND1500');
  });

  it('list: the documented 400s', async () => {
    expectError(await call('GET', '/lending/v1/loan-products?limit=51'), 400, 'ELND0701', 'query.limit');
    expectError(await call('GET', '/lending/v1/loan-products?next_cursor=abc'), 400, 'ELND0700', 'query.next_version');
    expectError(await call('GET', '/lending/v1/loan-products?product_type=CAR'), 400, 'ELND0800', 'query.product_type');
    expectError(await call('GET', '/lending/v1/loan-products?next_cursor=abc&next_version=1'), 400, 'ELND0003', 'query.next_cursor');
    expectError(await call('GET', '/lending/v1/loan-products/NOPE'), 404, 'ELND0005');
  });

  it('repeated idempotency keys create once; another body under the key is 202 ELND1501', async () => {
    const headers = { ...h, 'idempotency-key': '7d0c1f5e-5b43-4b43-8a4f-6f1b2d9a3e10' };
    const body = personalProduct(programId, { product_name: 'Idempotent' });
    const a = await created(await call('POST', '/lending/v1/loan-products', body, headers));
    const b = await created(await call('POST', '/lending/v1/loan-products', body, headers));
    expect(b).toEqual(a);
    const count = await app.platform.db.kysely.selectFrom('lending_loan_products').select((eb) => eb.fn.countAll().as('n')).where('product_name', '=', 'Idempotent').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const other = await call('POST', '/lending/v1/loan-products', { ...body, product_name: 'Other' }, headers);
    expectError(other, 202, 'ELND1501');
    const dup = await call('POST', '/lending/v1/loan-products', personalProduct(programId, { product_id: a.product_id }));
    expectError(dup, 409, 'LENDING_ALREADY_EXISTS', 'body.product_id');
  });
});

describe('plans a product names', () => {
  it('a disabled, deleted, unknown or foreign-currency plan is refused; a plan in use cannot be deleted', async () => {
    await created(await call('POST', '/lending/v1/charge-plans', chargePlan('OFF')));
    await created(await call('POST', '/lending/v1/charge-plans', chargePlan('USD', { currency: 840 })));
    await created(await call('POST', '/lending/v1/charge-plans', chargePlan('GONE')));
    expect((await call('PUT', '/lending/v1/charge-plans/OFF/disable')).statusCode).toBe(200);
    expect((await call('GET', '/lending/v1/charge-plans/OFF')).json().status).toBe('DISABLED');
    expect((await call('DELETE', '/lending/v1/charge-plans/GONE')).statusCode).toBe(204);
    const post = (codes: string[]) => call('POST', '/lending/v1/loan-products', personalProduct(programId, { charge_plan_codes: codes }));
    expectError(await post(['TAC', 'OFF']), 400, 'ELND0005', 'body.charge_plan_codes[1]');
    expectError(await post(['GONE']), 400, 'ELND0005', 'body.charge_plan_codes[0]');
    expectError(await post(['NEVER']), 400, 'ELND0005', 'body.charge_plan_codes[0]');
    expectError(await post(['USD']), 400, 'ELND0318', 'body.charge_plan_codes[0]');
    const noHierarchy = await call('POST', '/lending/v1/loan-products', personalProduct(programId, { repayment_hierarchy_code: 'NONE_SUCH' }));
    expectError(noHierarchy, 400, 'ELND0005', 'body.repayment_hierarchy_code');

    // Enabling it again makes it usable; deleting it while a product names it is refused.
    expect((await call('PUT', '/lending/v1/charge-plans/OFF/enable')).statusCode).toBe(200);
    await created(await post(['OFF']));
    expectError(await call('DELETE', '/lending/v1/charge-plans/OFF'), 409, 'LENDING_PLAN_IN_USE');
    expectError(await call('DELETE', '/lending/v1/penalty-plans/LATE'), 409, 'LENDING_PLAN_IN_USE');
    expectError(await call('DELETE', '/lending/v1/repayment-hierarchies/CR005'), 409, 'LENDING_PLAN_IN_USE');

    // DELETED cannot be recovered, is not listed, and keeps its code.
    expectError(await call('PUT', '/lending/v1/charge-plans/GONE/enable'), 404, 'ELND0005');
    expect((await call('GET', '/lending/v1/charge-plans/GONE')).json().status).toBe('DELETED');
    const codes = (await call('GET', '/lending/v1/charge-plans?limit=50')).json().items.map((p: { code: string }) => p.code);
    expect(codes).not.toContain('GONE');
    expect((await call('GET', '/lending/v1/charge-plans?status=DISABLED')).json().items).toEqual([]);
    expectError(await call('POST', '/lending/v1/charge-plans', chargePlan('GONE')), 409, 'LENDING_ALREADY_EXISTS');
    expectError(await call('DELETE', '/lending/v1/charge-plans/NEVER'), 404, 'ELND0005');
  });

  it('charge plans: percentage with min/max echoed exactly, and the spec codes', async () => {
    const pct = await created(
      await call('POST', '/lending/v1/charge-plans', chargePlan('IOF', { type: 'TAX', collection_method: 'AMORTISED', fixed_amount: undefined, percentage: { value: 0.38, min_charged_amount: 1, max_charged_amount: 150.75 } })),
    );
    expect(pct).toEqual({
      name: 'Plan IOF',
      code: 'IOF',
      type: 'TAX',
      currency: 986,
      percentage: { value: 0.38, min_charged_amount: 1, max_charged_amount: 150.75 },
      collection_method: 'AMORTISED',
      collectionMethod: 'AMORTISED',
      status: 'ENABLED',
    });
    const post = (extra: Record<string, unknown>) => call('POST', '/lending/v1/charge-plans', chargePlan('X1', extra));
    expectError(await post({ collection_method: undefined }), 400, 'ELND0200', 'body.collection_method');
    expectError(await post({ collection_method: 'LATER' }), 400, 'ELND0201', 'body.collection_method');
    expectError(await post({ percentage: { value: 1 } }), 400, 'ELND0202');
    expectError(await post({ fixed_amount: undefined }), 400, 'ELND0208');
    expectError(await post({ fixed_amount: { value: 0 } }), 400, 'ELND0209', 'body.fixed_amount.value');
    expectError(await post({ fixed_amount: undefined, percentage: { value: -1 } }), 400, 'ELND0204', 'body.percentage.value');
    expectError(await post({ fixed_amount: undefined, percentage: { value: 1, min_charged_amount: 5, max_charged_amount: 5 } }), 400, 'ELND0207');
    expectError(await post({ name: 'n'.repeat(81) }), 400, 'ELND0210', 'body.name');
    expectError(await post({ currency: 1000 }), 400, 'ELND0211', 'body.currency');
    expectError(await post({ fixed_amount: { value: 1.001 } }), 400, 'ELND0209', 'body.fixed_amount.value');
    expectError(await call('GET', '/lending/v1/charge-plans?status=DELETED'), 400, 'ELND0916', 'query.status');
    expectError(await call('GET', '/lending/v1/charge-plans/NOPE'), 404, 'ELND0005');
  });

  it('penalty plans: late fee and penalty interest, and the spec codes', async () => {
    const interest = await created(
      await call('POST', '/lending/v1/penalty-plans', {
        code: 'MORA',
        name: 'Penalty interest',
        apply_when: ['PAST_DUE', 'PARTIALLY_PAID'],
        currency: 986,
        grace_days: 2,
        percentage: { value: 0.033, apply_concerning: ['PRINCIPAL', 'INTEREST'], accrual_frequency: 'DAILY', minimum_penalty_amount: 0.01 },
      }),
    );
    expect(interest.percentage).toEqual({ value: 0.033, apply_concerning: ['PRINCIPAL', 'INTEREST'], accrual_frequency: 'DAILY', minimum_penalty_amount: 0.01 });
    const post = (extra: Record<string, unknown>) =>
      call('POST', '/lending/v1/penalty-plans', { code: 'P1', name: 'P', apply_when: ['PAST_DUE'], currency: 986, fixed_amount: 5, ...extra });
    expectError(await post({ code: undefined }), 400, 'ELND0900', 'body.code');
    expectError(await post({ code: 'C'.repeat(33) }), 400, 'ELND0901', 'body.code');
    expectError(await post({ name: undefined }), 400, 'ELND0902', 'body.name');
    expectError(await post({ name: '' }), 400, 'ELND0903', 'body.name');
    expectError(await post({ apply_when: undefined }), 400, 'ELND0905', 'body.apply_when');
    expectError(await post({ grace_days: 0 }), 400, 'ELND0906', 'body.grace_days');
    expectError(await post({ fixed_amount: 0 }), 400, 'ELND0907', 'body.fixed_amount');
    expectError(await post({ fixed_amount: undefined }), 400, 'ELND0910');
    expectError(await post({ fixed_amount: undefined, percentage: { value: 0, apply_concerning: ['PRINCIPAL'], accrual_frequency: 'DAILY' } }), 400, 'ELND0909');
    expectError(await post({ fixed_amount: undefined, percentage: { value: 1, apply_concerning: ['PRINCIPAL'] } }), 400, 'ELND0904');
    expectError(await post({ fixed_amount: undefined, percentage: { value: 1, accrual_frequency: 'DAILY' } }), 400, 'ELND0914');
    expectError(
      await post({ fixed_amount: undefined, percentage: { value: 1, apply_concerning: ['PRINCIPAL'], accrual_frequency: 'DAILY', minimum_penalty_amount: 5, maximum_penalty_amount: 2 } }),
      400,
      'ELND0913',
    );
    expectError(await post({ apply_when: ['PARTIALLY_PAID'], grace_days: 3 }), 400, 'ELND0915', 'body.grace_days');
    expectError(await post({ currency: -1 }), 400, 'ELND0917', 'body.currency');
    expectError(await call('GET', '/lending/v1/penalty-plans?status=X'), 400, 'ELND0916');
  });

  it('repayment hierarchies: six items, each once', async () => {
    const h6 = ['PRINCIPAL', 'INTEREST', 'TAX', 'CHARGE', 'FEE', 'PENALTY'];
    const res = await created(await call('POST', '/lending/v1/repayment-hierarchies', { code: 'PRINCIPAL_FIRST', hierarchy: h6 }));
    expect(res).toMatchObject({ code: 'PRINCIPAL_FIRST', hierarchy: h6, status: 'ENABLED' });
    const post = (body: Record<string, unknown>) => call('POST', '/lending/v1/repayment-hierarchies', body);
    expectError(await post({ hierarchy: h6 }), 400, 'ELND0601', 'body.code');
    expectError(await post({ code: 'C'.repeat(33), hierarchy: h6 }), 400, 'ELND0602', 'body.code');
    expectError(await post({ code: 'H' }), 400, 'ELND0603', 'body.hierarchy');
    expectError(await post({ code: 'H', hierarchy: h6.slice(0, 5) }), 400, 'ELND0604', 'body.hierarchy');
    expectError(await post({ code: 'H', hierarchy: [...h6.slice(0, 5), 'INSURANCE'] }), 400, 'ELND0600', 'body.hierarchy[5]');
    expectError(await post({ code: 'H', hierarchy: [...h6.slice(0, 5), 'PRINCIPAL'] }), 400, 'ELND0600', 'body.hierarchy[5]');
    expect((await call('PUT', '/lending/v1/repayment-hierarchies/PRINCIPAL_FIRST/disable')).statusCode).toBe(200);
    expect((await call('GET', '/lending/v1/repayment-hierarchies?status=DISABLED')).json().items.map((x: { code: string }) => x.code)).toEqual(['PRINCIPAL_FIRST']);
  });
});

describe('processing codes a product names', () => {
  it("each is a code of the org's ledger with flows, names one operation and one product: ELND0360–ELND0363, ELND0352–ELND0369", async () => {
    const product = (id: string, processing_codes: Record<string, unknown>) => personalProduct(programId, { product_id: id, processing_codes });
    const codes = { booking: ['004000'], repayment: ['000012'], disbursement: { internal: ['PSMLDS'], external: ['PSMLFE'] }, prepayment: { fee: ['PNLT'] } };
    await created(await call('POST', '/lending/v1/loan-products', product('PC_FIRST', codes)));
    expect((await call('GET', '/lending/v1/loan-products/PC_FIRST')).json().processing_codes).toEqual(codes);
    const refused = async (id: string, pc: Record<string, unknown>, status: number, code: string, field: string) => {
      const body = expectError(await call('POST', '/lending/v1/loan-products', product(id, pc)), status, code, field);
      expect((await call('GET', `/lending/v1/loan-products/${id}`)).statusCode).toBe(404); // nothing written
      return body;
    };
    // Unknown to the ledger; known but without transaction flows (a code just created is PENDING).
    expect((await refused('PC_UNKNOWN', { repayment: ['ZZ9999'] }, 400, 'ELND0363', 'body.processing_codes.repayment')).message).toBe('Processing code ZZ9999 is invalid or does not exist.');
    const pending = await call('POST', '/orgs-operation/v1/processing-codes', { processing_code: 'C20001', balance_impact: -1, description: 'Loan repayment (new)', reversal_processing_code: 'RC2000' });
    expect(pending.statusCode, pending.body).toBe(201);
    expect(pending.json().status).toBe('PENDING');
    expect((await refused('PC_PENDING', { repayment: ['C20001'] }, 400, 'ELND0362', 'body.processing_codes.repayment')).message).toBe('Processing code C20001 is not linked to transactions types.');
    // One code, one operation of one product.
    await refused('PC_TWICE', { booking: ['002000'], disbursement: { internal: ['002000'] } }, 400, 'ELND0361', 'body.processing_codes.disbursement.internal');
    const taken = await refused('PC_TAKEN', { disbursement: { external: ['PSMLDS'] } }, 400, 'ELND0360', 'body.processing_codes.disbursement.external');
    expect(taken.message).toBe('Processing code `PSMLDS` already in use by product id PC_FIRST, and operation disbursement.internal');
    // The spec's lengths (2 to 6) and list size (20).
    await refused('PC_SHORT', { booking: ['1'] }, 400, 'ELND0352', 'body.processing_codes.booking[0]');
    await refused('PC_LONG', { repayment: ['1234567'] }, 400, 'ELND0354', 'body.processing_codes.repayment[0]');
    await refused('PC_MANY', { penalty_waiver: Array.from({ length: 21 }, (_, i) => `PW${i}`) }, 400, 'ELND0369', 'body.processing_codes.penalty_waiver');
    // A product naming none is not checked, and uses Lastro's standard codes.
    await created(await call('POST', '/lending/v1/loan-products', personalProduct(programId, { product_id: 'PC_NONE' })));
  });
});

describe('program configurations', () => {
  it('PUT replaces, GET reads; the program must be the org’s', async () => {
    expectError(await call('GET', `/lending/v1/program-configurations/${programId}`), 404, 'ELND0005');
    const configs = [
      { enabled: true, type: 'BEFORE_PAST_DUE', number_of_days: 3 },
      { enabled: false, type: 'AFTER_PAST_DUE', number_of_days: 1 },
    ];
    const put = await call('PUT', `/lending/v1/program-configurations/${programId}`, { configs });
    expect(put.statusCode, put.body).toBe(204);
    const got = await call('GET', `/lending/v1/program-configurations/${programId}`);
    expect(got.json()).toMatchObject({ program_id: programId, configs });
    expect((await call('PUT', `/lending/v1/program-configurations/${programId}`, { configs: [configs[0]] })).statusCode).toBe(204);
    expect((await call('GET', `/lending/v1/program-configurations/${programId}`)).json().configs).toEqual([configs[0]]);
    expectError(await call('PUT', '/lending/v1/program-configurations/987654321', { configs }), 400, 'ELND0005', 'path.programId');
    expectError(await call('PUT', `/lending/v1/program-configurations/${programId}`, {}), 400, 'ELND1302', 'body.configs');
    expectError(await call('PUT', `/lending/v1/program-configurations/${programId}`, { configs: [{ ...configs[0], type: 'SOON' }] }), 400, 'ELND1300');
    expectError(await call('PUT', `/lending/v1/program-configurations/${programId}`, { configs: [{ type: 'BEFORE_PAST_DUE', number_of_days: 1 }] }), 400, 'ELND1303');
    expectError(await call('PUT', `/lending/v1/program-configurations/${programId}`, { configs: [{ type: 'BEFORE_PAST_DUE', enabled: true }] }), 400, 'ELND1304');
  });
});

describe('another org', () => {
  it("sees none of this org's products or plans, and cannot name them", async () => {
    const other = await addTenant(app);
    const program = await call('POST', '/programs/v1/programs/template', bodies.CREDITO, other.headers);
    const otherProgram = program.json().id;
    expectError(await call('GET', '/lending/v1/loan-products/PERSONAL_12', undefined, other.headers), 404, 'ELND0005');
    expectError(await call('GET', '/lending/v1/charge-plans/TAC', undefined, other.headers), 404, 'ELND0005');
    expect((await call('GET', '/lending/v1/loan-products', undefined, other.headers)).json().items).toEqual([]);
    const named = await call('POST', '/lending/v1/loan-products', personalProduct(otherProgram, { charge_plan_codes: ['TAC'] }), other.headers);
    expectError(named, 400, 'ELND0005', 'body.charge_plan_codes[0]');
    const onOurProgram = await call('POST', '/lending/v1/loan-products', personalProduct(programId), other.headers);
    expectError(onOurProgram, 400, 'ELND0005', 'body.program_id');
    expectError(await call('PUT', `/lending/v1/program-configurations/${programId}`, { configs: [] }, other.headers), 400, 'ELND0005');
    // The same codes are free in another org.
    await created(await call('POST', '/lending/v1/charge-plans', chargePlan('TAC'), other.headers));
  });
});

describe('amounts', () => {
  it('an amount no JSON number carries exactly is refused naming the field, before anything is written', async () => {
    const huge = '9007199254740993';
    const plan = await app.http.inject({
      method: 'POST',
      url: '/lending/v1/charge-plans',
      headers: { ...h, 'content-type': 'application/json' },
      payload: `{"code":"HUGE","name":"Huge","type":"FEE","collection_method":"DEDUCT","currency":986,"fixed_amount":{"value":${huge}}}`,
    });
    expectError(plan, 400, 'ELND0003', 'body.fixed_amount.value');
    const product = await app.http.inject({
      method: 'POST',
      url: '/lending/v1/loan-products',
      headers: { ...h, 'content-type': 'application/json' },
      payload: JSON.stringify(personalProduct(programId, { product_name: 'Huge multiple' })).replace(/}$/, `,"installment_amount_in_multiples_of":${huge}}`),
    });
    expectError(product, 400, 'ELND0003', 'body.installment_amount_in_multiples_of');
  });
});
