import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LosslessNumber, inexactNumberPaths, inexactNumberReason, isLosslessNumber, parseJsonBody } from './json-body.js';

const parsed = (text: string) => parseJsonBody(text).value;

describe('parseJsonBody keeps numbers exact', () => {
  it.each([
    ['1000.00', 1000],
    ['0.1', 0.1],
    ['-0', -0],
    ['1e-7', 1e-7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['0.30000000000000004', 0.30000000000000004], // 17 digits, but a float prints them back
  ])('%s becomes the JS number %s', (text, number) => {
    const { value, inexact } = parseJsonBody(text);
    expect(value).toBe(number);
    expect(inexact).toBe(false);
  });

  it.each(['12345678901234567.89', '12345678901234567890', '9007199254740993', '9007199254740992', '1e309', '-1e309', '2e-324', '1e20'])(
    '%s stays text (a LosslessNumber)',
    (text) => {
      const { value, inexact } = parseJsonBody(text);
      expect(isLosslessNumber(value)).toBe(true);
      expect((value as LosslessNumber).value).toBe(text);
      expect(inexact).toBe(true);
    },
  );

  it('keeps the text of a long amount inside objects and arrays', () => {
    const body = parsed('{"amount": 12345678901234567.89, "lines": [{"id": 9007199254740993}, 1]}') as any;
    expect(body.amount.value).toBe('12345678901234567.89');
    expect(body.lines[0].id.value).toBe('9007199254740993');
    expect(body.lines[1]).toBe(1);
    expect(inexactNumberPaths(body).map((f) => f.path)).toEqual(['/amount', '/lines/0/id']);
  });

  it('names why a number cannot be a JS number', () => {
    expect(inexactNumberReason(new LosslessNumber('1e309'))).toBe('is a number too large to represent');
    expect(inexactNumberReason(new LosslessNumber('2e-324'))).toBe('is a number too close to zero to represent');
    expect(inexactNumberReason(new LosslessNumber('9007199254740993'))).toMatch(/integer beyond ±9007199254740991/);
    expect(inexactNumberReason(new LosslessNumber('12345678901234567.89'))).toMatch(/significant digits/);
  });

  it('escapes / and ~ in JSON pointer paths', () => {
    expect(inexactNumberPaths({ 'a/b': { '~c': new LosslessNumber('1e400') } }).map((f) => f.path)).toEqual(['/a~1b/~0c']);
  });
});

describe('parseJsonBody otherwise behaves as JSON.parse', () => {
  it.each(['{"a":', '{a:1}', "{'a':1}", '[1,]', '01', '1.', '.5', '+1', 'NaN', 'Infinity', '-', '{"a":1}x', '"\u0001"', ' '])(
    'refuses %j',
    (text) => {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => parseJsonBody(text)).toThrow(SyntaxError);
    },
  );

  it('lets the last of duplicate keys win, as JSON.parse does', () => {
    expect(parsed('{"a":1,"a":2}')).toEqual({ a: 2 });
  });

  it('property: any JSON text parses to what JSON.parse gives, numbers kept exact where it would round', () => {
    const sameAsJsonParse = (ours: unknown, theirs: unknown): boolean => {
      if (isLosslessNumber(ours)) return typeof theirs === 'number' && Number(ours.value) === theirs;
      if (Array.isArray(ours)) return Array.isArray(theirs) && ours.length === theirs.length && ours.every((v, i) => sameAsJsonParse(v, theirs[i]));
      if (ours !== null && typeof ours === 'object') {
        const keys = Object.keys(ours);
        return (
          theirs !== null &&
          typeof theirs === 'object' &&
          keys.length === Object.keys(theirs).length &&
          keys.every((k) => sameAsJsonParse((ours as any)[k], (theirs as any)[k]))
        );
      }
      return Object.is(ours, theirs);
    };
    const longNumber = fc
      .tuple(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: -400, max: 400 }))
      .map(([digits, places, exp]) => `${digits}${places ? `.${'7'.repeat(places)}` : ''}${exp ? `e${exp}` : ''}`);
    const text = fc.oneof(
      fc.json(),
      longNumber,
      fc.dictionary(fc.string(), longNumber).map((o) => `{${Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        fc.pre(!/__proto__|constructor/.test(t)); // refused on purpose: see below
        const theirs = JSON.parse(t);
        expect(sameAsJsonParse(parsed(t), theirs)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: text that is not JSON is refused by both', () => {
    fc.assert(
      fc.property(fc.string(), (t) => {
        let theirs: 'ok' | 'refused' = 'ok';
        try {
          JSON.parse(t);
        } catch {
          theirs = 'refused';
        }
        let ours: 'ok' | 'refused' = 'ok';
        try {
          parseJsonBody(t);
        } catch {
          ours = 'refused';
        }
        // A body that is `__proto__`-free text either parses on both sides or on neither.
        if (!t.includes('__proto__') && !t.includes('constructor')) expect(ours).toBe(theirs);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses absurd nesting with a SyntaxError, not a crash', () => {
    expect(() => parseJsonBody('['.repeat(100_000) + ']'.repeat(100_000))).toThrow(SyntaxError);
  });
});

describe('prototype poisoning is refused, as Fastify does by default', () => {
  it.each([
    '{"__proto__": {"admin": true}}',
    '{"a": [{"__proto__": {}}]}',
    '{"\\u005f_proto__": {"admin": true}}',
    '{"constructor": {"prototype": {"admin": true}}}',
    '{"a": {"constructor": {"prototype": {}}}}',
  ])('%s', (text) => {
    expect(() => parseJsonBody(text)).toThrow(SyntaxError);
    expect(({} as any).admin).toBeUndefined();
  });

  it('allows an ordinary key named constructor', () => {
    expect(parsed('{"constructor": "Acme", "b": {"constructor": {"name": "x"}}}')).toEqual({ constructor: 'Acme', b: { constructor: { name: 'x' } } });
  });
});
