// What every lending route shares: the permission group `lending`, the headers, Pismo's 202 for a
// repeated idempotency key, the spec's codes for refused requests, and cursor paging as the v1
// file pages (`next_cursor` + `limit` ≤ 50).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import type { RequestContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import { tenantScope } from '../../platform/http/context.js';
import type { Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { LendingErrors, lendingRefusal, type FieldCode } from './lending.errors.js';

export const lendingAuth = routeAuth.tenant('lending');

export const NoHeaders = Type.Object({});
export const WriteHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes the request safe to retry: the same key and body replay the first answer for 24 h.' }),
  ),
  'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
});

export const NoContent = Type.Null();
/** Pismo's body for a request whose idempotency key was already used for another request. */
export const DuplicateKey = Type.Object(
  { code: Type.String(), message: Type.String(), cid: Type.String() },
  { description: 'Duplicated request identified by Idempotency key (Pismo: 202 with ELND1501 or WLND0001).' },
);

/** The route config of a lending route: auth, the codes of refused fields, Pismo's statuses. */
export function lendingConfig(fields: FieldCode[] = [], errorStatus: Record<string, number | undefined> = {}) {
  return {
    config: {
      auth: lendingAuth,
      refusedRequest: lendingRefusal(fields),
      errorStatus: { ELND1501: 202, WLND0001: 202, ...errorStatus },
    },
  };
}

/** The caller's org's tenant transaction, opened once for the request. */
export const tenantOf =
  (platform: Pick<Platform, 'tenant'>) =>
  <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) =>
    platform.tenant(tenantScope(req), fn);

/**
 * Runs `effect` at most once per idempotency key. A key already used for another request (or one
 * still running) is Pismo's 202 with `dupCode` rather than the platform's 422/409.
 */
export async function once<B>(
  t: TenantTx,
  clock: Platform['clock'],
  ctx: Pick<RequestContext, 'idempotencyKey'>,
  operation: string,
  payload: unknown,
  dupCode: 'ELND1501' | 'WLND0001',
  effect: () => Promise<{ status: number; body: B }>,
): Promise<{ status: number; body: B }> {
  try {
    return await maybeIdempotent(t.db, clock, { orgId: t.orgId, key: ctx.idempotencyKey, operation, payload }, effect);
  } catch (err) {
    if (err instanceof AppError && (err.code === 'IDEMPOTENCY_KEY_REUSED' || err.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS')) {
      throw LendingErrors.keyInUse(dupCode);
    }
    throw err;
  }
}

export const MAX_LIMIT = 50;
export const DEFAULT_LIMIT = 10;

export const CursorQuery = {
  next_cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next_cursor` of the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Items per page, 1 to 50 (default 10).' })),
};

/** An opaque cursor: the position (seq) of the last item of the page. */
export const cursorOf = (seq: bigint): string => Buffer.from(`v1:${seq}`, 'utf8').toString('base64url');

/** The position a cursor names; a cursor Lastro did not write is a 400 naming query.next_cursor. */
export function afterCursor(cursor: string | undefined): bigint {
  if (cursor === undefined || cursor === '') return 0n;
  const m = /^v1:([0-9]{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw LendingErrors.invalid('query.next_cursor', 'is not a cursor this API returned');
  return BigInt(m[1]!);
}

/** One page: the rows past the cursor, with one more fetched to know whether there is a next page. */
export function cursorPage<R extends { seq: bigint }>(rows: R[], limit: number): { items: R[]; hasNext: boolean; next?: string } {
  const hasNext = rows.length > limit;
  const items = hasNext ? rows.slice(0, limit) : rows;
  return { items, hasNext, ...(hasNext ? { next: cursorOf(items[items.length - 1]!.seq) } : {}) };
}
