// Events are readable as soon as they commit, whatever other databases on the same server do: a
// transaction left open in another database (another deployment, another test run) no longer
// holds this database's readers back. A transaction of this database still does, as it must.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { bearer, type TestOrg } from '../helpers/auth.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let org: TestOrg;
let token: string;
let other: TestDatabase;

beforeAll(async () => {
  ({ app, org, token } = await setupTenant());
  other = await freshDatabase({ empty: true });
});
afterAll(async () => {
  await app?.close();
  await other?.drop();
});

const rename = async (name: string) => {
  const res = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { org_name: name } });
  expect(res.statusCode).toBe(200);
};
const names = async (): Promise<string[]> => {
  const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/events?event_type=org-updated&limit=1000', headers: bearer(token) });
  return res.json().items.map((e: { data: { org_name: string } }) => e.data.org_name);
};

/** A session holding a transaction with an id, open until released. */
async function openTransaction(databaseUrl: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('begin');
  await client.query('select pg_current_xact_id()'); // takes a transaction id
  return async () => {
    await client.query('rollback');
    await client.end();
  };
}

it("a transaction open in another database does not hide this database's new events", async () => {
  const release = await openTransaction(other.databaseUrl!);
  try {
    await rename('Seen at once');
    expect(await names()).toContain('Seen at once');
  } finally {
    await release();
  }
});

it('a transaction open in this database still holds back events of later transactions', async () => {
  const release = await openTransaction(app.testDb.databaseUrl!);
  try {
    await rename('Behind an open transaction');
    expect(await names()).not.toContain('Behind an open transaction');
  } finally {
    await release();
  }
  expect(await names()).toContain('Behind an open transaction');
});
