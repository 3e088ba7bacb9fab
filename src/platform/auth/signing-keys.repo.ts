// SQL on signing_keys: the token service's keys (not tenant data: one set per installation).
import { sql, type Kysely } from 'kysely';
import type { Tx } from '../db/database.js';
import type { Tables } from '../db/tables.js';

export const listSigningKeys = (db: Kysely<Tables>) => db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();

export interface NewSigningKey {
  kid: string;
  privateKey: string;
  publicJwk: string;
  createdAt: Date;
}

/** Inserts an ACTIVE key unless one is active already (the partial unique index lets one win). */
export async function insertFirstActiveKey(db: Kysely<Tables>, k: NewSigningKey): Promise<void> {
  await sql`insert into signing_keys (kid, private_key, public_jwk, status, created_at)
            values (${k.kid}, ${k.privateKey}, ${k.publicJwk}, 'ACTIVE', ${k.createdAt})
            on conflict do nothing`.execute(db);
}

/** Retires the active key (verifying until `verifyUntil`) and makes `k` the active one; the retired kid. */
export async function replaceActiveKey(tx: Tx, k: NewSigningKey, verifyUntil: Date): Promise<string | undefined> {
  const old = await tx
    .updateTable('signing_keys')
    .set({ status: 'RETIRED', retired_at: k.createdAt, verify_until: verifyUntil })
    .where('status', '=', 'ACTIVE')
    .returning('kid')
    .executeTakeFirst();
  await tx
    .insertInto('signing_keys')
    .values({ kid: k.kid, private_key: k.privateKey, public_jwk: k.publicJwk, status: 'ACTIVE', created_at: k.createdAt })
    .execute();
  return old?.kid;
}
