// The token flows of Pismo's passport API: basic (server_key / server_secret), OpenID Connect
// for servers (a client-signed JWT), OAuth2 (RFC 6749 client_credentials and refresh_token) and
// refresh tokens. The caller has no token yet, so a credential is first found across orgs (a
// system transaction); what follows is the found org's own work (tenant transactions). Slow
// steps (scrypt, signing) run between transactions, never inside one.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { allows, isPermission } from '../../platform/auth/permissions.js';
import { hashSecret, randomToken, sha256, verifySecret } from '../../platform/auth/secrets.js';
import { MAX_TOKEN_LIFETIME_SECONDS, type TokenSubject } from '../../platform/auth/tokens.js';
import { isOrgId } from '../../platform/ids.js';
import type { Platform } from '../../platform/module.js';
import { programIdsOf } from '../programs/index.js';
import { assertGrantable } from './credentials.service.js';
import { OAuthErrors, OrgErrors } from './orgs.errors.js';
import * as repo from './orgs.repo.js';

// Verifying against this when a server_key is unknown keeps the response time of "unknown key"
// equal to "wrong secret", so keys cannot be enumerated by timing.
let dummyHash: Promise<string> | undefined;

const ACCOUNT_ID = /^[1-9][0-9]{0,18}$/;

/** Pismo writes tenant ids as `TN-…` and, in its JWT example, `tn-…`. */
function normalizeTenant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = /^tn-/i.test(value) ? `TN-${value.slice(3).toLowerCase()}` : value;
  return isOrgId(t) ? t : undefined;
}

export type PassportService = ReturnType<typeof createPassportService>;

export function createPassportService(deps: Pick<Platform, 'db' | 'tenant' | 'clock' | 'config' | 'auth' | 'log'>) {
  const { db, tenant, clock, config, auth, log } = deps;
  const scope = (orgId: string, actor: string) => ({ orgId, cid: undefined, actor });

  /** Authenticates a server_key/secret pair, with lockout after repeated wrong secrets. */
  async function authenticateServerKey(serverKey: string, secret: string): Promise<repo.CredentialRow> {
    const found = await db.transaction(
      async (tx) => {
        const cred = await repo.findCredentialByKey(tx, serverKey);
        const org = cred ? await repo.findOrg(tx, cred.org_id) : undefined;
        return cred ? { cred, orgActive: org?.status === 'ACTIVE' } : undefined;
      },
      { system: true },
    );
    if (!found) {
      dummyHash ??= hashSecret(randomToken());
      await verifySecret(secret, await dummyHash);
      throw OrgErrors.invalidCredentials();
    }
    const { cred } = found;
    const actor = `credential:${cred.credential_id}`;
    const now = clock.now();
    if (cred.locked_until && cred.locked_until > now) {
      throw OrgErrors.locked(Math.ceil((cred.locked_until.getTime() - now.getTime()) / 1000));
    }
    const ok = await verifySecret(secret, cred.secret_hash);
    if (!ok) {
      const lockUntil = new Date(now.getTime() + config.loginLockSeconds * 1000);
      const after = await tenant(scope(cred.org_id, actor), (t) =>
        repo.recordFailedLogin(t.db, t.orgId, cred.credential_id, config.loginMaxFailures, lockUntil),
      );
      const locked = after.locked_until !== null && after.locked_until > now;
      if (locked) log.warn({ org: cred.org_id, credential: cred.credential_id }, 'server_key locked after repeated wrong secrets');
      else log.info({ org: cred.org_id, credential: cred.credential_id, attempts: after.failed_attempts }, 'wrong server_secret');
      throw OrgErrors.invalidCredentials();
    }
    if (cred.status !== 'ACTIVE' || !found.orgActive) throw OrgErrors.invalidCredentials();
    await tenant(scope(cred.org_id, actor), (t) =>
      repo.updateCredential(t.db, t.orgId, cred.credential_id, { failed_attempts: 0, locked_until: null, last_used_at: now }),
    );
    return cred;
  }

  /** Whether the org has the account an account token would name (Pismo: it must exist). */
  const accountExists = (orgId: string, accountId: string, actor: string): Promise<boolean> =>
    tenant(scope(orgId, actor), (t) => auth.accounts.exists(t, accountId));

  /** Signs an access token and stores a one-use refresh token for the same grant. */
  async function grant(subject: TokenSubject, kind: 'credential' | 'oidc_key', subjectId: string) {
    const refresh = randomToken(32);
    const now = clock.now();
    await tenant(scope(subject.tenant, subject.sub), (t) =>
      repo.insertRefreshToken(t.db, {
        org_id: t.orgId,
        token_hash: sha256(refresh),
        subject_kind: kind,
        subject_id: subjectId,
        account_id: subject.acc ?? null,
        permissions: subject.perms,
        expires_at: new Date(now.getTime() + config.refreshTtlSeconds * 1000),
        created_at: now,
      }),
    );
    const access = await auth.tokens.issue(subject);
    return { ...access, refresh };
  }

  const service = {
    /** Pismo POST /passport/v2/s2s/access-token. */
    async s2sToken(body: { server_key: string; server_secret: string; account_id?: number }) {
      const cred = await authenticateServerKey(body.server_key, body.server_secret);
      const sub = `credential:${cred.credential_id}`;
      const acc = body.account_id === undefined ? undefined : String(body.account_id);
      // Pismo documents one refusal for this endpoint: 401 Invalid credentials.
      if (acc !== undefined && !(await accountExists(cred.org_id, acc, sub))) throw OrgErrors.invalidCredentials();
      const t = await grant({ tenant: cred.org_id, sub, perms: cred.permissions, acc }, 'credential', cred.credential_id);
      // A credential may call every program of its org.
      const programIds = await tenant(scope(cred.org_id, sub), (tt) => programIdsOf(tt.db, tt.orgId));
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
      const { key, orgActive } = await tenant(scope(orgId, 'anonymous'), async (t) => {
        const k =
          (kid ? await repo.findOidcKey(t.db, t.orgId, kid) : undefined) ??
          (typeof claims.iss === 'string' ? await repo.findActiveOidcKeyByIss(t.db, t.orgId, claims.iss) : undefined);
        const org = await repo.findOrg(t.db, t.orgId);
        return { key: k, orgActive: org?.status === 'ACTIVE' };
      });
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
          if (!deps.auth.groups.knows(requested)) throw OAuthErrors.invalidScope(`"${requested}" names no permission group of Lastro`);
          assertGrantable([requested], key.permissions);
          perms = [requested];
        }
        const uid = payload.uid;
        if (uid !== undefined && !((typeof uid === 'string' || typeof uid === 'number') && ACCOUNT_ID.test(String(uid)))) {
          throw OrgErrors.invalidCredentials();
        }
        const acc = uid === undefined ? undefined : String(uid);
        if (acc !== undefined && !(await accountExists(orgId, acc, `oidc_key:${key.key_id}`))) throw OrgErrors.invalidCredentials();
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
          if (!deps.auth.groups.knows(s)) throw OAuthErrors.invalidScope(`"${s}" names no permission group of Lastro`);
          const [, group, access] = s.split(':') as [string, string, string];
          if (!allows(cred.permissions, group, access === 'rw')) throw OAuthErrors.invalidScope(`"${s}" is not granted to this client`);
        }
      }
      if (body.uid !== undefined && !ACCOUNT_ID.test(body.uid)) throw OAuthErrors.invalidRequest('uid must be an account id (a positive integer)');
      if (body.uid !== undefined && !(await accountExists(cred.org_id, body.uid, `credential:${cred.credential_id}`))) {
        throw OAuthErrors.invalidRequest('uid does not name an account of this organization');
      }
      const t = await grant({ tenant: cred.org_id, sub: `credential:${cred.credential_id}`, perms, acc: body.uid }, 'credential', cred.credential_id);
      return { access_token: t.token, token_type: 'Bearer' as const, expires_in: t.expiresIn, scope: perms.join(' '), refresh_token: t.refresh };
    },

    /** Exchanges a refresh token (used once) for a new access token and a new refresh token. */
    async refresh(refreshToken: string) {
      const now = clock.now();
      // By its hash alone: the org is not known until the token is found.
      const used = await db.transaction((tx) => repo.useRefreshToken(tx, sha256(refreshToken), now), { system: true });
      if (!used) throw OAuthErrors.invalidGrant('refresh token is unknown, used or expired');
      const sub = `${used.subject_kind}:${used.subject_id}`;
      auth.subjects.invalidate(used.org_id);
      if (!(await auth.subjects.isActive(used.org_id, sub))) throw OAuthErrors.invalidGrant('the credential was revoked or the org deactivated');
      const t = await grant({ tenant: used.org_id, sub, perms: used.permissions, acc: used.account_id ?? undefined }, used.subject_kind, used.subject_id);
      return { ...t, perms: used.permissions };
    },
  };
  return service;
}
