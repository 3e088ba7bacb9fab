// SQL for orgs, credentials, OpenID keys, refresh tokens and org setups. Every function takes
// the transaction; tenant functions take the org id and filter on it.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { compiledOnce } from '../../platform/db/compiled.js';
import { offsetPage } from '../../platform/db/paging.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import type { PageRequest } from '../../platform/paging.js';

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

/** Which version of each module's OrgSetup an org has had (db/migrations/0009). */
export interface OrgSetupsTable {
  org_id: string;
  module: string;
  version: number;
  applied_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    orgs: OrgsTable;
    credentials: CredentialsTable;
    oidc_keys: OidcKeysTable;
    refresh_tokens: RefreshTokensTable;
    org_setups: OrgSetupsTable;
  }
}

export type OrgRow = Selectable<OrgsTable>;
export type CredentialRow = Selectable<CredentialsTable>;
export type OidcKeyRow = Selectable<OidcKeysTable>;

export const insertOrg = (tx: Tx, row: Insertable<OrgsTable>) => tx.insertInto('orgs').values(row).returningAll().executeTakeFirstOrThrow();

// Read by every org GET and by other modules (currency, calendar): built and compiled once.
const orgById = compiledOnce((db, orgId: string) => db.selectFrom('orgs').selectAll().where('org_id', '=', orgId));

export const findOrg = async (tx: Tx, orgId: string): Promise<OrgRow | undefined> => (await orgById(tx, orgId)).rows[0];

export const updateOrg = (tx: Tx, orgId: string, changes: Updateable<OrgsTable>) =>
  tx.updateTable('orgs').set(changes).where('org_id', '=', orgId).returningAll().executeTakeFirst();

/** Every org, oldest first (operator API: a system transaction). */
export function listOrgs(tx: Tx, page: PageRequest): Promise<{ rows: OrgRow[]; total: number }> {
  const base = tx.selectFrom('orgs');
  return offsetPage(base, base.selectAll().orderBy('created_at').orderBy('org_id'), page);
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

export function listCredentials(tx: Tx, orgId: string, page: PageRequest): Promise<{ rows: CredentialRow[]; total: number }> {
  const base = tx.selectFrom('credentials').where('org_id', '=', orgId);
  return offsetPage(base, base.selectAll().orderBy('created_at').orderBy('credential_id'), page);
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

/**
 * The status of an org and of one of its credentials or OpenID keys, for the guard's "is this
 * token's subject still active" (undefined: no such subject in this org).
 */
export async function subjectStatus(
  tx: Tx,
  orgId: string,
  kind: 'credential' | 'oidc_key',
  id: string,
): Promise<{ org: 'ACTIVE' | 'INACTIVE'; subject: 'ACTIVE' | 'REVOKED' } | undefined> {
  const row =
    kind === 'credential'
      ? await tx
          .selectFrom('orgs as o')
          .innerJoin('credentials as s', 's.org_id', 'o.org_id')
          .select(['o.status as org', 's.status as subject'])
          .where('o.org_id', '=', orgId)
          .where('s.credential_id', '=', id)
          .executeTakeFirst()
      : await tx
          .selectFrom('orgs as o')
          .innerJoin('oidc_keys as s', 's.org_id', 'o.org_id')
          .select(['o.status as org', 's.status as subject'])
          .where('o.org_id', '=', orgId)
          .where('s.key_id', '=', id)
          .executeTakeFirst();
  return row;
}

// --- org setups ---

/** Orgs that have not had `version` (or later) of `module`'s setup, oldest first (system transaction). */
export const orgsMissingSetup = async (tx: Tx, module: string, version: number): Promise<{ org_id: string; created_at: Date }[]> =>
  tx
    .selectFrom('orgs as o')
    .select(['o.org_id', 'o.created_at'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('org_setups as s')
            .select('s.org_id')
            .whereRef('s.org_id', '=', 'o.org_id')
            .where('s.module', '=', module)
            .where('s.version', '>=', version),
        ),
      ),
    )
    .orderBy('o.created_at')
    .orderBy('o.org_id')
    .execute();

export const findOrgSetup = (tx: Tx, orgId: string, module: string) =>
  tx.selectFrom('org_setups').selectAll().where('org_id', '=', orgId).where('module', '=', module).executeTakeFirst();

/**
 * Records that `version` of `module`'s setup is applied to the org, unless it (or a later one)
 * already is: true when this transaction claimed it. A concurrent claim of the same org and
 * module waits for this transaction and then finds it done, so two processes never both apply it.
 */
export async function claimOrgSetup(tx: Tx, orgId: string, module: string, version: number, now: Date): Promise<boolean> {
  const row = await tx
    .insertInto('org_setups')
    .values({ org_id: orgId, module, version, applied_at: now })
    .onConflict((oc) =>
      oc
        .columns(['org_id', 'module'])
        .doUpdateSet({ version, applied_at: now })
        .where('org_setups.version', '<', version),
    )
    .returning('org_id')
    .executeTakeFirst();
  return row !== undefined;
}
