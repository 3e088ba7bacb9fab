// Every event an org has emitted, read back through the events API (GET /lastro/v1/events, the
// replay), each checked with Ajv against the draft-07 schema the catalog publishes for its type
// (GET /lastro/v1/events/catalog/…): independent of the TypeBox check made when it was written.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { TestApp } from './app.js';

export interface EventEnvelope {
  event_id: string;
  domain: string;
  event_type: string;
  schema_version: number;
  org_id: string;
  timestamp: string;
  business_date?: string;
  data: Record<string, unknown>;
}

/** All the org's events, oldest first, through the replay's pages. */
export async function orgEvents(app: TestApp, headers: Record<string, string>, query: { domain?: string } = {}): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let after: string | undefined;
  for (;;) {
    const params = new URLSearchParams({ limit: '1000', ...query, ...(after ? { after } : {}) });
    const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/events?${params.toString()}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ items: EventEnvelope[]; next_cursor?: string; has_next: boolean }>();
    events.push(...page.items);
    if (!page.has_next || !page.next_cursor) return events;
    after = page.next_cursor;
  }
}

/**
 * Reads the org's events (optionally of one domain) and asserts each one's data is valid against
 * its catalog schema; returns them for the caller's own assertions (which events were emitted).
 */
export async function expectValidEvents(app: TestApp, headers: Record<string, string>, query: { domain?: string } = {}): Promise<EventEnvelope[]> {
  const events = await orgEvents(app, headers, query);
  const ajv = new (Ajv as unknown as typeof Ajv.default)({ strict: false, allErrors: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  const validators = new Map<string, ValidateFunction>();
  const problems: string[] = [];
  for (const e of events) {
    const key = `${e.domain}/${e.event_type}/${e.schema_version}`;
    let validate = validators.get(key);
    if (!validate) {
      const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/events/catalog/${key}` });
      if (res.statusCode !== 200) {
        problems.push(`${key}: not in the catalog (${res.statusCode})`);
        continue;
      }
      const { schema } = res.json<{ schema: Record<string, unknown> }>();
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    if (!validate(e.data)) problems.push(`${key} ${e.event_id}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(e.data)}`);
  }
  expect(problems, 'events that do not match their catalog schema').toEqual([]);
  return events;
}
