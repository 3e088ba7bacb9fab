// The request context and tenant scope of an HTTP request, for routes.
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../auth/guard.js';
import type { RequestContext } from '../context.js';
import { idempotencyKeyOf } from '../idempotency.js';
import type { TenantScope } from '../tenant.js';

/** cid, actor (the token's subject, or `operator`/`anonymous`) and the Idempotency-Key. */
export function requestContext(req: FastifyRequest): RequestContext {
  const auth = req.routeOptions.config?.auth;
  const actor = req.auth?.subject ?? (auth?.kind === 'operator' ? 'operator' : 'anonymous');
  const key = idempotencyKeyOf(req.headers);
  return { cid: req.id, actor, ...(key !== undefined ? { idempotencyKey: key } : {}) };
}

/**
 * The org of a tenant route's caller, with the request's cid and actor. On a mutating request a
 * malformed Idempotency-Key is a 400 here, whether or not the route uses the key, as it always was.
 */
export function tenantScope(req: FastifyRequest): TenantScope {
  const { orgId, subject } = callerOf(req);
  if (req.method !== 'GET' && req.method !== 'HEAD') idempotencyKeyOf(req.headers);
  return { orgId, cid: req.id, actor: subject };
}

/** The account an account-scoped route acts on (`account: 'token'` or `accountParam`), as the guard resolved it. */
export function accountOf(req: FastifyRequest): string {
  const { accountId } = callerOf(req);
  if (accountId === undefined) throw new Error('route is not account-scoped');
  return accountId;
}
