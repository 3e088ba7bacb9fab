// One schema for every money field in a request. Pismo declares amounts as JSON numbers
// (`1000.00`) and, in a few APIs, as decimal strings (`"20.10"`); both are read exactly, whatever
// their number of digits, and a handler receives the amount as plain decimal text.
//
// The schema carries no `type`: Ajv's `type: number` would reject the exact form of a long
// number (a LosslessNumber, see json-body.ts) and, with the coercion the server keeps for other
// fields, turn a string into a float. The `x-lastro-amount` keyword does the checking instead, and
// the OpenAPI document is given the `type` Pismo's spec declares (amountsInOpenApi).
import { Type, type TUnsafe } from 'typebox';
import { PlatformErrors } from '../errors.js';
import { Dec, MINOR_COLUMN_MAX, MINOR_COLUMN_MIN, Money, currencyByCode, currencyByNumeric, type Currency } from '../money.js';
import { isLosslessNumber } from './json-body.js';

export const AMOUNT_KEYWORD = 'x-lastro-amount';

/** The most decimal places any ISO 4217 currency has (CLF, UYW). */
export const MAX_AMOUNT_DECIMALS = 4;

export interface AmountRule {
  /** Pismo's spec declares the field a decimal string (`"20.10"`). A JSON number is accepted too. */
  string?: boolean;
  /**
   * A sibling property holding the amount's currency (ISO 4217 numeric `986`/`"986"` or
   * alphabetic `"BRL"`): its exponent bounds the decimals and the size. Without one, any
   * currency's bounds apply, and the service checks the real currency with amountToMoney.
   */
  currencyField?: string;
  minimum?: number;
  /** Shown in OpenAPI 3.0 as `minimum` with `exclusiveMinimum: true`. Set this or `minimum`. */
  exclusiveMinimum?: number;
  maximum?: number;
  example?: number | string;
}

export interface AmountOptions extends AmountRule {
  description?: string;
}

/**
 * A money field of a request body. The handler receives the exact amount as plain decimal text
 * (`"12345678901234567.89"`, `"0.5"`, `"-3"`; no exponent, no trailing zeros, never `-0`), ready
 * for `Money.fromDecimal(text, currency)` or `amountToMoney(field, text, currency)`. It must sit
 * in an object or an array (that is where the validator writes the text back).
 *
 * Responses do not use it: they declare `Type.Number()` and write `money.toApiNumber()`.
 */
export function Amount(opts: AmountOptions = {}): TUnsafe<string> {
  const { description, ...rule } = opts;
  return Type.Unsafe<string>({ [AMOUNT_KEYWORD]: rule, ...(description === undefined ? {} : { description }) });
}

export type AmountReading = { ok: true; text: string } | { ok: false; reason: string };

/** A decimal string as Pismo writes one: JSON's number syntax without an exponent. */
const DECIMAL_STRING = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const NUMBER_TEXT = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * Reads an amount as the body parser delivered it (a JS number, a LosslessNumber, or a string
 * where `rule.string` allows one) into plain decimal text, or says why it is not an amount.
 * Bounds: the currency's decimal places, and minor units that fit a bigint column; without a
 * currency, the loosest of every currency (4 places, 9223372036854775807).
 */
export function readAmount(value: unknown, rule: AmountRule = {}, currency?: Currency): AmountReading {
  let given: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail('must be a finite number');
    // The shortest text that reads back as this float: the body parser only makes a JS number
    // of a JSON number whose digits this gives back, so this is the text the client sent.
    given = String(value);
  } else if (isLosslessNumber(value)) {
    given = value.value;
  } else if (typeof value === 'string') {
    if (!rule.string) return fail('must be a number, not a string');
    if (!DECIMAL_STRING.test(value)) return fail('must be a decimal number such as "1000.00"');
    given = value;
  } else {
    return fail(rule.string ? 'must be a number or a decimal string' : 'must be a number');
  }

  const m = NUMBER_TEXT.exec(given);
  if (!m) return fail('must be a decimal number');
  const [, sign, whole, fraction = '', power = '0'] = m;
  // value = 0.<digits> × 10^point, with the digits stripped of leading and trailing zeros.
  let digits = whole! + fraction;
  let point = whole!.length + Number(power);
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  if (digits === '') return withinRule('0', rule); // any zero, -0 included

  // Check the bounds on the exponent before writing any digits: `1e-999999999` must not become
  // a billion zeros.
  const places = Math.max(0, digits.length - point);
  const maxPlaces = currency ? currency.exponent : MAX_AMOUNT_DECIMALS;
  if (places > maxPlaces) {
    return fail(
      currency
        ? `has more decimal places than ${currency.code} allows (${currency.exponent})`
        : `has more decimal places than any currency allows (${MAX_AMOUNT_DECIMALS})`,
    );
  }
  // Minor units must fit a bigint column: |amount| × 10^exponent ≤ 2^63 − 1. Without a currency,
  // |amount| itself (exponent 0, the loosest). Compared in units of 10^-places, exactly.
  const exponent = currency ? currency.exponent : 0;
  const scale = Math.max(places, exponent);
  const tooLarge = fail(
    currency
      ? `is too large for ${currency.code}: at most ${Money.ofMinor(MINOR_COLUMN_MAX, currency).toDecimalString()}`
      : `is too large: at most ${MINOR_COLUMN_MAX}`,
  );
  if (point > 19) return tooLarge; // more integer digits than a bigint has
  const scaled = BigInt(`${sign}${digits}`) * 10n ** BigInt(point - digits.length + scale);
  const limit = 10n ** BigInt(scale - exponent);
  if (scaled > MINOR_COLUMN_MAX * limit || scaled < MINOR_COLUMN_MIN * limit) return tooLarge;

  const text =
    point >= digits.length
      ? digits + '0'.repeat(point - digits.length)
      : point > 0
        ? `${digits.slice(0, point)}.${digits.slice(point)}`
        : `0.${'0'.repeat(-point)}${digits}`;
  return withinRule(`${sign}${text}`, rule);
}

function withinRule(text: string, rule: AmountRule): AmountReading {
  if (rule.minimum === undefined && rule.exclusiveMinimum === undefined && rule.maximum === undefined) return { ok: true, text };
  const d = new Dec(text);
  if (rule.minimum !== undefined && d.lt(rule.minimum)) return fail(`must be >= ${rule.minimum}`);
  if (rule.exclusiveMinimum !== undefined && d.lte(rule.exclusiveMinimum)) return fail(`must be > ${rule.exclusiveMinimum}`);
  if (rule.maximum !== undefined && d.gt(rule.maximum)) return fail(`must be <= ${rule.maximum}`);
  return { ok: true, text };
}

const fail = (reason: string): AmountReading => ({ ok: false, reason });

/**
 * The Money an Amount field holds in `currency` (known to the service, e.g. the account's). An
 * amount that currency cannot hold is a 400 VALIDATION_ERROR naming `field` (`body.amount`).
 */
export function amountToMoney(field: string, value: string | number, currency: Currency | string): Money {
  const cur = typeof currency === 'string' ? currencyByCode(currency) : currency;
  const read = readAmount(value, { string: true }, cur);
  if (!read.ok) throw PlatformErrors.validation([{ field, reason: read.reason }]);
  return Money.fromDecimal(read.text, cur);
}

function currencyOf(code: unknown): Currency | undefined {
  try {
    if (typeof code === 'number' && Number.isInteger(code)) return currencyByNumeric(code);
    if (typeof code === 'string' && /^[0-9]{3}$/.test(code)) return currencyByNumeric(code);
    if (typeof code === 'string' && /^[A-Z]{3}$/.test(code)) return currencyByCode(code);
  } catch {
    // an unknown code: the currency field's own schema reports it
  }
  return undefined;
}

/**
 * Where the keyword has written decimal text, per object or array of the body: the one key it
 * wrote there (a field name or an index, no allocation), or a Set of them when several. A Set per
 * object for the common one key lived on past the request: V8's scavenges keep a WeakMap's values
 * until the next full collection.
 */
const written = new WeakMap<object, string | number | Set<string | number>>();

const wroteAt = (parent: object, key: string | number): boolean => {
  const w = written.get(parent);
  return w === key || (w instanceof Set && w.has(key));
};

function recordWritten(parent: object, key: string | number): void {
  const w = written.get(parent);
  if (w === undefined) written.set(parent, key);
  else if (w instanceof Set) w.add(key);
  else if (w !== key) written.set(parent, new Set([w, key]));
}

interface KeywordContext {
  parentData?: Record<string | number, unknown>;
  parentDataProperty?: string | number;
}

interface AmountAjv {
  addKeyword(definition: {
    keyword: string;
    schemaType: string;
    modifying: boolean;
    errors: boolean;
    validate: (rule: AmountRule, data: unknown, parentSchema?: unknown, cxt?: KeywordContext) => boolean;
  }): unknown;
}

/**
 * The Ajv plugin behind Amount: checks the value and writes the decimal text back in its place.
 * Its error is an ordinary Ajv error, so the one mapper names the field (`body.amount`).
 */
export function amountKeyword(ajv: AmountAjv): AmountAjv {
  function validate(rule: AmountRule, data: unknown, _parentSchema?: unknown, cxt?: KeywordContext): boolean {
    const parent = cxt?.parentData;
    const key = cxt?.parentDataProperty;
    const currency = rule.currencyField && parent && !Array.isArray(parent) ? currencyOf(parent[rule.currencyField]) : undefined;
    // A union tries each branch on the same data: text this keyword already wrote (in a branch
    // that failed on another field) is read again as the amount it is, not as a string sent.
    const rewritten = typeof data === 'string' && parent !== undefined && key !== undefined && wroteAt(parent, key);
    const read = readAmount(data, rewritten ? { ...rule, string: true } : rule, currency);
    if (!read.ok) {
      validate.errors = [{ keyword: AMOUNT_KEYWORD, message: read.reason, params: {} }];
      return false;
    }
    if (parent && key !== undefined) {
      parent[key] = read.text;
      recordWritten(parent, key);
    }
    return true;
  }
  validate.errors = [] as { keyword: string; message: string; params: Record<string, unknown> }[];
  ajv.addKeyword({ keyword: AMOUNT_KEYWORD, schemaType: 'object', modifying: true, errors: true, validate });
  return ajv;
}

/**
 * The OpenAPI document with each Amount shown as Pismo's spec declares it: `type: number` (with
 * its bounds and example), or `type: string` with the decimal pattern where the spec uses a
 * string. The marker keyword does not appear. Nodes are copied, never changed in place: the
 * document may share objects with the route schemas Ajv validates with.
 */
export function amountsInOpenApi<T>(doc: T): T {
  const version = (doc as { openapi?: unknown }).openapi;
  const oas30 = typeof version === 'string' && version.startsWith('3.0');
  return rewrite(doc, oas30) as T;
}

function rewrite(node: unknown, oas30: boolean): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Object.hasOwn(node, AMOUNT_KEYWORD)) return openApiAmount(node as Record<string, unknown>, oas30);
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(node)) {
    const next = rewrite(child, oas30);
    if (next !== child) {
      copy ??= (Array.isArray(node) ? [...(node as unknown[])] : { ...node }) as Record<string, unknown>;
      copy[key] = next;
    }
  }
  return copy ?? node;
}

function openApiAmount(node: Record<string, unknown>, oas30: boolean): Record<string, unknown> {
  const { [AMOUNT_KEYWORD]: marker, ...rest } = node;
  const rule = marker as AmountRule;
  const out: Record<string, unknown> = rule.string ? { type: 'string', pattern: DECIMAL_STRING.source, ...rest } : { type: 'number', ...rest };
  if (!rule.string) {
    if (rule.exclusiveMinimum !== undefined) {
      if (oas30) Object.assign(out, { minimum: rule.exclusiveMinimum, exclusiveMinimum: true });
      else out.exclusiveMinimum = rule.exclusiveMinimum;
    } else if (rule.minimum !== undefined) out.minimum = rule.minimum;
    if (rule.maximum !== undefined) out.maximum = rule.maximum;
  }
  if (rule.example !== undefined) out.example = rule.example;
  return out;
}
