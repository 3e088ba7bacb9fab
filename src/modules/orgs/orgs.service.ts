// Organizations, their credentials and OpenID keys, and the token flows of Pismo's passport API.
import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { allows, isPermission } from '../../platform/auth/guard.js';
import { hashSecret, randomToken, sha256, verifySecret } from '../../platform/auth/secrets.js';
import type { TokenSubject } from '../../platform/auth/tokens.js';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../platform/auth/tokens.js';
import { violates, type Tx } from '../../platform/db/database.js';
import type { FieldIssue } from '../../platform/errors.js';
import { isOrgId, newOrgId } from '../../platform/ids.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import { programIdsOf } from '../programs/index.js';
import { OAuthErrors, OrgErrors } from './orgs.errors.js';
import { OrgEvents } from './orgs.events.js';
import * as repo from './orgs.repo.js';
import type {
  CreateOrgBody,
  Credential,
  NewCredential,
  OidcKey,
  OperatorOrg,
  OperatorPatchOrgBody,
  OrgDetails,
  PatchOrgBody,
  RegisterOidcKeyBody,
} from './orgs.schemas.js';

export interface RequestContext {
  /** Correlation id of the request, carried into events. */
  cid: string | undefined;
  /** The client's Idempotency-Key, for operations that create something. */
  idempotencyKey?: string;
}

/** Idempotency scope of the operator's requests, which belong to no org. */
const OPERATOR_SCOPE = 'operator';

export const ALL_PERMISSIONS = ['pismo-v1:*:rw'];

// Verifying against this when a server_key is unknown keeps the response time of "unknown key"
// equal to "wrong secret", so keys cannot be enumerated by timing.
let dummyHash: Promise<string> | undefined;

const iso = (d: Date | null | undefined): string | undefined => (d ? d.toISOString() : undefined);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

function toOrgDetails(r: repo.OrgRow): OrgDetails {
  return {
    id: r.org_id,
    official_name: r.official_name,
    org_name: r.org_name,
    start_date: opt(r.start_date),
    expiration_date: opt(r.expiration_date),
    document_number: r.document_number,
    address: opt(r.address),
    number: opt(r.number),
    complementary_address: opt(r.complementary_address),
    neighborhood: opt(r.neighborhood),
    zipcode: opt(r.zipcode),
    city: opt(r.city),
    state: opt(r.state),
    country: opt(r.country),
    legal_proxy_name: opt(r.legal_proxy_name),
    legal_proxy_document: opt(r.legal_proxy_document),
    responsible: r.responsible,
    currency_numeric_code: r.currency_numeric_code,
    timezone: r.timezone,
    language: r.language,
    country_code: r.country_code,
    cycle_closing: opt(r.cycle_closing),
    holiday_calendar_id: r.holiday_calendar_id === null ? undefined : Number(r.holiday_calendar_id),
  };
}

const toOperatorOrg = (r: repo.OrgRow): OperatorOrg => ({
  ...toOrgDetails(r),
  sandbox: r.sandbox,
  status: r.status,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

const toCredential = (r: repo.CredentialRow): Credential => ({
  id: r.credential_id,
  server_key: r.server_key,
  description: opt(r.description),
  permissions: r.permissions,
  status: r.status,
  created_at: r.created_at.toISOString(),
  revoked_at: iso(r.revoked_at),
  last_used_at: iso(r.last_used_at),
});

/** Rules that span fields (single-field rules are formats in the schema). */
function semanticIssues(fields: Partial<CreateOrgBody>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (fields.start_date && fields.expiration_date && new Date(fields.expiration_date) < new Date(fields.start_date)) {
    issues.push({ field: 'body.expiration_date', reason: 'is before start_date' });
  }
  return issues;
}

/** Each granted permission must be covered by the granter's own permissions. */
function assertGrantable(requested: string[], granter: string[]): void {
  for (const p of requested) {
    const [, group, access] = p.split(':') as [string, string, string];
    if (!allows(granter, group, access === 'rw') || (group === '*' && !granter.includes(`pismo-v1:*:${access}`) && !granter.includes('pismo-v1:*:rw'))) {
      throw OrgErrors.permissionEscalation(p);
    }
  }
}

/** Pismo writes tenant ids as `TN-…` and, in its JWT example, `tn-…`. */
function normalizeTenant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = /^tn-/i.test(value) ? `TN-${value.slice(3).toLowerCase()}` : value;
  return isOrgId(t) ? t : undefined;
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

export type OrgsService = ReturnType<typeof createOrgsService>;

export function createOrgsService(p: Platform) {
  const { db, clock, ids, config, auth } = p;
  const events = { clock, ids };

  async function newCredentialMaterial(permissions: string[], description?: string) {
    const secret = randomToken(32);
    return {
      secret,
      row: {
        credential_id: ids.uuid(),
        server_key: `sk_${randomToken(18)}`,
        secret_hash: await hashSecret(secret), // slow: done before the transaction opens
        description: description ?? null,
        permissions,
        created_at: clock.now(),
      },
    };
  }

  async function recordCredentialEvent(
    tx: Tx,
    ctx: RequestContext,
    kind: 'credentialCreated' | 'credentialRevoked',
    data: { org_id: string; credential_id: string; kind: 'server_key' | 'oidc_key'; server_key?: string; permissions: string[] },
  ) {
    await recordEvent(tx, events, OrgEvents[kind], { orgId: data.org_id, cid: ctx.cid, data });
  }

  async function recordOrgEvent(tx: Tx, ctx: RequestContext, kind: 'orgCreated' | 'orgUpdated', row: repo.OrgRow, changed?: string[]) {
    await recordEvent(tx, events, OrgEvents[kind], {
      orgId: row.org_id,
      cid: ctx.cid,
      data: { org_id: row.org_id, org_name: row.org_name, status: row.status, sandbox: row.sandbox, ...(changed ? { changed_fields: changed } : {}) },
    });
  }

  /** The org's holiday_calendar_id must name one of its calendars (a foreign key says so). */
  const unknownCalendar = (err: unknown): never => {
    if (violates(err, 'orgs_holiday_calendar_fk')) {
      throw OrgErrors.invalid([{ field: 'body.holiday_calendar_id', reason: 'is not a holiday calendar of this org (create it at /holidays-core/v1/holiday-calendar)' }]);
    }
    throw err;
  };

  async function applyOrgChanges(orgId: string, body: OperatorPatchOrgBody, ctx: RequestContext): Promise<repo.OrgRow> {
    return db
      .transaction(
      async (tx) => {
        const before = await repo.findOrg(tx, orgId);
        if (!before) throw OrgErrors.orgNotFound();
        // Rules across fields hold for the org as it will be, not only for the patch.
        const issues = semanticIssues({
          start_date: body.start_date ?? before.start_date ?? undefined,
          expiration_date: body.expiration_date ?? before.expiration_date ?? undefined,
        });
        if (issues.length) throw OrgErrors.invalid(issues);
        const changes: Record<string, unknown> = {};
        const changed: string[] = [];
        for (const [k, v] of Object.entries(body)) {
          const value = k === 'holiday_calendar_id' && v !== null && v !== undefined ? BigInt(v) : v;
          if (value === undefined) continue;
          const old = (before as unknown as Record<string, unknown>)[k];
          if (old !== value && String(old) !== String(value)) changed.push(k);
          changes[k] = value;
        }
        const after = await repo.updateOrg(tx, orgId, { ...changes, updated_at: clock.now() });
        if (changed.length) await recordOrgEvent(tx, ctx, 'orgUpdated', after!, changed);
        return after!;
      },
      { orgId },
      )
      .catch(unknownCalendar);
  }

  /** Authenticates a server_key/secret pair, with lockout after repeated wrong secrets. */
  async function authenticateServerKey(serverKey: string, secret: string): Promise<repo.CredentialRow> {
    const found = await db.transaction(async (tx) => {
      const cred = await repo.findCredentialByKey(tx, serverKey);
      const org = cred ? await repo.findOrg(tx, cred.org_id) : undefined;
      return cred ? { cred, orgActive: org?.status === 'ACTIVE' } : undefined;
    }, { system: true });
    if (!found) {
      dummyHash ??= hashSecret(randomToken());
      await verifySecret(secret, await dummyHash);
      throw OrgErrors.invalidCredentials();
    }
    const { cred } = found;
    const now = clock.now();
    if (cred.locked_until && cred.locked_until > now) {
      throw OrgErrors.locked(Math.ceil((cred.locked_until.getTime() - now.getTime()) / 1000));
    }
    const ok = await verifySecret(secret, cred.secret_hash);
    if (!ok) {
      const lockUntil = new Date(now.getTime() + config.loginLockSeconds * 1000);
      const after = await db.transaction(
        (tx) => repo.recordFailedLogin(tx, cred.org_id, cred.credential_id, config.loginMaxFailures, lockUntil),
        { orgId: cred.org_id },
      );
      const locked = after.locked_until !== null && after.locked_until > now;
      if (locked) p.log.warn({ org: cred.org_id, credential: cred.credential_id }, 'server_key locked after repeated wrong secrets');
      else p.log.info({ org: cred.org_id, credential: cred.credential_id, attempts: after.failed_attempts }, 'wrong server_secret');
      throw OrgErrors.invalidCredentials();
    }
    if (cred.status !== 'ACTIVE' || !found.orgActive) throw OrgErrors.invalidCredentials();
    await db.transaction(
      (tx) => repo.updateCredential(tx, cred.org_id, cred.credential_id, { failed_attempts: 0, locked_until: null, last_used_at: now }),
      { orgId: cred.org_id },
    );
    return cred;
  }

  /** Signs an access token and stores a one-use refresh token for the same grant. */
  async function grant(subject: TokenSubject, kind: 'credential' | 'oidc_key', subjectId: string) {
    const refresh = randomToken(32);
    const now = clock.now();
    await db.transaction(
      (tx) =>
        repo.insertRefreshToken(tx, {
          org_id: subject.tenant,
          token_hash: sha256(refresh),
          subject_kind: kind,
          subject_id: subjectId,
          account_id: subject.acc ?? null,
          permissions: subject.perms,
          expires_at: new Date(now.getTime() + config.refreshTtlSeconds * 1000),
          created_at: now,
        }),
      { orgId: subject.tenant },
    );
    const access = await auth.tokens.issue(subject);
    return { ...access, refresh };
  }

  const service = {
    /** Operator: creates an org and its first credential (secret returned once). */
    async createOrg(body: CreateOrgBody, ctx: RequestContext): Promise<{ org: OperatorOrg; credential: NewCredential }> {
      const issues = semanticIssues(body);
      const permissions = body.permissions ?? ALL_PERMISSIONS;
      permissions.forEach((perm, i) => {
        if (!isPermission(perm)) issues.push({ field: `body.permissions[${i}]`, reason: 'must look like pismo-v1:<group>:rw|ro' });
      });
      if (body.holiday_calendar_id != null) {
        issues.push({ field: 'body.holiday_calendar_id', reason: 'a new org has no holiday calendars yet: create one, then set it with PATCH' });
      }
      if (issues.length) throw OrgErrors.invalid(issues);
      const material = await newCredentialMaterial(permissions, 'First credential');
      const orgId = newOrgId(ids);
      const now = clock.now();
      // A system transaction: the operator's idempotency key belongs to no org.
      return db.transaction(async (tx) => {
        const once = { orgId: OPERATOR_SCOPE, key: ctx.idempotencyKey, operation: 'POST /lastro/v1/orgs', payload: body };
        const result = await maybeIdempotent(tx, clock, once, async () => {
          const { permissions: _p, sandbox, holiday_calendar_id, cycle_closing, language, ...fields } = body;
          const org = await repo.insertOrg(tx, {
            ...fields,
            org_id: orgId,
            language: language ?? 'en-US',
            cycle_closing: cycle_closing ?? null,
            holiday_calendar_id: holiday_calendar_id ? BigInt(holiday_calendar_id) : null,
            sandbox: sandbox ?? false,
            status: 'ACTIVE',
            created_at: now,
            updated_at: now,
          });
          const cred = await repo.insertCredential(tx, { ...material.row, org_id: orgId });
          await recordOrgEvent(tx, ctx, 'orgCreated', org);
          await recordCredentialEvent(tx, ctx, 'credentialCreated', {
            org_id: orgId,
            credential_id: cred.credential_id,
            kind: 'server_key',
            server_key: cred.server_key,
            permissions,
          });
          return { status: 201, body: { org: toOperatorOrg(org), credential: { ...toCredential(cred), server_secret: material.secret } } };
        });
        return result.body;
      }, { system: true });
    },

    async operatorGetOrg(orgId: string): Promise<OperatorOrg> {
      if (!isOrgId(orgId)) throw OrgErrors.orgNotFound();
      const row = await db.transaction((tx) => repo.findOrg(tx, orgId), { system: true });
      if (!row) throw OrgErrors.orgNotFound();
      return toOperatorOrg(row);
    },

    async operatorListOrgs(page: number, perPage: number) {
      const { rows, total } = await db.transaction((tx) => repo.listOrgs(tx, page, perPage), { system: true });
      return { current_page: page, per_page: perPage, pages: Math.ceil(total / perPage), total_items: total, items: rows.map(toOperatorOrg) };
    },

    async operatorPatchOrg(orgId: string, body: OperatorPatchOrgBody, ctx: RequestContext): Promise<OperatorOrg> {
      if (!isOrgId(orgId)) throw OrgErrors.orgNotFound();
      const row = await applyOrgChanges(orgId, body, ctx);
      auth.subjects.invalidate(orgId);
      return toOperatorOrg(row);
    },

    /** Operator: deactivation stops the org's tokens at once (and credentials from getting new ones). */
    async setOrgStatus(orgId: string, status: 'ACTIVE' | 'INACTIVE', ctx: RequestContext): Promise<OperatorOrg> {
      if (!isOrgId(orgId)) throw OrgErrors.orgNotFound();
      const row = await db.transaction(
        async (tx) => {
          const before = await repo.findOrg(tx, orgId);
          if (!before) throw OrgErrors.orgNotFound();
          if (before.status === status) return before;
          const after = await repo.updateOrg(tx, orgId, {
            status,
            deactivated_at: status === 'INACTIVE' ? clock.now() : null,
            updated_at: clock.now(),
          });
          await recordOrgEvent(tx, ctx, 'orgUpdated', after!, ['status']);
          return after!;
        },
        { orgId },
      );
      auth.subjects.invalidate(orgId);
      return toOperatorOrg(row);
    },

    /** Pismo GET /orgs-core/v1/orgs/{id}: only the caller's own org exists for it. */
    async getOrg(callerOrg: string, id: string): Promise<OrgDetails> {
      if (id !== callerOrg) throw OrgErrors.orgNotFound();
      const row = await db.transaction((tx) => repo.findOrg(tx, callerOrg), { orgId: callerOrg });
      if (!row) throw OrgErrors.orgNotFound();
      return toOrgDetails(row);
    },

    async patchOrg(callerOrg: string, body: PatchOrgBody, ctx: RequestContext): Promise<OrgDetails> {
      return toOrgDetails(await applyOrgChanges(callerOrg, body, ctx));
    },

    async createCredential(
      orgId: string,
      granter: string[],
      body: { description?: string; permissions?: string[] },
      ctx: RequestContext,
      operation = 'POST /lastro/v1/credentials',
    ): Promise<NewCredential> {
      const permissions = body.permissions ?? granter;
      assertGrantable(permissions, granter);
      const material = await newCredentialMaterial(permissions, body.description);
      return db.transaction(
        async (tx) => {
          const once = { orgId, key: ctx.idempotencyKey, operation, payload: body };
          const result = await maybeIdempotent(tx, clock, once, async () => {
            const cred = await repo.insertCredential(tx, { ...material.row, org_id: orgId });
            await recordCredentialEvent(tx, ctx, 'credentialCreated', {
              org_id: orgId,
              credential_id: cred.credential_id,
              kind: 'server_key',
              server_key: cred.server_key,
              permissions,
            });
            return { status: 201, body: { ...toCredential(cred), server_secret: material.secret } };
          });
          return result.body;
        },
        { orgId },
      );
    },

    /** Operator: a credential for an existing org, with any permissions. */
    async operatorCreateCredential(orgId: string, body: { description?: string; permissions?: string[] }, ctx: RequestContext): Promise<NewCredential> {
      await service.operatorGetOrg(orgId);
      return service.createCredential(orgId, ALL_PERMISSIONS, body, ctx, 'POST /lastro/v1/orgs/{id}/credentials');
    },

    async listCredentials(orgId: string, page: number, perPage: number) {
      const { rows, total } = await db.transaction((tx) => repo.listCredentials(tx, orgId, page, perPage), { orgId });
      return { current_page: page, per_page: perPage, pages: Math.ceil(total / perPage), total_items: total, items: rows.map(toCredential) };
    },

    async getCredential(orgId: string, credentialId: string): Promise<Credential> {
      const row = await db.transaction((tx) => repo.findCredential(tx, orgId, credentialId), { orgId });
      if (!row) throw OrgErrors.credentialNotFound();
      return toCredential(row);
    },

    /** Revoking is idempotent; tokens obtained with the credential stop working at once. */
    async revokeCredential(orgId: string, credentialId: string, ctx: RequestContext): Promise<void> {
      await db.transaction(
        async (tx) => {
          const cred = await repo.findCredential(tx, orgId, credentialId);
          if (!cred) throw OrgErrors.credentialNotFound();
          if (cred.status === 'REVOKED') return;
          await repo.updateCredential(tx, orgId, credentialId, { status: 'REVOKED', revoked_at: clock.now() });
          await recordCredentialEvent(tx, ctx, 'credentialRevoked', {
            org_id: orgId,
            credential_id: credentialId,
            kind: 'server_key',
            server_key: cred.server_key,
            permissions: cred.permissions,
          });
        },
        { orgId },
      );
      auth.subjects.invalidate(orgId);
    },

    async registerOidcKey(orgId: string, granter: string[], body: RegisterOidcKeyBody, ctx: RequestContext): Promise<OidcKey> {
      const jwk = rsaJwkFrom(body);
      const permissions = body.permissions ?? granter;
      assertGrantable(permissions, granter);
      const keyId = ids.uuid();
      return db.transaction(
        async (tx) => {
          const once = { orgId, key: ctx.idempotencyKey, operation: 'POST /lastro/v1/oidc-keys', payload: body };
          const result = await maybeIdempotent(tx, clock, once, async () => {
            const iss = body.iss ?? `lastro-client:${keyId}`;
            if (await repo.findActiveOidcKeyByIss(tx, orgId, iss)) {
              throw OrgErrors.invalid([{ field: 'body.iss', reason: 'is already used by another active key of this org' }]);
            }
            const row = await repo.insertOidcKey(tx, {
              org_id: orgId,
              key_id: keyId,
              name: body.name ?? null,
              iss,
              sub: body.sub ?? keyId,
              public_jwk: JSON.stringify({ ...jwk, kid: keyId, alg: 'RS256', use: 'sig' }),
              permissions,
              created_at: clock.now(),
            });
            await recordCredentialEvent(tx, ctx, 'credentialCreated', { org_id: orgId, credential_id: keyId, kind: 'oidc_key', permissions });
            return { status: 201, body: service.toOidcKey(row) };
          });
          return result.body;
        },
        { orgId },
      );
    },

    toOidcKey(r: repo.OidcKeyRow): OidcKey {
      return {
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
      };
    },

    async listOidcKeys(orgId: string): Promise<OidcKey[]> {
      const rows = await db.transaction((tx) => repo.listOidcKeys(tx, orgId), { orgId });
      return rows.map((r) => service.toOidcKey(r));
    },

    async revokeOidcKey(orgId: string, keyId: string, ctx: RequestContext): Promise<void> {
      await db.transaction(
        async (tx) => {
          const key = await repo.findOidcKey(tx, orgId, keyId);
          if (!key) throw OrgErrors.oidcKeyNotFound();
          if (key.status === 'REVOKED') return;
          await repo.updateOidcKey(tx, orgId, keyId, { status: 'REVOKED', revoked_at: clock.now() });
          await recordCredentialEvent(tx, ctx, 'credentialRevoked', { org_id: orgId, credential_id: keyId, kind: 'oidc_key', permissions: key.permissions });
        },
        { orgId },
      );
      auth.subjects.invalidate(orgId);
    },

    /** Pismo POST /passport/v2/s2s/access-token. */
    async s2sToken(body: { server_key: string; server_secret: string; account_id?: number }) {
      const cred = await authenticateServerKey(body.server_key, body.server_secret);
      const acc = body.account_id === undefined ? undefined : String(body.account_id);
      const t = await grant({ tenant: cred.org_id, sub: `credential:${cred.credential_id}`, perms: cred.permissions, acc }, 'credential', cred.credential_id);
      // A credential may call every program of its org.
      const programIds = await db.transaction((tx) => programIdsOf(tx, cred.org_id), { orgId: cred.org_id });
      return {
        tenant: cred.org_id,
        server_key: cred.server_key,
        program_ids: programIds,
        ...(body.account_id !== undefined ? { account_id: body.account_id } : {}),
        roles: cred.permissions,
        token: t.token,
        refresh: t.refresh,
      };
    },

    /** Pismo POST /passport/v1/oauth2/token: a client-signed RS256 JWT for a registered key. */
    async oidcToken(clientJwt: string) {
      let claims;
      let kid: string | undefined;
      try {
        claims = decodeJwt(clientJwt);
        kid = decodeProtectedHeader(clientJwt).kid;
      } catch {
        throw OrgErrors.invalidCredentials();
      }
      const orgId = normalizeTenant(claims.tenant_id);
      if (!orgId) throw OrgErrors.invalidCredentials();
      const { key, orgActive } = await db.transaction(
        async (tx) => {
          const k =
            (kid ? await repo.findOidcKey(tx, orgId, kid) : undefined) ??
            (typeof claims.iss === 'string' ? await repo.findActiveOidcKeyByIss(tx, orgId, claims.iss) : undefined);
          const org = await repo.findOrg(tx, orgId);
          return { key: k, orgActive: org?.status === 'ACTIVE' };
        },
        { orgId },
      );
      if (!key || key.status !== 'ACTIVE' || !orgActive) throw OrgErrors.invalidCredentials();
      try {
        const { payload } = await jwtVerify(clientJwt, createPublicKey({ key: key.public_jwk as JsonWebKey, format: 'jwk' }), {
          algorithms: ['RS256'],
          issuer: key.iss,
          subject: key.sub,
          audience: config.oidcAudience,
          currentDate: clock.now(),
          requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp'],
          clockTolerance: 30,
        });
        if (payload.exp! - payload.iat! > MAX_TOKEN_LIFETIME_SECONDS) throw OrgErrors.invalidCredentials();
        if (payload.iat! * 1000 > clock.now().getTime() + 60_000) throw OrgErrors.invalidCredentials();
        let perms = key.permissions;
        if (payload.pismo !== undefined) {
          if (typeof payload.pismo !== 'string') throw OrgErrors.invalidCredentials();
          const requested = payload.pismo.replace(/^_|_$/g, ''); // Pismo's docs show it wrapped in underscores
          if (!isPermission(requested)) throw OrgErrors.invalidCredentials();
          assertGrantable([requested], key.permissions);
          perms = [requested];
        }
        const uid = payload.uid;
        if (uid !== undefined && !((typeof uid === 'string' || typeof uid === 'number') && /^[1-9][0-9]{0,18}$/.test(String(uid)))) {
          throw OrgErrors.invalidCredentials();
        }
        const acc = uid === undefined ? undefined : String(uid);
        const t = await grant({ tenant: orgId, sub: `oidc_key:${key.key_id}`, perms, acc }, 'oidc_key', key.key_id);
        return { token: t.token, refresh_token: t.refresh, expires_in: String(t.expiresIn) };
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) throw OrgErrors.invalidCredentials();
        if ((err as { code?: string }).code === 'PERMISSION_ESCALATION') throw OrgErrors.invalidCredentials();
        throw err;
      }
    },

    /** RFC 6749 POST /passport/v2/oauth/token: client_credentials and refresh_token grants. */
    async oauthToken(body: {
      grant_type: string;
      client_id?: string;
      client_secret?: string;
      client_secret_string?: string;
      scope?: string;
      uid?: string;
      refresh_token?: string;
    }) {
      if (body.grant_type === 'refresh_token') {
        if (!body.refresh_token) throw OAuthErrors.invalidRequest('refresh_token is required');
        const t = await service.refresh(body.refresh_token);
        return { access_token: t.token, token_type: 'Bearer' as const, expires_in: t.expiresIn, scope: t.perms.join(' '), refresh_token: t.refresh };
      }
      if (body.grant_type !== 'client_credentials') throw OAuthErrors.unsupportedGrant(body.grant_type);
      const secret = body.client_secret ?? body.client_secret_string;
      if (!body.client_id || !secret) throw OAuthErrors.invalidRequest('client_id and client_secret are required');
      let cred: repo.CredentialRow;
      try {
        cred = await authenticateServerKey(body.client_id, secret);
      } catch (err) {
        if ((err as { code?: string }).code === 'INVALID_CREDENTIALS') throw OAuthErrors.invalidClient();
        throw err;
      }
      let perms = cred.permissions;
      if (body.scope?.trim()) {
        perms = body.scope.trim().split(/\s+/);
        for (const s of perms) {
          if (!isPermission(s)) throw OAuthErrors.invalidScope(`"${s}" is not a permission group (pismo-v1:<group>:rw|ro)`);
          const [, group, access] = s.split(':') as [string, string, string];
          if (!allows(cred.permissions, group, access === 'rw')) throw OAuthErrors.invalidScope(`"${s}" is not granted to this client`);
        }
      }
      if (body.uid !== undefined && !/^[1-9][0-9]{0,18}$/.test(body.uid)) throw OAuthErrors.invalidRequest('uid must be an account id (a positive integer)');
      const t = await grant({ tenant: cred.org_id, sub: `credential:${cred.credential_id}`, perms, acc: body.uid }, 'credential', cred.credential_id);
      return { access_token: t.token, token_type: 'Bearer' as const, expires_in: t.expiresIn, scope: perms.join(' '), refresh_token: t.refresh };
    },

    /** Exchanges a refresh token (used once) for a new access token and a new refresh token. */
    async refresh(refreshToken: string) {
      const now = clock.now();
      const used = await db.transaction((tx) => repo.useRefreshToken(tx, sha256(refreshToken), now), { system: true });
      if (!used) throw OAuthErrors.invalidGrant('refresh token is unknown, used or expired');
      const sub = `${used.subject_kind}:${used.subject_id}`;
      auth.subjects.invalidate(used.org_id);
      if (!(await auth.subjects.isActive(used.org_id, sub))) throw OAuthErrors.invalidGrant('the credential was revoked or the org deactivated');
      const t = await grant({ tenant: used.org_id, sub, perms: used.permissions, acc: used.account_id ?? undefined }, used.subject_kind, used.subject_id);
      return { ...t, perms: used.permissions };
    },

    /** On an empty embedded database: a sandbox org to try the API with. */
    async ensureDemoOrg(): Promise<{ org: OperatorOrg; credential: NewCredential } | undefined> {
      const existing = await db.transaction((tx) => repo.countOrgs(tx), { system: true });
      if (existing > 0) return undefined;
      return service.createOrg(
        {
          official_name: 'Lastro Demo Org',
          org_name: 'Demo',
          document_number: '00000000000191',
          responsible: 'demo@example.com',
          currency_numeric_code: '986',
          timezone: 'America/Sao_Paulo',
          country_code: 'BRA',
          language: 'en-US',
          sandbox: true,
        },
        { cid: `startup-${randomUUID()}` },
      );
    },
  };
  return service;
}
