// Coded errors. Services throw AppError (or a module's subclass) with a stable code; the HTTP
// layer turns every error into one body: { code, message, details?, cid }.

export interface FieldIssue {
  /** Where the problem is: `body.name`, `query.page`, `headers.x-tenant`. */
  field: string;
  reason: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
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
    new AppError(400, 'VALIDATION_ERROR', `Invalid request: ${issues.map((i) => `${i.field} ${i.reason}`).join('; ')}`, issues),
  malformedJson: () => new AppError(400, 'MALFORMED_JSON', 'Request body is not valid JSON'),
  emptyJsonBody: () => new AppError(400, 'MALFORMED_JSON', 'Request body is empty but Content-Type is application/json'),
  notFound: (what = 'Route') => new AppError(404, 'NOT_FOUND', `${what} not found`),
  methodNotAllowed: (method: string, allowed: string[]) =>
    new AppError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed here; use ${allowed.join(', ')}`, undefined, {
      allow: allowed.join(', '),
    }),
  payloadTooLarge: (limit: number) =>
    new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limit} bytes`),
  unsupportedMediaType: (type: string | undefined) =>
    new AppError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type ? `"${type}"` : '(none)'} is not supported; send application/json`,
    ),
  idempotencyKeyReused: () =>
    new AppError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used with a different request; use a new key for a new request',
    ),
  idempotencyInFlight: () =>
    new AppError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this idempotency key is still being processed; retry later'),
  unavailable: (what: string) => new AppError(503, 'SERVICE_UNAVAILABLE', `${what} is unavailable`),
  internal: () => new AppError(500, 'INTERNAL_ERROR', 'Internal server error'),
} as const;
