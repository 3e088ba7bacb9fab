// Contract tests: every Pismo operation of the orgs module, its real requests and responses
// (success and documented errors) checked against Pismo's spec files.
import { generateKeyPairSync, createSign } from 'node:crypto';
import { afterAll, beforeAll, it } from 'vitest';
import { createAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, createOrg, type TestOrg } from '../helpers/auth.js';
import { setupTenant } from '../helpers/fixture.js';
import { describeContract, expectConforms, type RequestSample } from './pismo-spec.js';

const AUTH = 'Platform_authentication.yaml';
const ORGS = 'Platform_setup_-_Organizations.yaml';

let app: TestApp;
let org: TestOrg;
let token: string;

/** Sends a request through the app and checks both sides against the spec. */
async function exchange(spec: string, req: RequestSample & { headers?: Record<string, string> }, opts: { request?: boolean } = {}) {
  const res = await app.http.inject({
    method: req.method as 'GET',
    url: req.path,
    headers: req.headers,
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
  expectConforms(spec, { request: req, response: res }, opts);
  return res;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describeContract('Pismo contract: Platform authentication and Organizations', () => {
  beforeAll(async () => {
    ({ app, org, token } = await setupTenant({ org: { state: 'SP', number: 900, address: 'Main Street', city: 'Sao Paulo', cycle_closing: '12:00:00' } }));
  });
  afterAll(async () => app?.close());

  it('POST /passport/v2/s2s/access-token: 201, and 401 for bad credentials', async () => {
    await exchange(AUTH, {
      method: 'POST',
      path: '/passport/v2/s2s/access-token',
      headers: { 'content-type': 'application/json' },
      body: { server_key: org.serverKey, server_secret: org.serverSecret },
    });
    const { accountId } = await createAccount(app, { headers: bearer(token, org.orgId) });
    const accountToken = await exchange(AUTH, {
      method: 'POST',
      path: '/passport/v2/s2s/access-token',
      headers: { 'content-type': 'application/json' },
      body: { server_key: org.serverKey, server_secret: org.serverSecret, account_id: accountId },
    });
    if (accountToken.statusCode !== 201) throw new Error(`expected 201, got ${accountToken.statusCode}`);
    // An account the org does not have: Pismo's one refusal, 401 Invalid credentials.
    const unknown = await exchange(AUTH, {
      method: 'POST',
      path: '/passport/v2/s2s/access-token',
      headers: { 'content-type': 'application/json' },
      body: { server_key: org.serverKey, server_secret: org.serverSecret, account_id: 99999999 },
    });
    if (unknown.statusCode !== 401) throw new Error(`expected 401, got ${unknown.statusCode}`);
    const bad = await exchange(AUTH, {
      method: 'POST',
      path: '/passport/v2/s2s/access-token',
      headers: { 'content-type': 'application/json' },
      body: { server_key: org.serverKey, server_secret: 'wrong' },
    });
    if (bad.statusCode !== 401) throw new Error(`expected 401, got ${bad.statusCode}`);
  });

  it('POST /passport/v1/oauth2/token: 201 with a client-signed JWT, and 401 for a bad one', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const reg = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/oidc-keys',
      headers: { authorization: `Bearer ${token}` },
      payload: { public_key: publicKey.export({ type: 'spki', format: 'pem' }) },
    });
    const key = reg.json();
    const iat = Math.floor(app.clock.now().getTime() / 1000);
    const header = b64url({ alg: 'RS256', typ: 'JWT', kid: key.id });
    const payload = b64url({ iss: key.iss, sub: key.sub, aud: key.aud, iat, exp: iat + 3600, tenant_id: org.orgId });
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
    const ok = await exchange(AUTH, {
      method: 'POST',
      path: '/passport/v1/oauth2/token',
      headers: { 'content-type': 'application/json' },
      body: { token: `${header}.${payload}.${signature}` },
    });
    if (ok.statusCode !== 201) throw new Error(`expected 201, got ${ok.statusCode}: ${ok.body}`);
    await exchange(AUTH, {
      method: 'POST',
      path: '/passport/v1/oauth2/token',
      headers: { 'content-type': 'application/json' },
      body: { token: `${header}.${payload}.${signature.slice(0, -4)}AAAA` },
    });
  });

  it('GET /orgs-core/v1/orgs/{id}: 200, and the documented 400s for x-tenant', async () => {
    const h = { authorization: `Bearer ${token}` };
    await exchange(ORGS, { method: 'GET', path: `/orgs-core/v1/orgs/${org.orgId}`, headers: { ...h, 'x-tenant': org.orgId } });
    // The spec documents EOA0030 and EOA0035 as 400s; the request leaves out or changes x-tenant on purpose.
    const missing = await exchange(ORGS, { method: 'GET', path: `/orgs-core/v1/orgs/${org.orgId}`, headers: h }, { request: false });
    if (missing.json().code !== 'EOA0030') throw new Error(missing.body);
    const other = await createOrg(app);
    const differs = await exchange(ORGS, { method: 'GET', path: `/orgs-core/v1/orgs/${org.orgId}`, headers: { ...h, 'x-tenant': other.orgId } });
    if (differs.json().code !== 'EOA0035') throw new Error(differs.body);
    const notFound = await exchange(ORGS, { method: 'GET', path: `/orgs-core/v1/orgs/${other.orgId}`, headers: { ...h, 'x-tenant': org.orgId } });
    if (notFound.statusCode !== 404) throw new Error(notFound.body);
    const unauthorized = await exchange(ORGS, { method: 'GET', path: `/orgs-core/v1/orgs/${org.orgId}`, headers: { 'x-tenant': org.orgId } }, { request: false });
    if (unauthorized.statusCode !== 401) throw new Error(unauthorized.body);
  });

  it('PATCH /orgs-core/v1/orgs: 200 with the updated org', async () => {
    const calendar = await app.http.inject({
      method: 'POST',
      url: '/holidays-core/v1/holiday-calendar',
      headers: { authorization: `Bearer ${token}`, 'x-tenant': org.orgId },
      payload: { name: 'Org calendar', type: 'Country' },
    });
    if (calendar.statusCode !== 201) throw new Error(calendar.body);
    const res = await exchange(ORGS, {
      method: 'PATCH',
      path: '/orgs-core/v1/orgs',
      headers: { authorization: `Bearer ${token}`, 'x-tenant': org.orgId, 'content-type': 'application/json' },
      body: { org_name: 'Renamed', language: 'pt-BR', holiday_calendar_id: calendar.json().holiday_calendar_id, start_date: '2019-07-03T17:23:18Z' },
    });
    if (res.json().org_name !== 'Renamed') throw new Error(res.body);
  });
});
