// Request headers many routes declare, declared once: routes put them in `schema.headers`, so they
// are validated and shown in the OpenAPI document alike everywhere.
import { Type } from 'typebox';

/** `x-tenant`: the org a tenant route acts on; the auth guard checks it against the token. */
export const TenantHeaders = Type.Object({
  'x-tenant': Type.Optional(Type.String({ description: 'Org id (required); must match the token.' })),
});

const REPLAY = 'Makes the request safe to retry: the same key and body replay the first answer for 24 h.';

/**
 * `Idempotency-Key` and `x-idempotency-key`, the name some Pismo APIs use (idempotency.ts reads
 * either). `replay` says what a retry answers, where a route's answer differs from the usual one.
 */
export function idempotencyHeaders(replay = REPLAY) {
  return Type.Object({
    'idempotency-key': Type.Optional(Type.String({ description: replay })),
    'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
  });
}

/** The headers of a route that creates something without a tenant header (operator, credentials). */
export const IdempotentHeaders = idempotencyHeaders();

/** The headers of a tenant route that creates something. */
export const TenantIdempotentHeaders = Type.Object({ ...TenantHeaders.properties, ...IdempotentHeaders.properties });
