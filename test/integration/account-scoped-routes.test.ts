// Account-scoped routes (`routeAuth.tenant(group, { account: 'token' })`): Pismo's account APIs
// (transactions, payments, cards, prepayments) have no account in the path and act on the
// account of an account token, or of the x-account-id header where the API declares it. No
// Lastro route uses the mode yet, so a module that exists only in this test registers some.
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules as defaultModules } from '../../src/modules/index.js';
import { installGuard, routeAuth } from '../../src/platform/auth/guard.js';
import { PermissionGroups } from '../../src/platform/auth/permissions.js';
import { AppError } from '../../src/platform/errors.js';
import { accountOf, tenantScope } from '../../src/platform/http/context.js';
import type { HttpApp, LastroModule } from '../../src/platform/module.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { createAccount } from '../helpers/accounts.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';

interface Res {
  statusCode: number;
  headers: Record<string, unknown>;
  json: () => any;
}

function expectError(res: Res, status: number, code: string): void {
  expect(res.statusCode, res.json().message).toBe(status);
  const body = res.json();
  expect(body.code).toBe(code);
  expect(body.cid).toBe(res.headers['x-cid']);
}

const AccountBody = Type.Object({ account_id: Type.String(), org_id: Type.String() });

// Pismo's payments API answers an unauthenticated account with WONP0006 (403); its Lending API
// answers a missing account header with ELND0002 (400).
const paymentsAuth = routeAuth.tenant('payments', {
  account: 'token',
  accountHeader: true,
  errors: { accountRequired: () => new AppError('forbidden', 'WONP0006', 'Authentication is required but it was not performed.') },
});
const prepaymentsAuth = routeAuth.tenant('lending', {
  account: 'token',
  errors: { accountRequired: () => new AppError('invalid', 'ELND0002', 'x-account-id not passed') },
});

const accountProbe: LastroModule = {
  name: 'account-probe',
  routes(app, platform) {
    // The route acts on the resolved account inside the org's tenant transaction.
    const answer = (req: Parameters<typeof accountOf>[0]) =>
      platform.tenant(tenantScope(req), async (t) => ({ account_id: accountOf(req), org_id: t.orgId }));
    app.get(
      '/probe/v1/transactions',
      { config: { auth: routeAuth.tenant('transactions', { account: 'token' }) }, schema: { response: { 200: AccountBody } } },
      async (req) => answer(req),
    );
    app.post(
      '/probe/v1/payments',
      { config: { auth: paymentsAuth }, schema: { body: Type.Object({ amount: Type.Number() }), response: { 201: AccountBody } } },
      async (req, reply) => reply.status(201).send(await answer(req)),
    );
    app.post(
      '/probe/v1/prepayments',
      { config: { auth: prepaymentsAuth }, schema: { response: { 201: AccountBody } } },
      async (req, reply) => reply.status(201).send(await answer(req)),
    );
    // A route whose API documents another status for the default code.
    app.get(
      '/probe/v1/cards',
      {
        config: { auth: routeAuth.tenant('cards', { account: 'token' }), errorStatus: { ACCOUNT_TOKEN_REQUIRED: 401 } },
        schema: { response: { 200: AccountBody } },
      },
      async (req) => answer(req),
    );
  },
};

describe("account-scoped routes (account: 'token')", () => {
  let app: TestApp;
  let org: TestOrg;
  let orgToken: string;
  let account42: string;
  /** The account token's account, and an id of no account of it (only compared, never read). */
  let own: string;
  let another: string;
  beforeAll(async () => {
    app = await testApp({ modules: [...defaultModules, accountProbe] });
    org = await createOrg(app);
    orgToken = await tokenFor(app, org);
    own = String((await createAccount(app, { headers: bearer(orgToken, org.orgId) })).accountId);
    another = String(Number(own) + 1000);
    account42 = await tokenFor(app, org, Number(own));
  });
  afterAll(async () => app?.close());

  it('an account token → 200, acting on its own account', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/probe/v1/transactions', headers: bearer(account42, org.orgId) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ account_id: own, org_id: org.orgId });
  });

  it('an org-wide token → 403 ACCOUNT_TOKEN_REQUIRED by default', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/probe/v1/transactions', headers: bearer(orgToken, org.orgId) });
    expectError(res, 403, 'ACCOUNT_TOKEN_REQUIRED');
  });

  it("an org-wide token → the API's own code where the route sets one (kind decides the status)", async () => {
    expectError(await app.http.inject({ method: 'POST', url: '/probe/v1/payments', headers: bearer(orgToken), payload: { amount: 1 } }), 403, 'WONP0006');
    expectError(await app.http.inject({ method: 'POST', url: '/probe/v1/prepayments', headers: bearer(orgToken) }), 400, 'ELND0002');
  });

  it('a route may answer the default code with the status its API documents', async () => {
    expectError(await app.http.inject({ method: 'GET', url: '/probe/v1/cards', headers: bearer(orgToken) }), 401, 'ACCOUNT_TOKEN_REQUIRED');
    expect((await app.http.inject({ method: 'GET', url: '/probe/v1/cards', headers: bearer(account42) })).statusCode).toBe(200);
  });

  it('x-account-id where the route accepts it: an org-wide token acts on the named account', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/probe/v1/payments',
      headers: { ...bearer(orgToken, org.orgId), 'x-account-id': '77' },
      payload: { amount: 1 },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ account_id: '77', org_id: org.orgId });
  });

  it("x-account-id equal to the account token's account → accepted; another account → 403 ACCOUNT_MISMATCH", async () => {
    const same = await app.http.inject({
      method: 'POST',
      url: '/probe/v1/payments',
      headers: { ...bearer(account42), 'x-account-id': own },
      payload: { amount: 1 },
    });
    expect(same.statusCode).toBe(201);
    expect(same.json().account_id).toBe(own);
    const other = await app.http.inject({
      method: 'POST',
      url: '/probe/v1/payments',
      headers: { ...bearer(account42), 'x-account-id': another },
      payload: { amount: 1 },
    });
    expectError(other, 403, 'ACCOUNT_MISMATCH');
  });

  it('x-account-id that is not an account id → 400 VALIDATION_ERROR naming the header', async () => {
    for (const value of ['abc', '0', '-1', '01', '9223372036854775808', '12345678901234567890']) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/probe/v1/payments',
        headers: { ...bearer(orgToken), 'x-account-id': value },
        payload: { amount: 1 },
      });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.json().details).toEqual([{ field: 'headers.x-account-id', reason: 'must be an account id (a positive integer)' }]);
    }
  });

  it('x-account-id on a route that does not accept it is ignored: the account is still the token’s', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/probe/v1/transactions', headers: { ...bearer(account42), 'x-account-id': another } });
    expect(res.statusCode).toBe(200);
    expect(res.json().account_id).toBe(own);
    const orgWide = await app.http.inject({ method: 'GET', url: '/probe/v1/transactions', headers: { ...bearer(orgToken), 'x-account-id': '43' } });
    expectError(orgWide, 403, 'ACCOUNT_TOKEN_REQUIRED');
  });

  it('an account token still may not use org-wide routes', async () => {
    expectError(await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials', headers: bearer(account42) }), 403, 'ACCOUNT_TOKEN_NOT_ALLOWED');
  });

  it('the other checks come first: no token → 401, x-tenant mismatch → 403, missing permission → 403', async () => {
    expectError(await app.http.inject({ method: 'GET', url: '/probe/v1/transactions' }), 401, 'UNAUTHORIZED');
    const other = await createOrg(app);
    expectError(
      await app.http.inject({ method: 'GET', url: '/probe/v1/transactions', headers: bearer(account42, other.orgId) }),
      403,
      'TENANT_MISMATCH',
    );
    const cred = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: bearer(orgToken), payload: { permissions: ['pismo-v1:orgs:rw'] } });
    const limitedAccount = await tokenFor(app, { serverKey: cred.json().server_key, serverSecret: cred.json().server_secret }, Number(own));
    expectError(await app.http.inject({ method: 'GET', url: '/probe/v1/transactions', headers: bearer(limitedAccount) }), 403, 'FORBIDDEN');
  });

  it("a route cannot mix account 'token' with accountParam, nor accept x-account-id without it", async () => {
    const bare = Fastify() as unknown as HttpApp;
    await installGuard(bare, { tokens: {} as never, subjects: {} as never, groups: new PermissionGroups(), adminToken: undefined, rateLimitOrgPerMinute: 0, rateLimitCredentialPerMinute: 0 });
    const route = (auth: Parameters<typeof routeAuth.tenant>[1]) => () =>
      bare.get('/bad/:accountId', { config: { auth: routeAuth.tenant('x', auth) } }, async () => ({}));
    expect(route({ account: 'token', accountParam: 'accountId' })).toThrow(/exclude each other/);
    expect(route({ accountHeader: true })).toThrow(/accountHeader needs account 'token'/);
    expect(route({ account: 'token', accountHeader: true })).not.toThrow();
    await bare.close();
  });
});
