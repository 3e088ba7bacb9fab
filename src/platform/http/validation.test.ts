import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { isLosslessNumber } from './json-body.js';
import { requestValidatorCompiler } from './validation.js';

const compile = requestValidatorCompiler();
type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; data?: unknown }[] | null };

const query = compile({
  schema: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1 })), rate: Type.Optional(Type.Number()), ids: Type.Optional(Type.Array(Type.Integer())), on: Type.Optional(Type.Boolean()) }),
  httpPart: 'querystring',
  method: 'GET',
  url: '/x',
} as never) as unknown as Validator;

const body = compile({
  schema: Type.Object({ name: Type.String(), day: Type.Optional(Type.Integer()), on: Type.Optional(Type.Boolean()) }),
  httpPart: 'body',
  method: 'POST',
  url: '/x',
} as never) as unknown as Validator;

describe('the path, query string and headers: numbers read from decimal text, exactly', () => {
  it('reads decimal text as a number, booleans and arrays as Ajv coerces them', () => {
    const data: Record<string, unknown> = { page: '02', rate: '1.5e1', ids: ['1', '2'], on: 'true' };
    expect(query(data)).toBe(true);
    expect(data).toEqual({ page: 2, rate: 15, ids: [1, 2], on: true });
    const one: Record<string, unknown> = { ids: '7' };
    expect(query(one)).toBe(true);
    expect(one.ids).toEqual([7]);
  });

  it.each(['99999999999999999999', '9007199254740993', '1e309', '1e-400'])('%s stays text, and is refused', (text) => {
    const data: Record<string, unknown> = { rate: text };
    expect(query(data)).toBe(false);
    expect(isLosslessNumber(query.errors![0]!.data)).toBe(true);
  });

  it.each(['0x10', 'Infinity', 'NaN', ' 7', '', '1,5', '+1'])('%j is no number', (text) => {
    expect(query({ page: text })).toBe(false);
    expect(query.errors![0]).toMatchObject({ instancePath: '/page', keyword: 'type' });
  });
});

describe('a JSON body: no type coercion', () => {
  it.each([
    [{ name: 123 }, '/name'],
    [{ name: 'a', day: '5' }, '/day'],
    [{ name: 'a', on: 'true' }, '/on'],
    [{ name: null }, '/name'],
  ])('%j is refused at %s', (data, path) => {
    expect(body(structuredClone(data))).toBe(false);
    expect(body.errors!.map((e) => e.instancePath)).toContain(path);
  });

  it('accepts the declared types', () => expect(body({ name: 'a', day: 5, on: false })).toBe(true));
});
