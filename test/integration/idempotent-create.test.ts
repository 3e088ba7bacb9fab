// Creating orgs and credentials is safe to retry with an Idempotency-Key, and the stored replay
// reveals neither the key nor the server_secret to someone reading the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { adminHeaders, bearer, createOrg, tokenFor } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';

let app: TestApp;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => app?.close());

const orgBody = {
  official_name: 'Retry Corp',
  org_name: 'Retry',
  document_number: '999001',
  responsible: 'ops@retry.example',
  currency_numeric_code: '986',
  timezone: 'America/Sao_Paulo',
  country_code: 'BRA',
};

const countOrgs = async (): Promise<number> =>
  Number((await app.platform.db.kysely.selectFrom('orgs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('Idempotency-Key on creation', () => {
  it('POST /lastro/v1/orgs twice with one key creates one org and answers the same, secret included', async () => {
    const before = await countOrgs();
    const send = (body = orgBody) =>
      app.http.inject({ method: 'POST', url: '/lastro/v1/orgs', headers: { ...adminHeaders, 'idempotency-key': 'org-key-1' }, payload: body });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(await countOrgs()).toBe(before + 1);
    // The replayed secret works.
    const { credential } = second.json();
    expect(await tokenFor(app, { serverKey: credential.server_key, serverSecret: credential.server_secret })).toMatch(/^eyJ/);

    const changed = await send({ ...orgBody, org_name: 'Other' });
    expectError(changed, 422, 'IDEMPOTENCY_KEY_REUSED');

    // Nothing readable in the database: not the raw key, not the secret.
    const rows = await app.platform.db.kysely.selectFrom('idempotency_keys').selectAll().execute();
    const dump = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(dump).not.toContain('org-key-1');
    expect(dump).not.toContain(credential.server_secret);
  });

  it('POST /lastro/v1/credentials and /lastro/v1/oidc-keys replay per org', async () => {
    const org = await createOrg(app);
    const token = await tokenFor(app, org);
    const h = { ...bearer(token), 'x-idempotency-key': 'cred-1' };
    const a = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: h, payload: { description: 'ci' } });
    const b = await app.http.inject({ method: 'POST', url: '/lastro/v1/credentials', headers: h, payload: { description: 'ci' } });
    expect(a.statusCode).toBe(201);
    expect(b.json()).toEqual(a.json());
    const list = await app.http.inject({ method: 'GET', url: '/lastro/v1/credentials?perPage=100', headers: bearer(token) });
    expect(list.json().items.filter((c: { description?: string }) => c.description === 'ci')).toHaveLength(1);

    // Another org may use the same key for its own request.
    const other = await createOrg(app);
    const c = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/credentials',
      headers: { ...bearer(await tokenFor(app, other)), 'x-idempotency-key': 'cred-1' },
      payload: { description: 'ci' },
    });
    expect(c.statusCode).toBe(201);
    expect(c.json().id).not.toBe(a.json().id);
  });

  it('a malformed key is a 400 naming the header', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/orgs',
      headers: { ...adminHeaders, 'idempotency-key': 'has spaces in it' },
      payload: orgBody,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ field: 'headers.idempotency-key', reason: 'must be 1 to 255 printable ASCII characters' }]);
  });

  it('a malformed key is a 400 on tenant routes that change something but keep no key (PATCH, DELETE)', async () => {
    const org = await createOrg(app);
    const headers = { ...bearer(await tokenFor(app, org), org.orgId), 'x-idempotency-key': 'has spaces in it' };
    for (const [method, url, payload] of [
      ['PATCH', '/orgs-core/v1/orgs', { org_name: 'Renamed' }],
      ['PATCH', '/programs/v1/programs/1', { name: 'x' }],
      ['DELETE', '/holidays-core/v1/holiday-calendar/1', undefined],
    ] as const) {
      const res = await app.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect(expectError(res, 400, 'VALIDATION_ERROR').details).toEqual([
        { field: 'headers.x-idempotency-key', reason: 'must be 1 to 255 printable ASCII characters' },
      ]);
    }
  });
});

describe('housekeeping jobs', () => {
  it('purge expired idempotency keys and spent refresh tokens, and are scheduled by cron', async () => {
    const db = app.platform.db;
    const count = async (table: 'idempotency_keys' | 'refresh_tokens') =>
      Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('idempotency_keys')).toBeGreaterThan(0);
    expect(await count('refresh_tokens')).toBeGreaterThan(0);
    app.clock.advance(2 * 86_400_000); // past the keys' 24 h and the refresh tokens' lifetime
    const { purgeIdempotencyKeysJob } = await import('../../src/platform/idempotency.js');
    const { orgsModule } = await import('../../src/modules/orgs/index.js');
    const log = app.platform.log;
    await purgeIdempotencyKeysJob(db, app.clock).handler({}, { id: 'test', attempt: 1, log });
    for (const job of orgsModule.jobs!(app.platform)) await job.handler({}, { id: 'test', attempt: 1, log });
    expect(await count('idempotency_keys')).toBe(0);
    expect(await count('refresh_tokens')).toBe(0);

    await app.start();
    const { rows } = await db.pool.query<{ name: string; cron: string }>('select name, cron from pgboss.schedule order by name');
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: 'orgs.purge-refresh-tokens', cron: '7 * * * *' },
        { name: 'platform.purge-idempotency-keys', cron: '*/15 * * * *' },
      ]),
    );
  });
});
