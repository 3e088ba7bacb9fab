// Idempotency keys for mutating routes (`Idempotency-Key`, `x-idempotency-key`). The key row is
// written in the same transaction as the effect, so a retry either replays the stored response
// or finds nothing and performs the effect once. Semantics:
//   same key + same request      → the stored response, replayed
//   same key + different request → 422 IDEMPOTENCY_KEY_REUSED
//   same key while still running → 409 IDEMPOTENCY_REQUEST_IN_PROGRESS
// A request that fails (4xx/5xx thrown) rolls back and stores nothing: it may be retried as is.
//
// Stored responses may hold a secret shown once (a new credential's server_secret). So the
// database keeps only a hash of the key, and the response encrypted (AES-256-GCM) with a key
// derived from the idempotency key itself: only a client holding the key can replay it.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Tx } from './db/database.js';
import { PlatformErrors } from './errors.js';
import * as repo from './idempotency.repo.js';
import { defineJob, type JobDefinition } from './jobs.js';
import { Type } from 'typebox';
import type { Database } from './db/database.js';

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

const keyHash = (orgId: string, key: string): string => createHash('sha256').update(`${orgId}:${key}`).digest('hex');

function responseKey(orgId: string, key: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, orgId, 'lastro idempotent response', 32));
}

function seal(orgId: string, key: string, response: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', responseKey(orgId, key), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(response) ?? 'null', 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
}

function unseal(orgId: string, key: string, sealed: string): unknown {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
  const decipher = createDecipheriv('aes-256-gcm', responseKey(orgId, key), iv);
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
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
  // The key's row is read in the same round trip, after the lock.
  const hashed = keyHash(req.orgId, req.key);
  const { locked, stored: existing } = await repo.lockAndFindKey(tx, req.orgId, req.key, hashed);
  if (!locked) throw PlatformErrors.idempotencyInFlight();

  const now = clock.now();
  const print = fingerprint(req.operation, req.payload);

  if (existing && existing.expires_at > now) {
    if (existing.operation !== req.operation || existing.fingerprint !== print) {
      throw PlatformErrors.idempotencyKeyReused();
    }
    return { status: existing.status_code, body: unseal(req.orgId, req.key, existing.response_body as string) as B, replayed: true };
  }

  const response = await effect();
  const row = {
    org_id: req.orgId,
    key: hashed,
    operation: req.operation,
    fingerprint: print,
    status_code: response.status,
    response_body: JSON.stringify(seal(req.orgId, req.key, response.body)),
    created_at: now,
    expires_at: new Date(now.getTime() + ttlMs),
  };
  await repo.saveKey(tx, row); // an expired key is reused
  return { ...response, replayed: false };
}

/** Deletes expired keys; run periodically by the worker. Returns how many were removed. */
export async function purgeExpiredIdempotencyKeys(tx: Tx, clock: Clock): Promise<number> {
  return repo.deleteExpiredKeys(tx, clock.now());
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's idempotency key, from `Idempotency-Key` or `x-idempotency-key` (Pismo uses both
 * names); undefined when none is sent. A malformed key is a 400 naming the header.
 */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const name of ['idempotency-key', 'x-idempotency-key']) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
      throw PlatformErrors.validation([{ field: `headers.${name}`, reason: 'must be 1 to 255 printable ASCII characters' }]);
    }
    return value;
  }
  return undefined;
}

/** runIdempotent when the client sent a key; otherwise the effect, once. */
export async function maybeIdempotent<B>(
  tx: Tx,
  clock: Clock,
  req: Omit<IdempotentRequest, 'key'> & { key: string | undefined },
  effect: () => Promise<StoredResponse<B>>,
): Promise<StoredResponse<B> & { replayed: boolean }> {
  if (req.key === undefined) return { ...(await effect()), replayed: false };
  return runIdempotent(tx, clock, { ...req, key: req.key }, effect);
}

/** Every 15 minutes, a worker deletes the idempotency keys that have expired. */
export const purgeIdempotencyKeysJob = (db: Database, clock: Clock): JobDefinition =>
  defineJob({
    name: 'platform.purge-idempotency-keys',
    schema: Type.Object({}),
    cron: '*/15 * * * *',
    async handler(_data, ctx) {
      const removed = await db.transaction((tx) => purgeExpiredIdempotencyKeys(tx, clock), { system: true });
      if (removed) ctx.log.info({ removed }, 'expired idempotency keys removed');
    },
  });
