import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Dec,
  MINOR_COLUMN_MAX,
  Money,
  MoneyError,
  currencyByCode,
  currencyByNumeric,
  isCurrencyNumericCode,
  moneyFromColumns,
  toMinorColumns,
} from './money.js';

describe('ISO 4217 currencies', () => {
  it('knows exponents from the standard', () => {
    expect(currencyByCode('BRL')).toMatchObject({ numeric: '986', exponent: 2 });
    expect(currencyByCode('JPY').exponent).toBe(0);
    expect(currencyByCode('BHD').exponent).toBe(3);
    expect(currencyByCode('CLF').exponent).toBe(4);
    expect(currencyByNumeric(986).code).toBe('BRL');
    expect(currencyByNumeric('840').code).toBe('USD');
    expect(currencyByNumeric('36').code).toBe('AUD'); // zero-padded: 036
  });

  it('refuses codes that do not exist', () => {
    expect(() => currencyByCode('XYZ')).toThrow(MoneyError);
    expect(() => currencyByNumeric(1)).toThrow(/unknown ISO 4217/);
    expect(isCurrencyNumericCode(986)).toBe(true);
    expect(isCurrencyNumericCode(987)).toBe(false);
  });
});

describe('parsing API decimals exactly', () => {
  it.each([
    ['1000.00', 'BRL', 100000n],
    ['0.1', 'BRL', 10n],
    [0.3, 'USD', 30n], // 0.1 + 0.2 style floats are read through their shortest text, not their binary value
    [1000.1, 'BRL', 100010n],
    ['-12.34', 'EUR', -1234n],
    ['5', 'JPY', 5n],
    ['1.234', 'BHD', 1234n],
    [9999999999999.99, 'BRL', 999999999999999n],
  ] as const)('%s %s → %s minor units', (value, cur, minor) => {
    expect(Money.fromDecimal(value, cur).minor).toBe(minor);
  });

  it('property: decimal text reads as Decimal arithmetic reads it (leading and trailing zeros, signs, every exponent)', () => {
    const digits = (max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: max }).map((d) => d.join(''));
    fc.assert(
      fc.property(fc.boolean(), digits(20), fc.option(digits(8)), fc.constantFrom('BRL', 'JPY', 'BHD', 'CLF'), (neg, whole, fraction, cur) => {
        const text = `${neg ? '-' : ''}${whole || '0'}${fraction === null ? '' : `.${fraction}`}`;
        const exponent = currencyByCode(cur).exponent;
        const d = new Dec(text);
        let got: bigint | string;
        try {
          got = Money.fromDecimal(text, cur).minor;
        } catch (err) {
          got = (err as MoneyError).code;
        }
        if (fraction === '') expect(got).toBe('INVALID_AMOUNT'); // "1." is not a decimal
        else if (d.decimalPlaces() > exponent) expect(got).toBe('AMOUNT_PRECISION');
        else expect(got).toBe(BigInt(d.times(new Dec(10).pow(exponent)).toFixed(0)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses more decimals than the currency has, instead of rounding', () => {
    expect(() => Money.fromDecimal('10.005', 'BRL')).toThrow(expect.objectContaining({ code: 'AMOUNT_PRECISION' }));
    expect(() => Money.fromDecimal(1.5, 'JPY')).toThrow(expect.objectContaining({ code: 'AMOUNT_PRECISION' }));
  });

  it('refuses text that is not a plain decimal, and unsafe floats', () => {
    for (const bad of ['1e3', '1,00', ' 1', '', 'NaN', '0x10', '1.']) {
      expect(() => Money.fromDecimal(bad, 'BRL')).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
    }
    expect(() => Money.fromDecimal(Number.POSITIVE_INFINITY, 'BRL')).toThrow(MoneyError);
    expect(() => Money.fromDecimal(12345678901234.56, 'BRL')).toThrow(/significant digits/);
  });

  it('formats with the currency exponent', () => {
    expect(Money.ofMinor(100000n, 'BRL').toDecimalString()).toBe('1000.00');
    expect(Money.ofMinor(-5n, 'BRL').toDecimalString()).toBe('-0.05');
    expect(Money.ofMinor(7n, 'JPY').toDecimalString()).toBe('7');
    expect(Money.ofMinor(1n, 'BHD').toDecimalString()).toBe('0.001');
    expect(Money.ofMinor(123456n, 'BRL').toApiNumber()).toBe(1234.56);
  });

  it('writes a JSON number only when the client reads back the same decimal', () => {
    expect(Money.ofMinor(999999999999999n, 'BRL').toApiNumber()).toBe(9999999999999.99);
    expect(Money.ofMinor(2n ** 53n - 1n, 'JPY').toApiNumber()).toBe(Number.MAX_SAFE_INTEGER); // 16 digits a float keeps
    expect(JSON.stringify({ amount: Money.fromDecimal('0.1', 'BRL').toApiNumber() })).toBe('{"amount":0.1}');
    expect(() => Money.fromDecimal('12345678901234567.89', 'BRL').toApiNumber()).toThrow(
      expect.objectContaining({ code: 'AMOUNT_OUT_OF_RANGE' }),
    );
    expect(() => Money.ofMinor(2n ** 53n + 1n, 'JPY').toApiNumber()).toThrow(/cannot be written as an exact JSON number/);
  });
});

describe('rounding is explicit', () => {
  it.each([
    ['2.345', 'half-even', 234n],
    ['2.355', 'half-even', 236n],
    ['2.345', 'half-up', 235n],
    ['2.349', 'down', 234n],
    ['-2.345', 'floor', -235n],
    ['-2.345', 'ceil', -234n],
  ] as const)('%s BRL with %s → %s', (value, mode, minor) => {
    expect(Money.fromDecimalRounded(value, 'BRL', mode).minor).toBe(minor);
  });

  it('decimal arithmetic keeps 40 significant digits', () => {
    // (1 + 0.0199/30)^360 needs far more than float precision to stay exact to the cent.
    const factor = new Dec(1).plus(new Dec('0.0199').div(30)).pow(360);
    // Reference value from Python's decimal module at 50 digits; a float gets it wrong from the 11th digit.
    expect(factor.times(1000).toFixed(30)).toBe('1269.624049977981314990599852741429');
    expect(Money.fromDecimalRounded(factor.times(1000), 'BRL', 'half-even').toDecimalString()).toBe('1269.62');
  });
});

describe('arithmetic', () => {
  it('does not mix currencies', () => {
    expect(() => Money.ofMinor(1n, 'BRL').add(Money.ofMinor(1n, 'USD'))).toThrow(/BRL with USD/);
  });

  it('allocates without losing a cent', () => {
    expect(Money.fromDecimal('100.00', 'BRL').allocate(3).map((m) => m.toDecimalString())).toEqual(['33.34', '33.33', '33.33']);
    expect(Money.fromDecimal('-0.05', 'BRL').allocate(2).map((m) => m.minor)).toEqual([-3n, -2n]);
  });

  it('installment schedules put the remainder on the last installment (seed 003: 1020.07 in 3)', () => {
    const total = Money.fromDecimal('1020.07', 'BRL');
    expect(total.allocate(3, { remainder: 'last' }).map((m) => m.toDecimalString())).toEqual(['340.02', '340.02', '340.03']);
    expect(total.allocate(3, { remainder: 'first' }).map((m) => m.toDecimalString())).toEqual(['340.03', '340.02', '340.02']);
    expect(total.allocate(3).map((m) => m.toDecimalString())).toEqual(['340.03', '340.02', '340.02']);
    expect(Money.fromDecimal('100.00', 'BRL').allocate(3, { remainder: 'last' }).map((m) => m.toDecimalString())).toEqual(['33.33', '33.33', '33.34']);
    expect(Money.fromDecimal('-0.05', 'BRL').allocate(2, { remainder: 'last' }).map((m) => m.minor)).toEqual([-2n, -3n]);
  });

  it('property: parse ∘ format is the identity, and allocate sums exactly', () => {
    const currencies = ['BRL', 'JPY', 'BHD', 'CLF'] as const;
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.constantFrom(...currencies),
        fc.integer({ min: 1, max: 400 }),
        (minor, cur, parts) => {
          const m = Money.ofMinor(minor, cur);
          expect(Money.fromDecimal(m.toDecimalString(), cur).minor).toBe(minor);
          for (const remainder of ['first', 'last'] as const) {
            const pieces = m.allocate(parts, { remainder });
            expect(pieces.reduce((a, b) => a.add(b)).minor).toBe(minor);
            const sizes = pieces.map((p) => p.minor);
            const spread = sizes.reduce((a, b) => (a > b ? a : b)) - sizes.reduce((a, b) => (a < b ? a : b));
            expect(spread <= 1n).toBe(true);
            // The larger parts (by magnitude) come first, or last, never in between.
            const abs = sizes.map((x) => (x < 0n ? -x : x));
            const ordered = remainder === 'first' ? abs.every((x, i) => i === 0 || abs[i - 1]! >= x) : abs.every((x, i) => i === 0 || abs[i - 1]! <= x);
            expect(ordered).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('columns: <name>_minor bigint + currency_numeric_code', () => {
  it('writes and reads a row', () => {
    const principal = Money.fromDecimal('1000.00', 'BRL');
    const interest = Money.fromDecimal('20.07', 'BRL');
    const row = toMinorColumns({ principal, interest });
    expect(row).toEqual({ principal_minor: 100000n, interest_minor: 2007n, currency_numeric_code: '986' });
    expect(moneyFromColumns(row, 'principal').equals(principal)).toBe(true);
    expect(moneyFromColumns(row, 'interest').toString()).toBe('20.07 BRL');
    expect(moneyFromColumns({ fee_minor: 5n, currency_numeric_code: '392' }, 'fee').toString()).toBe('5 JPY');
  });

  it('refuses a row of two currencies, a value beyond bigint, and a column not read as bigint', () => {
    expect(() => toMinorColumns({ a: Money.ofMinor(1n, 'BRL'), b: Money.ofMinor(1n, 'USD') })).toThrow(
      expect.objectContaining({ code: 'CURRENCY_MISMATCH' }),
    );
    expect(toMinorColumns({ a: Money.ofMinor(MINOR_COLUMN_MAX, 'BRL') }).a_minor).toBe(MINOR_COLUMN_MAX);
    expect(() => toMinorColumns({ a: Money.ofMinor(MINOR_COLUMN_MAX + 1n, 'BRL') })).toThrow(
      expect.objectContaining({ code: 'AMOUNT_OUT_OF_RANGE' }),
    );
    expect(() => moneyFromColumns({ a_minor: '5' as unknown as bigint, currency_numeric_code: '986' }, 'a')).toThrow(TypeError);
    expect(() => moneyFromColumns({ a_minor: 5n, currency_numeric_code: '000' }, 'a')).toThrow(MoneyError);
  });

  it('property: a row reads back the Money it was written from', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom('BRL', 'JPY', 'BHD', 'CLF', 'USD'), (minor, cur) => {
        const m = Money.ofMinor(minor, cur);
        expect(moneyFromColumns(toMinorColumns({ total: m }), 'total').equals(m)).toBe(true);
      }),
    );
  });
});
