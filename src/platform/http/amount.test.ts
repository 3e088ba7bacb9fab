import { Ajv } from 'ajv';
import fc from 'fast-check';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { Money, currencyByCode } from '../money.js';
import { AMOUNT_KEYWORD, Amount, amountKeyword, amountToMoney, amountsInOpenApi, readAmount } from './amount.js';
import { parseJsonBody } from './json-body.js';

const BRL = currencyByCode('BRL');
const JPY = currencyByCode('JPY');

/** What an Amount field reads from a JSON body text (through the real body parser). */
const fromJson = (json: string, rule = {}, currency?: ReturnType<typeof currencyByCode>) =>
  readAmount(parseJsonBody(json).value, rule, currency);

describe('readAmount: exact decimal text from a JSON body', () => {
  it.each([
    ['1000.00', '1000'],
    ['1000.5', '1000.5'],
    ['-12.34', '-12.34'],
    ['0', '0'],
    ['-0', '0'],
    ['-0.00', '0'],
    ['1E2', '100'],
    ['2.5e-1', '0.25'],
    ['12345678901234567.89', '12345678901234567.89'], // 19 significant digits: JSON.parse would say ...568
    ['9223372036854775807', '9223372036854775807'], // 19 digits, the largest bigint
    ['0.30000000000000004', undefined], // 17 decimals: exact, but more than any currency has
  ])('%s → %s', (json, text) => {
    const read = fromJson(json);
    if (text === undefined) expect(read.ok).toBe(false);
    else expect(read).toEqual({ ok: true, text });
  });

  it('1e309 is too large, not Infinity', () => {
    expect(fromJson('1e309')).toEqual({ ok: false, reason: 'is too large: at most 9223372036854775807' });
    expect(fromJson('-1e309')).toEqual({ ok: false, reason: 'is too large: at most 9223372036854775807' });
    expect(fromJson('1e309', {}, BRL)).toEqual({ ok: false, reason: 'is too large for BRL: at most 92233720368547758.07' });
  });

  it('1e-7 has more decimal places than any currency, not 0.0000001 rounded away', () => {
    expect(fromJson('1e-7')).toEqual({ ok: false, reason: 'has more decimal places than any currency allows (4)' });
    expect(fromJson('1e-7', {}, BRL)).toEqual({ ok: false, reason: 'has more decimal places than BRL allows (2)' });
    expect(fromJson('1e-4')).toEqual({ ok: true, text: '0.0001' });
  });

  it('-0 is zero, without its sign', () => {
    expect(fromJson('-0')).toEqual({ ok: true, text: '0' });
    expect(readAmount(-0)).toEqual({ ok: true, text: '0' });
    expect(Money.fromDecimal('0', BRL).isNegative()).toBe(false);
  });

  it('20-digit values are exact, and bounded by what a bigint column holds', () => {
    // 20 significant digits that fit BRL's minor units… exactly.
    expect(fromJson('92233720368547758.07', {}, BRL)).toEqual({ ok: true, text: '92233720368547758.07' });
    expect(fromJson('-92233720368547758.08', {}, BRL)).toEqual({ ok: true, text: '-92233720368547758.08' });
    expect(fromJson('92233720368547758.08', {}, BRL)).toEqual({ ok: false, reason: 'is too large for BRL: at most 92233720368547758.07' });
    expect(fromJson('12345678901234567890')).toEqual({ ok: false, reason: 'is too large: at most 9223372036854775807' });
    expect(fromJson('1234567890123456789.0')).toEqual({ ok: true, text: '1234567890123456789' });
    expect(fromJson('1234567890123456.7891')).toEqual({ ok: true, text: '1234567890123456.7891' });
  });

  it('astronomical exponents are refused without writing their digits', () => {
    expect(fromJson('1e-999999999999')).toEqual({ ok: false, reason: 'has more decimal places than any currency allows (4)' });
    expect(fromJson('1e999999999999999999999')).toEqual({ ok: false, reason: 'is too large: at most 9223372036854775807' });
    expect(fromJson('0e999999999999')).toEqual({ ok: true, text: '0' });
  });

  it('strings: only where the spec declares one, and only plain decimals', () => {
    expect(readAmount('20.10')).toEqual({ ok: false, reason: 'must be a number, not a string' });
    expect(readAmount('20.10', { string: true })).toEqual({ ok: true, text: '20.1' });
    expect(readAmount('12345678901234567.89', { string: true })).toEqual({ ok: true, text: '12345678901234567.89' });
    for (const bad of ['NaN', 'Infinity', '-Infinity', '1e3', '0x10', '1,00', ' 1', '1 ', '', '+1', '.5', '1.', '01.5', '--1']) {
      expect(readAmount(bad, { string: true })).toEqual({ ok: false, reason: 'must be a decimal number such as "1000.00"' });
    }
    expect(readAmount(20.1, { string: true })).toEqual({ ok: true, text: '20.1' });
  });

  it('other JSON values are not amounts', () => {
    for (const bad of [null, true, {}, [], [1]]) expect(readAmount(bad)).toEqual({ ok: false, reason: 'must be a number' });
    expect(readAmount(null, { string: true })).toEqual({ ok: false, reason: 'must be a number or a decimal string' });
    expect(readAmount(Number.NaN)).toEqual({ ok: false, reason: 'must be a finite number' });
    expect(readAmount(Number.POSITIVE_INFINITY)).toEqual({ ok: false, reason: 'must be a finite number' });
  });

  it('bounds are compared exactly', () => {
    expect(readAmount(0, { exclusiveMinimum: 0 })).toEqual({ ok: false, reason: 'must be > 0' });
    expect(fromJson('0.0001', { exclusiveMinimum: 0 })).toEqual({ ok: true, text: '0.0001' });
    expect(readAmount(-0.01, { minimum: 0 })).toEqual({ ok: false, reason: 'must be >= 0' });
    expect(fromJson('10000000000000000.01', { maximum: 1e16 })).toEqual({ ok: false, reason: 'must be <= 10000000000000000' });
  });

  it('the currency decides the decimal places', () => {
    expect(readAmount(10.005, {}, BRL)).toEqual({ ok: false, reason: 'has more decimal places than BRL allows (2)' });
    expect(readAmount(1.5, {}, JPY)).toEqual({ ok: false, reason: 'has more decimal places than JPY allows (0)' });
    expect(readAmount(1.5, {}, currencyByCode('BHD'))).toEqual({ ok: true, text: '1.5' });
  });

  it('property: the text of any amount within the currency reads back as the same Money', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.constantFrom('BRL', 'JPY', 'BHD', 'CLF'),
        fc.boolean(),
        (minor, code, asJsonNumber) => {
          const money = Money.ofMinor(minor, code);
          const text = money.toDecimalString();
          const read = asJsonNumber ? fromJson(text, {}, money.currency) : readAmount(text, { string: true }, money.currency);
          expect(read.ok).toBe(true);
          if (read.ok) expect(Money.fromDecimal(read.text, code).equals(money)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the x-lastro-amount keyword in Ajv', () => {
  // The options the server gives Fastify's Ajv.
  const ajv = new Ajv({ allErrors: true, coerceTypes: 'array', useDefaults: true, verbose: true });
  amountKeyword(ajv as never);

  it('writes the exact text back in place of the number', () => {
    const validate = ajv.compile(Type.Object({ amount: Amount(), lines: Type.Array(Amount()) }));
    const body = parseJsonBody('{"amount": 12345678901234567.89, "lines": [1e2, -0]}').value as any;
    expect(validate(body)).toBe(true);
    expect(body).toEqual({ amount: '12345678901234567.89', lines: ['100', '0'] });
  });

  it('reports an Ajv error at the field, with the value', () => {
    const validate = ajv.compile(Type.Object({ amount: Amount() }));
    expect(validate({ amount: '1.5' })).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({ keyword: AMOUNT_KEYWORD, instancePath: '/amount', message: 'must be a number, not a string', data: '1.5' }),
    ]);
  });

  it('reads the currency from a sibling field, numeric or alphabetic', () => {
    const validate = ajv.compile(Type.Object({ amount: Amount({ currencyField: 'currency' }), currency: Type.Union([Type.String(), Type.Integer()]) }));
    expect(validate({ amount: 1.5, currency: 392 })).toBe(false);
    expect(validate.errors?.[0]?.message).toBe('has more decimal places than JPY allows (0)');
    expect(validate({ amount: 1.5, currency: 'JPY' })).toBe(false);
    expect(validate({ amount: 1.005, currency: '048' })).toBe(true); // BHD, 3 places
    expect(validate({ amount: 1.00001, currency: 'ZZZ' })).toBe(false); // unknown: any currency's bounds
    expect(validate.errors?.[0]?.message).toBe('has more decimal places than any currency allows (4)');
  });

  it('a union whose first branch fails elsewhere still reads the amount in the next', () => {
    const validate = ajv.compile(
      Type.Union([
        Type.Object({ kind: Type.Literal('A'), amount: Amount() }),
        Type.Object({ kind: Type.Literal('B'), amount: Amount({ minimum: 10 }) }),
      ]),
    );
    const body = { kind: 'B', amount: 12.5 };
    expect(validate(body)).toBe(true);
    expect(body.amount).toBe('12.5');
    // A string the client sent is still refused.
    expect(validate({ kind: 'B', amount: '12.5' })).toBe(false);
  });
});

describe('amountToMoney', () => {
  it('gives the Money in the currency the service knows', () => {
    expect(amountToMoney('body.amount', '12345678901234567.89', 'BRL').minor).toBe(1234567890123456789n);
    expect(amountToMoney('body.amount', 1000.5, BRL).toDecimalString()).toBe('1000.50');
  });

  it('an amount the currency cannot hold is a 400 naming the field', () => {
    let caught: unknown;
    try {
      amountToMoney('body.installments[2].amount', '1.5', 'JPY');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({
      kind: 'invalid',
      code: 'VALIDATION_ERROR',
      details: [{ field: 'body.installments[2].amount', reason: 'has more decimal places than JPY allows (0)' }],
    });
  });
});

describe('Amount in the OpenAPI document', () => {
  it('is the type Pismo declares, with no trace of the marker keyword', () => {
    const doc = {
      openapi: '3.0.3',
      paths: {
        '/x': {
          properties: {
            amount: Amount({ description: 'Amount.', exclusiveMinimum: 0, maximum: 1e9, example: 1000.5 }),
            refund: Amount({ string: true, example: '20.10' }),
            plain: { type: 'integer' },
          },
        },
      },
    };
    const out = amountsInOpenApi(doc);
    expect(out.paths['/x'].properties).toEqual({
      amount: { type: 'number', description: 'Amount.', minimum: 0, exclusiveMinimum: true, maximum: 1e9, example: 1000.5 },
      refund: { type: 'string', pattern: '^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$', example: '20.10' },
      plain: { type: 'integer' },
    });
    expect(JSON.stringify(out)).not.toContain(AMOUNT_KEYWORD);
    // The route schemas Ajv validates with are not touched.
    expect(doc.paths['/x'].properties.amount).toHaveProperty([AMOUNT_KEYWORD]);
    expect(amountsInOpenApi({ ...doc, openapi: '3.1.0' }).paths['/x'].properties.amount).toMatchObject({ exclusiveMinimum: 0 });
  });

  it('leaves a document without amounts as it was', () => {
    const doc = { openapi: '3.0.3', paths: { '/y': { a: [1, { b: 2 }] } } };
    expect(amountsInOpenApi(doc)).toBe(doc);
  });
});
