// The standard set, checked as data: every authorization code has a reversal code of the
// opposite impact, every code posts to a type that goes its way, names and ids fit Pismo's limits,
// and Lastro's own codes stay out of the space an org may create in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTIALS, DEFAULT_PARTIAL_REVERSAL, MAX_RESERVED_TYPE_ID, STANDARD_CODES, standardTypes } from './ledger.setup.js';
import { reservedReason, reversalDescription } from './processing-codes.service.js';

const types = new Map(standardTypes().map((t) => [t.id, t]));

describe('the standard set', () => {
  it('has each code once, 2 to 6 letters and digits, descriptions within 50 characters', () => {
    const all = [...STANDARD_CODES.flatMap((c) => [c.code, c.reversal]), ...DEFAULT_PARTIALS.map((p) => p.code)];
    expect(new Set(all).size).toBe(all.length);
    for (const code of all) expect(code).toMatch(/^[A-Za-z0-9]{2,6}$/);
    for (const c of STANDARD_CODES) expect(reversalDescription(c.description).length).toBeLessThanOrEqual(50);
  });

  it('every code posts to a standard type going its way; its reversal to the next type, the other way', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STANDARD_CODES), (c) => {
        const type = types.get(c.type);
        const reversal = types.get(c.type + 1);
        expect(type?.credit).toBe(c.impact === 1);
        expect(reversal?.credit).toBe(c.impact === -1);
        expect(c.type + 1).toBeLessThanOrEqual(MAX_RESERVED_TYPE_ID);
        // Lastro's reversal codes are PSM codes: no org can have created one.
        expect(reservedReason(c.reversal)).toBeDefined();
      }),
    );
  });

  it('default partial reversals reverse every balance impact', () => {
    for (const impact of [1, 0, -1] as const) {
      const partial = DEFAULT_PARTIALS.find((p) => p.code === DEFAULT_PARTIAL_REVERSAL[impact]);
      expect(partial?.impact).toBe(impact === 0 ? 0 : -impact);
      if (impact !== 0) expect(partial?.type.credit).toBe(impact === -1);
    }
  });

  it('type descriptions fit 30 characters and ids the reserved range', () => {
    for (const t of types.values()) {
      expect(t.description.length).toBeLessThanOrEqual(30);
      expect(t.id).toBeGreaterThanOrEqual(1);
      expect(t.id).toBeLessThanOrEqual(MAX_RESERVED_TYPE_ID);
    }
  });
});

describe('reserved codes', () => {
  it('PSM in any case and 2-character codes are reserved; other codes of 3 to 6 are not', () => {
    const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alnum, minLength: 2, maxLength: 6 }), (code) => {
        const reserved = /^psm/i.test(code) || code.length === 2;
        expect(reservedReason(code) !== undefined).toBe(reserved);
      }),
    );
  });
});
