// The API fuzz test: hostile values (NUL, lone surrogates, bytes that are not UTF-8, numbers too
// large, too precise or not finite) in the body, the query string and the path of every route of
// the OpenAPI document, one place at a time. Never a 5xx, always the error body with its cid, a
// 400 naming the field where nothing could accept the value, and nothing written by a refusal.
// The fuzzer is in test/fuzz/hostile.ts; it builds valid requests as the isolation walk does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { fuzzApi, type FuzzReport } from '../fuzz/hostile.js';
import { seeds } from '../isolation/seeds/index.js';
import { isolationApp } from '../isolation/walk.js';

let app: TestApp;
let report: FuzzReport;

beforeAll(async () => {
  app = await isolationApp();
  report = await fuzzApi({ app, seeds });
}, 600_000);
afterAll(async () => app?.close());

describe('hostile values in every route', () => {
  it('are refused in the error body, naming the field, never with a 5xx', () => {
    const shown = report.failures.slice(0, 60).map((f) => `${f.route} [${f.case}]: ${f.problem}`).join('\n');
    expect(report.failures, `${report.failures.length} failures:\n${shown}`).toEqual([]);
  });

  it('reached every route of the OpenAPI document, and checked refusals for writes', async () => {
    const doc = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const all = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([template, ops]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((m) => ops[m]).map((m) => `${m.toUpperCase()} ${template}`),
    );
    expect(report.fuzzed).toEqual([...all].sort());
    expect(report.calls).toBeGreaterThan(2000);
    expect(report.writeChecks).toBeGreaterThan(500);
  });
});
