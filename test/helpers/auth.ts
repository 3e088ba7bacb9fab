// Orgs and tokens for tests, made through the public API as a client would.
import type { TestApp } from './app.js';

export const ADMIN_TOKEN = 'test-operator-token-0123456789';
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestOrg {
  orgId: string;
  serverKey: string;
  serverSecret: string;
  credentialId: string;
}

let n = 0;

/** Creates an org through the operator API; `overrides` go into the request body. */
export async function createOrg(app: TestApp, overrides: Record<string, unknown> = {}): Promise<TestOrg> {
  n += 1;
  const res = await app.http.inject({
    method: 'POST',
    url: '/lastro/v1/orgs',
    headers: adminHeaders,
    payload: {
      official_name: `Test Org ${n} Ltda`,
      org_name: `Test ${n}`,
      document_number: `1234567800${n}`,
      responsible: `ops${n}@example.com`,
      currency_numeric_code: '986',
      timezone: 'America/Sao_Paulo',
      country_code: 'BRA',
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`create org: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { orgId: body.org.id, serverKey: body.credential.server_key, serverSecret: body.credential.server_secret, credentialId: body.credential.id };
}

/** A token from POST /passport/v2/s2s/access-token. */
export async function tokenFor(app: TestApp, org: Pick<TestOrg, 'serverKey' | 'serverSecret'>, accountId?: number): Promise<string> {
  const res = await app.http.inject({
    method: 'POST',
    url: '/passport/v2/s2s/access-token',
    payload: { server_key: org.serverKey, server_secret: org.serverSecret, ...(accountId ? { account_id: accountId } : {}) },
  });
  if (res.statusCode !== 201) throw new Error(`token: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
}

export const bearer = (token: string, orgId?: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  ...(orgId ? { 'x-tenant': orgId } : {}),
});
