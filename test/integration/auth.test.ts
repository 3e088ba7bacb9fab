// Authentication and authorization through the real HTTP stack: Pismo's s2s token endpoint,
// verification of Lastro's access tokens on protected routes, account tokens, permission groups,
// login lockout, rate limits, signing-key rotation, JWKS and the operator API.
// OpenID Connect and OAuth2 token flows are in auth-oidc.test.ts.
import { createPrivateKey, createPublicKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules as defaultModules } from '../../src/modules/index.js';
import { routeAuth } from '../../src/platform/auth/guard.js';
import { createSealer } from '../../src/platform/auth/sealed.js';
import { loadConfig } from '../../src/platform/config.js';
import type { LastroModule } from '../../src/platform/module.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { createAccount } from '../helpers/accounts.js';
import { adminHeaders, bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { addTenant as setupTenantIn, setupTenant } from '../helpers/fixture.js';

interface Res {
  statusCode: number;
  headers: Record<string, unknown>;
  json: () => any;
}

const s2s = (app: TestApp, payload: Record<string, unknown>) =>
  app.http.inject({ method: 'POST', url: '/passport/v2/s2s/access-token', payload });

const getOrg = (app: TestApp, token: string, orgId: string, tenant: string | undefined = orgId) =>
  app.http.inject({ method: 'GET', url: `/orgs-core/v1/orgs/${orgId}`, headers: bearer(token, tenant) });

async function newCredential(app: TestApp, token: string, permissions?: string[]): Promise<TestOrg & { body: any }> {
  const res = await app.http.inject({
    method: 'POST',
    url: '/lastro/v1/credentials',
    headers: bearer(token),
    payload: { description: 'test credential', ...(permissions ? { permissions } : {}) },
  });
  expect(res.statusCode).toBe(201);
  const body = res.json();
  return { orgId: '', serverKey: body.server_key, serverSecret: body.server_secret, credentialId: body.id, body };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Lastro's active signing key, read from the database (unencrypted without LASTRO_ENCRYPTION_KEY). */
async function activeSigningKey(app: TestApp): Promise<{ kid: string; key: KeyObject }> {
  const row = await app.platform.db.kysely.selectFrom('signing_keys').selectAll().where('status', '=', 'ACTIVE').executeTakeFirstOrThrow();
  return { kid: row.kid, key: createPrivateKey(createSealer(undefined).open(row.private_key)) };
}

/** A token for `org` signed with Lastro's real key but with claims of the test's choosing. */
async function forge(
  app: TestApp,
  org: TestOrg,
  opts: { aud?: string; lifetime?: number; kid?: string; key?: { kid: string; key: KeyObject } } = {},
): Promise<string> {
  const signer = opts.key ?? (await activeSigningKey(app));
  const now = Math.floor(app.clock.now().getTime() / 1000);
  return new SignJWT({ tenant: org.orgId, perms: ['pismo-v1:*:rw'] })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? signer.kid, typ: 'JWT' })
    .setIssuer('lastro')
    .setAudience(opts.aud ?? 'lastro-api')
    .setSubject(`credential:${org.credentialId}`)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (opts.lifetime ?? 3600))
    .sign(signer.key);
}

// A module that exists only in this test: one account-scoped route.
const probe: LastroModule = {
  name: 'probe',
  routes(app) {
    app.get(
      '/probe/accounts/:accountId',
      {
        config: { auth: routeAuth.tenant('accounts', { accountParam: 'accountId' }) },
        schema: { params: Type.Object({ accountId: Type.String() }), response: { 200: Type.Object({ accountId: Type.String() }) } },
      },
      async (req) => ({ accountId: req.params.accountId }),
    );
  },
};

describe('POST /passport/v2/s2s/access-token', () => {
  let app: TestApp;
  let org: TestOrg;
  let token: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    ({ app, org, token, headers } = await setupTenant());
  });
  afterAll(async () => app?.close());

  it('right key and secret → 201 with the Pismo shape', async () => {
    const res = await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      tenant: org.orgId,
      server_key: org.serverKey,
      program_ids: [],
      roles: ['pismo-v1:*:rw'],
      token: expect.any(String),
      refresh: expect.any(String),
    });
    expect(decodeProtectedHeader(body.token).alg).toBe('RS256');
    const claims = decodeJwt(body.token);
    expect(claims).toMatchObject({ tenant: org.orgId, sub: `credential:${org.credentialId}`, perms: ['pismo-v1:*:rw'] });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect((await getOrg(app, body.token, org.orgId)).statusCode).toBe(200);
  });

  it('with account_id → an account token, account_id echoed', async () => {
    const { accountId } = await createAccount(app, { headers });
    const res = await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret, account_id: accountId });
    expect(res.statusCode).toBe(201);
    expect(res.json().account_id).toBe(accountId);
    expect(decodeJwt(res.json().token).acc).toBe(String(accountId));
  });

  it("with an account_id the org does not have (unknown, or another org's) → 401 Invalid credentials", async () => {
    const unknown = await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret, account_id: 999999999 });
    expect(expectError(unknown, 401, 'INVALID_CREDENTIALS').message).toBe('Invalid credentials');
    const other = await setupTenantIn(app);
    const theirs = await createAccount(app, other);
    expectError(await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret, account_id: theirs.accountId }), 401, 'INVALID_CREDENTIALS');
  });

  it('wrong secret → 401 Invalid credentials', async () => {
    const body = expectError(await s2s(app, { server_key: org.serverKey, server_secret: 'not-the-secret' }), 401, 'INVALID_CREDENTIALS');
    expect(body.message).toBe('Invalid credentials');
  });

  it('unknown server_key → 401, the same answer as a wrong secret', async () => {
    const body = expectError(await s2s(app, { server_key: 'sk_does_not_exist', server_secret: org.serverSecret }), 401, 'INVALID_CREDENTIALS');
    expect(body.message).toBe('Invalid credentials');
  });

  it('missing fields → 400 naming them', async () => {
    const body = expectError(await s2s(app, {}), 400, 'VALIDATION_ERROR');
    expect(body.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.server_key', 'body.server_secret']);
  });

  it('revoked credential → 401 at the token endpoint, and its tokens stop working at once', async () => {
    const cred = await newCredential(app, token);
    const before = await tokenFor(app, cred);
    expect((await getOrg(app, before, org.orgId)).statusCode).toBe(200);

    const del = await app.http.inject({ method: 'DELETE', url: `/lastro/v1/credentials/${cred.credentialId}`, headers: bearer(token) });
    expect(del.statusCode).toBe(204);

    const body = expectError(await s2s(app, { server_key: cred.serverKey, server_secret: cred.serverSecret }), 401, 'INVALID_CREDENTIALS');
    expect(body.message).toBe('Invalid credentials');
    expectError(await getOrg(app, before, org.orgId), 401, 'INVALID_TOKEN');

    const again = await app.http.inject({ method: 'DELETE', url: `/lastro/v1/credentials/${cred.credentialId}`, headers: bearer(token) });
    expect(again.statusCode).toBe(204); // idempotent
    const got = await app.http.inject({ method: 'GET', url: `/lastro/v1/credentials/${cred.credentialId}`, headers: bearer(token) });
    expect(got.json()).toMatchObject({ status: 'REVOKED', revoked_at: expect.any(String) });
    expect(got.json().server_secret).toBeUndefined();
  });
});

describe('access-token verification on a protected route', () => {
  let app: TestApp;
  let a: TestOrg;
  let b: TestOrg;
  let tokenA: string;
  beforeAll(async () => {
    ({ app, org: a, token: tokenA } = await setupTenant());
    b = await createOrg(app);
  });
  afterAll(async () => app?.close());

  it('a valid token and x-tenant → 200', async () => {
    const res = await getOrg(app, tokenA, a.orgId);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(a.orgId);
  });

  it('missing Authorization → 401 UNAUTHORIZED', async () => {
    const res = await app.http.inject({ method: 'GET', url: `/orgs-core/v1/orgs/${a.orgId}`, headers: { 'x-tenant': a.orgId } });
    expectError(res, 401, 'UNAUTHORIZED');
  });

  it('not a JWT, or another scheme → 401', async () => {
    expectError(await getOrg(app, 'garbage', a.orgId), 401, 'INVALID_TOKEN');
    const basic = await app.http.inject({
      method: 'GET',
      url: `/orgs-core/v1/orgs/${a.orgId}`,
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}`, 'x-tenant': a.orgId },
    });
    expectError(basic, 401, 'UNAUTHORIZED');
  });

  it('a token signed here with the real key and the right claims is accepted (control for the forged tokens below)', async () => {
    expect((await getOrg(app, await forge(app, a), a.orgId)).statusCode).toBe(200);
  });

  it('alg none with the real kid → 401 INVALID_TOKEN', async () => {
    const [, payload] = tokenA.split('.');
    const none = `${b64({ alg: 'none', kid: decodeProtectedHeader(tokenA).kid })}.${payload}.`;
    expect(expectError(await getOrg(app, none, a.orgId), 401, 'INVALID_TOKEN').message).toContain('algorithm');
  });

  it('HS256 signed with the public key as the HMAC secret → 401 INVALID_TOKEN', async () => {
    const kid = decodeProtectedHeader(tokenA).kid;
    const jwks = (await app.http.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === kid);
    const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const forged = await new SignJWT(decodeJwt(tokenA)).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(new TextEncoder().encode(pem));
    expect(expectError(await getOrg(app, forged, a.orgId), 401, 'INVALID_TOKEN').message).toContain('algorithm');
  });

  it('wrong aud → 401 INVALID_TOKEN (claim check, signature is good)', async () => {
    const body = expectError(await getOrg(app, await forge(app, a, { aud: 'someone-else' }), a.orgId), 401, 'INVALID_TOKEN');
    expect(body.message).toContain('aud');
  });

  it('exp more than 3600 s after iat → 401 INVALID_TOKEN (lifetime check, signature is good)', async () => {
    const body = expectError(await getOrg(app, await forge(app, a, { lifetime: 3601 }), a.orgId), 401, 'INVALID_TOKEN');
    expect(body.message).toContain('lifetime');
  });

  it('tampered payload (real signature, another tenant) → 401 INVALID_TOKEN', async () => {
    const [header, payload, signature] = (await forge(app, a)).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${b64({ ...claims, tenant: b.orgId })}.${signature}`;
    expectError(await getOrg(app, tampered, b.orgId), 401, 'INVALID_TOKEN');
  });

  it('tampered signature → 401 INVALID_TOKEN', async () => {
    const [header, payload, signature] = tokenA.split('.') as [string, string, string];
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expectError(await getOrg(app, `${header}.${payload}.${flipped}`, a.orgId), 401, 'INVALID_TOKEN');
  });

  it('unknown kid → 401 INVALID_TOKEN', async () => {
    const body = expectError(await getOrg(app, await forge(app, a, { kid: randomUUID() }), a.orgId), 401, 'INVALID_TOKEN');
    expect(body.message).toContain('key id');
  });

  it("org A's token with org B's x-tenant → 400 EOA0035 on /orgs-core, 403 TENANT_MISMATCH on a Lastro route", async () => {
    expectError(await getOrg(app, tokenA, a.orgId, b.orgId), 400, 'EOA0035');
    expectError(await getOrg(app, tokenA, b.orgId, b.orgId), 400, 'EOA0035');
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(tokenA, b.orgId) });
    expectError(res, 403, 'TENANT_MISMATCH');
  });

  it('missing x-tenant → 400 EOA0030 on /orgs-core; optional on Lastro routes', async () => {
    expectError(await getOrg(app, tokenA, a.orgId, ''), 400, 'EOA0030');
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(tokenA) });
    expect(res.statusCode).toBe(200);
  });

  it("org A's token on org B's resource ids → 404", async () => {
    expectError(await getOrg(app, tokenA, b.orgId, a.orgId), 404, 'ORG_NOT_FOUND');
    const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/credentials/${b.credentialId}`, headers: bearer(tokenA) });
    expectError(res, 404, 'CREDENTIAL_NOT_FOUND');
    const del = await app.http.inject({ method: 'DELETE', url: `/lastro/v1/credentials/${b.credentialId}`, headers: bearer(tokenA) });
    expectError(del, 404, 'CREDENTIAL_NOT_FOUND');
    expect((await s2s(app, { server_key: b.serverKey, server_secret: b.serverSecret })).statusCode).toBe(201); // B's credential is intact
  });

  it('deactivated org → its tokens get 401 at once and new tokens are refused; reactivated → works again', async () => {
    const c = await createOrg(app);
    const tokenC = await tokenFor(app, c);
    expect((await getOrg(app, tokenC, c.orgId)).statusCode).toBe(200);

    const off = await app.http.inject({ method: 'POST', url: `/lastro/v1/orgs/${c.orgId}/deactivate`, headers: adminHeaders });
    expect(off.statusCode).toBe(200);
    expect(off.json().status).toBe('INACTIVE');
    expectError(await getOrg(app, tokenC, c.orgId), 401, 'INVALID_TOKEN');
    expectError(await s2s(app, { server_key: c.serverKey, server_secret: c.serverSecret }), 401, 'INVALID_CREDENTIALS');
    expect((await getOrg(app, tokenA, a.orgId)).statusCode).toBe(200); // other orgs unaffected

    const on = await app.http.inject({ method: 'POST', url: `/lastro/v1/orgs/${c.orgId}/activate`, headers: adminHeaders });
    expect(on.statusCode).toBe(200);
    expect(on.json().status).toBe('ACTIVE');
    expect((await getOrg(app, tokenC, c.orgId)).statusCode).toBe(200);
    expect((await s2s(app, { server_key: c.serverKey, server_secret: c.serverSecret })).statusCode).toBe(201);
  });

  // Last: moves the clock past every token issued above.
  it('expired token (clock + 3601 s) → 401 TOKEN_EXPIRED', async () => {
    app.clock.advance(3601 * 1000);
    expectError(await getOrg(app, tokenA, a.orgId), 401, 'TOKEN_EXPIRED');
    expect((await getOrg(app, await tokenFor(app, a), a.orgId)).statusCode).toBe(200);
  });
});

describe('account tokens', () => {
  let app: TestApp;
  let org: TestOrg;
  let account42: string;
  /** The account of the account token, and another account of the org. */
  let own: string;
  let another: string;
  beforeAll(async () => {
    let headers: Record<string, string>;
    ({ app, org, headers } = await setupTenant({ modules: [...defaultModules, probe] }));
    own = String((await createAccount(app, { headers })).accountId);
    another = String((await createAccount(app, { headers })).accountId);
    account42 = await tokenFor(app, org, Number(own));
  });
  afterAll(async () => app?.close());

  it('on its own account → 200', async () => {
    const res = await app.http.inject({ method: 'GET', url: `/probe/accounts/${own}`, headers: bearer(account42, org.orgId) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accountId: own });
  });

  it('on another account → 403 ACCOUNT_MISMATCH', async () => {
    const res = await app.http.inject({ method: 'GET', url: `/probe/accounts/${another}`, headers: bearer(account42, org.orgId) });
    expectError(res, 403, 'ACCOUNT_MISMATCH');
  });

  it('on an org-level route → 403 ACCOUNT_TOKEN_NOT_ALLOWED', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(account42) });
    expectError(res, 403, 'ACCOUNT_TOKEN_NOT_ALLOWED');
    expectError(await getOrg(app, account42, org.orgId), 403, 'ACCOUNT_TOKEN_NOT_ALLOWED');
  });

  it('an org token may use an account route', async () => {
    const res = await app.http.inject({ method: 'GET', url: `/probe/accounts/${another}`, headers: bearer(await tokenFor(app, org), org.orgId) });
    expect(res.statusCode).toBe(200);
  });
});

describe('permission groups', () => {
  let app: TestApp;
  let org: TestOrg;
  let all: string;
  beforeAll(async () => {
    ({ app, org, token: all } = await setupTenant());
  });
  afterAll(async () => app?.close());

  it('a pismo-v1:orgs:ro credential reads orgs, and nothing else', async () => {
    const ro = await newCredential(app, all, ['pismo-v1:orgs:ro']);
    expect(ro.body.permissions).toEqual(['pismo-v1:orgs:ro']);
    const token = await tokenFor(app, ro);
    expect(decodeJwt(token).perms).toEqual(['pismo-v1:orgs:ro']);

    expect((await getOrg(app, token, org.orgId)).statusCode).toBe(200);
    const patch = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { org_name: 'No' } });
    expect(expectError(patch, 403, 'FORBIDDEN').message).toContain('pismo-v1:orgs:rw');
    expectError(await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(token) }), 403, 'FORBIDDEN');

    // Creating a credential needs credentials:rw, which it lacks.
    const create = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/credentials',
      headers: bearer(token),
      payload: { permissions: ['pismo-v1:*:rw'] },
    });
    expectError(create, 403, 'FORBIDDEN');
  });

  it('a pismo-v1:credentials:rw credential cannot grant more than it has → 403 PERMISSION_ESCALATION', async () => {
    const cred = await newCredential(app, all, ['pismo-v1:credentials:rw']);
    const token = await tokenFor(app, cred);
    for (const permissions of [['pismo-v1:*:rw'], ['pismo-v1:*:ro'], ['pismo-v1:orgs:ro'], ['pismo-v1:credentials:ro', 'pismo-v1:orgs:rw']]) {
      const res = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: bearer(token), payload: { permissions } });
      expectError(res, 403, 'PERMISSION_ESCALATION');
    }
    // What it has, or less, it may grant; nothing named means its own permissions.
    const less = await newCredential(app, token, ['pismo-v1:credentials:ro']);
    expect(less.body.permissions).toEqual(['pismo-v1:credentials:ro']);
    const same = await newCredential(app, token);
    expect(same.body.permissions).toEqual(['pismo-v1:credentials:rw']);
  });

  it('a malformed permission → 400 naming it', async () => {
    const res = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: bearer(all), payload: { permissions: ['admin'] } });
    expect(expectError(res, 400, 'VALIDATION_ERROR').details[0].field).toBe('body.permissions[0]');
  });

  it('a permission naming a group no route declares → 400 naming it, for credentials, OpenID keys and new orgs', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/credentials',
      headers: bearer(all),
      payload: { permissions: ['pismo-v1:orgs:ro', 'pismo-v1:admin:rw'] },
    });
    const err = expectError(res, 400, 'VALIDATION_ERROR');
    expect(err.details).toEqual([{ field: 'body.permissions[1]', reason: expect.stringContaining('names no permission group') }]);
    expect(err.details[0].reason).toContain('programs'); // the groups that do exist are named
    const org = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/orgs',
      headers: adminHeaders,
      payload: {
        official_name: 'Scoped Ltda',
        org_name: 'Scoped',
        document_number: '99887766000155',
        responsible: 'ops@example.com',
        currency_numeric_code: '986',
        timezone: 'America/Sao_Paulo',
        country_code: 'BRA',
        permissions: ['pismo-v1:root:rw'],
      },
    });
    expect(expectError(org, 400, 'VALIDATION_ERROR').details[0].field).toBe('body.permissions[0]');
  });
});

describe('lockout after repeated wrong secrets', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ env: { LASTRO_LOGIN_MAX_FAILURES: '3', LASTRO_LOGIN_LOCK_SECONDS: '60' } });
  });
  afterAll(async () => app?.close());

  it('three wrong secrets lock the key: even the right secret → 429 with Retry-After, until the lock ends', async () => {
    const org = await createOrg(app);
    const wrong = 'wrong-secret-zq8JX2';
    for (let i = 0; i < 3; i++) {
      expectError(await s2s(app, { server_key: org.serverKey, server_secret: wrong }), 401, 'INVALID_CREDENTIALS');
    }
    const locked = await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret });
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);

    app.clock.advance(30_000);
    expectError(await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret }), 429, 'TOO_MANY_ATTEMPTS');
    app.clock.advance(31_000);
    expect((await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret })).statusCode).toBe(201);

    const warn = app.logs.find((l) => l.msg === 'server_key locked after repeated wrong secrets');
    expect(warn).toMatchObject({ level: 'warn', org: org.orgId, credential: org.credentialId });
    const logs = JSON.stringify(app.logs);
    expect(logs).not.toContain(org.serverSecret);
    expect(logs).not.toContain(wrong);
  });

  it('a success resets the count of wrong secrets', async () => {
    const org = await createOrg(app);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) await s2s(app, { server_key: org.serverKey, server_secret: 'wrong' });
      expect((await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret })).statusCode).toBe(201);
    }
  });

  // Wrong secrets sent in parallel must each count: a read-then-write counter would let an
  // attacker bypass the lockout by concurrency.
  it('wrong secrets sent in parallel also lock the key', async () => {
    const org = await createOrg(app);
    const results = await Promise.all(Array.from({ length: 9 }, () => s2s(app, { server_key: org.serverKey, server_secret: 'wrong' })));
    expect(results.every((r) => r.statusCode === 401 || r.statusCode === 429)).toBe(true);
    expectError(await s2s(app, { server_key: org.serverKey, server_secret: org.serverSecret }), 429, 'TOO_MANY_ATTEMPTS');
  });
});

describe('rate limits', () => {
  async function hammer(app: TestApp, token: string, orgId: string, n: number): Promise<Res[]> {
    const out: Res[] = [];
    for (let i = 0; i < n; i++) out.push(await getOrg(app, token, orgId));
    return out;
  }

  describe('per credential, with the org limit high', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await testApp({ env: { LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '3', LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '1000' } });
    });
    afterAll(async () => app?.close());

    // With both limits on (the default), the credential limit must still apply under the org limit.
    it('the 4th request within a minute → 429 RATE_LIMITED with Retry-After', async () => {
      const org = await createOrg(app);
      const token = await tokenFor(app, org);
      const res = await hammer(app, token, org.orgId, 4);
      expect(res.slice(0, 3).map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expectError(res[3]!, 429, 'RATE_LIMITED');
      expect(Number(res[3]!.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('per credential alone', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await testApp({ env: { LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '3', LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0' } });
    });
    afterAll(async () => app?.close());

    it('the 4th request within a minute → 429 RATE_LIMITED with Retry-After; another credential and another org are unaffected', async () => {
      const a = await createOrg(app);
      const b = await createOrg(app);
      const tokenA = await tokenFor(app, a);
      const second = await newCredential(app, tokenA); // one request of a's first credential
      const res = await hammer(app, await tokenFor(app, second), a.orgId, 4);
      expect(res.slice(0, 3).map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expectError(res[3]!, 429, 'RATE_LIMITED');
      expect(Number(res[3]!.headers['retry-after'])).toBeGreaterThan(0);
      // A fresh token of the same credential shares its budget.
      expectError(await getOrg(app, await tokenFor(app, second), a.orgId), 429, 'RATE_LIMITED');
      expect((await getOrg(app, tokenA, a.orgId)).statusCode).toBe(200);
      expect((await getOrg(app, await tokenFor(app, b), b.orgId)).statusCode).toBe(200);
    });
  });

  describe('per org', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await testApp({ env: { LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '3', LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '1000' } });
    });
    afterAll(async () => app?.close());

    it('the 4th request of the org within a minute → 429 RATE_LIMITED; a different org is unaffected', async () => {
      const a = await createOrg(app);
      const b = await createOrg(app);
      const res = await hammer(app, await tokenFor(app, a), a.orgId, 4);
      expect(res.slice(0, 3).map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expectError(res[3]!, 429, 'RATE_LIMITED');
      expect(Number(res[3]!.headers['retry-after'])).toBeGreaterThan(0);
      expect((await getOrg(app, await tokenFor(app, b), b.orgId)).statusCode).toBe(200);
      // Token endpoints are public and not counted against the org.
      expect((await s2s(app, { server_key: a.serverKey, server_secret: a.serverSecret })).statusCode).toBe(201);
    });
  });
});

describe('signing-key rotation and JWKS', () => {
  let app: TestApp;
  let org: TestOrg;
  let oldToken: string;
  let oldKid: string;
  let newKid: string;
  beforeAll(async () => {
    app = await testApp();
    org = await createOrg(app);
    oldToken = await tokenFor(app, org);
    oldKid = decodeProtectedHeader(oldToken).kid!;
  });
  afterAll(async () => app?.close());

  const jwksKids = async (): Promise<string[]> =>
    (await app.http.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys.map((k: { kid: string }) => k.kid);

  it('JWKS publishes RSA public keys only', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.json();
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'RSA', kid: expect.any(String), alg: 'RS256', n: expect.any(String), e: expect.any(String) });
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(priv);
    }
    expect(keys.map((k: { kid: string }) => k.kid)).toContain(oldKid);
  });

  it('rotation needs the operator token', async () => {
    expectError(await app.http.inject({ method: 'POST', url: '/lastro/v1/signing-keys/rotate' }), 401, 'UNAUTHORIZED');
    const res = await app.http.inject({ method: 'POST', url: '/lastro/v1/signing-keys/rotate', headers: bearer(oldToken) });
    expectError(res, 401, 'UNAUTHORIZED');
  });

  it('rotate → 200 {kid, retired_kid}; old tokens still work; JWKS lists both; new tokens carry the new kid', async () => {
    const res = await app.http.inject({ method: 'POST', url: '/lastro/v1/signing-keys/rotate', headers: adminHeaders });
    expect(res.statusCode).toBe(200);
    newKid = res.json().kid;
    expect(res.json()).toEqual({ kid: expect.any(String), retired_kid: oldKid });
    expect(newKid).not.toBe(oldKid);

    expect((await getOrg(app, oldToken, org.orgId)).statusCode).toBe(200);
    expect((await jwksKids()).sort()).toEqual([oldKid, newKid].sort());
    const fresh = await tokenFor(app, org);
    expect(decodeProtectedHeader(fresh).kid).toBe(newKid);
    expect((await getOrg(app, fresh, org.orgId)).statusCode).toBe(200);
  });

  it('after its verify window, the retired key no longer verifies anything', async () => {
    const row = await app.platform.db.kysely.selectFrom('signing_keys').selectAll().where('kid', '=', oldKid).executeTakeFirstOrThrow();
    expect(row.status).toBe('RETIRED');
    expect(row.verify_until!.getTime() - row.retired_at!.getTime()).toBe((3600 + 60) * 1000);
    const retired = { kid: oldKid, key: createPrivateKey(createSealer(undefined).open(row.private_key)) };
    const after = new Date(row.verify_until!.getTime() + 1000);
    if (app.clock.now() < after) app.clock.set(after);
    // Freshly signed (not expired) with the retired key: refused because the key is past its window.
    const body = expectError(await getOrg(app, await forge(app, org, { key: retired }), org.orgId), 401, 'INVALID_TOKEN');
    expect(body.message).toContain('retired');
    expect((await getOrg(app, await tokenFor(app, org), org.orgId)).statusCode).toBe(200);
  });

  // A retired key must leave the published set once it stops verifying, without a reload.
  it('after the token TTL + 60 s, the retired kid disappears from JWKS', async () => {
    const row = await app.platform.db.kysely.selectFrom('signing_keys').select('verify_until').where('kid', '=', oldKid).executeTakeFirstOrThrow();
    const after = new Date(row.verify_until!.getTime() + 1000);
    if (app.clock.now() < after) app.clock.set(after);
    const kids = await jwksKids();
    expect(kids).toContain(newKid);
    expect(kids).not.toContain(oldKid);
  });
});

describe('operator API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app?.close());

  const validOrg = {
    official_name: 'Operator Test Ltda',
    org_name: 'OpTest',
    document_number: '12345678000199',
    responsible: 'ops@example.com',
    currency_numeric_code: '986',
    timezone: 'America/Sao_Paulo',
    country_code: 'BRA',
  };
  const postOrg = (payload: Record<string, unknown>, headers: Record<string, string> = adminHeaders) =>
    app.http.inject({ method: 'POST', url: '/lastro/v1/orgs', headers, payload });

  it('is off (404) when LASTRO_ADMIN_TOKEN is unset or empty', async () => {
    expect(loadConfig({ LASTRO_ADMIN_TOKEN: '' }).adminToken).toBeUndefined();
    const off = await testApp({ env: { LASTRO_ADMIN_TOKEN: '' } });
    try {
      expectError(await off.http.inject({ method: 'POST', url: '/lastro/v1/orgs', headers: adminHeaders, payload: validOrg }), 404, 'NOT_FOUND');
      expectError(await off.http.inject({ method: 'GET', url: '/lastro/v1/orgs', headers: adminHeaders }), 404, 'NOT_FOUND');
    } finally {
      await off.close();
    }
  });

  it('wrong or missing admin token → 401', async () => {
    expectError(await postOrg(validOrg, { authorization: 'Bearer wrong-operator-token-000000' }), 401, 'UNAUTHORIZED');
    expectError(await postOrg(validOrg, {}), 401, 'UNAUTHORIZED');
    // An org's access token is not an operator token.
    const org = await createOrg(app);
    expectError(await postOrg(validOrg, bearer(await tokenFor(app, org))), 401, 'UNAUTHORIZED');
  });

  it('creates an org with its first credential (secret shown once)', async () => {
    const res = await postOrg(validOrg);
    expect(res.statusCode).toBe(201);
    const { org, credential } = res.json();
    expect(org).toMatchObject({ ...validOrg, id: expect.stringMatching(/^TN-[0-9a-f-]{36}$/), status: 'ACTIVE', sandbox: false, language: 'en-US' });
    expect(credential).toMatchObject({ server_key: expect.any(String), server_secret: expect.any(String), permissions: ['pismo-v1:*:rw'], status: 'ACTIVE' });
    const got = await app.http.inject({ method: 'GET', url: `/lastro/v1/orgs/${org.id}`, headers: adminHeaders });
    expect(got.statusCode).toBe(200);
    expect(got.body).not.toContain(credential.server_secret);
    expectError(await app.http.inject({ method: 'GET', url: `/lastro/v1/orgs/TN-${randomUUID()}`, headers: adminHeaders }), 404, 'ORG_NOT_FOUND');
  });

  it.each([
    ['official_name', { official_name: 'x'.repeat(101) }],
    ['org_name', { org_name: 'x'.repeat(81) }],
    ['document_number', { document_number: '1'.repeat(21) }],
    ['zipcode', { zipcode: '1234567890' }],
    ['state', { state: 'SPX' }],
    ['responsible', { responsible: 'x'.repeat(256) }],
    // '998' is no ISO 4217 code (currency-codes counts 999, XXX "no currency", as one).
    ['currency_numeric_code', { currency_numeric_code: '998' }],
    ['timezone', { timezone: 'Mars/Base' }],
    ['country_code', { country_code: 'XXX' }],
    ['language', { language: 'fr-FR' }],
    ['cycle_closing', { cycle_closing: '25:00:00' }],
    ['official_name', { official_name: undefined }],
  ])('body.%s rule violated (case %#) → 400 VALIDATION_ERROR naming it', async (field, change) => {
    const body = expectError(await postOrg({ ...validOrg, ...change }), 400, 'VALIDATION_ERROR');
    expect([...new Set(body.details.map((d: { field: string }) => d.field))]).toEqual([`body.${field}`]);
  });

  it('several bad fields → all of them in details', async () => {
    const res = await postOrg({ ...validOrg, org_name: '', state: 'SPX', timezone: 'Nowhere', country_code: 'bra', responsible: 'x'.repeat(256), document_number: undefined });
    const fields = expectError(res, 400, 'VALIDATION_ERROR').details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.country_code', 'body.document_number', 'body.org_name', 'body.responsible', 'body.state', 'body.timezone']);
  });

  it('expiration_date before start_date → 400 naming it', async () => {
    const res = await postOrg({ ...validOrg, start_date: '2026-01-01T00:00:00Z', expiration_date: '2025-01-01T00:00:00Z' });
    expect(expectError(res, 400, 'VALIDATION_ERROR').details).toEqual([{ field: 'body.expiration_date', reason: 'is before start_date' }]);
  });

  it('GET /lastro/v1/orgs pages', async () => {
    for (let i = 0; i < 3; i++) await createOrg(app);
    const first = await app.http.inject({ method: 'GET', url: '/lastro/v1/orgs?perPage=2', headers: adminHeaders });
    expect(first.statusCode).toBe(200);
    const p1 = first.json();
    expect(p1.total_items).toBeGreaterThanOrEqual(3);
    expect(p1).toMatchObject({ current_page: 1, per_page: 2, pages: Math.ceil(p1.total_items / 2) });
    expect(p1.pages).toBeGreaterThanOrEqual(2);
    expect(p1.items).toHaveLength(2);
    const p2 = (await app.http.inject({ method: 'GET', url: '/lastro/v1/orgs?perPage=2&page=2', headers: adminHeaders })).json();
    expect(p2.current_page).toBe(2);
    const ids = [...p1.items, ...p2.items].map((o: { id: string }) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expectError(await app.http.inject({ method: 'GET', url: '/lastro/v1/orgs?perPage=101', headers: adminHeaders }), 400, 'VALIDATION_ERROR');
  });

  it('PATCH /orgs-core/v1/orgs changes fields and GET returns them', async () => {
    const org = await createOrg(app);
    const token = await tokenFor(app, org);
    const calendar = await app.http.inject({ method: 'POST', url: '/holidays-core/v1/holiday-calendar', headers: bearer(token, org.orgId), payload: { name: 'Org calendar', type: 'Country' } });
    expect(calendar.statusCode, calendar.body).toBe(201);
    const change = { org_name: 'Renamed', zipcode: '01310100', state: 'SP', cycle_closing: '23:30:00', holiday_calendar_id: calendar.json().holiday_calendar_id };
    const res = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: change });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject(change);
    expect((await getOrg(app, token, org.orgId)).json()).toMatchObject({ ...change, id: org.orgId });
    const bad = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { legal_proxy_document: '1' } });
    expect(expectError(bad, 400, 'VALIDATION_ERROR').details[0].field).toBe('body.legal_proxy_document');
  });

  // Pismo's PatchOrgRequest declares responsible a string of up to 255 characters (described as an
  // email), state up to 2 characters, number an int32, and no field required.
  it('PATCH /orgs-core/v1/orgs accepts what Pismo declares: responsible any text, state of 1 character, a negative number, {}', async () => {
    const org = await createOrg(app);
    const token = await tokenFor(app, org);
    const patch = (payload: unknown) => app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: payload as object });
    const change = { responsible: 'Finance team, 3rd floor', state: 'N', number: -1 };
    const res = await patch(change);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject(change);
    const same = await patch({});
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toEqual(res.json());
    expect((await getOrg(app, token, org.orgId)).json()).toMatchObject(change);
    for (const [field, value] of [['responsible', 'x'.repeat(256)], ['state', 'SPX'], ['number', 2147483648]] as const) {
      const bad = await patch({ [field]: value });
      expect(expectError(bad, 400, 'VALIDATION_ERROR').details.map((d: { field: string }) => d.field), `${field}: ${value}`).toEqual([`body.${field}`]);
    }
  });

  // Cross-field rules hold for the org as patched, not only for the patch's own fields.
  it('PATCH expiration_date before the stored start_date → 400', async () => {
    const org = await createOrg(app, { start_date: '2026-01-01T00:00:00Z' });
    const token = await tokenFor(app, org);
    const res = await app.http.inject({
      method: 'PATCH',
      url: '/orgs-core/v1/orgs',
      headers: bearer(token, org.orgId),
      payload: { expiration_date: '2025-01-01T00:00:00Z' },
    });
    expectError(res, 400, 'VALIDATION_ERROR');
  });

  it('events carry the x-cid of the request that caused them', async () => {
    const created = await postOrg({ ...validOrg, org_name: 'Evented' }, { ...adminHeaders, 'x-cid': 'auth-evt-create-1' });
    expect(created.statusCode).toBe(201);
    const orgId: string = created.json().org.id;
    const org = { orgId, serverKey: created.json().credential.server_key, serverSecret: created.json().credential.server_secret, credentialId: '' };
    const token = await tokenFor(app, org);
    const cred = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: { ...bearer(token), 'x-cid': 'auth-evt-cred-1' }, payload: {} });
    expect(cred.statusCode).toBe(201);
    const del = await app.http.inject({
      method: 'DELETE',
      url: `/lastro/v1/credentials/${cred.json().id}`,
      headers: { ...bearer(token), 'x-cid': 'auth-evt-revoke-1' },
    });
    expect(del.statusCode).toBe(204);

    const rows = await app.platform.db.transaction(
      (tx) => tx.selectFrom('event_outbox_events').select(['event_type', 'cid', 'data']).where('org_id', '=', orgId).orderBy('seq').execute(),
      { system: true },
    );
    expect(rows.map((r) => [r.event_type, r.cid])).toEqual([
      ['org-created', 'auth-evt-create-1'],
      ['credential-created', 'auth-evt-create-1'],
      ['credential-created', 'auth-evt-cred-1'],
      ['credential-revoked', 'auth-evt-revoke-1'],
    ]);
    expect(rows[3]!.data).toMatchObject({ org_id: orgId, credential_id: cred.json().id, kind: 'server_key' });
    expect(JSON.stringify(rows)).not.toContain(cred.json().server_secret);
  });
});
