// Money is an integer count of a currency's minor units; the exponent comes from ISO 4217.
// The API speaks decimals (Pismo sends `1000.00` as a JSON number); we parse them exactly and
// refuse, rather than round, anything that does not fit the currency's minor unit.
import currencyCodes from 'currency-codes';
import { Decimal } from 'decimal.js';

/** Decimal arithmetic for rates and interest: 40 significant digits, banker's rounding by default. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

export type Rounding = 'half-even' | 'half-up' | 'down' | 'up' | 'floor' | 'ceil';

const ROUNDING: Record<Rounding, Decimal.Rounding> = {
  'half-even': Decimal.ROUND_HALF_EVEN,
  'half-up': Decimal.ROUND_HALF_UP,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
  floor: Decimal.ROUND_FLOOR,
  ceil: Decimal.ROUND_CEIL,
};

export interface Currency {
  /** ISO 4217 alphabetic code, e.g. `BRL`. */
  code: string;
  /** ISO 4217 numeric code as three digits, e.g. `986`. */
  numeric: string;
  /** Number of minor-unit digits: 2 for BRL, 0 for JPY, 3 for BHD. */
  exponent: number;
  name: string;
}

const byCode = new Map<string, Currency>();
const byNumeric = new Map<string, Currency>();
for (const r of currencyCodes.data) {
  const c: Currency = { code: r.code, numeric: r.number, exponent: r.digits, name: r.currency };
  byCode.set(c.code, c);
  byNumeric.set(c.numeric, c);
}

/** 10^15: an amount of fewer minor units has at most 15 significant digits. */
const SAFE_DIGITS = 10n ** 15n;

export class MoneyError extends Error {
  constructor(
    readonly code: 'UNKNOWN_CURRENCY' | 'INVALID_AMOUNT' | 'AMOUNT_PRECISION' | 'AMOUNT_OUT_OF_RANGE' | 'CURRENCY_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}

export function currencyByCode(code: string): Currency {
  const c = byCode.get(code.toUpperCase());
  if (!c) throw new MoneyError('UNKNOWN_CURRENCY', `unknown ISO 4217 currency code "${code}"`);
  return c;
}

/** Accepts `986`, `"986"` or `"0986"`-free forms: numeric codes are three digits, zero-padded. */
export function currencyByNumeric(numeric: string | number): Currency {
  const key = String(numeric).padStart(3, '0');
  const c = byNumeric.get(key);
  if (!c) throw new MoneyError('UNKNOWN_CURRENCY', `unknown ISO 4217 numeric currency code "${String(numeric)}"`);
  return c;
}

export const isCurrencyNumericCode = (numeric: string | number): boolean =>
  byNumeric.has(String(numeric).padStart(3, '0'));

// A float64 keeps 15 significant decimal digits exactly; a JS number with more may already have
// been changed by JSON.parse, so we refuse it instead of guessing. (Request bodies do not go
// through JSON.parse: an Amount field reaches a handler as exact decimal text, http/amount.ts.)
const MAX_SIGNIFICANT_DIGITS_FROM_NUMBER = 15;
const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Plain decimal text (`-12.50`, what the API sends) as its sign and digits; undefined for anything else. */
export function decimalParts(text: string): { negative: boolean; whole: string; fraction: string } | undefined {
  const m = DECIMAL_TEXT.exec(text);
  return m ? { negative: m[1] === '-', whole: m[2]!, fraction: m[3] ?? '' } : undefined;
}

function toDecimal(value: string | number | bigint): Decimal {
  if (typeof value === 'bigint') return new Dec(value.toString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyError('INVALID_AMOUNT', `amount must be a finite number`);
    const d = new Dec(value); // decimal.js reads a number through its shortest round-trip text
    if (d.precision(true) > MAX_SIGNIFICANT_DIGITS_FROM_NUMBER) {
      throw new MoneyError(
        'INVALID_AMOUNT',
        `amount ${String(value)} has more than ${MAX_SIGNIFICANT_DIGITS_FROM_NUMBER} significant digits; send it as a string`,
      );
    }
    return d;
  }
  if (!DECIMAL_TEXT.test(value)) throw new MoneyError('INVALID_AMOUNT', `"${value}" is not a decimal amount`);
  return new Dec(value);
}

export class Money {
  private constructor(
    /** Amount in minor units (cents for BRL). */
    readonly minor: bigint,
    readonly currency: Currency,
  ) {}

  static ofMinor(minor: bigint | number, currency: Currency | string): Money {
    const cur = typeof currency === 'string' ? currencyByCode(currency) : currency;
    if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
      throw new MoneyError('INVALID_AMOUNT', `minor units must be a safe integer, got ${minor}`);
    }
    return new Money(BigInt(minor), cur);
  }

  static zero(currency: Currency | string): Money {
    return Money.ofMinor(0n, currency);
  }

  /**
   * Parses an API decimal exactly. More fraction digits than the currency allows is an error
   * (AMOUNT_PRECISION), never a silent rounding: `10.005` BRL is refused.
   */
  static fromDecimal(value: string | number, currency: Currency | string): Money {
    const cur = typeof currency === 'string' ? currencyByCode(currency) : currency;
    if (typeof value === 'string') return Money.#fromDecimalText(value, cur);
    const d = toDecimal(value);
    if (d.decimalPlaces() > cur.exponent) {
      throw new MoneyError(
        'AMOUNT_PRECISION',
        `${String(value)} has more than ${cur.exponent} decimal places allowed for ${cur.code}`,
      );
    }
    return new Money(BigInt(d.times(new Dec(10).pow(cur.exponent)).toFixed(0)), cur);
  }

  // Decimal text is read digit by digit, without a Decimal (every transfer's amount comes this
  // way): the same answers as the Decimal path, which a property test checks.
  static #fromDecimalText(value: string, cur: Currency): Money {
    const parts = decimalParts(value);
    if (!parts) throw new MoneyError('INVALID_AMOUNT', `"${value}" is not a decimal amount`);
    const { negative, whole, fraction } = parts;
    let places = fraction.length;
    while (places > 0 && fraction.charCodeAt(places - 1) === 48 /* 0 */) places--;
    if (places > cur.exponent) {
      throw new MoneyError('AMOUNT_PRECISION', `${value} has more than ${cur.exponent} decimal places allowed for ${cur.code}`);
    }
    return new Money(BigInt((negative ? '-' : '') + whole + fraction.slice(0, places).padEnd(cur.exponent, '0')), cur);
  }

  /** Converts a computed decimal (interest, pro-rata fees) to money with an explicit rounding rule. */
  static fromDecimalRounded(value: Decimal | string | number, currency: Currency | string, rounding: Rounding): Money {
    const cur = typeof currency === 'string' ? currencyByCode(currency) : currency;
    const d = value instanceof Decimal ? new Dec(value) : toDecimal(value);
    const minor = d.times(new Dec(10).pow(cur.exponent)).toDecimalPlaces(0, ROUNDING[rounding]);
    return new Money(BigInt(minor.toFixed(0)), cur);
  }

  /** Exact decimal text with the currency's number of places: `1000.00`, `5`, `1.250`. */
  toDecimalString(): string {
    const neg = this.minor < 0n;
    const digits = (neg ? -this.minor : this.minor).toString().padStart(this.currency.exponent + 1, '0');
    const cut = digits.length - this.currency.exponent;
    const text = this.currency.exponent === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
    return neg ? `-${text}` : text;
  }

  /**
   * The JSON number the API returns (Pismo's style), when a float64 carries it exactly: JSON
   * writes a number as its shortest round-trip text, so the client reads back this very decimal.
   * Anything else (in practice more than 15 significant digits) throws AMOUNT_OUT_OF_RANGE
   * rather than answer with a neighbouring amount.
   */
  toApiNumber(): number {
    const text = this.toDecimalString();
    const n = Number(text);
    // At most 15 significant digits: a float64 carries any such decimal exactly (DBL_DIG).
    if (this.minor < SAFE_DIGITS && this.minor > -SAFE_DIGITS) return n;
    if (!new Dec(n).eq(new Dec(text))) {
      throw new MoneyError('AMOUNT_OUT_OF_RANGE', `${this.toString()} cannot be written as an exact JSON number`);
    }
    return n;
  }

  toDecimal(): Decimal {
    return new Dec(this.toDecimalString());
  }

  add(other: Money): Money {
    this.#sameCurrency(other);
    return new Money(this.minor + other.minor, this.currency);
  }

  subtract(other: Money): Money {
    this.#sameCurrency(other);
    return new Money(this.minor - other.minor, this.currency);
  }

  negate(): Money {
    return new Money(-this.minor, this.currency);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.#sameCurrency(other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.currency.code === other.currency.code && this.minor === other.minor;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  /**
   * Splits into `parts` amounts that differ by at most one minor unit and sum exactly to this
   * amount. The leftover minor units go one each to the first parts (`remainder: 'first'`, the
   * default: 100.00 in 3 is 33.34 / 33.33 / 33.33) or to the last ones (`'last'`). Installment
   * schedules put the remainder on the LAST installment: Pismo's lending example (seed 003) repays
   * 1020.07 in 3 as 340.02 / 340.02 / 340.03, so a schedule asks for `{ remainder: 'last' }`.
   */
  allocate(parts: number, opts: { remainder?: 'first' | 'last' } = {}): Money[] {
    if (!Number.isInteger(parts) || parts < 1) throw new RangeError('parts must be a positive integer');
    const n = BigInt(parts);
    const base = this.minor / n;
    const rest = this.minor - base * n; // same sign as the amount, |rest| < parts
    const step = rest < 0n ? -1n : 1n;
    const extra = Number(rest < 0n ? -rest : rest);
    const takesExtra = opts.remainder === 'last' ? (i: number) => i >= parts - extra : (i: number) => i < extra;
    return Array.from({ length: parts }, (_, i) => new Money(takesExtra(i) ? base + step : base, this.currency));
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency.code}`;
  }

  #sameCurrency(other: Money): void {
    if (other.currency.code !== this.currency.code) {
      throw new MoneyError('CURRENCY_MISMATCH', `cannot combine ${this.currency.code} with ${other.currency.code}`);
    }
  }
}

// Storage convention: an amount is a `<name>_minor bigint` column (minor units, never a float or
// a numeric with a scale) beside the row's `currency_numeric_code text` (ISO 4217, three digits,
// as programs store it). A row with several amounts shares the one currency column.

/** PostgreSQL's bigint range, which every `*_minor` column holds. */
export const MINOR_COLUMN_MIN = -(2n ** 63n);
export const MINOR_COLUMN_MAX = 2n ** 63n - 1n;

/** The columns of a row's amounts named `Name`: `{ principal_minor, currency_numeric_code }`. */
export type MinorColumns<Name extends string> = { [K in Name as `${K}_minor`]: bigint } & { currency_numeric_code: string };

/**
 * The column values for amounts of one currency: `toMinorColumns({ principal, interest })` gives
 * `{ principal_minor, interest_minor, currency_numeric_code }`. Amounts in different currencies,
 * or beyond bigint, throw (a row has one currency, and PostgreSQL would refuse the value anyway).
 */
export function toMinorColumns<Name extends string>(amounts: Record<Name, Money>): MinorColumns<Name> {
  const columns: Record<string, bigint | string> = {};
  let currency: Currency | undefined;
  for (const [name, money] of Object.entries<Money>(amounts)) {
    if (currency && currency.code !== money.currency.code) {
      throw new MoneyError('CURRENCY_MISMATCH', `one row holds one currency: ${name} is ${money.currency.code}, not ${currency.code}`);
    }
    currency = money.currency;
    if (money.minor < MINOR_COLUMN_MIN || money.minor > MINOR_COLUMN_MAX) {
      throw new MoneyError('AMOUNT_OUT_OF_RANGE', `${name} ${money.toString()} does not fit a bigint column`);
    }
    columns[`${name}_minor`] = money.minor;
  }
  if (!currency) throw new RangeError('toMinorColumns needs at least one amount');
  columns.currency_numeric_code = currency.numeric;
  return columns as MinorColumns<Name>;
}

/** The Money in a row's `<name>_minor` column, in the row's `currency_numeric_code`. */
export function moneyFromColumns<Name extends string>(row: MinorColumns<Name>, name: Name): Money {
  const minor = (row as Record<string, unknown>)[`${name}_minor`];
  // pg reads int8 as bigint (database.ts); anything else means the column is not a *_minor bigint.
  if (typeof minor !== 'bigint') throw new TypeError(`${name}_minor must be read as a bigint, got ${typeof minor}`);
  return Money.ofMinor(minor, currencyByNumeric(row.currency_numeric_code));
}
