// Tenant isolation, route by route: every route of the OpenAPI document (so every route a later
// module adds) is called by a second org with the first org's real ids, and must answer "not
// found" (or its documented refusal) without anything of the first org, and change nothing of it.
// The walk and the seeds are in test/isolation/; isolation-leak.test.ts proves the walk can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { seeds } from '../isolation/seeds/index.js';
import { describeFailures, isolationApp, walkIsolation, type WalkReport } from '../isolation/walk.js';

let app: TestApp;
let report: WalkReport;

beforeAll(async () => {
  app = await isolationApp();
  report = await walkIsolation({ app, seeds });
});
afterAll(async () => app?.close());

describe('every route, called by another org with the first org’s real ids', () => {
  it('answers not found (or its documented refusal), shows nothing of the first org and changes nothing of it', () => {
    expect(report.failures, describeFailures(report.failures)).toEqual([]);
  });

  it('walked every route of the OpenAPI document, including those of programs, calendars and subscriptions', async () => {
    const doc = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const all = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([template, ops]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((m) => ops[m]).map((m) => `${m.toUpperCase()} ${template}`),
    );
    expect(report.walked).toEqual([...all].sort());
    for (const route of [
      'GET /orgs-core/v1/orgs/{id}',
      'DELETE /lastro/v1/oidc-keys/{id}',
      'GET /lastro/v1/events/stream',
      'PATCH /programs/v1/programs/{id}',
      'DELETE /holidays-core/v1/holiday-calendar/{holiday_calendar_id}/holiday/{holiday_id}',
      'POST /lastro/v1/event-subscriptions/{id}/deliveries/{delivery_id}/redeliver',
      'GET /lastro/v1/event-files/{id}/content',
    ]) {
      expect(report.walked).toContain(route);
    }
    expect(report.calls).toBeGreaterThan(all.length);
  });

  it('org A still sees its own data (the walk proves isolation, not an empty database)', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/programs/v1/programs?perPage=100', headers: report.a.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(report.a.value('programName'));
    expect(report.markersOfA.length).toBeGreaterThan(20);
  });
});
