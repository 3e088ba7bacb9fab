// An org's credentials (server_key / server_secret pairs) and OpenID keys (RSA public keys for
// client-signed JWTs): create, list, read, revoke. Every function runs in the caller's tenant
// transaction. Also the guard's "is this token's subject still active", read from these tables.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { allows, type PermissionGroups } from '../../platform/auth/permissions.js';
import { hashSecret, randomToken } from '../../platform/auth/secrets.js';
import type { SubjectLookup } from '../../platform/auth/subjects.js';
import { afterCommit, type Tx } from '../../platform/db/database.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { pismoPage, type PageRequest, type PismoPageBody } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { OrgErrors } from './orgs.errors.js';
import { OrgEvents, type CredentialEventData } from './orgs.events.js';
import * as repo from './orgs.repo.js';
import type { Credential, NewCredential, OidcKey, RegisterOidcKeyBody } from './orgs.schemas.js';

/** The permissions of an org's first credential, and of one the operator issues. */
export const ALL_PERMISSIONS = ['pismo-v1:*:rw'];

const iso = (d: Date | null | undefined): string | undefined => (d ? d.toISOString() : undefined);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export const toCredential = (r: repo.CredentialRow): Credential => ({
  id: r.credential_id,
  server_key: r.server_key,
  description: opt(r.description),
  permissions: r.permissions,
  status: r.status,
  created_at: r.created_at.toISOString(),
  revoked_at: iso(r.revoked_at),
  last_used_at: iso(r.last_used_at),
});

/** Every permission a body grants names a group Lastro's routes declare (else a 400 naming it). */
function knownGroups(groups: PermissionGroups, permissions: string[] | undefined): void {
  const issues = (permissions ?? []).flatMap((p, i) => {
    const problem = groups.problem(p);
    return problem ? [{ field: `body.permissions[${i}]`, reason: problem }] : [];
  });
  if (issues.length) throw OrgErrors.invalid(issues);
}

/** Each granted permission must be covered by the granter's own permissions. */
export function assertGrantable(requested: string[], granter: string[]): void {
  for (const p of requested) {
    const [, group, access] = p.split(':') as [string, string, string];
    if (!allows(granter, group, access === 'rw') || (group === '*' && !granter.includes(`pismo-v1:*:${access}`) && !granter.includes('pismo-v1:*:rw'))) {
      throw OrgErrors.permissionEscalation(p);
    }
  }
}

/** A new credential's secret and row, hashed (slowly) before any transaction opens. */
export interface CredentialMaterial {
  secret: string;
  permissions: string[];
  row: Omit<repo.CredentialRow, 'org_id' | 'status' | 'failed_attempts' | 'locked_until' | 'revoked_at' | 'last_used_at'>;
}

export async function credentialMaterial(deps: Pick<Platform, 'clock' | 'ids'>, permissions: string[], description?: string): Promise<CredentialMaterial> {
  const secret = randomToken(32);
  return {
    secret,
    permissions,
    row: {
      credential_id: deps.ids.uuid(),
      server_key: `sk_${randomToken(18)}`,
      secret_hash: await hashSecret(secret),
      description: description ?? null,
      permissions,
      created_at: deps.clock.now(),
    },
  };
}

/** Inserts a prepared credential for `t.orgId` and records Credential created; the secret is in the answer once. */
export async function insertCredential(deps: Pick<Platform, 'clock' | 'ids'>, t: TenantTx, material: CredentialMaterial): Promise<NewCredential> {
  const cred = await repo.insertCredential(t.db, { ...material.row, org_id: t.orgId });
  await recordCredentialEvent(deps, t.db, t.cid, 'credentialCreated', {
    org_id: t.orgId,
    credential_id: cred.credential_id,
    kind: 'server_key',
    server_key: cred.server_key,
    permissions: material.permissions,
  });
  return { ...toCredential(cred), server_secret: material.secret };
}

async function recordCredentialEvent(
  deps: Pick<Platform, 'clock' | 'ids'>,
  tx: Tx,
  cid: string | undefined,
  kind: 'credentialCreated' | 'credentialRevoked',
  data: CredentialEventData,
): Promise<void> {
  await recordEvent(tx, deps, OrgEvents[kind], { orgId: data.org_id, cid, data });
}

function rsaJwkFrom(body: RegisterOidcKeyBody): JWK {
  let key;
  try {
    if (body.public_key) key = createPublicKey({ key: body.public_key, format: 'pem' });
    else if (body.jwk) key = createPublicKey({ key: body.jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw OrgErrors.badPublicKey('is not a readable public key');
  }
  if (!key) throw OrgErrors.invalid([{ field: 'body.public_key', reason: 'is required (or give jwk)' }]);
  if (body.public_key && body.jwk) throw OrgErrors.invalid([{ field: 'body.jwk', reason: 'give public_key or jwk, not both' }]);
  if (key.asymmetricKeyType !== 'rsa') throw OrgErrors.badPublicKey('must be an RSA key (RS256)');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw OrgErrors.badPublicKey('must be at least 2048 bits');
  const jwk = key.export({ format: 'jwk' }) as JWK;
  return { kty: jwk.kty, n: jwk.n, e: jwk.e };
}

/** The guard's "is the org active and this credential or OpenID key not revoked", in a tenant transaction. */
export function subjectLookup(deps: Pick<Platform, 'tenant'>): SubjectLookup {
  return async (orgId, subject) => {
    const [kind, id] = subject.split(':', 2) as [string, string | undefined];
    if ((kind !== 'credential' && kind !== 'oidc_key') || !id) return false;
    const status = await deps.tenant({ orgId, cid: undefined, actor: 'system' }, (t) => repo.subjectStatus(t.db, t.orgId, kind, id));
    return status?.org === 'ACTIVE' && status.subject === 'ACTIVE';
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;

export function createCredentialsService(deps: Pick<Platform, 'clock' | 'ids' | 'config' | 'auth'>) {
  const { clock, config, auth } = deps;
  // Tokens of a revoked subject stop at once in this process: forget the cached answer, after commit.
  const invalidateOnCommit = (t: TenantTx) => afterCommit(t.db, () => auth.subjects.invalidate(t.orgId));

  const toOidcKey = (r: repo.OidcKeyRow): OidcKey => ({
    id: r.key_id,
    name: opt(r.name),
    iss: r.iss,
    sub: r.sub,
    aud: config.oidcAudience,
    permissions: r.permissions,
    status: r.status,
    public_jwk: r.public_jwk,
    created_at: r.created_at.toISOString(),
    revoked_at: iso(r.revoked_at),
  });

  return {
    /**
     * Checks what may be granted and prepares the secret; called before the transaction opens,
     * because hashing the secret is slow by design.
     */
    async prepare(granter: string[], body: { description?: string; permissions?: string[] }): Promise<CredentialMaterial> {
      const permissions = body.permissions ?? granter;
      knownGroups(deps.auth.groups, body.permissions);
      assertGrantable(permissions, granter);
      return credentialMaterial(deps, permissions, body.description);
    },

    /** Creates a prepared credential; with an Idempotency-Key, a retry replays the first answer (secret included). */
    async create(
      t: TenantTx,
      material: CredentialMaterial,
      request: { idempotencyKey: string | undefined; payload: unknown; operation?: string },
    ): Promise<NewCredential> {
      const once = { orgId: t.orgId, key: request.idempotencyKey, operation: request.operation ?? 'POST /lastro/v1/credentials', payload: request.payload };
      const result = await maybeIdempotent(t.db, clock, once, async () => ({ status: 201, body: await insertCredential(deps, t, material) }));
      return result.body;
    },

    async list(t: TenantTx, page: PageRequest): Promise<PismoPageBody<Credential>> {
      const { rows, total } = await repo.listCredentials(t.db, t.orgId, page);
      return pismoPage(page, total, rows.map(toCredential));
    },

    async get(t: TenantTx, credentialId: string): Promise<Credential> {
      const row = await repo.findCredential(t.db, t.orgId, credentialId);
      if (!row) throw OrgErrors.credentialNotFound();
      return toCredential(row);
    },

    /** Revoking is idempotent; tokens obtained with the credential stop working at once. */
    async revoke(t: TenantTx, credentialId: string): Promise<void> {
      const cred = await repo.findCredential(t.db, t.orgId, credentialId);
      if (!cred) throw OrgErrors.credentialNotFound();
      invalidateOnCommit(t);
      if (cred.status === 'REVOKED') return;
      await repo.updateCredential(t.db, t.orgId, credentialId, { status: 'REVOKED', revoked_at: clock.now() });
      await recordCredentialEvent(deps, t.db, t.cid, 'credentialRevoked', {
        org_id: t.orgId,
        credential_id: credentialId,
        kind: 'server_key',
        server_key: cred.server_key,
        permissions: cred.permissions,
      });
    },

    /** Registers an RSA public key for client-signed JWTs, with at most the granter's permissions. */
    async registerOidcKey(t: TenantTx, granter: string[], body: RegisterOidcKeyBody, idempotencyKey: string | undefined): Promise<OidcKey> {
      const jwk = rsaJwkFrom(body);
      const permissions = body.permissions ?? granter;
      knownGroups(deps.auth.groups, body.permissions);
      assertGrantable(permissions, granter);
      const keyId = deps.ids.uuid();
      const once = { orgId: t.orgId, key: idempotencyKey, operation: 'POST /lastro/v1/oidc-keys', payload: body };
      const result = await maybeIdempotent(t.db, clock, once, async () => {
        const iss = body.iss ?? `lastro-client:${keyId}`;
        if (await repo.findActiveOidcKeyByIss(t.db, t.orgId, iss)) {
          throw OrgErrors.invalid([{ field: 'body.iss', reason: 'is already used by another active key of this org' }]);
        }
        const row = await repo.insertOidcKey(t.db, {
          org_id: t.orgId,
          key_id: keyId,
          name: body.name ?? null,
          iss,
          sub: body.sub ?? keyId,
          public_jwk: JSON.stringify({ ...jwk, kid: keyId, alg: 'RS256', use: 'sig' }),
          permissions,
          created_at: clock.now(),
        });
        await recordCredentialEvent(deps, t.db, t.cid, 'credentialCreated', { org_id: t.orgId, credential_id: keyId, kind: 'oidc_key', permissions });
        return { status: 201, body: toOidcKey(row) };
      });
      return result.body;
    },

    async listOidcKeys(t: TenantTx): Promise<OidcKey[]> {
      const rows = await repo.listOidcKeys(t.db, t.orgId);
      return rows.map(toOidcKey);
    },

    async revokeOidcKey(t: TenantTx, keyId: string): Promise<void> {
      const key = await repo.findOidcKey(t.db, t.orgId, keyId);
      if (!key) throw OrgErrors.oidcKeyNotFound();
      invalidateOnCommit(t);
      if (key.status === 'REVOKED') return;
      await repo.updateOidcKey(t.db, t.orgId, keyId, { status: 'REVOKED', revoked_at: clock.now() });
      await recordCredentialEvent(deps, t.db, t.cid, 'credentialRevoked', {
        org_id: t.orgId,
        credential_id: keyId,
        kind: 'oidc_key',
        permissions: key.permissions,
      });
    },
  };
}
