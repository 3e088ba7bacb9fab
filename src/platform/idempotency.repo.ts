// SQL on idempotency_keys (one row per org and hashed key).
import { sql } from 'kysely';
import type { Tx } from './db/database.js';

/** Takes the transaction-scoped advisory lock of an org's key; false when another transaction holds it. */
export async function tryLockKey(tx: Tx, orgId: string, key: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${`${orgId}:${key}`}, 0)) as ok`.execute(tx);
  return rows[0]?.ok === true;
}

export const findKey = (tx: Tx, orgId: string, hashedKey: string) =>
  tx
    .selectFrom('idempotency_keys')
    .select(['operation', 'fingerprint', 'status_code', 'response_body', 'expires_at'])
    .where('org_id', '=', orgId)
    .where('key', '=', hashedKey)
    .executeTakeFirst();

export interface KeyRow {
  org_id: string;
  key: string;
  operation: string;
  fingerprint: string;
  status_code: number;
  response_body: string;
  created_at: Date;
  expires_at: Date;
}

/** Stores a key's response; an expired row of the same key is overwritten. */
export async function saveKey(tx: Tx, row: KeyRow): Promise<void> {
  await tx
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'key']).doUpdateSet(row))
    .execute();
}

export async function deleteExpiredKeys(tx: Tx, now: Date): Promise<number> {
  const res = await tx.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}
