// Key rotation across processes: two apps on one PostgreSQL database. After one rotates, the
// other signs with the new key and publishes it within seconds, and each accepts the other's
// tokens throughout.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ADMIN_TOKEN, adminHeaders, bearer, createOrg, tokenFor } from '../helpers/auth.js';

let a: TestApp;
let b: App;
beforeAll(async () => {
  a = await testApp();
  b = await createApp({
    config: loadConfig({ DATABASE_URL: a.testDb.databaseUrl, LOG_LEVEL: 'silent', LASTRO_ADMIN_TOKEN: ADMIN_TOKEN }),
    mode: 'api',
    logger: createLogger('silent'),
    clock: a.clock,
  });
});
afterAll(async () => {
  await b?.stop();
  await a?.close();
});

const kidOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;

it('a rotation made by one process reaches the other', async () => {
  const org = await createOrg(a);
  const before = await tokenFor(a, org);
  const rotated = await a.http.inject({ method: 'POST', url: '/lastro/v1/signing-keys/rotate', headers: adminHeaders });
  expect(rotated.statusCode).toBe(200);
  const { kid } = rotated.json();

  // Process b still holds the old key for a moment; after its reload interval it signs with the new one.
  await new Promise((r) => setTimeout(r, 5200));
  const fromB = await tokenFor(b as TestApp, org);
  expect(kidOf(fromB)).toBe(kid);
  const jwks = (await b.http!.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
  expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([kid, kidOf(before)]));

  // Each process accepts tokens the other signed.
  for (const [app, token] of [[a.http, fromB], [b.http!, before]] as const) {
    const res = await app.inject({ method: 'GET', url: `/orgs-core/v1/orgs/${org.orgId}`, headers: bearer(token, org.orgId) });
    expect(res.statusCode).toBe(200);
  }
});
