// Idempotency keys for mutating routes (`Idempotency-Key`, `x-idempotency-key`). The key row is
// written in the same transaction as the effect, so a retry either replays the stored response
// or finds nothing and performs the effect once. Semantics:
//   same key + same request      → the stored response, replayed
//   same key + different request → 422 IDEMPOTENCY_KEY_REUSED
//   same key while still running → 409 IDEMPOTENCY_REQUEST_IN_PROGRESS
// A request that fails (4xx/5xx thrown) rolls back and stores nothing: it may be retried as is.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from './clock.js';
import type { Tx } from './db/database.js';
import { PlatformErrors } from './errors.js';

export interface IdempotentRequest {
  orgId: string;
  key: string;
  /** The operation the key is bound to, e.g. `POST /programs/v1/programs/template`. */
  operation: string;
  /** The request content that must match on replay (body, relevant params). */
  payload: unknown;
}

export interface StoredResponse<B = unknown> {
  status: number;
  body: B;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` fingerprint alike. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const fingerprint = (operation: string, payload: unknown): string =>
  createHash('sha256').update(operation).update('\n').update(canonicalJson(payload)).digest('hex');

/**
 * Runs `effect` at most once per (org, key) within the key's lifetime. Must be called inside the
 * transaction that performs the effect.
 */
export async function runIdempotent<B>(
  tx: Tx,
  clock: Clock,
  req: IdempotentRequest,
  effect: () => Promise<StoredResponse<B>>,
  ttlMs = DEFAULT_IDEMPOTENCY_TTL_MS,
): Promise<StoredResponse<B> & { replayed: boolean }> {
  // A transaction-scoped advisory lock on the key: a concurrent request with the same key is told
  // it is in flight instead of waiting on (or racing) the first one.
  const lock = await sql<{ ok: boolean }>`
    select pg_try_advisory_xact_lock(hashtextextended(${`${req.orgId}:${req.key}`}, 0)) as ok`.execute(tx);
  if (!lock.rows[0]?.ok) throw PlatformErrors.idempotencyInFlight();

  const now = clock.now();
  const print = fingerprint(req.operation, req.payload);
  const existing = await tx
    .selectFrom('idempotency_keys')
    .select(['operation', 'fingerprint', 'status_code', 'response_body', 'expires_at'])
    .where('org_id', '=', req.orgId)
    .where('key', '=', req.key)
    .executeTakeFirst();

  if (existing && existing.expires_at > now) {
    if (existing.operation !== req.operation || existing.fingerprint !== print) {
      throw PlatformErrors.idempotencyKeyReused();
    }
    return { status: existing.status_code, body: existing.response_body as B, replayed: true };
  }

  const response = await effect();
  const row = {
    org_id: req.orgId,
    key: req.key,
    operation: req.operation,
    fingerprint: print,
    status_code: response.status,
    response_body: response.body === undefined ? null : JSON.stringify(response.body),
    created_at: now,
    expires_at: new Date(now.getTime() + ttlMs),
  };
  await tx
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'key']).doUpdateSet(row)) // an expired key is reused
    .execute();
  return { ...response, replayed: false };
}

/** Deletes expired keys; run periodically by the worker. Returns how many were removed. */
export async function purgeExpiredIdempotencyKeys(tx: Tx, clock: Clock): Promise<number> {
  const res = await tx.deleteFrom('idempotency_keys').where('expires_at', '<=', clock.now()).executeTakeFirst();
  return Number(res.numDeletedRows);
}
