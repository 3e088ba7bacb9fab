// Tenant isolation, route by route: every route in the OpenAPI document (so every route a later
// module adds) is called with a second org's token, with the first org's ids in its path, and
// must not return or change anything of the first org.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';

let app: TestApp;
let a: TestOrg;
let b: TestOrg;
let tokenA: string;
let tokenB: string;
/** Everything that identifies org A's data; none of it may appear in an answer to org B. */
const secretsOfA: string[] = [];
let snapshotOfA: string;

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * One request, its answer read as a stream: most routes end at once; a live stream (server-sent
 * events) is read for a moment and then dropped, so the walk covers it without hanging.
 */
async function call(opts: { method: 'GET'; url: string; headers: Record<string, string>; payload?: object }): Promise<{ statusCode: number; body: string }> {
  const res = await app.http.inject({ ...(opts as object), payloadAsStream: true } as never);
  const stream = (res as unknown as { stream: () => NodeJS.ReadableStream & { destroy(): void } }).stream();
  let body = '';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, 1000);
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    for (const e of ['end', 'error', 'close']) {
      stream.on(e, () => {
        clearTimeout(timer);
        resolve();
      });
    }
  });
  return { statusCode: res.statusCode, body };
}

async function snapshot(): Promise<string> {
  const h = bearer(tokenA, a.orgId);
  const parts = await Promise.all(
    [`/orgs-core/v1/orgs/${a.orgId}`, '/lastro/v1/credentials?perPage=100', '/lastro/v1/oidc-keys'].map(
      async (url) => (await app.http.inject({ method: 'GET', url, headers: h })).body,
    ),
  );
  return parts.join('\n');
}

beforeAll(async () => {
  app = await testApp({ env: { LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0', LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '0' } });
  a = await createOrg(app, { org_name: 'Alpha Isolation', document_number: '11111111111' });
  b = await createOrg(app, { org_name: 'Beta Isolation', document_number: '22222222222' });
  tokenA = await tokenFor(app, a);
  tokenB = await tokenFor(app, b);

  // Give org A some data of every kind the routes expose.
  const cred = await app.http.inject({
    method: 'POST',
    url: '/lastro/v1/credentials',
    headers: bearer(tokenA),
    payload: { description: 'alpha-secondary', permissions: ['pismo-v1:orgs:ro'] },
  });
  expect(cred.statusCode).toBe(201);
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
  const key = await app.http.inject({
    method: 'POST',
    url: '/lastro/v1/oidc-keys',
    headers: bearer(tokenA),
    payload: { name: 'alpha-key', public_key: pem, iss: 'alpha-issuer' },
  });
  expect(key.statusCode).toBe(201);
  secretsOfA.push(a.orgId, a.serverKey, a.credentialId, 'Alpha Isolation', cred.json().id, cred.json().server_key, key.json().id, 'alpha-issuer');
  snapshotOfA = await snapshot();
});
afterAll(async () => app?.close());

describe('every route, called by another org', () => {
  it('returns none of the first org’s data and changes none of it', async () => {
    const doc = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const idsOfA = secretsOfA.filter((s) => !s.includes(' '));
    let calls = 0;
    const seen: string[] = [];
    for (const [template, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of methods) {
        if (!ops[method]) continue;
        seen.push(`${method.toUpperCase()} ${template}`);
        const params = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        // Each path parameter gets each of A's ids in turn (and the template is called once without).
        const fills = params.length ? idsOfA : [''];
        for (const value of fills) {
          const url = template.replace(/\{\w+\}/g, encodeURIComponent(value));
          for (const headers of [bearer(tokenB, b.orgId), bearer(tokenB)]) {
            const res = await call({
              method: method.toUpperCase() as 'GET',
              url,
              headers,
              ...(method === 'get' || method === 'delete' ? {} : { payload: { org_name: 'hijacked', description: 'hijacked' } }),
            });
            calls += 1;
            for (const secret of secretsOfA) {
              expect(res.body.includes(secret), `${method.toUpperCase()} ${url} answered org B with "${secret}" of org A: ${res.body}`).toBe(false);
            }
            if (res.statusCode >= 500) throw new Error(`${method.toUpperCase()} ${url} → ${res.statusCode}: ${res.body}`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(20);
    // The walk covered the tenant routes this suite knows about (and picks up any new ones).
    for (const route of [
      'GET /orgs-core/v1/orgs/{id}',
      'PATCH /orgs-core/v1/orgs',
      'GET /lastro/v1/credentials/{id}',
      'DELETE /lastro/v1/oidc-keys/{id}',
      'GET /lastro/v1/events',
      'GET /lastro/v1/events/stream',
    ]) {
      expect(seen).toContain(route);
    }
    expect(await snapshot()).toBe(snapshotOfA);
  });

  it('org A still sees its own data (the walk proves isolation, not an empty database)', async () => {
    const res = await app.http.inject({ method: 'GET', url: `/orgs-core/v1/orgs/${a.orgId}`, headers: bearer(tokenA, a.orgId) });
    expect(res.statusCode).toBe(200);
    expect(res.json().org_name).toBe('Alpha Isolation');
    expect(snapshotOfA).toContain('alpha-secondary');
    expect(snapshotOfA).toContain('alpha-issuer');
  });
});
