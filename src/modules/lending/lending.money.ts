// Amounts and rates of lending products and plans: amounts are exact decimals in, integer minor
// units in SQL, and JSON numbers out; rates and percentages stay decimal text (decimal.js).
import { amountToMoney } from '../../platform/http/amount.js';
import { Dec, Money, currencyByNumeric, isCurrencyNumericCode, type Currency } from '../../platform/money.js';
import { LendingErrors } from './lending.errors.js';

/** The currency of an ISO 4217 numeric code; one no currency has is a 400 with `code` naming `field`. */
export function currencyOf(field: string, numeric: number, code = 'ELND0003'): Currency {
  if (!isCurrencyNumericCode(numeric)) throw LendingErrors.rule(code, field, 'is not an ISO 4217 numeric currency code');
  return currencyByNumeric(numeric);
}

export const numericCode = (c: Currency): string => c.numeric;

/**
 * Minor units of an Amount field's decimal text in `currency`: more decimals than it has, or an
 * amount no JSON number carries exactly (answers echo amounts as numbers), is a 400 naming the field.
 */
export function toMinor(field: string, text: string, currency: Currency): bigint {
  const money = amountToMoney(field, text, currency);
  try {
    money.toApiNumber();
  } catch {
    throw LendingErrors.invalid(field, 'cannot be answered exactly as a JSON number: at most 15 significant digits');
  }
  return money.minor;
}

export const fromMinor = (minor: bigint, currency: Currency | string): number => Money.ofMinor(minor, typeof currency === 'string' ? currencyByNumeric(currency) : currency).toApiNumber();

/** A rate or percentage as exact decimal text (the JSON number's own digits). */
export const rateText = (value: number): string => new Dec(String(value)).toFixed();

/** A stored rate back to the JSON number it was sent as. */
export const rateNumber = (text: string): number => Number(text);
