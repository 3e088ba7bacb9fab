// Processing codes, transaction types and flows through the API: the standard set every org gets,
// the rules of an org's own codes and their reversals, flows that make a code SUCCESS, and the
// rule the journal reads (processingCodeRule).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processingCodeRule } from '../../src/modules/ledger/index.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let h: Record<string, string>;
let orgId: string;

const CODES = '/orgs-operation/v1/processing-codes';
const REVERSALS = '/orgs-operation/v1/reversal-processing-codes';
const TYPES = '/transactions-core/v1/transaction-types';
const FLOWS = '/transactions-core/v1/transaction-flow';

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}) {
  return app.http.inject({ method, url, headers: { ...h, ...headers }, ...(payload === undefined ? {} : { payload }) });
}

async function ok(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, status = method === 'POST' ? 201 : method === 'PATCH' && url.startsWith(CODES) ? 204 : 200) {
  const res = await call(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.body ? res.json() : undefined;
}

const ruleOf = (code: string) => app.platform.tenant({ orgId, cid: 'test', actor: 'test' }, (t) => processingCodeRule(t, code));

async function eventsOf(domain: string) {
  return app.platform.db.transaction(
    (tx) => tx.selectFrom('event_outbox_events').select(['event_type', 'data']).where('org_id', '=', orgId).where('domain', '=', domain).orderBy('seq').execute(),
    { system: true },
  );
}

const custom = (code: string, over: Record<string, unknown> = {}) => ({
  processing_code: code,
  balance_impact: -1,
  description: `Custom ${code}`,
  reversal_processing_code: `R${code}`.slice(0, 6),
  ...over,
});

beforeAll(async () => {
  ({ app, headers: h, org: { orgId } } = await setupTenant());
});
afterAll(async () => app?.close());

describe('standard processing codes', () => {
  it('every org gets the standard set, each SUCCESS, without events', async () => {
    const body = await ok('GET', `${CODES}?limit=100`);
    const byCode = new Map(body.items.map((i: any) => [i.processing_codes, i]));
    for (const code of ['00', '01', '20', '28', '002000', '004000', 'PSMLDS', '220042']) {
      expect(byCode.get(code), code).toMatchObject({ status: 'SUCCESS', standard: true });
    }
    expect(byCode.get('002000')).toMatchObject({ balance_impact: -1, description: 'Debit', reversal_processing_code: 'PSMR30', partial_reversal_processing_code: 'PSMR30' });
    expect(byCode.get('004000')).toMatchObject({ balance_impact: 1, description: 'Credit' });
    expect(byCode.get('PSMR30')).toMatchObject({ balance_impact: 1, description: 'REV Debit' });
    expect(byCode.get('PSMR30')).not.toHaveProperty('reversal_processing_code');
    expect(body.items.every((i: any) => i.status === 'SUCCESS')).toBe(true);
    expect(body.count).toBe(body.items.length);
    expect(await eventsOf('orgs-operation')).toEqual([]);
  });

  it('processingCodeRule gives the journal the code, its reversal and its transaction type', async () => {
    expect(await ruleOf('002000')).toMatchObject({
      code: '002000',
      balanceImpact: -1,
      kind: 'AUTHORIZATION',
      reversalCode: 'PSMR30',
      partialReversalCode: 'PSMR30',
      status: 'SUCCESS',
      transactionTypeId: 301,
      credit: false,
      postedTransaction: true,
    });
    expect(await ruleOf('PSMR30')).toMatchObject({ balanceImpact: 1, kind: 'REVERSAL', reversalCode: undefined, status: 'SUCCESS', transactionTypeId: 302, credit: true });
    expect(await ruleOf('NOPE')).toBeUndefined();
  });

  it('every seeded code has a consistent reversal and flow, as the journal reads them', async () => {
    const all: string[] = (await ok('GET', `${CODES}?limit=100`)).items.map((i: any) => i.processing_codes);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all), async (code) => {
        const rule = (await ruleOf(code))!;
        expect(rule.status).toBe('SUCCESS');
        // The main flow's type goes the way the balance impact says.
        if (rule.balanceImpact !== 0) expect(rule.credit).toBe(rule.balanceImpact === 1);
        expect(rule.transactionTypeId).toBeDefined();
        if (rule.kind === 'REVERSAL') return;
        for (const r of [rule.reversalCode, rule.partialReversalCode]) {
          const reversal = (await ruleOf(r!))!;
          expect(reversal).toMatchObject({ kind: 'REVERSAL', status: 'SUCCESS', balanceImpact: rule.balanceImpact === 0 ? 0 : -rule.balanceImpact });
          expect(reversal.credit).toBe(!rule.credit);
        }
      }),
      { numRuns: all.length * 2 },
    );
  });

  it('standard transaction types and flows are listed; their ids are reserved', async () => {
    const types = await ok('GET', `${TYPES}?transactionTypeId=203`);
    expect(types).toEqual({ has_next: false, items: [{ transaction_type_id: 203, description: 'Refund', credit: true, posted_transaction: true }] });
    expect(await ok('GET', '/transactions-core/v1/transaction-type/203')).toEqual({ id: 203, description: 'Refund', credit: true, posted_transaction: true, category: 'PAYMENTS/CREDITS' });
    const flows = await ok('GET', `${FLOWS}?processingCode=002000`);
    expect(flows).toEqual({ has_next: false, items: [{ transaction_type_id: 301, processing_code: '002000', key: 'PRINCIPAL' }] });
    expectError(await call('PATCH', `${TYPES}/101`, { description: 'Mine' }), 409, 'WTRC08001');
    expectError(await call('PATCH', `${FLOWS}/processing-code/002000/transaction-type/301`, { key: 'CONTRACT' }), 409, 'WTRC08001');
  });
});

describe('an org’s own processing codes', () => {
  it('creates an authorization code with a new reversal code and the default partial reversal; emits one event per code', async () => {
    const created = await ok('POST', CODES, custom('C10001', { tags: ['GLOBAL', 'GLOBAL', 'PIX'], translations: [{ language: 'pt-BR', description: 'Meu código', reversal_description: 'Estorno' }] }));
    expect(created).toEqual({ processing_code: 'C10001', reversal_processing_code: 'RC1000', partial_reversal_processing_code: 'PSMPC1', status: 'PENDING' });
    const code = await ok('GET', `${CODES}/C10001`);
    expect(code).toMatchObject({ processing_code: 'C10001', balance_impact: -1, standard: false, status: 'PENDING', tags: ['GLOBAL', 'PIX'] });
    expect((await ok('GET', `${CODES}/C10001?language=PT-br`)).description).toBe('Meu código');
    expect((await ok('GET', `${CODES}/C10001?language=fr-FR`)).description).toBe('Custom C10001');
    expect(await ok('GET', `${CODES}/RC1000`)).toMatchObject({ balance_impact: 1, description: 'REV Custom C10001', status: 'PENDING', tags: [] });
    expect((await ok('GET', `${CODES}/RC1000?language=pt-BR`)).description).toBe('Estorno');
    const events = await eventsOf('orgs-operation');
    expect(events.map((e: any) => [e.event_type, e.data.processing_code, e.data.type])).toEqual([
      ['create', 'RC1000', 'REVERSAL'],
      ['create', 'C10001', 'AUTHORIZATION'],
    ]);
  });

  it('default partial reversal codes follow the balance impact', async () => {
    expect((await ok('POST', CODES, custom('C10002', { balance_impact: 1, reversal_processing_code: 'RC1002' }))).partial_reversal_processing_code).toBe('PSMPD1');
    expect((await ok('POST', CODES, custom('C10003', { balance_impact: 0, reversal_processing_code: 'RC1003' }))).partial_reversal_processing_code).toBe('PSMPN1');
    expect((await ok('GET', `${CODES}/RC1003`)).balance_impact).toBe(0);
  });

  it('names an existing reversal code when it fits, and refuses one that does not', async () => {
    // RC1000 (impact 1) reverses debit codes.
    expect((await ok('POST', CODES, custom('C10004', { reversal_processing_code: 'RC1000', partial_reversal_processing_code: 'RC1000' }))).status).toBe('PENDING');
    expectError(await call('POST', CODES, custom('C10005', { balance_impact: 1, reversal_processing_code: 'RC1000' })), 400, 'INVALID_REVERSAL_PROCESSING_CODE', 'body.reversal_processing_code');
    expectError(await call('POST', CODES, custom('C10005', { reversal_processing_code: '002000' })), 400, 'INVALID_REVERSAL_PROCESSING_CODE', 'body.reversal_processing_code');
    expectError(await call('POST', CODES, custom('C10005', { reversal_processing_code: 'C10005' })), 400, 'INVALID_REVERSAL_PROCESSING_CODE', 'body.reversal_processing_code');
    expectError(await call('POST', CODES, custom('C10005', { partial_reversal_processing_code: '004000' })), 400, 'INVALID_REVERSAL_PROCESSING_CODE', 'body.partial_reversal_processing_code');
    // A new partial reversal code needs its description (Pismo: REQUIRED when the code does not exist).
    expectError(await call('POST', CODES, custom('C10005', { partial_reversal_processing_code: 'PR1005' })), 400, 'VALIDATION_ERROR', 'body.partial_reversal_description');
    const made = await ok('POST', CODES, custom('C10005', { partial_reversal_processing_code: 'PR1005', partial_reversal_description: 'Partly back' }));
    expect(made.partial_reversal_processing_code).toBe('PR1005');
    expect((await ok('GET', `${CODES}/PR1005`)).description).toBe('Partly back');
    // Nothing of a refused request is left behind.
    expectError(await call('GET', `${CODES}/RC1005`), 404, 'PROCESSING_CODE_NOT_FOUND');
  });

  it('refuses reserved, duplicate and malformed codes, naming the field', async () => {
    expectError(await call('POST', CODES, custom('PSM123')), 400, 'PROCESSING_CODE_RESERVED', 'body.processing_code');
    expectError(await call('POST', CODES, custom('psmX12')), 400, 'PROCESSING_CODE_RESERVED', 'body.processing_code');
    expectError(await call('POST', CODES, custom('C10006', { reversal_processing_code: '99' })), 400, 'PROCESSING_CODE_RESERVED', 'body.reversal_processing_code');
    expectError(await call('POST', CODES, custom('C10006', { reversal_processing_code: 'PSMZZZ' })), 400, 'PROCESSING_CODE_RESERVED', 'body.reversal_processing_code');
    expectError(await call('POST', CODES, custom('C10001')), 400, 'PROCESSING_CODE_EXISTS', 'body.processing_code');
    expectError(await call('POST', CODES, custom('002000')), 400, 'PROCESSING_CODE_EXISTS', 'body.processing_code');
    expectError(await call('POST', CODES, custom('12')), 400, 'VALIDATION_ERROR', 'body.processing_code');
    expectError(await call('POST', CODES, custom('1234567')), 400, 'VALIDATION_ERROR', 'body.processing_code');
    expectError(await call('POST', CODES, custom('AB-12')), 400, 'VALIDATION_ERROR', 'body.processing_code');
    expectError(await call('POST', CODES, custom('C10006', { balance_impact: 2 })), 400, 'VALIDATION_ERROR', 'body.balance_impact');
    expectError(await call('POST', CODES, custom('C10006', { tags: ['MOON'] })), 400, 'VALIDATION_ERROR', 'body.tags[0]');
    expectError(await call('POST', CODES, { processing_code: 'C10006', balance_impact: -1, description: 'x' }), 400, 'VALIDATION_ERROR', 'body.reversal_processing_code');
    expectError(await call('POST', CODES, custom('C10006', { description: 'x'.repeat(51) })), 400, 'VALIDATION_ERROR', 'body.description');
    expectError(await call('GET', `${CODES}/C10006`), 404, 'PROCESSING_CODE_NOT_FOUND');
  });

  it('replays a create with the same idempotency key, and refuses the key for another body', async () => {
    const key = { 'idempotency-key': 'codes-create-1' };
    const first = await call('POST', CODES, custom('C10007'), key);
    expect(first.statusCode, first.body).toBe(201);
    const again = await call('POST', CODES, custom('C10007'), key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expectError(await call('POST', CODES, custom('C10008'), key), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('creates reversal codes by themselves, credit unless told', async () => {
    expect(await ok('POST', REVERSALS, { processing_code: 'RV01', description: 'Back' })).toEqual({ processing_code: 'RV01', status: 'PENDING' });
    expect((await ok('GET', `${CODES}/RV01`)).balance_impact).toBe(1);
    await ok('POST', REVERSALS, { processing_code: 'RV02', description: 'Back', balance_impact: -1 });
    expect((await ok('GET', `${CODES}/RV02`)).balance_impact).toBe(-1);
    expectError(await call('POST', REVERSALS, { processing_code: 'RV01', description: 'Back' }), 400, 'PROCESSING_CODE_EXISTS', 'body.processing_code');
    expectError(await call('POST', REVERSALS, { processing_code: '98', description: 'Back' }), 400, 'PROCESSING_CODE_RESERVED', 'body.processing_code');
    expectError(await call('POST', REVERSALS, { processing_code: 'PSMR99', description: 'Back' }), 400, 'PROCESSING_CODE_RESERVED', 'body.processing_code');
    expectError(await call('POST', REVERSALS, { processing_code: 'R', description: 'Back' }), 400, 'VALIDATION_ERROR', 'body.processing_code');
    // An authorization code may name it.
    expect((await ok('POST', CODES, custom('C10009', { balance_impact: 1, reversal_processing_code: 'RV02' }))).reversal_processing_code).toBe('RV02');
  });

  it('updates the fields given; emits Orgs operation updated only when something changed', async () => {
    const before = (await eventsOf('orgs-operation')).length;
    await ok('PATCH', `${CODES}/C10001`, {});
    await ok('PATCH', `${CODES}/C10001`, { description: 'Custom C10001' });
    expect((await eventsOf('orgs-operation')).length).toBe(before);
    await ok('PATCH', `${CODES}/C10001`, { description: 'Renamed', tags: ['INDIA'], reversal_processing_code: 'RN1001' });
    const code = await ok('GET', `${CODES}/C10001`);
    expect(code).toMatchObject({ description: 'Renamed', tags: ['INDIA'], reversal_processing_code: 'RN1001' });
    expect((await ok('GET', `${CODES}/RN1001`)).description).toBe('REV Renamed');
    const events = (await eventsOf('orgs-operation')).slice(before);
    expect(events.map((e: any) => [e.event_type, e.data.processing_code])).toEqual([
      ['create', 'RN1001'],
      ['update', 'C10001'],
    ]);
    expect((events[1] as any).data.changed_fields).toEqual(['description', 'reversal_processing_code', 'tags']);
    expectError(await call('PATCH', `${CODES}/RC1000`, { tags: ['GLOBAL'] }), 400, 'VALIDATION_ERROR', 'body.tags');
    expectError(await call('PATCH', `${CODES}/C10001`, { reversal_processing_code: '004000' }), 400, 'INVALID_REVERSAL_PROCESSING_CODE', 'body.reversal_processing_code');
    expectError(await call('PATCH', `${CODES}/NOPE`, { description: 'x' }), 404, 'PROCESSING_CODE_NOT_FOUND');
    expectError(await call('PATCH', `${CODES}/C10001`, { balance_impact: 1 }), 400, 'VALIDATION_ERROR', 'body.balance_impact');
  });

  it('lists every code by cursor, standard ones first', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await ok('GET', `${CODES}?limit=7${cursor ? `&nextCursor=${cursor}` : ''}`);
      expect(page.count).toBe(page.items.length);
      seen.push(...page.items.map((x: any) => x.processing_codes));
      if (!page.has_next) break;
      expect(page.items).toHaveLength(7);
      cursor = page.next_cursor;
    }
    const all = (await ok('GET', `${CODES}?limit=100`)).items.map((x: any) => x.processing_codes);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, all.length)).toEqual(all);
    expect(seen).toContain('C10009');
    expect(seen.indexOf('00')).toBeLessThan(seen.indexOf('C10001'));
    expectError(await call('GET', `${CODES}?nextCursor=nonsense`), 400, 'VALIDATION_ERROR', 'query.nextCursor');
    expectError(await call('GET', `${CODES}?limit=101`), 400, 'VALIDATION_ERROR', 'query.limit');
  });
});

describe('transaction types', () => {
  it('creates the org’s own types and emits Transaction type created', async () => {
    const body = { transaction_type_id: 7001, description: 'Payment', credit: true, posted_transaction: true };
    expect(await ok('POST', TYPES, body)).toEqual(body);
    await ok('POST', TYPES, { transaction_type_id: 7002, description: 'Purchase', credit: false, posted_transaction: true });
    await ok('POST', TYPES, { transaction_type_id: 7003, description: 'Zero balance', credit: false, posted_transaction: false });
    expect(await ok('GET', '/transactions-core/v1/transaction-type/7001')).toEqual({ id: 7001, description: 'Payment', credit: true, posted_transaction: true });
    const events = await eventsOf('transaction-types');
    expect(events.map((e: any) => e.data.transaction_type_id)).toEqual([7001, 7002, 7003]);
  });

  it('refuses a duplicate, a reserved id and bad fields', async () => {
    expectError(await call('POST', TYPES, { transaction_type_id: 7001, description: 'Again', credit: true, posted_transaction: true }), 409, 'WTRC05001');
    expectError(await call('POST', TYPES, { transaction_type_id: 999, description: 'Mine', credit: true, posted_transaction: true }), 409, 'WTRC08001');
    expectError(await call('POST', TYPES, { transaction_type_id: 7004, description: 'x'.repeat(31), credit: true, posted_transaction: true }), 400, 'VALIDATION_ERROR', 'body.description');
    expectError(await call('POST', TYPES, { transaction_type_id: 0, description: 'Zero', credit: true, posted_transaction: true }), 400, 'VALIDATION_ERROR', 'body.transaction_type_id');
    expectError(await call('POST', TYPES, { transaction_type_id: 7004, description: 'No flag', posted_transaction: true }), 400, 'VALIDATION_ERROR', 'body.credit');
    expectError(await call('GET', '/transactions-core/v1/transaction-type/7999'), 404, 'WTRC05005');
    expectError(await call('GET', '/transactions-core/v1/transaction-type/abc'), 400, 'VALIDATION_ERROR', 'path.transactionTypeId');
  });

  it('lists with filters and pages', async () => {
    const credit = await ok('GET', `${TYPES}?credit=true&description=pay`);
    expect(credit.items.map((x: any) => x.transaction_type_id)).toEqual([205, 405, 412, 413, 422, 7001]);
    const first = await ok('GET', `${TYPES}?pageSize=2&orderBy=description`);
    expect(first.has_next).toBe(true);
    expect(first.items).toHaveLength(2);
    const last = await ok('GET', `${TYPES}?pageSize=2&pageOffset=1000`);
    expect(last).toEqual({ has_next: false, items: [] });
    expectError(await call('GET', `${TYPES}?description=ab`), 400, 'VALIDATION_ERROR', 'query.description');
    expectError(await call('GET', `${TYPES}?orderBy=name`), 400, 'VALIDATION_ERROR', 'query.orderBy');
  });

  it('renames the org’s own types', async () => {
    expect(await ok('PATCH', `${TYPES}/7002`, { description: 'Card purchase' })).toEqual({ transaction_type_id: 7002, description: 'Card purchase', credit: false, posted_transaction: true });
    expectError(await call('PATCH', `${TYPES}/7999`, { description: 'x' }), 404, 'WTRC05005');
    expectError(await call('PATCH', `${TYPES}/7002`, {}), 400, 'VALIDATION_ERROR', 'body.description');
  });
});

describe('transaction flows', () => {
  it('a flow for the code and one for its reversal make the code SUCCESS', async () => {
    // C10004 (debit) is reversed by RC1000 (credit), partly too.
    await ok('POST', TYPES, { transaction_type_id: 7010, description: 'Custom debit', credit: false, posted_transaction: true });
    await ok('POST', TYPES, { transaction_type_id: 7011, description: 'Custom debit reversal', credit: true, posted_transaction: true });
    const flow = await ok('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10004', key: 'PRINCIPAL' });
    expect(flow).toEqual({ transaction_type_id: 7010, processing_code: 'C10004', key: 'PRINCIPAL' });
    expect((await ok('GET', `${CODES}/C10004`)).status).toBe('PENDING');
    expect((await ruleOf('C10004'))?.status).toBe('PENDING');
    await ok('POST', FLOWS, { transaction_type_id: 7011, processing_code: 'RC1000', key: 'PRINCIPAL' });
    expect((await ok('GET', `${CODES}/C10004`)).status).toBe('SUCCESS');
    expect(await ruleOf('C10004')).toMatchObject({ status: 'SUCCESS', transactionTypeId: 7010, credit: false, reversalCode: 'RC1000' });
    // C10001 was given another reversal code (RN1001), which has no flow yet.
    await ok('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10001', key: 'PRINCIPAL' });
    expect((await ok('GET', `${CODES}/C10001`)).status).toBe('PENDING');
  });

  it('applies Pismo’s custom_key rules', async () => {
    expectError(await call('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10005', key: 'OTHER' }), 400, 'WTRC04004', 'body.custom_key');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10005', key: 'OTHER', custom_key: ' ' }), 400, 'WTRC04005', 'body.custom_key');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10005', key: 'PRINCIPAL', custom_key: 'fee' }), 400, 'WTRC04006', 'body.custom_key');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10005', key: 'FEE' }), 400, 'VALIDATION_ERROR', 'body.key');
  });

  it('refuses unknown codes and types, reserved types, wrong credit flags and clashing amount types', async () => {
    expectError(await call('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'NOPE', key: 'PRINCIPAL' }), 400, 'WTRC07001', 'body.processing_code');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7999, processing_code: 'C10005', key: 'PRINCIPAL' }), 400, 'WTRC05003', 'body.transaction_type_id');
    expectError(await call('POST', FLOWS, { transaction_type_id: 301, processing_code: 'C10005', key: 'PRINCIPAL' }), 409, 'WTRC08001');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7001, processing_code: 'C10005', key: 'PRINCIPAL' }), 409, 'ETRC04006');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7010, processing_code: 'C10004', key: 'CONTRACT' }), 409, 'WTRC04001');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7002, processing_code: 'C10004', key: 'PRINCIPAL' }), 409, 'ETRC04003');
    expectError(await call('POST', FLOWS, { transaction_type_id: 7002, processing_code: 'C10004', key: 'CONTRACT' }), 409, 'ETRC04005');
    // A zero-impact code takes types either way.
    await ok('POST', FLOWS, { transaction_type_id: 7003, processing_code: 'C10003', key: 'PRINCIPAL' });
    await ok('POST', FLOWS, { transaction_type_id: 7001, processing_code: 'C10003', key: 'OTHER', custom_key: 'fee' });
    expectError(await call('POST', FLOWS, { transaction_type_id: 7002, processing_code: 'C10003', key: 'OTHER', custom_key: 'fee' }), 409, 'ETRC04003');
    await ok('POST', FLOWS, { transaction_type_id: 7002, processing_code: 'C10003', key: 'OTHER', custom_key: 'tax' });
    expect(await ruleOf('C10003')).toMatchObject({ transactionTypeId: 7003, postedTransaction: false, flows: [
      { transactionTypeId: 7001, key: 'OTHER', customKey: 'fee', credit: true },
      { transactionTypeId: 7002, key: 'OTHER', customKey: 'tax', credit: false },
      { transactionTypeId: 7003, key: 'PRINCIPAL', customKey: undefined, credit: false },
    ] });
  });

  it('lists flows with filters, and updates a flow’s key', async () => {
    const mine = await ok('GET', `${FLOWS}?processingCode=C10003`);
    expect(mine.items.map((f: any) => [f.transaction_type_id, f.key, f.custom_key])).toEqual([
      [7001, 'OTHER', 'fee'],
      [7002, 'OTHER', 'tax'],
      [7003, 'PRINCIPAL', undefined],
    ]);
    expect((await ok('GET', `${FLOWS}?transactionTypeId=7010`)).items.map((f: any) => f.processing_code)).toEqual(['C10001', 'C10004']);
    const path = `${FLOWS}/processing-code/C10003/transaction-type/7002`;
    expect(await ok('PATCH', path, { key: 'INSTALLMENT' })).toEqual({ transaction_type_id: 7002, processing_code: 'C10003', key: 'INSTALLMENT' });
    expectError(await call('PATCH', path, { key: 'OTHER', custom_key: 'fee' }), 409, 'ETRC04003');
    expectError(await call('PATCH', path, { key: 'CONTRACT' }), 409, 'ETRC04005');
    expectError(await call('PATCH', path, { key: 'OTHER' }), 400, 'WTRC04004', 'body.custom_key');
    expectError(await call('PATCH', `${FLOWS}/processing-code/C10003/transaction-type/7010`, { key: 'CONTRACT' }), 400, 'WTRC04002');
    expectError(await call('PATCH', `${FLOWS}/processing-code/NOPE/transaction-type/7010`, { key: 'CONTRACT' }), 400, 'WTRC04002');
    expectError(await call('PATCH', `${FLOWS}/processing-code/C10003/transaction-type/7999`, { key: 'CONTRACT' }), 400, 'WTRC05003', 'path.transactionTypeId');
    expectError(await call('GET', `${FLOWS}?pageOffset=-1`), 400, 'VALIDATION_ERROR', 'query.pageOffset');
  });
});

describe('properties of an org’s own codes', () => {
  it('an org’s own codes get reversal codes of the opposite impact, new or shared', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 0xfffff }), fc.constantFrom(1, 0, -1), fc.boolean(), async (n, impact, shared) => {
        const id = n.toString(36).toUpperCase().padStart(4, '0');
        const code = `Q${id}`;
        if ((await call('GET', `${CODES}/${code}`)).statusCode === 200) return;
        // A shared reversal code per impact (the first code creates it), or one of the code's own.
        const reversal = shared ? `S${impact + 1}REV` : `V${id}`;
        const res = await call('POST', CODES, { processing_code: code, balance_impact: impact, description: `Property ${code}`, reversal_processing_code: reversal });
        expect(res.statusCode, res.body).toBe(201);
        const rule = (await ruleOf(code))!;
        expect(rule).toMatchObject({ kind: 'AUTHORIZATION', status: 'PENDING', reversalCode: reversal });
        for (const r of [rule.reversalCode!, rule.partialReversalCode!]) {
          expect((await ruleOf(r))!).toMatchObject({ kind: 'REVERSAL', balanceImpact: impact === 0 ? 0 : -impact });
        }
      }),
      { numRuns: 15 },
    );
  });
});
