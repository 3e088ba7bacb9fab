// Coded errors. Services throw AppError with a stable code and a kind (what went wrong, not how
// HTTP says it); the one mapper in platform/http turns the kind into a status, with per-route
// overrides where Pismo documents another one, and every error into one body:
// { code, message, details?, cid }.

export interface FieldIssue {
  /** Where the problem is: `body.name`, `query.page`, `headers.x-tenant`. */
  field: string;
  reason: string;
}

/**
 * What kind of failure an error is. Services and jobs decide with kinds (a retry is worth it for
 * `internal` and `unavailable` only); only platform/http knows their HTTP statuses.
 */
export type ErrorKind =
  | 'invalid' // the request breaks a field or business rule
  | 'unauthenticated' // no or bad credentials
  | 'forbidden' // authenticated, but not allowed
  | 'not_found' // no such object for this caller (another org's objects included)
  | 'method_not_allowed'
  | 'conflict' // the object's state does not allow it now
  | 'gone' // it existed and is no longer usable
  | 'timeout' // the client did not send the whole request in time
  | 'too_large' // a body past the limit
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'unprocessable' // well-formed, but contradicts an earlier request (idempotency key reuse)
  | 'rate_limited'
  | 'header_too_large'
  | 'internal'
  | 'unavailable';

/** Whether retrying the same operation later may succeed. */
export const isTransient = (err: unknown): boolean =>
  !(err instanceof AppError) || err.kind === 'internal' || err.kind === 'unavailable' || err.kind === 'rate_limited';

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Allow on 405 or Retry-After on 429. */
    readonly headers?: Record<string, string>,
    /** Extra body fields an API's contract requires (e.g. RFC 6749's `error`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * Platform error codes. Module codes follow Pismo where Pismo has one (`EOA0017`, `ELND0005`);
 * these cover what every route shares.
 */
export const PlatformErrors = {
  validation: (issues: FieldIssue[]) =>
    new AppError('invalid', 'VALIDATION_ERROR', `Invalid request: ${issues.map((i) => `${i.field} ${i.reason}`).join('; ')}`, issues),
  malformedJson: () => new AppError('invalid', 'MALFORMED_JSON', 'Request body is not valid JSON'),
  emptyJsonBody: () => new AppError('invalid', 'MALFORMED_JSON', 'Request body is empty but Content-Type is application/json'),
  notFound: (what = 'Route') => new AppError('not_found', 'NOT_FOUND', `${what} not found`),
  methodNotAllowed: (method: string, allowed: string[]) =>
    new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed here; use ${allowed.join(', ')}`, undefined, {
      allow: allowed.join(', '),
    }),
  payloadTooLarge: (limit: number) =>
    new AppError('too_large', 'PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limit} bytes`),
  unsupportedMediaType: (type: string | undefined) =>
    new AppError(
      'unsupported_media_type',
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type ? `"${type}"` : '(none)'} is not supported; send application/json`,
    ),
  idempotencyKeyReused: () =>
    new AppError(
      'unprocessable',
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used with a different request; use a new key for a new request',
    ),
  idempotencyInFlight: () =>
    new AppError('conflict', 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this idempotency key is still being processed; retry later'),
  unavailable: (what: string) => new AppError('unavailable', 'SERVICE_UNAVAILABLE', `${what} is unavailable`),
  /** The database cannot take the request now (out of connections, restarting, unreachable): retry shortly. */
  databaseUnavailable: () =>
    new AppError('unavailable', 'SERVICE_UNAVAILABLE', 'The database cannot take this request now; retry shortly', undefined, { 'retry-after': '1' }),
  internal: () => new AppError('internal', 'INTERNAL_ERROR', 'Internal server error'),
} as const;
