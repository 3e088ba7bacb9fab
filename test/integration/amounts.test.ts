// Exact amounts at the edge, through the real HTTP stack: the JSON body parser keeps each number's
// text, an Amount field reaches the handler as exact decimal text, and a number that cannot be
// kept exactly anywhere else is a 400 naming the field, never a rounded value.
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAuth } from '../../src/platform/auth/guard.js';
import { Amount, amountToMoney } from '../../src/platform/http/amount.js';
import type { LastroModule } from '../../src/platform/module.js';
import { Money, currencyByNumeric } from '../../src/platform/money.js';
import { testApp, type TestApp } from '../helpers/app.js';

// Routes that exist only in this test: the Amount schema has no module of its own to live in yet.
const probe: LastroModule = {
  name: 'amounts-probe',
  routes(app) {
    app.post(
      '/probe/amounts',
      {
        config: { auth: routeAuth.public() },
        schema: {
          body: Type.Object(
            {
              amount: Amount({ currencyField: 'currency', description: 'Amount to pay.', example: 1000.5 }),
              currency: Type.String({ format: 'iso4217-numeric' }),
              refund: Type.Optional(Amount({ string: true, example: '20.10' })),
              fee: Type.Optional(Type.Union([Amount({ minimum: 0 }), Type.Null()])),
              lines: Type.Optional(Type.Array(Type.Object({ amount: Amount() }))),
              id: Type.Optional(Type.Integer()),
              rate: Type.Optional(Type.Number()),
              kind: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
              metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              amount: Type.String(),
              minor: Type.String(),
              api_amount: Type.Number(),
              refund: Type.Optional(Type.String()),
              fee: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              lines: Type.Optional(Type.Array(Type.String())),
              id: Type.Optional(Type.Integer()),
            }),
          },
        },
      },
      async (req) => {
        const money = Money.fromDecimal(req.body.amount, currencyByNumeric(req.body.currency));
        return {
          amount: req.body.amount,
          minor: money.minor.toString(),
          api_amount: Money.ofMinor(money.minor % 1_000_000n, money.currency).toApiNumber(),
          refund: req.body.refund,
          fee: req.body.fee,
          lines: req.body.lines?.map((l) => l.amount),
          id: req.body.id,
        };
      },
    );
    // The currency is the service's to know (an account's, a program's): JPY here.
    app.post(
      '/probe/amounts/jpy',
      {
        config: { auth: routeAuth.public() },
        schema: { body: Type.Object({ amount: Amount() }), response: { 200: Type.Object({ minor: Type.String() }) } },
      },
      async (req) => ({ minor: amountToMoney('body.amount', req.body.amount, 'JPY').minor.toString() }),
    );
    // No body schema at all: whatever arrives is the handler's to read.
    app.post('/probe/amounts/free', { config: { auth: routeAuth.public() } }, async () => ({ ok: true }));
  },
};

let app: TestApp;
beforeAll(async () => {
  app = await testApp({ modules: [probe] });
});
afterAll(async () => app?.close());

/** Posts raw JSON text, so the test controls every digit the server receives. */
const post = (text: string, url = '/probe/amounts') =>
  app.http.inject({ method: 'POST', url, payload: text, headers: { 'content-type': 'application/json' } });

async function issues(text: string, url?: string): Promise<{ field: string; reason: string }[]> {
  const res = await post(text, url);
  expect(res.statusCode).toBe(400);
  const body = res.json();
  expect(body.code).toBe('VALIDATION_ERROR');
  return body.details;
}

describe('an Amount field arrives exact', () => {
  it('{"amount": 12345678901234567.89} reaches the handler as its exact text', async () => {
    const res = await post('{"amount": 12345678901234567.89, "currency": "986"}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ amount: '12345678901234567.89', minor: '1234567890123456789' });
  });

  it('ordinary amounts as before, written back as JSON numbers', async () => {
    const res = await post('{"amount": 1000.50, "currency": "986", "lines": [{"amount": 0.1}, {"amount": 2e1}]}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ amount: '1000.5', minor: '100050', api_amount: 1000.5, lines: ['0.1', '20'] });
    expect(res.payload).toContain('"api_amount":1000.5');
  });

  it('a string where the spec declares one, exact too', async () => {
    const res = await post('{"amount": 1, "currency": "986", "refund": "12345678901234567.10"}');
    expect(res.statusCode).toBe(200);
    expect(res.json().refund).toBe('12345678901234567.1');
    expect((await post('{"amount": 1, "currency": "986", "refund": 20.10}')).json().refund).toBe('20.1');
  });

  it('a nullable amount takes null or an amount', async () => {
    expect((await post('{"amount": 1, "currency": "986", "fee": null}')).json().fee).toBeNull();
    expect((await post('{"amount": 1, "currency": "986", "fee": 0.5}')).json().fee).toBe('0.5');
    expect(await issues('{"amount": 1, "currency": "986", "fee": -0.5}')).toEqual([{ field: 'body.fee', reason: 'must be >= 0' }]);
    expect(await issues('{"amount": 1, "currency": "986", "fee": 1e400}')).toEqual([
      { field: 'body.fee', reason: 'is too large: at most 9223372036854775807' },
    ]);
  });
});

describe('an amount that is not one → 400 VALIDATION_ERROR naming body.amount', () => {
  it('1e309', async () => {
    expect(await issues('{"amount": 1e309, "currency": "986"}')).toEqual([
      { field: 'body.amount', reason: 'is too large for BRL: at most 92233720368547758.07' },
    ]);
  });

  it('NaN-ish text', async () => {
    expect(await issues('{"amount": "NaN", "currency": "986"}')).toEqual([{ field: 'body.amount', reason: 'must be a number, not a string' }]);
    expect(await issues('{"amount": 1, "currency": "986", "refund": "NaN"}')).toEqual([
      { field: 'body.refund', reason: 'must be a decimal number such as "1000.00"' },
    ]);
    expect(await issues('{"amount": 1, "currency": "986", "refund": "Infinity"}')).toEqual([
      { field: 'body.refund', reason: 'must be a decimal number such as "1000.00"' },
    ]);
    // Bare NaN is not JSON at all.
    const bare = await post('{"amount": NaN, "currency": "986"}');
    expect(bare.statusCode).toBe(400);
    expect(bare.json().code).toBe('MALFORMED_JSON');
  });

  it('a string when the schema allows only numbers (no coercion to a float)', async () => {
    expect(await issues('{"amount": "10.50", "currency": "986"}')).toEqual([{ field: 'body.amount', reason: 'must be a number, not a string' }]);
  });

  it('too many decimals for the currency', async () => {
    expect(await issues('{"amount": 10.005, "currency": "986"}')).toEqual([
      { field: 'body.amount', reason: 'has more decimal places than BRL allows (2)' },
    ]);
    expect(await issues('{"amount": 1.5, "currency": "392"}')).toEqual([{ field: 'body.amount', reason: 'has more decimal places than JPY allows (0)' }]);
    expect(await issues('{"amount": 1e-7, "currency": "986"}')).toEqual([
      { field: 'body.amount', reason: 'has more decimal places than BRL allows (2)' },
    ]);
    // Where the service knows the currency, amountToMoney says the same.
    expect(await issues('{"amount": 1.5}', '/probe/amounts/jpy')).toEqual([
      { field: 'body.amount', reason: 'has more decimal places than JPY allows (0)' },
    ]);
    expect((await post('{"amount": 1500}', '/probe/amounts/jpy')).json()).toEqual({ minor: '1500' });
  });

  it('names every bad field in one answer, in arrays too', async () => {
    const found = await issues('{"amount": true, "currency": "986", "lines": [{"amount": 1}, {"amount": "2"}], "refund": {}}');
    expect(found).toEqual(
      expect.arrayContaining([
        { field: 'body.amount', reason: 'must be a number' },
        { field: 'body.lines[1].amount', reason: 'must be a number, not a string' },
        { field: 'body.refund', reason: 'must be a number or a decimal string' },
      ]),
    );
    expect(found).toHaveLength(3);
  });
});

describe('a number kept as text anywhere else is refused, never rounded', () => {
  it('an int64 id beyond 2^53 in an integer field', async () => {
    expect(await issues('{"amount": 1, "currency": "986", "id": 9007199254740993}')).toEqual([
      { field: 'body.id', reason: 'is an integer beyond ±9007199254740991, which cannot be kept exactly' },
    ]);
    const safe = await post('{"amount": 1, "currency": "986", "id": 9007199254740991}');
    expect(safe.json().id).toBe(9007199254740991);
  });

  it('1e309 in a number field, 20 digits in a union of literals', async () => {
    expect(await issues('{"amount": 1, "currency": "986", "rate": 1e309}')).toEqual([
      { field: 'body.rate', reason: 'is a number too large to represent' },
    ]);
    expect(await issues('{"amount": 1, "currency": "986", "kind": 1.0000000000000000001}')).toEqual([
      { field: 'body.kind', reason: 'has more significant digits than a 64-bit number keeps exactly' },
    ]);
  });

  it('in a free-form object, or a route without a body schema', async () => {
    expect(await issues('{"amount": 1, "currency": "986", "metadata": {"ref": {"n": 12345678901234567890}}}')).toEqual([
      { field: 'body.metadata.ref.n', reason: 'is an integer beyond ±9007199254740991, which cannot be kept exactly' },
    ]);
    expect(await issues('[1, 2e-400]', '/probe/amounts/free')).toEqual([{ field: 'body[1]', reason: 'is a number too close to zero to represent' }]);
    expect((await post('{"metadata": 1.5}', '/probe/amounts/free')).json()).toEqual({ ok: true });
  });

  it('a body field is not coerced: a string where an integer is declared is refused', async () => {
    expect(await issues('{"amount": 1, "currency": "986", "id": "42"}')).toEqual([{ field: 'body.id', reason: 'must be integer' }]);
  });
});

describe('the body parser keeps Fastify’s protections', () => {
  it.each(['{"__proto__": {"x": 1}, "amount": 1, "currency": "986"}', '{"constructor": {"prototype": {"x": 1}}}', '{"amount": 1,'])(
    '%s → 400 MALFORMED_JSON',
    async (text) => {
      const res = await post(text);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('MALFORMED_JSON');
    },
  );
});

describe('the OpenAPI document', () => {
  it('shows an Amount as the type Pismo declares, and no custom keyword', () => {
    const doc = app.http.swagger() as any;
    const schema = doc.paths['/probe/amounts'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.amount).toEqual({ type: 'number', description: 'Amount to pay.', example: 1000.5 });
    expect(schema.properties.refund).toEqual({ type: 'string', pattern: '^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$', example: '20.10' });
    expect(schema.properties.lines.items.properties.amount).toEqual({ type: 'number' });
    expect(JSON.stringify(doc)).not.toContain('x-lastro-amount');
  });
});
