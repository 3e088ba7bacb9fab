// Formats for rules JSON Schema cannot state on its own, registered in the request validator so
// that every offending field is reported in one 400 (and the OpenAPI document names the rule).
import iso3166 from 'iso-3166-1';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isCurrencyNumericCode } from '../money.js';

/** The areas of IANA's Region/City names (Etc, and legacy names such as US/Eastern, are not). */
const TZ_REGIONS = new Set(['Africa', 'America', 'Antarctica', 'Arctic', 'Asia', 'Atlantic', 'Australia', 'Europe', 'Indian', 'Pacific']);
/** One part of a city name as IANA spells it: Sao_Paulo, Port-au-Prince, Buenos_Aires. */
const TZ_PART = /^[A-Z][a-z]*(?:[_-][A-Za-z][a-z]*)*$/;

/**
 * An IANA time zone in Region/City form, spelt exactly as the tz database spells it, or `UTC`.
 * `america/sao_paulo` (another case), `Etc/GMT+3`, `US/Eastern` and `EST` are refused, so a stored
 * zone is always the canonical name. An alias IANA keeps (Asia/Kolkata, which the ICU in Node
 * reports as Asia/Calcutta) is accepted as written.
 */
// Answers by zone text: an Intl.DateTimeFormat per check cost about 5 % of a program create.
// Bounded: a client sending endless distinct strings cannot grow it past ZONE_CACHE_MAX.
const zoneAnswers = new Map<string, boolean>();
const ZONE_CACHE_MAX = 2000;

export function isIanaTimeZone(zone: string): boolean {
  const known = zoneAnswers.get(zone);
  if (known !== undefined) return known;
  const answer = checkIanaTimeZone(zone);
  if (zoneAnswers.size >= ZONE_CACHE_MAX) zoneAnswers.clear();
  zoneAnswers.set(zone, answer);
  return answer;
}

function checkIanaTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  const [region, ...city] = zone.split('/');
  if (!TZ_REGIONS.has(region!) || city.length === 0) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  if (resolved === zone) return true;
  // Not ICU's canonical name: an alias spelt as IANA spells it, never a case variant of a zone.
  return resolved.toLowerCase() !== zone.toLowerCase() && city.every((part) => TZ_PART.test(part));
}

// ISO 4217 codes that are not money an org or account can hold: precious metals, bond-market
// units, SDR and similar units, the testing code and "no currency".
const NOT_MONEY = new Set(['959', '961', '962', '964', '955', '956', '957', '958', '960', '994', '965', '963', '999']);

/** The calendar dates Lastro reads and writes: four-digit years, 0001-01-01 to 9999-12-31. */
export const FIRST_DATE = '0001-01-01';
export const LAST_DATE = '9999-12-31';

const rfc3339Date = (fullFormats.date as { validate: (v: string) => boolean }).validate;
const rfc3339DateTime = (fullFormats['date-time'] as { validate: (v: string) => boolean }).validate;

/**
 * An RFC 3339 full-date (`2026-12-25`) from 0001-01-01 to 9999-12-31. Year 0000, which RFC 3339
 * writes but PostgreSQL and the proleptic Gregorian calendar of ISO 8601 do not have, is refused.
 */
export const isCalendarDate = (v: string): boolean => rfc3339Date(v) && v >= FIRST_DATE;

const EARLIEST = new Date(0).setUTCFullYear(1, 0, 1);
const LATEST = new Date(0).setUTCFullYear(9999, 11, 31) + 86_400_000 - 1;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * An RFC 3339 date-time whose instant lies from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, so
 * that it is written back with a four-digit year (`9999-12-31T23:00:00-03:00` is in year 10000).
 */
export function isDateTimeInRange(v: string): boolean {
  if (!rfc3339DateTime(v)) return false;
  const m = DATE_TIME.exec(v);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const t = new Date(0);
  t.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  t.setUTCHours(Number(h), Number(mi), Math.min(Number(s), 59));
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) * 60_000 : 0;
  const instant = t.getTime() - offset;
  return instant >= EARLIEST && instant <= LATEST;
}

export const FORMATS: Record<string, (value: string) => boolean> = {
  date: isCalendarDate,
  'date-time': isDateTimeInRange,
  'iso4217-numeric': (v) => /^[0-9]{3}$/.test(v) && isCurrencyNumericCode(v) && !NOT_MONEY.has(v),
  'iana-timezone': isIanaTimeZone,
  'iso3166-alpha3': (v) => /^[A-Z]{3}$/.test(v) && iso3166.whereAlpha3(v) !== undefined,
  /** HH:MM:SS, 24-hour. */
  'time-hms': (v) => /^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/.test(v),
};

/** What a failed format means, in the words of a validation error. */
export const FORMAT_REASONS: Record<string, string> = {
  'iso4217-numeric': 'is not an ISO 4217 numeric currency code (e.g. 986)',
  'iana-timezone': 'is not an IANA time zone spelt Region/City (e.g. America/Sao_Paulo), or UTC',
  'iso3166-alpha3': 'is not an ISO 3166-1 alpha-3 country code (e.g. BRA)',
  'time-hms': 'is not a time of day HH:MM:SS',
  email: 'is not an email address',
  'date-time': 'is not an RFC 3339 date-time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z',
  date: 'is not a date YYYY-MM-DD from 0001-01-01 to 9999-12-31',
  uuid: 'is not a UUID',
};
