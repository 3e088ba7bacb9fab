// Operator recovery of an org's access, and OAuth2 client authentication by HTTP Basic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createAccount } from '../helpers/accounts.js';
import { adminHeaders, bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let org: TestOrg;
beforeAll(async () => {
  ({ app, org } = await setupTenant());
});
afterAll(async () => app?.close());

describe('an org that revoked its own credentials', () => {
  it('gets a new one from the operator', async () => {
    const token = await tokenFor(app, org);
    const revoke = await app.http.inject({ method: 'DELETE', url: `/lastro/v1/credentials/${org.credentialId}`, headers: bearer(token) });
    expect(revoke.statusCode).toBe(204);
    const locked = await app.http.inject({ method: 'POST', url: '/passport/v2/s2s/access-token', payload: { server_key: org.serverKey, server_secret: org.serverSecret } });
    expect(locked.statusCode).toBe(401);

    const issued = await app.http.inject({
      method: 'POST',
      url: `/lastro/v1/orgs/${org.orgId}/credentials`,
      headers: adminHeaders,
      payload: { description: 'recovery' },
    });
    expect(issued.statusCode).toBe(201);
    const cred = issued.json();
    expect(cred.permissions).toEqual(['pismo-v1:*:rw']);
    const fresh = await tokenFor(app, { serverKey: cred.server_key, serverSecret: cred.server_secret });
    const res = await app.http.inject({ method: 'GET', url: `/orgs-core/v1/orgs/${org.orgId}`, headers: bearer(fresh, org.orgId) });
    expect(res.statusCode).toBe(200);
  });

  it('the operator route refuses tenant tokens and unknown orgs', async () => {
    const other = await createOrg(app);
    const token = await tokenFor(app, other);
    const asTenant = await app.http.inject({ method: 'POST', url: `/lastro/v1/orgs/${org.orgId}/credentials`, headers: bearer(token), payload: {} });
    expect(asTenant.statusCode).toBe(401);
    const unknown = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/orgs/TN-00000000-0000-4000-8000-000000000000/credentials',
      headers: adminHeaders,
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('OAuth2 client authentication', () => {
  it('accepts client_id and secret as HTTP Basic (RFC 6749 §2.3.1)', async () => {
    const o = await createOrg(app);
    const basic = Buffer.from(`${encodeURIComponent(o.serverKey)}:${encodeURIComponent(o.serverSecret)}`).toString('base64');
    const res = await app.http.inject({
      method: 'POST',
      url: '/passport/v2/oauth/token',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const wrong = Buffer.from(`${o.serverKey}:nope`).toString('base64');
    const bad = await app.http.inject({
      method: 'POST',
      url: '/passport/v2/oauth/token',
      headers: { authorization: `Basic ${wrong}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toBe('invalid_client');
  });
});

describe('GET /lastro/v1/whoami', () => {
  it('tells what any valid token grants, account tokens included, and nothing without one', async () => {
    const o = await createOrg(app);
    const { accountId } = await createAccount(app, { headers: bearer(await tokenFor(app, o), o.orgId) });
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/whoami', headers: bearer(await tokenFor(app, o, accountId)) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ org_id: o.orgId, subject: `credential:${o.credentialId}`, permissions: ['pismo-v1:*:rw'], account_id: String(accountId) });
    expect((await app.http.inject({ method: 'GET', url: '/lastro/v1/whoami' })).statusCode).toBe(401);
  });
});

describe('verified-token cache', () => {
  it('a token verified (and cached) earlier still expires on time', async () => {
    const o = await createOrg(app);
    const token = await tokenFor(app, o);
    const h = bearer(token);
    expect((await app.http.inject({ method: 'GET', url: '/lastro/v1/whoami', headers: h })).statusCode).toBe(200);
    expect((await app.http.inject({ method: 'GET', url: '/lastro/v1/whoami', headers: h })).statusCode).toBe(200);
    app.clock.advance(3601 * 1000);
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/whoami', headers: h });
    expectError(res, 401, 'TOKEN_EXPIRED');
  });
});
