import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ILL_FORMED_REASON, NUL_REASON, decodeUtf8, textIssues, textProblem } from './text.js';
import { parseJsonBody } from './json-body.js';
import { parseFormBody } from './form-body.js';

/** decodeUtf8's inverse: UTF-8 for text, the original byte for each stand-in U+DC80–U+DCFF. */
function encodeBack(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    parts.push(c >= 0xdc80 && c <= 0xdcff ? Buffer.from([c - 0xdc00]) : Buffer.from(ch));
  }
  return Buffer.concat(parts);
}

describe('textProblem: text PostgreSQL can store', () => {
  it.each([
    ['plain', undefined],
    ['ção 日本 \u{1f31e}', undefined],
    ['a\u0000b', NUL_REASON],
    ['a\ud800b', ILL_FORMED_REASON],
    ['a\udc00', ILL_FORMED_REASON],
    ['\udc00\ud800', ILL_FORMED_REASON], // a low before a high is no pair
    ['\ud83c\udf1e', undefined],
  ])('%j → %s', (text, reason) => expect(textProblem(text)).toBe(reason));

  it('names every bad string and property name of a value by JSON pointer', () => {
    expect(textIssues({ a: 'ok', b: ['x', 'y\u0000'], 'c/d': { 'k\ud800': 1 } })).toEqual([
      { path: '/b/1', reason: NUL_REASON },
      { path: '/c~1d', reason: expect.stringMatching(/^has a property name that is not valid Unicode/) },
    ]);
  });
});

describe('decodeUtf8: bytes that are not UTF-8 are kept apart, never U+FFFD', () => {
  it.each([
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['an overlong', [0xc0, 0xae]],
    ['a stray continuation byte', [0x80]],
    ['FF', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('%s', (_label, bad) => {
    const { text, valid } = decodeUtf8(Buffer.from([0x61, ...bad, 0x62]));
    expect(valid).toBe(false);
    expect(text).toBe(`a${bad.map((b) => String.fromCharCode(0xdc00 + b)).join('')}b`);
    expect(text).not.toContain('\ufffd');
  });

  it('gives back any string’s UTF-8 as that string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeUtf8(Buffer.from(s))).toEqual({ text: s, valid: true });
      }),
    );
  });

  it('loses no byte of any input: the stand-ins give the bytes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const { text } = decodeUtf8(buf);
        expect(encodeBack(text).equals(buf)).toBe(true);
      }),
    );
  });
});

describe('parseJsonBody and parseFormBody report text that cannot be stored', () => {
  it('in JSON: escapes and raw bytes, naming each field', () => {
    expect(parseJsonBody('{"a": "x\\u0000", "b": ["\\ud800"], "c": "fine \\ud83c\\udf1e"}').unstorable).toEqual([
      { path: '/a', reason: NUL_REASON },
      { path: '/b/0', reason: ILL_FORMED_REASON },
    ]);
    const raw = Buffer.concat([Buffer.from('{"name": "x'), Buffer.from([0xc0, 0xae]), Buffer.from('"}')]);
    expect(parseJsonBody(raw).unstorable).toEqual([{ path: '/name', reason: ILL_FORMED_REASON }]);
    // A high surrogate escape right before a stray byte would make a pair: still refused.
    const paired = Buffer.concat([Buffer.from('{"name": "\\ud800'), Buffer.from([0x80]), Buffer.from('"}')]);
    expect(parseJsonBody(paired).unstorable).toEqual([{ path: '/name', reason: ILL_FORMED_REASON }]);
    // Bytes that are not UTF-8 outside any string are not JSON.
    expect(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(SyntaxError);
  });

  it('in a form: NUL, escapes that do not decode, bytes that are not UTF-8', () => {
    expect(parseFormBody(Buffer.from('a=1&b=x+y&b=z%20w')).value).toEqual({ a: '1', b: 'z w' });
    expect(parseFormBody(Buffer.from('a=%00&b=%ED%A0%80&c=%ZZ&d=ok')).unstorable).toEqual([
      { path: '/b', reason: 'is not valid percent-encoded UTF-8' },
      { path: '/c', reason: 'is not valid percent-encoded UTF-8' },
      { path: '/a', reason: NUL_REASON },
    ]);
    expect(parseFormBody(Buffer.from([0x61, 0x3d, 0xff])).unstorable).toEqual([{ path: '/a', reason: ILL_FORMED_REASON }]);
  });
});
