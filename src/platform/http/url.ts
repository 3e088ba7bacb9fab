// What a request's URL may carry before any route sees it: a bounded length, percent-encoding that
// decodes to UTF-8, and no text PostgreSQL cannot store (text.ts) in a path parameter or a query
// parameter. Checked once for every route, before authentication.
import type { FastifyRequest } from 'fastify';
import { AppError, PlatformErrors, type FieldIssue } from '../errors.js';
import { textProblem } from './text.js';

/**
 * The longest URL (path and query string) Lastro reads, in characters: 8 KiB, as common proxies
 * allow. A longer one is 414 URI_TOO_LONG; a request line past Node's 16 KiB header limit never
 * reaches Fastify and is answered by the server's client error handler (server.ts).
 */
export const MAX_URL_LENGTH = 8192;

export const BAD_PERCENT_ENCODING = 'is not valid percent-encoded UTF-8';

export const uriTooLong = (limit = MAX_URL_LENGTH): AppError =>
  new AppError('uri_too_long', 'URI_TOO_LONG', `The URL is longer than the limit of ${limit} characters`);

/** Refuses a URL that is too long, or whose parameters hold text that cannot be used (400 naming each). */
export function checkUrl(request: FastifyRequest): void {
  const url = request.url;
  if (url.length > MAX_URL_LENGTH) throw uriTooLong();
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries((request.params as Record<string, unknown> | null) ?? {})) {
    const reason = typeof value === 'string' ? textProblem(value) : undefined;
    if (reason) issues.push({ field: `path.${name}`, reason });
  }
  const q = url.indexOf('?');
  if (q !== -1) {
    // Fastify's query parser keeps text whose escapes do not decode (`%ED%A0%80`, `%C0%AE`, a
    // stray `%`) as it was written; a parameter sent that way is refused instead.
    if (url.includes('%', q)) {
      for (const pair of url.slice(q + 1).split('&')) {
        if (!pair.includes('%')) continue;
        const eq = pair.indexOf('=');
        const key = eq === -1 ? pair : pair.slice(0, eq);
        if (!decodes(key) || (eq !== -1 && !decodes(pair.slice(eq + 1)))) {
          issues.push({ field: `query.${decoded(key) ?? key}`, reason: BAD_PERCENT_ENCODING });
        }
      }
    }
    for (const [key, value] of Object.entries((request.query as Record<string, unknown> | null) ?? {})) {
      const keyReason = textProblem(key);
      if (keyReason) {
        issues.push({ field: 'query', reason: `has a parameter name that ${keyReason}` });
        continue;
      }
      for (const v of Array.isArray(value) ? value : [value]) {
        const reason = typeof v === 'string' ? textProblem(v) : undefined;
        if (reason) {
          issues.push({ field: `query.${key}`, reason });
          break;
        }
      }
    }
  }
  if (issues.length) throw PlatformErrors.validation(dedupe(issues));
}

const decoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

const decodes = (text: string): boolean => decoded(text) !== undefined;

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.field}\n${i.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
