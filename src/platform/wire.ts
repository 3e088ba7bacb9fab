// Pismo's wire forms that several modules share: int64 ids (digits in a path, safe integers in a
// body or a query) and timestamps to the second.
import { Type } from 'typebox';

/** The largest id PostgreSQL's bigint holds. */
export const INT8_MAX = 9223372036854775807n;

/**
 * An int64 id in a path, taken as digits so no value passes through a float: an id no row can
 * have (zero, or beyond int64) is answered 404 like any unknown id.
 */
export const Int64Param = (description: string) => Type.String({ pattern: '^[0-9]{1,19}$', description: `${description} (int64).` });

/**
 * An int64 id in a body or query, where Pismo's spec says integer: JSON numbers past 2^53 cannot
 * be told apart, so they are refused (400 naming the field) rather than rounded.
 */
export const IdInteger = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

/**
 * An id given as a string of digits (a path parameter), or undefined when no row can have it
 * (zero, or beyond bigint): callers answer that with their 404.
 */
export function int8Id(value: string): bigint | undefined {
  if (!/^[0-9]{1,19}$/.test(value)) return undefined;
  const id = BigInt(value);
  return id >= 1n && id <= INT8_MAX ? id : undefined;
}

// The last instant isoSeconds wrote: a transfer writes one instant into each of its events and
// its answer (a group of 16 wrote the same text about 100 times, 3% of its CPU in Lastro).
let lastMs = Number.NaN;
let lastText = '';

/** Timestamps as yyyy-mm-ddThh:mm:ssZ (UTC). */
export const isoSeconds = (d: Date): string => {
  const ms = d.getTime();
  if (ms !== lastMs) {
    // An invalid date (NaN) is never the last one: toISOString throws, as before.
    lastText = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastMs = ms;
  }
  return lastText;
};
