// What Pismo's spec accepts, Lastro accepts: every operation Lastro implements from the Programs,
// Holidays and Organizations specs, sent the request a validating proxy (Stoplight Prism) builds
// from the spec's own examples, answers success and conforms. Only ids that must name an object of
// the test's org are replaced; where the spec's example names something by external id, the test
// creates it under that external id instead. The statuses Lastro answers that a spec does not
// list are checked against the table in docs/compatibility.md.
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { setupTenant } from '../helpers/fixture.js';
import { waitFor } from '../integration/programs-fixtures.js';
import {
  checkResponse,
  describeContract,
  documentedStatuses,
  exampleRequest,
  expectConforms,
  findOperation,
  loadSpec,
  type RequestSample,
} from './pismo-spec.js';

const PROGRAMS = 'Platform_setup_-_Programs.yaml';
const HOLIDAYS = 'Platform_setup_-_Holidays.yaml';
const ORGS = 'Platform_setup_-_Organizations.yaml';
const CALENDARS = '/holidays-core/v1/holiday-calendar';

let app: TestApp;
let h: Record<string, string>;

type Json = Record<string, unknown>;

async function exchange(spec: string, req: RequestSample, expected: number) {
  const query = req.query && Object.keys(req.query).length ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
  const res = await app.http.inject({
    method: req.method as 'GET',
    url: req.path + query,
    headers: h,
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
  expect(res.statusCode, `${req.method} ${req.path}: ${res.body}`).toBe(expected);
  expectConforms(spec, { request: { ...req, headers: h }, response: res });
  return res;
}

/** The spec's example request for an operation, as an exchange to send. */
function example(spec: string, method: string, path: string, override: { body?: Json; query?: Record<string, string> } = {}): RequestSample {
  const ex = exampleRequest(spec, method, path);
  return {
    method,
    path,
    ...(Object.keys(ex.query).length || override.query ? { query: { ...ex.query, ...override.query } } : {}),
    ...(ex.body !== undefined ? { body: { ...(ex.body as Json), ...override.body } } : {}),
  };
}

describeContract('Pismo contract: the specs’ own example requests are accepted', () => {
  beforeAll(async () => {
    ({ app, headers: h } = await setupTenant({ start: true }));
  });
  afterAll(async () => app?.close());

  it('Programs: template (v1, v2), copy (v1, v2), update and list accept their examples, due_dates[].id included', async () => {
    const template = exampleRequest(PROGRAMS, 'POST', '/programs/v1/programs/template').body as Json;
    // The example Prism found refused: each due date carries the spec's ProgramDueDate.id.
    expect(template.due_dates).toEqual([{ active: true, day: 10, id: 12345 }]);
    // The example's holiday_calendar_id is an external id; the org gets a calendar by that name.
    const calendarRef = template.holiday_calendar_id as string;
    const cal = await app.http.inject({ method: 'POST', url: CALENDARS, headers: h, payload: { name: 'Programs example', type: 'Country', external_id: calendarRef } });
    expect(cal.statusCode, cal.body).toBe(201);

    const created = (await exchange(PROGRAMS, example(PROGRAMS, 'POST', '/programs/v1/programs/template'), 200)).json();
    // An id in a create body is not kept: the program's due dates get ids of their own.
    expect(created.due_dates).toEqual([{ id: expect.any(Number), day: 10, active: true }]);
    expect(created.due_dates[0].id).not.toBe(12345);
    expect(created.holiday_calendar_id).toBe(String(cal.json().holiday_calendar_id));

    const queued = (await exchange(PROGRAMS, example(PROGRAMS, 'POST', '/programs/v2/programs/template'), 201)).json();
    const done = await waitFor(async () => {
      const r = await app.http.inject({ method: 'GET', url: `/programs/v1/programs/import/${queued.program_import_id}`, headers: h });
      return ['SUCCESS', 'ERROR'].includes(r.json().status) ? r.json() : undefined;
    });
    expect(done).toMatchObject({ status: 'SUCCESS' });

    const base = { base_program_id: created.id };
    const copy = (await exchange(PROGRAMS, example(PROGRAMS, 'POST', '/programs/v1/programs/copy', { body: base }), 200)).json();
    expect(copy.base_program_id).toBe(created.id);
    await exchange(PROGRAMS, example(PROGRAMS, 'POST', '/programs/v2/programs/copy', { body: base }), 201);
    await exchange(PROGRAMS, example(PROGRAMS, 'PATCH', `/programs/v1/programs/${created.id}`), 204);
    await exchange(PROGRAMS, example(PROGRAMS, 'GET', '/programs/v1/programs'), 200);
  });

  it('Holidays: every calendar and holiday operation accepts its example, both references naming one calendar', async () => {
    const create = exampleRequest(HOLIDAYS, 'POST', CALENDARS).body as Json;
    // The example names its parent twice, by parent_id and by parent_external_id.
    expect(create).toMatchObject({ parent_id: 8675309, parent_external_id: 'f89urqljnahosluiefku' });
    const parent = await app.http.inject({
      method: 'POST',
      url: CALENDARS,
      headers: h,
      payload: { name: 'Example parent', type: 'Country', external_id: create.parent_external_id },
    });
    expect(parent.statusCode, parent.body).toBe(201);
    const parentId = parent.json().holiday_calendar_id as number;

    // The example gives the new calendar its parent's external id too; it gets one of its own.
    const child = (await exchange(HOLIDAYS, example(HOLIDAYS, 'POST', CALENDARS, { body: { parent_id: parentId, external_id: 'example-child' } }), 201)).json();
    expect(child).toMatchObject({ parent_id: parentId, parent_external_id: create.parent_external_id });

    // Add holiday: holiday_calendar_id and external_id both name the parent.
    const added = (await exchange(HOLIDAYS, example(HOLIDAYS, 'POST', `${CALENDARS}/holiday`, { body: { holiday_calendar_id: parentId } }), 201)).json();
    expect(added).toMatchObject({ holiday_calendar_id: parentId, external_id: create.parent_external_id });

    // The list's example query names calendar 0 (an integer without an example) and relation=parents.
    const list = await exchange(HOLIDAYS, example(HOLIDAYS, 'GET', CALENDARS), 200);
    expect(list.json().items).toEqual([]);
    const childPath = `${CALENDARS}/${child.holiday_calendar_id}`;
    await exchange(HOLIDAYS, example(HOLIDAYS, 'GET', childPath), 200);
    await exchange(HOLIDAYS, example(HOLIDAYS, 'GET', `${CALENDARS}/external-id/example-child`), 200);
    await exchange(HOLIDAYS, example(HOLIDAYS, 'PATCH', childPath, { body: { parent_id: parentId, external_id: 'example-child' } }), 204);
    // The spec's beginDate and endDate examples (2025-12-24, 2025-11-02) break its own rule that
    // beginDate ≤ endDate; the range is turned the right way round.
    const range = { beginDate: '2025-11-02', endDate: '2025-12-24' };
    await exchange(HOLIDAYS, example(HOLIDAYS, 'GET', `${CALENDARS}/${parentId}/holiday`, { query: range }), 200);
    await exchange(HOLIDAYS, example(HOLIDAYS, 'POST', `${childPath}/business-day`), 200);
    await exchange(HOLIDAYS, example(HOLIDAYS, 'GET', `${childPath}/non-business-days`, { query: range }), 200);
    const holidayPath = `${CALENDARS}/${parentId}/holiday/${added.holiday_id}`;
    await exchange(HOLIDAYS, example(HOLIDAYS, 'PATCH', holidayPath), 204);
    await exchange(HOLIDAYS, example(HOLIDAYS, 'DELETE', holidayPath), 204);
    await exchange(HOLIDAYS, example(HOLIDAYS, 'DELETE', childPath), 204);
  });

  it('Organizations: PATCH accepts its example, responsible a plain string', async () => {
    const patch = exampleRequest(ORGS, 'PATCH', '/orgs-core/v1/orgs').body as Json;
    // Responsible has no example: Prism sends a placeholder string, which the spec accepts.
    expect(patch.responsible).toBe('string');
    const cal = await app.http.inject({ method: 'POST', url: CALENDARS, headers: h, payload: { name: 'Org example', type: 'Country' } });
    const res = await exchange(ORGS, example(ORGS, 'PATCH', '/orgs-core/v1/orgs', { body: { holiday_calendar_id: cal.json().holiday_calendar_id } }), 200);
    expect(res.json()).toMatchObject({ responsible: 'string', state: 'NY', number: 900 });
    const orgId = h['x-tenant']!;
    await exchange(ORGS, example(ORGS, 'GET', `/orgs-core/v1/orgs/${orgId}`), 200);
  });

  it('and the rest the schemas allow: empty updates, repeated working days, ids of 0, two references to one object', async () => {
    const cal = (await exchange(HOLIDAYS, { method: 'POST', path: CALENDARS, body: { name: 'Allowed', type: 'City', external_id: 'allowed', working_days: [1, 1, 2] } }, 201)).json();
    expect(cal.working_days).toEqual([1, 2]);
    const other = (await exchange(HOLIDAYS, { method: 'POST', path: CALENDARS, body: { name: 'Allowed other', type: 'City', external_id: 'allowed-other' } }, 201)).json();
    await exchange(HOLIDAYS, { method: 'PATCH', path: `${CALENDARS}/${cal.holiday_calendar_id}`, body: {} }, 204);
    const holiday = { holiday_date: '2026-06-04', name: 'Corpus Christi' };
    const added = (await exchange(HOLIDAYS, { method: 'POST', path: `${CALENDARS}/holiday`, body: { ...holiday, holiday_calendar_id: cal.holiday_calendar_id, external_id: 'allowed' } }, 201)).json();
    await exchange(HOLIDAYS, { method: 'PATCH', path: `${CALENDARS}/${cal.holiday_calendar_id}/holiday/${added.holiday_id}`, body: {} }, 204);
    // Two calendars: 400 naming both; a reference that names nothing (0 included): 404.
    const differ = await exchange(HOLIDAYS, { method: 'POST', path: `${CALENDARS}/holiday`, body: { ...holiday, holiday_calendar_id: cal.holiday_calendar_id, external_id: 'allowed-other' } }, 400);
    expect(differ.json().details.map((d: { field: string }) => d.field)).toEqual(['body.holiday_calendar_id', 'body.external_id']);
    await exchange(HOLIDAYS, { method: 'POST', path: `${CALENDARS}/holiday`, body: { ...holiday, holiday_calendar_id: 0 } }, 404);
    const parents = { name: 'Allowed child', type: 'City', parent_id: cal.holiday_calendar_id };
    const parentsDiffer = await exchange(HOLIDAYS, { method: 'POST', path: CALENDARS, body: { ...parents, parent_external_id: 'allowed-other' } }, 400);
    expect(parentsDiffer.json().details.map((d: { field: string }) => d.field)).toEqual(['body.parent_id', 'body.parent_external_id']);
    await exchange(HOLIDAYS, { method: 'POST', path: CALENDARS, body: { ...parents, parent_external_id: 'nowhere' } }, 404);
    expect(other.holiday_calendar_id).not.toBe(cal.holiday_calendar_id);

    const program = (await exchange(PROGRAMS, example(PROGRAMS, 'POST', '/programs/v1/programs/template', { body: { holiday_calendar_id: 'allowed', name: 'Allowed program' } }), 200)).json();
    for (const body of [{}, { due_dates: [] }, { bin: {} }]) await exchange(PROGRAMS, { method: 'PATCH', path: `/programs/v1/programs/${program.id}`, body }, 204);
    const copy = { base_program_id: 0, name: 'From nothing', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' };
    expect((await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/copy', body: copy }, 404)).json().code).toBe('EOA0020');
    expect((await exchange(PROGRAMS, { method: 'GET', path: '/programs/v1/programs', query: { id: '0' } }, 200)).json().items).toEqual([]);
    await exchange(ORGS, { method: 'PATCH', path: '/orgs-core/v1/orgs', body: {} }, 200);
  });

  it('answers the statuses compatibility.md lists where a spec lists none for the case', async () => {
    await exchange(PROGRAMS, { method: 'GET', path: '/programs/v1/programs/99999999' }, 404);
    await exchange(PROGRAMS, { method: 'GET', path: '/programs/v2/programs/99999999' }, 404);
    await exchange(HOLIDAYS, { method: 'GET', path: `${CALENDARS}/99999999` }, 404);
    await exchange(HOLIDAYS, { method: 'GET', path: `${CALENDARS}/external-id/nowhere` }, 404);
    await exchange(HOLIDAYS, { method: 'GET', path: `${CALENDARS}/99999999/holiday` }, 404);
    await exchange(HOLIDAYS, { method: 'DELETE', path: `${CALENDARS}/99999999` }, 404);
    const parent = (await exchange(HOLIDAYS, { method: 'POST', path: CALENDARS, body: { name: 'In use', type: 'Country' } }, 201)).json();
    const child = (await exchange(HOLIDAYS, { method: 'POST', path: CALENDARS, body: { name: 'Child', type: 'City', parent_id: parent.holiday_calendar_id } }, 201)).json();
    const inUse = await exchange(HOLIDAYS, { method: 'DELETE', path: `${CALENDARS}/${parent.holiday_calendar_id}` }, 409);
    expect(inUse.json().code).toBe('HOLIDAY_CALENDAR_IN_USE');
    const clash = await exchange(HOLIDAYS, { method: 'PATCH', path: `${CALENDARS}/${child.holiday_calendar_id}`, body: { name: 'In use' } }, 409);
    expect(clash.json().code).toBe('EHLD0027');
    await exchange(HOLIDAYS, { method: 'DELETE', path: `${CALENDARS}/${parent.holiday_calendar_id}/holiday/99999999` }, 404);
  });
});

describeContract('docs/compatibility.md: statuses the specs do not list', () => {
  group('the table', () => {
    it('lists the undeclared statuses Lastro answers on the programs, holidays and orgs operations', () => {
      const rows = documentedStatuses().map((d) => `${d.method.toUpperCase()} ${d.path} ${d.status}`);
      expect(rows).toEqual(
        expect.arrayContaining([
          'GET /programs/v1/programs/{id} 404',
          'GET /programs/v2/programs/{id} 404',
          `GET ${CALENDARS}/{holiday_calendar_id} 404`,
          `GET ${CALENDARS}/{holiday_calendar_id}/holiday 404`,
          `DELETE ${CALENDARS}/{holiday_calendar_id} 409`,
        ]),
      );
    });

    it('names, in each row, an operation of the spec file that does not declare that status', () => {
      for (const row of documentedStatuses()) {
        const spec = loadSpec(row.file);
        const found = findOperation(spec, row.method, row.path);
        expect(found, `${row.file}: ${row.method} ${row.path}`).toBeDefined();
        expect([found!.template, found!.fullTemplate]).toContain(row.path);
        const declared = Object.keys(found!.operation.responses ?? {});
        expect(declared, `${row.method} ${row.path} declares ${row.status}: the row is not needed`).not.toContain(String(row.status));
        // Listed, the status passes the harness with an error body, and only with one.
        const res = { method: row.method, path: row.path, status: row.status };
        expect(checkResponse(spec, { ...res, body: { code: 'X', message: 'y' } })).toEqual([]);
        expect(checkResponse(spec, { ...res, body: { id: 1 } })).toHaveLength(1);
      }
    });
  });
});
