// SQL for orgs, credentials, OpenID keys and refresh tokens. Every function takes the
// transaction; tenant functions take the org id and filter on it.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';

export interface OrgsTable {
  org_id: string;
  official_name: string;
  org_name: string;
  document_number: string;
  address: string | null;
  number: number | null;
  complementary_address: string | null;
  neighborhood: string | null;
  zipcode: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  legal_proxy_name: string | null;
  legal_proxy_document: string | null;
  responsible: string;
  currency_numeric_code: string;
  timezone: string;
  language: string;
  country_code: string;
  cycle_closing: string | null;
  holiday_calendar_id: bigint | null;
  start_date: string | null;
  expiration_date: string | null;
  sandbox: boolean;
  status: 'ACTIVE' | 'INACTIVE';
  created_at: Timestamp;
  updated_at: Timestamp;
  deactivated_at: Timestamp | null;
}

export interface CredentialsTable {
  org_id: string;
  credential_id: string;
  server_key: string;
  secret_hash: string;
  description: string | null;
  permissions: string[];
  status: Generated<'ACTIVE' | 'REVOKED'>;
  failed_attempts: Generated<number>;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface OidcKeysTable {
  org_id: string;
  key_id: string;
  name: string | null;
  iss: string;
  sub: string;
  public_jwk: Json<Record<string, unknown>>;
  permissions: string[];
  status: Generated<'ACTIVE' | 'REVOKED'>;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface RefreshTokensTable {
  org_id: string;
  token_hash: string;
  subject_kind: 'credential' | 'oidc_key';
  subject_id: string;
  account_id: string | null;
  permissions: string[];
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    orgs: OrgsTable;
    credentials: CredentialsTable;
    oidc_keys: OidcKeysTable;
    refresh_tokens: RefreshTokensTable;
  }
}

export type OrgRow = Selectable<OrgsTable>;
export type CredentialRow = Selectable<CredentialsTable>;
export type OidcKeyRow = Selectable<OidcKeysTable>;

export const insertOrg = (tx: Tx, row: Insertable<OrgsTable>) => tx.insertInto('orgs').values(row).returningAll().executeTakeFirstOrThrow();

export const findOrg = (tx: Tx, orgId: string) => tx.selectFrom('orgs').selectAll().where('org_id', '=', orgId).executeTakeFirst();

export const updateOrg = (tx: Tx, orgId: string, changes: Updateable<OrgsTable>) =>
  tx.updateTable('orgs').set(changes).where('org_id', '=', orgId).returningAll().executeTakeFirst();

export async function listOrgs(tx: Tx, page: number, perPage: number): Promise<{ rows: OrgRow[]; total: number }> {
  const total = await tx.selectFrom('orgs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await tx
    .selectFrom('orgs')
    .selectAll()
    .orderBy('created_at')
    .orderBy('org_id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { rows, total: Number(total.n) };
}

export const countOrgs = async (tx: Tx): Promise<number> =>
  Number((await tx.selectFrom('orgs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

export const insertCredential = (tx: Tx, row: Insertable<CredentialsTable>) =>
  tx.insertInto('credentials').values(row).returningAll().executeTakeFirstOrThrow();

/** By server_key, across orgs: the token endpoint does not know the org yet (system transaction). */
export const findCredentialByKey = (tx: Tx, serverKey: string) =>
  tx.selectFrom('credentials').selectAll().where('server_key', '=', serverKey).executeTakeFirst();

export const findCredential = (tx: Tx, orgId: string, credentialId: string) =>
  tx.selectFrom('credentials').selectAll().where('org_id', '=', orgId).where('credential_id', '=', credentialId).executeTakeFirst();

export async function listCredentials(tx: Tx, orgId: string, page: number, perPage: number) {
  const total = await tx
    .selectFrom('credentials')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  const rows = await tx
    .selectFrom('credentials')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('credential_id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { rows, total: Number(total.n) };
}

export const updateCredential = (tx: Tx, orgId: string, credentialId: string, changes: Updateable<CredentialsTable>) =>
  tx
    .updateTable('credentials')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('credential_id', '=', credentialId)
    .returningAll()
    .executeTakeFirst();

/**
 * Counts one wrong secret atomically (concurrent attempts each count) and locks the key when the
 * count reaches `max`. Returns the new count and the lock, if any.
 */
export const recordFailedLogin = (tx: Tx, orgId: string, credentialId: string, max: number, lockUntil: Date) =>
  tx
    .updateTable('credentials')
    .set((eb) => ({
      failed_attempts: eb.case().when('failed_attempts', '>=', max - 1).then(0).else(eb('failed_attempts', '+', 1)).end(),
      locked_until: eb.case().when('failed_attempts', '>=', max - 1).then(lockUntil).else(eb.ref('locked_until')).end(),
    }))
    .where('org_id', '=', orgId)
    .where('credential_id', '=', credentialId)
    .returning(['failed_attempts', 'locked_until'])
    .executeTakeFirstOrThrow();

export const insertOidcKey = (tx: Tx, row: Insertable<OidcKeysTable>) =>
  tx.insertInto('oidc_keys').values(row).returningAll().executeTakeFirstOrThrow();

export const findOidcKey = (tx: Tx, orgId: string, keyId: string) =>
  tx.selectFrom('oidc_keys').selectAll().where('org_id', '=', orgId).where('key_id', '=', keyId).executeTakeFirst();

export const findActiveOidcKeyByIss = (tx: Tx, orgId: string, iss: string) =>
  tx
    .selectFrom('oidc_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('iss', '=', iss)
    .where('status', '=', 'ACTIVE')
    .executeTakeFirst();

export const listOidcKeys = (tx: Tx, orgId: string) =>
  tx.selectFrom('oidc_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('key_id').execute();

export const updateOidcKey = (tx: Tx, orgId: string, keyId: string, changes: Updateable<OidcKeysTable>) =>
  tx.updateTable('oidc_keys').set(changes).where('org_id', '=', orgId).where('key_id', '=', keyId).returningAll().executeTakeFirst();

export const insertRefreshToken = (tx: Tx, row: Insertable<RefreshTokensTable>) => tx.insertInto('refresh_tokens').values(row).execute();

/** Marks a refresh token used and returns it, or nothing if unknown, used or expired. */
export const useRefreshToken = (tx: Tx, tokenHash: string, now: Date) =>
  tx
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();

/** Refresh tokens that can no longer be used: expired, or used (kept a day for investigation). */
export const purgeRefreshTokens = async (tx: Tx, now: Date): Promise<number> => {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const res = await tx
    .deleteFrom('refresh_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', '<=', dayAgo)]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
};
