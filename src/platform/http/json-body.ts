// Request bodies are parsed keeping each number's exact text. JSON.parse turns
// `12345678901234567.89` into 12345678901234568 and `1e309` into Infinity without a word; a bank
// must not act on an amount or an id it did not receive. A number whose text a float64 gives back
// exactly becomes a JS number, as before; any other stays a `LosslessNumber` holding the text, so
// the Amount schema can read it exactly and every other field refuses it (see amount.ts, errors.ts).
//
// Text that cannot be stored (a NUL, a lone surrogate, bytes that are not UTF-8) is reported per
// field in `unstorable`, never changed (text.ts).
import { LosslessNumber, UnsafeNumberReason, getUnsafeNumberReason, isLosslessNumber, isSafeNumber, parse } from 'lossless-json';
import { ILL_FORMED_REASON, decodeUtf8, textIssues, type TextIssue } from './text.js';

export { LosslessNumber, isLosslessNumber };

export interface ParsedBody {
  value: unknown;
  /** True when some number could not become a JS number exactly (it is a LosslessNumber). */
  inexact: boolean;
  /** Strings and property names that cannot be stored, by JSON pointer: the body must be refused. */
  unstorable: TextIssue[];
}

// Fastify's default parser (secure-json-parse) refuses these keys, which could otherwise reach
// Object.prototype through a careless merge. The texts are only scanned when the body could hold
// them: the key written plainly, or with a \u escape.
const SUSPECT = /__proto__|constructor|\\u/;
/** A NUL or a surrogate can only come from a `\u` escape, or from bytes that were not UTF-8. */
const ESCAPED = /\\u/;
/** Where bytes were not UTF-8, each became one of these (text.ts). */
const UNDECODED_BYTE = /[\udc80-\udcff]/;

/**
 * Parses a JSON text (or the bytes of one, UTF-8) as JSON.parse does (the last of duplicate keys
 * wins), except that numbers that would change are kept as LosslessNumber. Throws SyntaxError for
 * text that is not JSON and for a `__proto__` key or a `constructor` key holding `prototype`, as
 * Fastify's default does.
 */
export function parseJsonBody(input: string | Buffer): ParsedBody {
  const { text, valid } = typeof input === 'string' ? { text: input, valid: true } : decodeUtf8(input);
  let inexact = false;
  let value: unknown;
  try {
    value = parse(text, null, {
      parseNumber: (digits) => {
        // isSafeNumber: the float64 read from the text prints back to the same digits (e.g.
        // `1000.00`, `0.1`, `0.30000000000000004`); integers must also lie within ±(2^53 − 1).
        if (isSafeNumber(digits)) return Number(digits);
        inexact = true;
        return new LosslessNumber(digits);
      },
      onDuplicateKey: ({ newValue }) => newValue,
    });
  } catch (err) {
    // lossless-json recurses per nesting level: absurd nesting is a RangeError, not a crash.
    if (err instanceof SyntaxError) throw err;
    throw new SyntaxError('JSON nested too deeply');
  }
  if (SUSPECT.test(text)) refusePoisoning(value);
  let unstorable: TextIssue[] = [];
  if (!valid) {
    // A `\ud800` escape right before an undecodable byte would pair with it: name every string
    // holding one of the stand-ins, paired or not.
    unstorable = textIssues(value);
    for (const issue of undecodedBytes(value)) if (!unstorable.some((u) => u.path === issue.path)) unstorable.push(issue);
    if (!unstorable.length) throw new SyntaxError('Request body is not UTF-8');
  } else if (ESCAPED.test(text)) {
    unstorable = textIssues(value);
  }
  return { value, inexact, unstorable };
}

function undecodedBytes(value: unknown, path = ''): TextIssue[] {
  if (typeof value === 'string') return UNDECODED_BYTE.test(value) ? [{ path, reason: ILL_FORMED_REASON }] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => undecodedBytes(child, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
}

function refusePoisoning(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || isLosslessNumber(node)) continue;
    if (Object.hasOwn(node, '__proto__')) throw new SyntaxError('Object contains forbidden prototype property');
    const ctor = (node as Record<string, unknown>).constructor;
    if (Object.hasOwn(node, 'constructor') && ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) {
      throw new SyntaxError('Object contains forbidden prototype property');
    }
    for (const child of Object.values(node)) stack.push(child);
  }
}

/** Why a number cannot be used as a JS number, in the words of a validation error. */
export function inexactNumberReason(n: LosslessNumber): string {
  switch (getUnsafeNumberReason(n.value)) {
    case UnsafeNumberReason.overflow:
      return 'is a number too large to represent';
    case UnsafeNumberReason.underflow:
      return 'is a number too close to zero to represent';
    case UnsafeNumberReason.truncate_integer:
      return `is an integer beyond ±${Number.MAX_SAFE_INTEGER}, which cannot be kept exactly`;
    default:
      return 'has more significant digits than a 64-bit number keeps exactly';
  }
}

/**
 * Where LosslessNumbers remain in a parsed body, as JSON pointer paths (`/metadata/id`). After
 * validation only fields with no schema of their own (free-form objects) can still hold one.
 */
export function inexactNumberPaths(value: unknown, path = ''): { path: string; value: LosslessNumber }[] {
  if (isLosslessNumber(value)) return [{ path, value }];
  if (value === null || typeof value !== 'object') return [];
  const found: { path: string; value: LosslessNumber }[] = [];
  for (const [key, child] of Object.entries(value)) {
    found.push(...inexactNumberPaths(child, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return found;
}
