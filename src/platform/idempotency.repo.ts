// SQL on idempotency_keys (one row per org and hashed key).
import { sql } from 'kysely';
import { readTogether, sendWithNext, type Read, type Tx } from './db/database.js';

/** Takes the transaction-scoped advisory lock of an org's key: false when another transaction holds it. */
const tryLockKey = (tx: Tx, orgId: string, key: string): Read<boolean> => ({
  query: sql`select pg_try_advisory_xact_lock(hashtextextended(${`${orgId}:${key}`}, 0)) as ok`.compile(tx),
  read: (rows) => rows[0]?.ok === true,
});

export interface StoredKey {
  operation: string;
  fingerprint: string;
  status_code: number;
  response_body: unknown;
  expires_at: Date;
}

const findKey = (tx: Tx, orgId: string, hashedKey: string): Read<StoredKey | undefined> => ({
  query: tx
    .selectFrom('idempotency_keys')
    .select(['operation', 'fingerprint', 'status_code', 'response_body', 'expires_at'])
    .where('org_id', '=', orgId)
    .where('key', '=', hashedKey)
    .compile(),
  read: (rows) => rows[0] as StoredKey | undefined,
});

/**
 * The advisory lock of an org's key (false: another transaction holds it) and the key's stored
 * row, in one round trip: the row is read after the lock is taken (its own statement, so with a
 * snapshot that sees what the lock's last holder committed) and means nothing when it was not.
 */
export async function lockAndFindKey(tx: Tx, orgId: string, key: string, hashedKey: string): Promise<{ locked: boolean; stored: StoredKey | undefined }> {
  const [locked, stored] = await readTogether(tx, [tryLockKey(tx, orgId, key), findKey(tx, orgId, hashedKey)]);
  return { locked, stored };
}

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

/**
 * Stores a key's response; an expired row of the same key is overwritten. The write travels with
 * the transaction's next statement or its COMMIT (nothing reads it back in the transaction).
 */
export async function saveKey(tx: Tx, row: KeyRow): Promise<void> {
  await sendWithNext(
    tx,
    tx
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['org_id', 'key']).doUpdateSet(row))
      .compile(),
  );
}

export async function deleteExpiredKeys(tx: Tx, now: Date): Promise<number> {
  const res = await tx.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}
