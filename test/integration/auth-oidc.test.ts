// Pismo's OpenID Connect for servers (POST /passport/v1/oauth2/token: a client-signed RS256 JWT
// for a registered public key) and RFC 6749 OAuth2 (POST /passport/v2/oauth/token), through the
// real HTTP stack.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createAccount } from '../helpers/accounts.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant } from '../helpers/fixture.js';

interface Res {
  statusCode: number;
  headers: Record<string, unknown>;
  json: () => any;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const getOrg = (app: TestApp, token: string, orgId: string) =>
  app.http.inject({ method: 'GET', url: `/orgs-core/v1/orgs/${orgId}`, headers: bearer(token, orgId) });

const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
const pemOf = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

describe('OpenID Connect: POST /passport/v1/oauth2/token', () => {
  let app: TestApp;
  let org: TestOrg;
  let token: string;
  let headers: Record<string, string>;
  const client = rsa();
  let key: { id: string; iss: string; sub: string; aud: string };

  beforeAll(async () => {
    ({ app, org, token, headers } = await setupTenant());
    key = await register(pemOf(client.publicKey));
  });
  afterAll(async () => app?.close());

  async function register(publicKey: string, extra: Record<string, unknown> = {}, as = token) {
    const res = await app.http.inject({ method: 'POST', url: '/lastro/v1/oidc-keys', headers: bearer(as), payload: { public_key: publicKey, ...extra } });
    expect(res.statusCode).toBe(201);
    return res.json();
  }

  const now = () => Math.floor(app.clock.now().getTime() / 1000);

  /** A client JWT; `claims` override the defaults, `undefined` removes one. */
  function clientJwt(claims: Record<string, unknown> = {}, opts: { signer?: KeyObject; kid?: string | null; k?: typeof key } = {}) {
    const k = opts.k ?? key;
    const iat = now();
    const payload = Object.fromEntries(
      Object.entries({ iss: k.iss, sub: k.sub, aud: k.aud, iat, exp: iat + 3600, tenant_id: org.orgId, ...claims }).filter(([, v]) => v !== undefined),
    );
    const header = opts.kid === null ? { alg: 'RS256' } : { alg: 'RS256', kid: opts.kid ?? k.id };
    return new SignJWT(payload).setProtectedHeader(header).sign(opts.signer ?? client.privateKey);
  }

  const exchange = (jwt: string) => app.http.inject({ method: 'POST', url: '/passport/v1/oauth2/token', payload: { token: jwt } });

  async function expectRefused(jwt: string): Promise<void> {
    const res = await exchange(jwt);
    expect(expectError(res, 401, 'INVALID_CREDENTIALS').message).toBe('Invalid credentials');
  }

  it('registration answers the iss, sub and aud client JWTs must carry', () => {
    expect(key).toMatchObject({ id: expect.any(String), iss: expect.any(String), sub: expect.any(String), aud: 'lastro', status: 'ACTIVE' });
  });

  it('a valid client JWT → 201 {token, refresh_token, expires_in: "3600"}; the token works', async () => {
    const res = await exchange(await clientJwt());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ token: expect.any(String), refresh_token: expect.any(String), expires_in: '3600' });
    const t = res.json().token;
    expect(decodeJwt(t)).toMatchObject({ tenant: org.orgId, sub: `oidc_key:${key.id}`, perms: ['pismo-v1:*:rw'] });
    expect((await getOrg(app, t, org.orgId)).statusCode).toBe(200);
  });

  it("tenant_id in Pismo's lowercase tn-… form is accepted", async () => {
    const res = await exchange(await clientJwt({ tenant_id: `tn-${org.orgId.slice(3)}` }));
    expect(res.statusCode).toBe(201);
    expect(decodeJwt(res.json().token).tenant).toBe(org.orgId);
  });

  it('without a kid, the key is found by iss', async () => {
    expect((await exchange(await clientJwt({}, { kid: null }))).statusCode).toBe(201);
  });

  it('uid → an account token', async () => {
    const { accountId } = await createAccount(app, { headers });
    const res = await exchange(await clientJwt({ uid: accountId }));
    expect(res.statusCode).toBe(201);
    const t = res.json().token;
    expect(decodeJwt(t).acc).toBe(String(accountId));
    expectError(await exchange(await clientJwt({ uid: 999999999 })), 401, 'INVALID_CREDENTIALS');
    expectError(await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(t) }), 403, 'ACCOUNT_TOKEN_NOT_ALLOWED');
  });

  it('pismo: "pismo-v1:orgs:ro" → a token limited to that group', async () => {
    for (const pismo of ['pismo-v1:orgs:ro', '_pismo-v1:orgs:ro_']) {
      const res = await exchange(await clientJwt({ pismo }));
      expect(res.statusCode).toBe(201);
      const t = res.json().token;
      expect(decodeJwt(t).perms).toEqual(['pismo-v1:orgs:ro']);
      expect((await getOrg(app, t, org.orgId)).statusCode).toBe(200);
      const patch = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(t, org.orgId), payload: { org_name: 'x' } });
      expectError(patch, 403, 'FORBIDDEN');
      expectError(await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(t) }), 403, 'FORBIDDEN');
    }
  });

  it('pismo naming more than the key grants, or not a permission → 401', async () => {
    const other = rsa();
    const limited = await register(pemOf(other.publicKey), { permissions: ['pismo-v1:orgs:ro'] });
    expect((await exchange(await clientJwt({}, { k: limited, signer: other.privateKey }))).statusCode).toBe(201);
    await expectRefused(await clientJwt({ pismo: 'pismo-v1:*:rw' }, { k: limited, signer: other.privateKey }));
    await expectRefused(await clientJwt({ pismo: 'pismo-v1:orgs:rw' }, { k: limited, signer: other.privateKey }));
    await expectRefused(await clientJwt({ pismo: 'admin' }));
  });

  it('pismo naming a permission group no route declares → 400 invalid_scope', async () => {
    const res = await exchange(await clientJwt({ pismo: 'pismo-v1:admin:rw' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'OAUTH_INVALID_SCOPE' });
  });

  it('exp more than 3600 s after iat → 401', async () => {
    await expectRefused(await clientJwt({ exp: now() + 3601 }));
  });

  it('wrong aud (e.g. the access-token audience) → 401', async () => {
    await expectRefused(await clientJwt({ aud: 'lastro-api' }));
  });

  it('wrong iss or sub → 401', async () => {
    await expectRefused(await clientJwt({ iss: 'someone-else' }));
    await expectRefused(await clientJwt({ sub: 'someone-else' }));
  });

  it('signed by another key → 401', async () => {
    await expectRefused(await clientJwt({}, { signer: rsa().privateKey }));
  });

  it('alg none → 401', async () => {
    const iat = now();
    const claims = { iss: key.iss, sub: key.sub, aud: key.aud, iat, exp: iat + 3600, tenant_id: org.orgId };
    await expectRefused(`${b64({ alg: 'none', kid: key.id })}.${b64(claims)}.`);
  });

  it('HS256 with the registered public key as the secret → 401', async () => {
    const iat = now();
    const jwt = await new SignJWT({ iss: key.iss, sub: key.sub, aud: key.aud, iat, exp: iat + 3600, tenant_id: org.orgId })
      .setProtectedHeader({ alg: 'HS256', kid: key.id })
      .sign(new TextEncoder().encode(pemOf(client.publicKey)));
    await expectRefused(jwt);
  });

  it('expired → 401', async () => {
    await expectRefused(await clientJwt({ iat: now() - 7200, exp: now() - 3600 }));
  });

  it('issued in the future → 401', async () => {
    await expectRefused(await clientJwt({ iat: now() + 600, exp: now() + 1200 }));
  });

  it('unknown tenant, another org, or no tenant → 401', async () => {
    await expectRefused(await clientJwt({ tenant_id: `TN-${randomUUID()}` }));
    await expectRefused(await clientJwt({ tenant_id: 'not-a-tenant' }));
    await expectRefused(await clientJwt({ tenant_id: undefined }));
    const other = await createOrg(app);
    await expectRefused(await clientJwt({ tenant_id: other.orgId }));
  });

  it('not a JWT → 401; no token → 400', async () => {
    await expectRefused('not-a-jwt');
    expectError(await app.http.inject({ method: 'POST', url: '/passport/v1/oauth2/token', payload: {} }), 400, 'VALIDATION_ERROR');
  });

  it('revoked key → 401, and the tokens it obtained stop working at once', async () => {
    const other = rsa();
    const k = await register(pemOf(other.publicKey));
    const res = await exchange(await clientJwt({}, { k, signer: other.privateKey }));
    expect(res.statusCode).toBe(201);
    const t = res.json().token;
    expect((await getOrg(app, t, org.orgId)).statusCode).toBe(200);

    const del = await app.http.inject({ method: 'DELETE', url: `/lastro/v1/oidc-keys/${k.id}`, headers: bearer(token) });
    expect(del.statusCode).toBe(204);
    await expectRefused(await clientJwt({}, { k, signer: other.privateKey }));
    await expectRefused(await clientJwt({}, { k, signer: other.privateKey, kid: null })); // not found by iss either
    expectError(await getOrg(app, t, org.orgId), 401, 'INVALID_TOKEN');
  });

  it('registration refuses a 1024-bit key, a non-RSA key and garbage → 400 naming body.public_key', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const publicKey of [pemOf(rsa(1024).publicKey), pemOf(ec.publicKey), 'not a pem']) {
      const res = await app.http.inject({ method: 'POST', url: '/lastro/v1/oidc-keys', headers: bearer(token), payload: { public_key: publicKey } });
      expect(expectError(res, 400, 'VALIDATION_ERROR').details.map((d: { field: string }) => d.field)).toEqual(['body.public_key']);
    }
  });

  it('registration cannot grant more than the caller has → 403 PERMISSION_ESCALATION', async () => {
    const cred = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/credentials',
      headers: bearer(token),
      payload: { permissions: ['pismo-v1:credentials:rw'] },
    });
    const limited = await tokenFor(app, { serverKey: cred.json().server_key, serverSecret: cred.json().server_secret });
    const res = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/oidc-keys',
      headers: bearer(limited),
      payload: { public_key: pemOf(rsa().publicKey), permissions: ['pismo-v1:*:rw'] },
    });
    expectError(res, 403, 'PERMISSION_ESCALATION');
  });
});

describe('OAuth2: POST /passport/v2/oauth/token', () => {
  let app: TestApp;
  let org: TestOrg;
  let accountId: number;
  beforeAll(async () => {
    let headers: Record<string, string>;
    ({ app, org, headers } = await setupTenant());
    ({ accountId } = await createAccount(app, { headers }));
  });
  afterAll(async () => app?.close());

  const form = (fields: Record<string, string>) =>
    app.http.inject({
      method: 'POST',
      url: '/passport/v2/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  const json = (fields: Record<string, string>) => app.http.inject({ method: 'POST', url: '/passport/v2/oauth/token', payload: fields });

  function expectOAuthError(res: Res, status: number, error: string): any {
    const body = expectError(res, status, `OAUTH_${error.toUpperCase()}`);
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
    return body;
  }

  it('form-encoded client_credentials with client_secret → 200 RFC 6749 answer; the token works', async () => {
    const res = await form({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'pismo-v1:*:rw',
      refresh_token: expect.any(String),
    });
    expect((await getOrg(app, res.json().access_token, org.orgId)).statusCode).toBe(200);
  });

  it("JSON body with Pismo's client_secret_string → 200", async () => {
    const res = await json({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret_string: org.serverSecret });
    expect(res.statusCode).toBe(200);
    expect(res.json().token_type).toBe('Bearer');
  });

  it('a scope subset → a token limited to it', async () => {
    const res = await form({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret, scope: 'pismo-v1:orgs:ro' });
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('pismo-v1:orgs:ro');
    const t = res.json().access_token;
    expect(decodeJwt(t).perms).toEqual(['pismo-v1:orgs:ro']);
    expect((await getOrg(app, t, org.orgId)).statusCode).toBe(200);
    expectError(await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(t) }), 403, 'FORBIDDEN');
  });

  it('uid → an account token', async () => {
    const res = await json({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret, uid: String(accountId) });
    expect(res.statusCode).toBe(200);
    expect(decodeJwt(res.json().access_token).acc).toBe(String(accountId));
    const unknown = await json({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret, uid: '999999999' });
    expectOAuthError(unknown, 400, 'invalid_request');
  });

  it('a scope not granted, or not a permission → 400 invalid_scope', async () => {
    const token = await tokenFor(app, org);
    const cred = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: bearer(token), payload: { permissions: ['pismo-v1:orgs:ro'] } });
    const ro = { client_id: cred.json().server_key, client_secret: cred.json().server_secret };
    for (const scope of ['pismo-v1:orgs:rw', 'pismo-v1:*:ro', 'pismo-v1:orgs:ro pismo-v1:credentials:ro']) {
      expectOAuthError(await form({ grant_type: 'client_credentials', ...ro, scope }), 400, 'invalid_scope');
    }
    expectOAuthError(await form({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret, scope: 'admin' }), 400, 'invalid_scope');
  });

  it('a scope naming a permission group no route declares → 400 invalid_scope, even for an all-groups client', async () => {
    const all = { client_id: org.serverKey, client_secret: org.serverSecret }; // pismo-v1:*:rw
    const res = await form({ grant_type: 'client_credentials', ...all, scope: 'pismo-v1:admin:rw' });
    expectOAuthError(res, 400, 'invalid_scope');
    expect(res.json().error_description).toContain('pismo-v1:admin:rw');
    expect((await form({ grant_type: 'client_credentials', ...all, scope: 'pismo-v1:orgs:ro pismo-v1:programs:rw' })).statusCode).toBe(200);
  });

  it('wrong secret or unknown client → 401 invalid_client', async () => {
    const wrong = await form({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: 'wrong' });
    expectOAuthError(wrong, 401, 'invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    expectOAuthError(await json({ grant_type: 'client_credentials', client_id: 'sk_unknown', client_secret: 'x' }), 401, 'invalid_client');
  });

  it('unsupported grant → 400 unsupported_grant_type; missing client fields → 400 invalid_request', async () => {
    expectOAuthError(await form({ grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
    expectOAuthError(await form({ grant_type: 'client_credentials', client_id: org.serverKey }), 400, 'invalid_request');
    expectOAuthError(await form({ grant_type: 'refresh_token' }), 400, 'invalid_request');
  });

  it('a refresh token works once', async () => {
    const first = (await form({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret, scope: 'pismo-v1:orgs:ro' })).json();
    const res = await form({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'pismo-v1:orgs:ro' });
    expect(res.json().refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(res.json().access_token).perms).toEqual(['pismo-v1:orgs:ro']);
    expect((await getOrg(app, res.json().access_token, org.orgId)).statusCode).toBe(200);

    expectOAuthError(await form({ grant_type: 'refresh_token', refresh_token: first.refresh_token }), 400, 'invalid_grant');
    expect((await json({ grant_type: 'refresh_token', refresh_token: res.json().refresh_token })).statusCode).toBe(200);
    expectOAuthError(await json({ grant_type: 'refresh_token', refresh_token: 'made-up' }), 400, 'invalid_grant');
  });

  it('a refresh token expires', async () => {
    const first = (await json({ grant_type: 'client_credentials', client_id: org.serverKey, client_secret: org.serverSecret })).json();
    app.clock.advance(86_401 * 1000);
    expectOAuthError(await json({ grant_type: 'refresh_token', refresh_token: first.refresh_token }), 400, 'invalid_grant');
  });

  it('a refresh token fails after its credential is revoked', async () => {
    const token = await tokenFor(app, org);
    const cred = (await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: bearer(token), payload: {} })).json();
    const got = (await json({ grant_type: 'client_credentials', client_id: cred.server_key, client_secret: cred.server_secret })).json();
    const del = await app.http.inject({ method: 'DELETE', url: `/lastro/v1/credentials/${cred.id}`, headers: bearer(token) });
    expect(del.statusCode).toBe(204);
    expectOAuthError(await form({ grant_type: 'refresh_token', refresh_token: got.refresh_token }), 400, 'invalid_grant');
    expectOAuthError(await form({ grant_type: 'client_credentials', client_id: cred.server_key, client_secret: cred.server_secret }), 401, 'invalid_client');
  });

  it('the s2s `refresh` value can be exchanged with grant_type=refresh_token', async () => {
    const s2s = await app.http.inject({
      method: 'POST',
      url: '/passport/v2/s2s/access-token',
      payload: { server_key: org.serverKey, server_secret: org.serverSecret, account_id: accountId },
    });
    expect(s2s.statusCode).toBe(201);
    const res = await form({ grant_type: 'refresh_token', refresh_token: s2s.json().refresh });
    expect(res.statusCode).toBe(200);
    expect(decodeJwt(res.json().access_token)).toMatchObject({ tenant: org.orgId, acc: String(accountId), perms: ['pismo-v1:*:rw'] });
  });
});
