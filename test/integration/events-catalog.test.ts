// The event catalog: each type's example validates against its published draft-07 schema (with
// Ajv, independently of the TypeBox checker used at write time), and the API serves both.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../../src/modules/index.js';
import { publishedSchema } from '../../src/platform/outbox.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';

const catalog = modules.flatMap((m) => m.events ?? []);

let app: TestApp;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => app?.close());

describe('event catalog', () => {
  it('has event types, each declared once', () => {
    expect(catalog.length).toBeGreaterThan(0);
    const keys = catalog.map((d) => `${d.domain}/${d.eventType}/${d.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of catalog) expect(d.eventType).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(catalog.map((d) => [`${d.domain}/${d.eventType} v${d.version}`, d] as const))('%s: the example matches the draft-07 schema', (_name, def) => {
    const ajv = new (Ajv as unknown as typeof Ajv.default)({ strict: false, allErrors: true });
    (addFormats as unknown as (a: unknown) => void)(ajv);
    const schema = publishedSchema(def);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const validate = ajv.compile(schema);
    expect(validate(def.example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is served with schemas and envelope examples', async () => {
    const list = (await app.http.inject({ method: 'GET', url: '/lastro/v1/events/catalog' })).json();
    expect(list.items).toHaveLength(catalog.length);
    const first = list.items[0];
    const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/events/catalog/${first.domain}/${first.event_type}/${first.version}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.schema.title).toBe(first.title);
    expect(body.envelope_example).toMatchObject({ domain: first.domain, event_type: first.event_type, schema_version: first.version });
    expect(Object.keys(body.envelope_example).sort()).toEqual(['cid', 'data', 'domain', 'event_id', 'event_type', 'org_id', 'schema_version', 'timestamp']);
    const missing = await app.http.inject({ method: 'GET', url: '/lastro/v1/events/catalog/org/no-such-event/1' });
    expectError(missing, 404, 'EVENT_TYPE_NOT_FOUND');
  });
});

describe('schemas are enforced', () => {
  it('recordEvent refuses data that does not match, and nothing is written', async () => {
    const { OrgEvents } = await import('../../src/modules/orgs/index.js');
    const { recordEvent, EventSchemaError } = await import('../../src/platform/outbox.js');
    const before = await app.platform.db.kysely.selectFrom('event_outbox_events').select('event_id').execute();
    await expect(
      app.platform.db.transaction((tx) =>
        recordEvent(tx, app.platform, OrgEvents.orgCreated, { orgId: 'TN-x', cid: undefined, data: { org_id: 'TN-x' } as never }),
      ),
    ).rejects.toThrow(EventSchemaError);
    const after = await app.platform.db.kysely.selectFrom('event_outbox_events').select('event_id').execute();
    expect(after).toHaveLength(before.length);
  });

  it('a test app refuses to close over an emitted event the catalog does not know', async () => {
    const other = await testApp();
    await other.platform.db.kysely
      .insertInto('event_outbox')
      .values({
        org_id: 'TN-forged',
        event_id: '00000000-0000-4000-8000-00000000f0f0',
        domain: 'org',
        event_type: 'not-declared',
        schema_version: 1,
        cid: null,
        occurred_at: new Date(),
        data: '{}',
      })
      .execute();
    await expect(other.close()).rejects.toThrow(/org\/not-declared v1 is not in the catalog/);
  });
});
