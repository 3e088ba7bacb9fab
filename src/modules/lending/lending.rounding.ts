// Exact arithmetic for the schedule engine. Amounts are integer minor units (bigint); rates are
// exact ratios of bigints (a rate typed as a decimal, divided by a period count, multiplied by a
// day-count fraction or raised to the n-th power in a PMT stays exact), and a computed amount
// becomes money through one explicit rule, the product's rounding_mode. decimal.js (40 significant
// digits) only reads decimal forms plain text does not cover (exponents) and prints rates.
// Nothing here touches a float.
import { Decimal } from 'decimal.js';
import { Dec, decimalParts } from '../../platform/money.js';

export { Dec };

/** The product's rounding_mode: HALF_EVEN (default), HALF_UP, DOWN (toward zero), UP (away from zero). */
export type RoundingMode = 'HALF_EVEN' | 'HALF_UP' | 'DOWN' | 'UP';

export const ROUNDING_MODES: readonly RoundingMode[] = ['HALF_EVEN', 'HALF_UP', 'DOWN', 'UP'];

const DECIMAL_ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  HALF_EVEN: Decimal.ROUND_HALF_EVEN,
  HALF_UP: Decimal.ROUND_HALF_UP,
  DOWN: Decimal.ROUND_DOWN,
  UP: Decimal.ROUND_UP,
};

/** An exact rational number n / d (d > 0). */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

export const ratio = (n: bigint, d: bigint = 1n): Ratio => (d < 0n ? { n: -n, d: -d } : { n, d });
export const ZERO: Ratio = { n: 0n, d: 1n };
export const mul = (a: Ratio, b: Ratio): Ratio => ({ n: a.n * b.n, d: a.d * b.d });
export const add = (a: Ratio, b: Ratio): Ratio => (a.d === b.d ? { n: a.n + b.n, d: a.d } : { n: a.n * b.d + b.n * a.d, d: a.d * b.d });
export const isZero = (a: Ratio): boolean => a.n === 0n;

/** A decimal text or Decimal as an exact ratio: `0.12` is 12 / 100. */
export function ratioOf(value: Decimal | string | number): Ratio {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  const parts = text === undefined ? undefined : decimalParts(text);
  if (parts) {
    // Plain decimal text (what the API sends): exact, without a Decimal.
    const n = BigInt(parts.whole + parts.fraction);
    return { n: parts.negative ? -n : n, d: 10n ** BigInt(parts.fraction.length) };
  }
  const d = value instanceof Decimal ? value : new Dec(value);
  if (!d.isFinite()) throw new RangeError(`not a finite number: ${String(value)}`);
  const places = d.decimalPlaces();
  const den = 10n ** BigInt(places);
  return { n: BigInt(d.times(den.toString()).toFixed(0)), d: den };
}

export const toDecimal = (r: Ratio): Decimal => new Dec(r.n.toString()).div(r.d.toString());

/** n / d rounded to an integer with the mode (d ≠ 0), in bigint arithmetic only. */
export function roundDiv(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates toward zero
  const r = n - q * d;
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case 'DOWN':
      return q;
    case 'UP':
      return away;
    case 'HALF_UP': {
      const twice = 2n * (r < 0n ? -r : r);
      return twice >= d ? away : q;
    }
    case 'HALF_EVEN': {
      const twice = 2n * (r < 0n ? -r : r);
      if (twice > d) return away;
      if (twice < d) return q;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** amount × rate, in minor units, rounded with the mode. */
export const mulRound = (minor: bigint, rate: Ratio, mode: RoundingMode): bigint => roundDiv(minor * rate.n, rate.d, mode);

/** A Decimal amount of minor units rounded to whole minor units. */
export function roundMinor(minor: Decimal, mode: RoundingMode): bigint {
  return BigInt(minor.toDecimalPlaces(0, DECIMAL_ROUNDING[mode]).toFixed(0));
}

/**
 * Rounds an amount in minor units to the nearest multiple of `multiple` minor units with the
 * product's rounding mode (HALF_EVEN: 312.50 in multiples of 1.00 is 312.00; 416.67 in multiples
 * of 20.00 is 420.00). A multiple of 0 or 1 minor unit leaves the amount as it is.
 */
export function roundToMultiple(minor: bigint, multiple: bigint, mode: RoundingMode): bigint {
  if (multiple <= 1n) return minor;
  return roundDiv(minor, multiple, mode) * multiple;
}
