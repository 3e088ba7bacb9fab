// application/x-www-form-urlencoded bodies (RFC 6749's token requests), read with the same care as
// JSON bodies and URLs: bytes that are not UTF-8, percent-escapes that do not decode to UTF-8 and
// text PostgreSQL cannot store are a 400 naming the field, never U+FFFD or a driver error. A route
// that accepts forms registers `formBodyParser` for the content type in its own scope.
import type { FastifyRequest } from 'fastify';
import { PlatformErrors } from '../errors.js';
import { pointerIssues } from './errors.js';
import { decodeUtf8, textIssues, type TextIssue } from './text.js';
import { BAD_PERCENT_ENCODING } from './url.js';

/** `a=1&b=x+y` → `{ a: '1', b: 'x y' }` (the last of repeated names wins), and what cannot be used. */
export function parseFormBody(bytes: Buffer): { value: Record<string, string>; unstorable: TextIssue[] } {
  const { text } = decodeUtf8(bytes);
  const value: Record<string, string> = Object.create(null) as Record<string, string>;
  const bad: TextIssue[] = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const key = decodeFormComponent(rawKey);
    const v = decodeFormComponent(eq === -1 ? '' : pair.slice(eq + 1));
    const name = key ?? rawKey;
    if (key === undefined || v === undefined) bad.push({ path: `/${pointer(name)}`, reason: BAD_PERCENT_ENCODING });
    else value[key] = v;
  }
  return { value: { ...value }, unstorable: [...bad, ...textIssues(value)] };
}

/** One name or value of a form (or of HTTP Basic credentials, RFC 6749 §2.3.1): `+` is a space. Undefined when it does not decode. */
export function decodeFormComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** A Fastify content-type parser (`parseAs: 'buffer'`) for form bodies. */
export function formBodyParser(_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const parsed = parseFormBody(typeof body === 'string' ? Buffer.from(body) : body);
  if (parsed.unstorable.length) done(PlatformErrors.validation(pointerIssues('body', parsed.unstorable)));
  else done(null, parsed.value);
}
