// Text Lastro can keep. PostgreSQL stores text (and jsonb) as UTF-8 without the NUL character:
// a `\u0000` reaching a query fails it ("invalid byte sequence for encoding UTF8: 0x00") and a
// lone UTF-16 surrogate (`\ud800`, or bytes that are not UTF-8) is silently written as U+FFFD by
// the driver. Both are refused where a request enters (the body parser, the URL check), as a
// 400 naming the field, so no route and no module has to think about them.
import { isUtf8 } from 'node:buffer';

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const NUL_REASON = 'must not contain the NUL character (U+0000)';
export const ILL_FORMED_REASON = 'is not valid Unicode text (a lone UTF-16 surrogate, or bytes that are not UTF-8)';
const KEY_NUL_REASON = 'has a property name containing the NUL character (U+0000)';
const KEY_ILL_FORMED_REASON = 'has a property name that is not valid Unicode text (a lone UTF-16 surrogate, or bytes that are not UTF-8)';

/** Why `text` cannot be stored, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (!UNSTORABLE.test(text)) return undefined;
  return text.includes('\u0000') ? NUL_REASON : ILL_FORMED_REASON;
}

export interface TextIssue {
  /** JSON pointer of the string (or of the object whose property name it is): `/metadata/note`. */
  path: string;
  reason: string;
}

/** Every string and property name in a parsed JSON value that cannot be stored. */
export function textIssues(value: unknown, path = ''): TextIssue[] {
  const found: TextIssue[] = [];
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [node, at] = stack.pop()!;
    if (typeof node === 'string') {
      const reason = textProblem(node);
      if (reason) found.push({ path: at, reason });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const isArray = Array.isArray(node);
    for (const [key, child] of Object.entries(node)) {
      if (!isArray) {
        const reason = textProblem(key);
        // The name itself is not echoed back: the issue names the object holding it.
        if (reason) found.push({ path: at, reason: reason === NUL_REASON ? KEY_NUL_REASON : KEY_ILL_FORMED_REASON });
      }
      stack.push([child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A request body's bytes as text. Bytes that are not UTF-8 (an encoded surrogate `ED A0 80`, an
 * overlong `C0 AE`, a stray `FF`) become lone surrogates U+DC80–U+DCFF, one per byte, as Python's
 * "surrogateescape" does, instead of U+FFFD: a valid UTF-8 text never decodes to a lone
 * surrogate, so textProblem then names the field that held them.
 */
export function decodeUtf8(bytes: Buffer): { text: string; valid: boolean } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), valid: true };
  let text = '';
  let start = 0; // start of the current run of valid bytes
  let i = 0;
  const flush = (end: number) => {
    if (end > start) text += bytes.toString('utf8', start, end);
  };
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    flush(i);
    text += String.fromCharCode(0xdc00 + bytes[i]!);
    i += 1;
    start = i;
  }
  flush(i);
  return { text, valid: false };
}

/** The length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // not a surrogate
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
