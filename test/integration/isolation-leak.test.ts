// The isolation walk can fail: against an app with a test-only module whose routes leak (a read
// without the org filter, a write without it, a 403 that tells another org an object exists, a
// path parameter no seed fills), the same walk that passes on the real modules reports each one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../../src/modules/index.js';
import type { TestApp } from '../helpers/app.js';
import { LEAKY_ROUTES, leakyModule, leakySeed } from '../isolation/leaky.module.js';
import { calendarsSeed } from '../isolation/seeds/calendars.js';
import { programsSeed } from '../isolation/seeds/programs.js';
import { describeFailures, isolationApp, walkIsolation, type WalkReport } from '../isolation/walk.js';

let app: TestApp;
let report: WalkReport;

beforeAll(async () => {
  app = await isolationApp({ modules: [...modules, leakyModule] });
  // The programs routes are walked too: beside the leaks, the real routes still pass.
  report = await walkIsolation({
    app,
    seeds: [calendarsSeed, programsSeed, leakySeed],
    only: (route) => route.includes(' /leaky/') || route.includes(' /programs/'),
  });
});
afterAll(async () => app?.close());

const problemsOf = (route: string) => report.failures.filter((f) => f.route === route).map((f) => f.problem);
const snapshotFailures = () => report.failures.filter((f) => f.case === 'snapshot of A');

describe('the isolation walk against a module that leaks', () => {
  it('reports a read that returns another org’s object: a 2xx, with the object’s name', () => {
    const problems = problemsOf(LEAKY_ROUTES.read);
    expect(problems.some((p) => p.startsWith('expected 404') && p.includes('got 200')), problems.join('\n')).toBe(true);
    expect(problems.some((p) => p.includes("answered org B with org A's") && p.includes(report.a.value('programName'))), problems.join('\n')).toBe(true);
  });

  it('reports a write into another org’s rows even when the route answers 404', () => {
    const problems = problemsOf(LEAKY_ROUTES.write);
    expect(problems).toEqual([expect.stringMatching(/^org A's rows changed in programs \(answered 404/)]);
    // A's own view through the API changed too.
    expect(snapshotFailures().map((f) => f.route)).toContain('GET /programs/v1/programs?perPage=100');
  });

  it('reports a 403 for another org’s object', () => {
    expect(problemsOf(LEAKY_ROUTES.forbidden)).toEqual([expect.stringMatching(/^answered 403/)]);
  });

  it('reports a route whose path parameter no seed fills, instead of walking it with made-up ids', () => {
    expect(problemsOf(LEAKY_ROUTES.unseeded)).toEqual([expect.stringMatching(/^no seed fills \{widget_id\}/)]);
    expect(report.walked).not.toContain(LEAKY_ROUTES.unseeded);
  });

  it('reports nothing else: the real programs routes pass the same walk', () => {
    const others = report.failures.filter((f) => !Object.values(LEAKY_ROUTES).includes(f.route as never) && !snapshotFailures().includes(f));
    // What A sees changed only where the leaky write renamed A's program.
    for (const f of snapshotFailures()) expect(f.problem).toContain(report.a.value('programName'));
    expect(others, describeFailures(others)).toEqual([]);
    expect(report.walked).toContain('GET /programs/v1/programs/{id}');
  });
});
