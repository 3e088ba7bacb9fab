// Formats for rules JSON Schema cannot state on its own, registered in the request validator so
// that every offending field is reported in one 400 (and the OpenAPI document names the rule).
import iso3166 from 'iso-3166-1';
import { isCurrencyNumericCode } from '../money.js';

export function isIanaTimeZone(zone: string): boolean {
  if (!zone.includes('/') && zone !== 'UTC') return false; // Region/City form, or UTC
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const FORMATS: Record<string, (value: string) => boolean> = {
  'iso4217-numeric': (v) => /^[0-9]{3}$/.test(v) && isCurrencyNumericCode(v),
  'iana-timezone': isIanaTimeZone,
  'iso3166-alpha3': (v) => /^[A-Z]{3}$/.test(v) && iso3166.whereAlpha3(v) !== undefined,
  /** HH:MM:SS, 24-hour. */
  'time-hms': (v) => /^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/.test(v),
};
