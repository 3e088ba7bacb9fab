// The one mapper from anything thrown to the one error body. Nothing from a driver, a stack or
// SQL text reaches a client: unknown errors become 500 INTERNAL_ERROR with the request's cid.
import type { FastifyError } from 'fastify';
import { Type } from 'typebox';
import { AppError, PlatformErrors, type ErrorKind, type FieldIssue } from '../errors.js';
import { FORMAT_REASONS } from './formats.js';
import { AMOUNT_KEYWORD } from './amount.js';
import { inexactNumberPaths, inexactNumberReason, isLosslessNumber } from './json-body.js';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable, documented error code.' }),
    message: Type.String({ description: 'What went wrong, for a person.' }),
    details: Type.Optional(Type.Unknown({ description: 'Structured detail, e.g. the offending fields.' })),
    cid: Type.String({ description: 'Correlation id of the request (also in the x-cid header).' }),
  },
  { title: 'Error' },
);

/** The HTTP status of each error kind: the one place a kind becomes a status. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  gone: 410,
  too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  header_too_large: 431,
  internal: 500,
  unavailable: 503,
};

const KIND_OF_STATUS = new Map<number, ErrorKind>(Object.entries(STATUS_OF_KIND).map(([k, v]) => [v, k as ErrorKind]));

/**
 * A route's own statuses where Pismo documents another one than the kind's: keyed by error code
 * (most specific) or by kind, e.g. `{ not_found: 400 }` for an API that answers a missing object
 * with 400.
 */
export type ErrorStatusOverrides = Partial<Record<ErrorKind, number>> & Record<string, number | undefined>;

/** The status `err` answers on a route with `overrides`. */
export function statusOf(err: AppError, overrides?: ErrorStatusOverrides): number {
  return overrides?.[err.code] ?? overrides?.[err.kind] ?? STATUS_OF_KIND[err.kind];
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** The offending value (the validator runs with `verbose`). */
  data?: unknown;
}

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query', body: 'body', params: 'path', headers: 'headers' };

/** `body` + `/due_dates/0/day` → `body.due_dates[0].day`. */
function fieldPath(context: string, instancePath: string, child?: unknown): string {
  let path = CONTEXT_NAMES[context] ?? context;
  for (const seg of instancePath.split('/').slice(1)) {
    path += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`;
  }
  if (typeof child === 'string') path += `.${child}`;
  return path;
}

export function validationIssues(context: string, errors: AjvIssue[]): FieldIssue[] {
  // One issue per field: a union of constants reports one error per branch plus an anyOf error;
  // the caller wants "must be one of …" once.
  // An Amount's own reason, or why a number kept as text fits no other schema, outranks what the
  // other branches of a union (`must be null`) or the type check (`must be number`) said.
  const byField = new Map<string, { consts: unknown[]; reasons: string[]; amount: string[]; inexact: string[] }>();
  const note = (field: string) => {
    let entry = byField.get(field);
    if (!entry) byField.set(field, (entry = { consts: [], reasons: [], amount: [], inexact: [] }));
    return entry;
  };
  for (const e of errors) {
    if (e.keyword === AMOUNT_KEYWORD) {
      note(fieldPath(context, e.instancePath)).amount.push(e.message ?? 'is not an amount');
      continue;
    }
    if (isLosslessNumber(e.data)) {
      note(fieldPath(context, e.instancePath)).inexact.push(inexactNumberReason(e.data));
      continue;
    }
    switch (e.keyword) {
      case 'required':
        note(fieldPath(context, e.instancePath, e.params.missingProperty)).reasons.push('is required');
        break;
      case 'additionalProperties':
        note(fieldPath(context, e.instancePath, e.params.additionalProperty)).reasons.push('is not allowed');
        break;
      case 'enum':
        note(fieldPath(context, e.instancePath)).consts.push(...(e.params.allowedValues as unknown[]));
        break;
      case 'const':
        note(fieldPath(context, e.instancePath)).consts.push(e.params.allowedValue);
        break;
      case 'format':
        note(fieldPath(context, e.instancePath)).reasons.push(
          FORMAT_REASONS[String(e.params.format)] ?? e.message ?? `must match format ${String(e.params.format)}`,
        );
        break;
      case 'anyOf':
      case 'oneOf':
        note(fieldPath(context, e.instancePath));
        break;
      default:
        note(fieldPath(context, e.instancePath)).reasons.push(e.message ?? `fails ${e.keyword}`);
    }
  }
  const issues: FieldIssue[] = [];
  for (const [field, { consts, reasons, amount, inexact }] of byField) {
    // For a nullable field given a bad value, "must be null" is noise next to the real reason.
    const meaningful = reasons.length > 1 ? reasons.filter((r) => r !== 'must be null') : reasons;
    const firm = amount.length ? amount : inexact;
    if (firm.length) for (const reason of new Set(firm)) issues.push({ field, reason });
    else if (consts.length) issues.push({ field, reason: `must be one of ${consts.map((v) => JSON.stringify(v)).join(', ')}` });
    else if (meaningful.length) for (const reason of new Set(meaningful)) issues.push({ field, reason });
    else issues.push({ field, reason: 'does not match any allowed form' });
  }
  return issues;
}

/** Issues found by JSON pointer in one part of a request (`body`), as issues naming each field. */
export function pointerIssues(context: string, issues: { path: string; reason: string }[]): FieldIssue[] {
  return issues.map(({ path, reason }) => ({ field: fieldPath(context, path), reason }));
}

/** Numbers kept as text that no schema read (free-form fields), as issues naming each. */
export function inexactNumberIssues(body: unknown): FieldIssue[] {
  return inexactNumberPaths(body).map(({ path, value }) => ({ field: fieldPath('body', path), reason: inexactNumberReason(value) }));
}

// The database could not take the request: PostgreSQL out of connections or another resource
// (SQLSTATE class 53), shutting down or starting (57P01-57P03), a connection that failed (class
// 08, except 08P01, a protocol violation) or was refused, or no pool connection within its
// timeout. The client may retry (with its idempotency key, which settles a request whose COMMIT it
// never heard of): 503 with Retry-After, not an internal error.
const DATABASE_UNAVAILABLE_STATES = /^(53|57P0[1-3]|08(?!P01))/;
const DATABASE_UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const POOL_TIMEOUT = 'timeout exceeded when trying to connect'; // pg-pool's connectionTimeoutMillis

function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (DATABASE_UNAVAILABLE_STATES.test(code) || DATABASE_UNREACHABLE.has(code))) return true;
    if (e.message === POOL_TIMEOUT) return true;
  }
  return false;
}

/** Converts any thrown value into an AppError. */
export function toAppError(err: unknown, bodyLimit: number, contentType?: string): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) return PlatformErrors.databaseUnavailable();
  const fe = err as Partial<FastifyError> & { validationContext?: string; validation?: AjvIssue[] };
  if (Array.isArray(fe.validation)) {
    return PlatformErrors.validation(validationIssues(fe.validationContext ?? 'body', fe.validation));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return PlatformErrors.malformedJson();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return PlatformErrors.emptyJsonBody();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return PlatformErrors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return PlatformErrors.unsupportedMediaType(contentType);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid', 'INVALID_CONTENT_LENGTH', 'Content-Length does not match the body');
    default:
      break; // not a Fastify body error: classified below
  }
  // Fastify's own JSON parser throws a SyntaxError with statusCode 400 for bad JSON.
  if (err instanceof SyntaxError && fe.statusCode === 400) return PlatformErrors.malformedJson();
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(KIND_OF_STATUS.get(fe.statusCode) ?? 'invalid', 'BAD_REQUEST', 'The request could not be processed');
  }
  return PlatformErrors.internal();
}
