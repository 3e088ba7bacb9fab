// Contract tests of processing codes (Platform_setup_-_Orgs_Operation.yaml) and transaction types
// and flows (Core_platform_-_Transactions.yaml): each operation's own example request, success and
// each documented error, checked against Pismo's spec files. Run in order on one org, as a client
// would: the Transactions examples build on one another (type 7001, then its flow with 00AB11).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { setupTenant } from '../helpers/fixture.js';
import { checkResponse, describeContract, exampleRequest, expectConforms, type RequestSample } from './pismo-spec.js';

const ORGS_OPERATION = 'Platform_setup_-_Orgs_Operation.yaml';
const TRANSACTIONS = 'Core_platform_-_Transactions.yaml';
const CODES = '/orgs-operation/v1/processing-codes';
const TYPES = '/transactions-core/v1/transaction-types';
const FLOWS = '/transactions-core/v1/transaction-flow';

let app: TestApp;
let h: Record<string, string>;

type Json = Record<string, unknown>;

async function send(req: RequestSample) {
  const query = req.query && Object.keys(req.query).length ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
  return app.http.inject({ method: req.method as 'GET', url: req.path + query, headers: h, ...(req.body === undefined ? {} : { payload: req.body as object }) });
}

/** Sends the request, expects the status and the code (if any), and checks both sides against the spec. */
async function exchange(spec: string, req: RequestSample, expected: number, opts: { code?: string; request?: boolean } = {}) {
  const res = await send(req);
  expect(res.statusCode, `${req.method} ${req.path}: ${res.body}`).toBe(expected);
  if (opts.code) expect(res.json().code).toBe(opts.code);
  expectConforms(spec, { request: { ...req, headers: h }, response: res }, { request: opts.request ?? true });
  return res;
}

/** The spec's example request for an operation, with overrides. */
function example(spec: string, method: string, path: string, over: { body?: Json; query?: Record<string, string> } = {}): RequestSample {
  const ex = exampleRequest(spec, method, path);
  return {
    method,
    path,
    ...(Object.keys(ex.query).length || over.query ? { query: { ...ex.query, ...over.query } } : {}),
    ...(ex.body !== undefined ? { body: { ...(ex.body as Json), ...over.body } } : {}),
  };
}

/**
 * The Transactions spec declares both lists' `items` as an array of arrays (ListTransactionTypes
 * and TransactionFlow are array schemas used as item schemas). Lastro answers an array of objects;
 * each is checked against the spec's item schema by wrapping the page's items once more.
 */
async function listExchange(req: RequestSample) {
  const res = await send(req);
  expect(res.statusCode, res.body).toBe(200);
  expectConforms(TRANSACTIONS, { request: { ...req, headers: h } });
  const body = res.json();
  expect(Array.isArray(body.items)).toBe(true);
  const problems = checkResponse(TRANSACTIONS, { method: req.method, path: req.path, status: 200, headers: res.headers, body: { ...body, items: [body.items] } });
  expect(problems).toEqual([]);
  return body;
}

describeContract('Pismo contract: processing codes, transaction types and flows', () => {
  beforeAll(async () => {
    ({ app, headers: h } = await setupTenant());
  });
  afterAll(async () => app?.close());

  it('POST /orgs-operation/v1/processing-codes: the spec’s example (201), and 400s', async () => {
    const created = await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', CODES), 201);
    expect(created.json()).toEqual({ processing_code: 'I87654', reversal_processing_code: '578739', partial_reversal_processing_code: '578739', status: 'PENDING' });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', CODES), 400, { code: 'PROCESSING_CODE_EXISTS' });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', CODES, { body: { processing_code: 'PSM001' } }), 400, { code: 'PROCESSING_CODE_RESERVED' });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', CODES, { body: { processing_code: 'I87655', reversal_processing_code: '002000' } }), 400, {
      code: 'INVALID_REVERSAL_PROCESSING_CODE',
    });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', CODES, { body: { processing_code: 'I8-765' } }), 400, { code: 'VALIDATION_ERROR', request: false });
  });

  it('POST /orgs-operation/v1/reversal-processing-codes: the spec’s example (201), and 400s', async () => {
    const res = await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', '/orgs-operation/v1/reversal-processing-codes'), 201);
    expect(res.json()).toEqual({ processing_code: 'string', status: 'PENDING' });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', '/orgs-operation/v1/reversal-processing-codes'), 400, { code: 'PROCESSING_CODE_EXISTS' });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'POST', '/orgs-operation/v1/reversal-processing-codes', { body: { description: undefined } }), 400, {
      code: 'VALIDATION_ERROR',
      request: false,
    });
  });

  it('GET /orgs-operation/v1/processing-codes: 200 by cursor, and 400', async () => {
    const first = (await exchange(ORGS_OPERATION, { method: 'GET', path: CODES, query: { limit: '10' } }, 200)).json();
    expect(first).toMatchObject({ has_next: true, count: 10 });
    const next = await exchange(ORGS_OPERATION, { method: 'GET', path: CODES, query: { limit: '100', nextCursor: first.next_cursor } }, 200);
    expect(next.json().items.map((i: Json) => i.processing_codes)).toContain('I87654');
    await exchange(ORGS_OPERATION, { method: 'GET', path: CODES }, 200);
    // The example's values ("string") are not a count or a cursor of this API.
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'GET', CODES), 400, { code: 'VALIDATION_ERROR' });
  });

  it('GET /orgs-operation/v1/processing-codes/{processingCode}: 200 (and in a language), 400, 404', async () => {
    const res = await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'GET', `${CODES}/I87654`), 200);
    expect(res.json()).toMatchObject({ processing_code: 'I87654', balance_impact: 1, description: 'string', status: 'PENDING', tags: ['INDIA'] });
    await exchange(ORGS_OPERATION, { method: 'GET', path: `${CODES}/002000` }, 200);
    await exchange(ORGS_OPERATION, { method: 'GET', path: `${CODES}/PC0000` }, 404, { code: 'PROCESSING_CODE_NOT_FOUND' });
    await exchange(ORGS_OPERATION, { method: 'GET', path: `${CODES}/1234567` }, 400, { code: 'VALIDATION_ERROR' });
  });

  it('PATCH /orgs-operation/v1/processing-codes/{processingCode}: the spec’s example (204), 400, 404', async () => {
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'PATCH', `${CODES}/I87654`), 204);
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'PATCH', `${CODES}/PC0000`), 404, { code: 'PROCESSING_CODE_NOT_FOUND' });
    await exchange(ORGS_OPERATION, example(ORGS_OPERATION, 'PATCH', `${CODES}/I87654`, { body: { reversal_processing_code: '004000' } }), 400, {
      code: 'INVALID_REVERSAL_PROCESSING_CODE',
    });
    await exchange(ORGS_OPERATION, { method: 'PATCH', path: `${CODES}/I87654`, body: { tags: ['MOON'] } }, 400, { code: 'VALIDATION_ERROR', request: false });
  });

  it('POST /transactions-core/v1/transaction-types: the spec’s example (201), 400, 409 WTRC05001 and WTRC08001', async () => {
    const res = await exchange(TRANSACTIONS, example(TRANSACTIONS, 'POST', TYPES), 201);
    expect(res.json()).toEqual({ transaction_type_id: 7001, description: 'Payment', credit: true, posted_transaction: true });
    await exchange(TRANSACTIONS, example(TRANSACTIONS, 'POST', TYPES), 409, { code: 'WTRC05001' });
    await exchange(TRANSACTIONS, example(TRANSACTIONS, 'POST', TYPES, { body: { transaction_type_id: 101 } }), 409, { code: 'WTRC08001' });
    await exchange(TRANSACTIONS, example(TRANSACTIONS, 'POST', TYPES, { body: { credit: 'yes' } }), 400, { code: 'VALIDATION_ERROR', request: false });
  });

  it('GET /transactions-core/v1/transaction-types: the spec’s example (200), filters, and 400', async () => {
    expect(await listExchange(example(TRANSACTIONS, 'GET', TYPES))).toEqual({ has_next: false, items: [] });
    const mine = await listExchange({ method: 'GET', path: TYPES, query: { transactionTypeId: '7001' } });
    expect(mine.items).toEqual([{ transaction_type_id: 7001, description: 'Payment', credit: true, posted_transaction: true }]);
    expect((await listExchange({ method: 'GET', path: TYPES, query: { pageSize: '5' } })).has_next).toBe(true);
    await exchange(TRANSACTIONS, { method: 'GET', path: TYPES, query: { credit: 'maybe' } }, 400, { code: 'VALIDATION_ERROR', request: false });
  });

  it('GET /transactions-core/v1/transaction-type/{transactionTypeId}: 200 (standard and own), 400, 404 WTRC05005', async () => {
    const standard = await exchange(TRANSACTIONS, { method: 'GET', path: '/transactions-core/v1/transaction-type/203' }, 200);
    expect(standard.json()).toEqual({ id: 203, description: 'Refund', credit: true, posted_transaction: true, category: 'PAYMENTS/CREDITS' });
    await exchange(TRANSACTIONS, { method: 'GET', path: '/transactions-core/v1/transaction-type/7001' }, 200);
    await exchange(TRANSACTIONS, { method: 'GET', path: '/transactions-core/v1/transaction-type/101010' }, 404, { code: 'WTRC05005' });
    await exchange(TRANSACTIONS, { method: 'GET', path: '/transactions-core/v1/transaction-type/abc' }, 400, { code: 'VALIDATION_ERROR', request: false });
  });

  it('POST /transactions-core/v1/transaction-flow: the spec’s example (201), 400s and 409s', async () => {
    const res = await exchange(TRANSACTIONS, example(TRANSACTIONS, 'POST', FLOWS), 201);
    expect(res.json()).toEqual({ transaction_type_id: 7001, processing_code: '00AB11', key: 'OTHER', custom_key: 'national_rate' });
    const flow = (over: Json) => example(TRANSACTIONS, 'POST', FLOWS, { body: over });
    await exchange(TRANSACTIONS, flow({ custom_key: undefined }), 400, { code: 'WTRC04004' });
    await exchange(TRANSACTIONS, flow({ custom_key: '' }), 400, { code: 'WTRC04005' });
    await exchange(TRANSACTIONS, flow({ key: 'PRINCIPAL' }), 400, { code: 'WTRC04006' });
    await exchange(TRANSACTIONS, flow({ key: 'FEES' }), 400, { code: 'VALIDATION_ERROR', request: false });
    await exchange(TRANSACTIONS, flow({ transaction_type_id: 101010 }), 400, { code: 'WTRC05003' });
    await exchange(TRANSACTIONS, flow({ processing_code: 'NOPE' }), 400, { code: 'WTRC07001' });
    await exchange(TRANSACTIONS, example(TRANSACTIONS, 'POST', FLOWS), 409, { code: 'WTRC04001' });
    await exchange(TRANSACTIONS, flow({ transaction_type_id: 303 }), 409, { code: 'WTRC08001' });
    await exchange(TRANSACTIONS, flow({ processing_code: '002000' }), 409, { code: 'ETRC04006' });
    const own = await send({ method: 'POST', path: TYPES, body: { transaction_type_id: 7002, description: 'Purchase reversal', credit: true, posted_transaction: true } });
    expect(own.statusCode).toBe(201);
    await exchange(TRANSACTIONS, flow({ transaction_type_id: 7002 }), 409, { code: 'ETRC04003' });
    await exchange(TRANSACTIONS, flow({ transaction_type_id: 7002, key: 'CONTRACT', custom_key: undefined }), 409, { code: 'ETRC04005' });
  });

  it('GET /transactions-core/v1/transaction-flow: the spec’s example (200), filters, and 400', async () => {
    expect(await listExchange(example(TRANSACTIONS, 'GET', FLOWS))).toEqual({ has_next: false, items: [] });
    const mine = await listExchange({ method: 'GET', path: FLOWS, query: { processingCode: '00AB11' } });
    expect(mine.items).toEqual([
      { transaction_type_id: 303, processing_code: '00AB11', key: 'PRINCIPAL' },
      { transaction_type_id: 7001, processing_code: '00AB11', key: 'OTHER', custom_key: 'national_rate' },
    ]);
    await listExchange({ method: 'GET', path: FLOWS });
    await exchange(TRANSACTIONS, { method: 'GET', path: FLOWS, query: { transactionTypeId: 'x' } }, 400, { code: 'VALIDATION_ERROR', request: false });
  });

  it('PATCH …/transaction-flow/processing-code/{processingCode}/transaction-type/{transactionTypeId}: the spec’s example (200), 400s and 409s', async () => {
    const path = `${FLOWS}/processing-code/00AB11/transaction-type/7001`;
    const res = await exchange(TRANSACTIONS, example(TRANSACTIONS, 'PATCH', path), 200);
    expect(res.json()).toEqual({ transaction_type_id: 7001, processing_code: '00AB11', key: 'OTHER', custom_key: 'national_rate' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path, body: { key: 'OTHER' } }, 400, { code: 'WTRC04004' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path, body: { key: 'OTHER', custom_key: '' } }, 400, { code: 'WTRC04005' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path, body: { key: 'INSTALLMENT', custom_key: 'x' } }, 400, { code: 'WTRC04006' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path, body: { key: 'FEES' } }, 400, { code: 'VALIDATION_ERROR', request: false });
    await exchange(TRANSACTIONS, { method: 'PATCH', path: `${FLOWS}/processing-code/00AB11/transaction-type/x`, body: { key: 'INSTALLMENT' } }, 400, {
      code: 'VALIDATION_ERROR',
      request: false,
    });
    await exchange(TRANSACTIONS, { method: 'PATCH', path: `${FLOWS}/processing-code/00AB11/transaction-type/101010`, body: { key: 'INSTALLMENT' } }, 400, { code: 'WTRC05003' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path: `${FLOWS}/processing-code/004000/transaction-type/7001`, body: { key: 'INSTALLMENT' } }, 400, { code: 'WTRC04002' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path, body: { key: 'PRINCIPAL' } }, 409, { code: 'ETRC04003' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path, body: { key: 'CONTRACT' } }, 409, { code: 'ETRC04005' });
  });

  it('PATCH /transactions-core/v1/transaction-types/{transactionTypeId}: the spec’s example (200), 400, 404 and 409', async () => {
    const res = await exchange(TRANSACTIONS, example(TRANSACTIONS, 'PATCH', `${TYPES}/7002`), 200);
    expect(res.json()).toEqual({ transaction_type_id: 7002, description: 'Payment', credit: true, posted_transaction: true });
    await exchange(TRANSACTIONS, example(TRANSACTIONS, 'PATCH', `${TYPES}/101010`), 404, { code: 'WTRC05005' });
    await exchange(TRANSACTIONS, example(TRANSACTIONS, 'PATCH', `${TYPES}/203`), 409, { code: 'WTRC08001' });
    await exchange(TRANSACTIONS, { method: 'PATCH', path: `${TYPES}/7002`, body: { description: 'x'.repeat(31) } }, 400, { code: 'VALIDATION_ERROR', request: false });
  });
});
