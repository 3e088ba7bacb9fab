// Contract tests: every Pismo operation of the programs module (Programs and holiday calendars),
// real requests and responses, success and documented errors, checked against Pismo's spec files.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { setupTenant } from '../helpers/fixture.js';
import { bodies, waitFor } from '../integration/programs-fixtures.js';
import { describeContract, expectConforms, type RequestSample } from './pismo-spec.js';

const PROGRAMS = 'Platform_setup_-_Programs.yaml';
const HOLIDAYS = 'Platform_setup_-_Holidays.yaml';

let app: TestApp;
let h: Record<string, string>;

async function exchange(spec: string, req: RequestSample, expected: number, opts: { request?: boolean } = {}) {
  const query = req.query ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
  const res = await app.http.inject({
    method: req.method as 'GET',
    url: req.path + query,
    headers: { ...h, ...(req.headers as Record<string, string>) },
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
  expect(res.statusCode, res.body).toBe(expected);
  expectConforms(spec, { request: { ...req, headers: { ...h, ...req.headers } }, response: res }, opts);
  return res;
}

const credit = { ...bodies.CREDITO, name: 'Contract credit', language: 'en-US', cycle_closing: '23:59:59' };

describeContract('Pismo contract: Programs and holiday calendars', () => {
  let programId: number;
  let calendarId: number;

  beforeAll(async () => {
    ({ app, headers: h } = await setupTenant({ start: true }));
  });
  afterAll(async () => app?.close());

  it('POST /programs/v1/programs/template: 200, and the documented 400s', async () => {
    programId = (await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/template', body: credit }, 200)).json().id;
    const { 'x-tenant': _t, ...noTenant } = h;
    const res = await app.http.inject({ method: 'POST', url: '/programs/v1/programs/template', headers: noTenant, payload: credit });
    expect(res.json().code).toBe('EOA0017');
    expectConforms(PROGRAMS, { request: { method: 'POST', path: '/programs/v1/programs/template', headers: noTenant, body: credit }, response: res });
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/template', body: { ...credit, timezone: 'Nowhere' } }, 400);
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/template', body: { ...credit, due_dates: undefined } }, 400);
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/template', body: { ...credit, type: 'MERCHANT' } }, 400);
  });

  it('POST /programs/v2/programs/template: 201 with program_import_id; GET the import by id and by program', async () => {
    const res = await exchange(PROGRAMS, { method: 'POST', path: '/programs/v2/programs/template', body: { ...credit, name: 'Contract async' } }, 201);
    const importId = res.json().program_import_id;
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v2/programs/template', body: { ...credit, country_code: 'XX' } }, 400);
    const done = await waitFor<{ program_id: number }>(async () => {
      const r = await app.http.inject({ method: 'GET', url: `/programs/v1/programs/import/${importId}`, headers: h });
      return r.json().status === 'SUCCESS' ? r.json() : undefined;
    });
    await exchange(PROGRAMS, { method: 'GET', path: `/programs/v1/programs/import/${importId}` }, 200);
    await exchange(PROGRAMS, { method: 'GET', path: `/programs/v1/programs/import/program/${done.program_id}` }, 200);
    await exchange(PROGRAMS, { method: 'GET', path: '/programs/v1/programs/import/99999999' }, 404);
    await exchange(PROGRAMS, { method: 'GET', path: `/programs/v1/programs/import/program/${programId}` }, 404);
  });

  it('POST /programs/v1/programs/copy and /programs/v2/programs/copy', async () => {
    const copy = { base_program_id: programId, name: 'Contract copy', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' };
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/copy', body: copy }, 200);
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v1/programs/copy', body: { ...copy, base_program_id: 99999999 } }, 404);
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v2/programs/copy', body: { ...copy, name: 'Contract copy 2' } }, 201);
    await exchange(PROGRAMS, { method: 'POST', path: '/programs/v2/programs/copy', body: { ...copy, timezone: 'Nowhere' } }, 400);
  });

  it('GET /programs/v1/programs, /programs/v1/programs/{id}, /programs/v2/programs/{id}', async () => {
    await exchange(PROGRAMS, { method: 'GET', path: '/programs/v1/programs', query: { page: '1', perPage: '2', order: 'DESC', orderBy: 'NAME' } }, 200);
    await exchange(PROGRAMS, { method: 'GET', path: '/programs/v1/programs', query: { perPage: '0' } }, 400, { request: false });
    await exchange(PROGRAMS, { method: 'GET', path: `/programs/v1/programs/${programId}` }, 200);
    await exchange(PROGRAMS, { method: 'GET', path: `/programs/v2/programs/${programId}` }, 200);
  });

  it('PATCH /programs/v1/programs/{id}: 204, 400, 404', async () => {
    await exchange(PROGRAMS, { method: 'PATCH', path: `/programs/v1/programs/${programId}`, body: { name: 'Renamed', due_dates: [{ day: 3, active: true }] } }, 204);
    await exchange(PROGRAMS, { method: 'PATCH', path: `/programs/v1/programs/${programId}`, body: { brand: 'ELO' } }, 400);
    await exchange(PROGRAMS, { method: 'PATCH', path: '/programs/v1/programs/99999999', body: { name: 'x' } }, 404);
  });

  it('holiday calendars: create, list, get, get by external id, update, delete', async () => {
    const created = await exchange(
      HOLIDAYS,
      {
        method: 'POST',
        path: '/holidays-core/v1/holiday-calendar',
        body: { name: 'Brazil', type: 'Country', external_id: 'br', holidays: [{ name: 'Christmas', holiday_date: '2026-12-25' }], working_days: [1, 2, 3, 4, 5] },
      },
      201,
    );
    calendarId = created.json().holiday_calendar_id;
    await exchange(HOLIDAYS, { method: 'POST', path: '/holidays-core/v1/holiday-calendar', body: { name: 'Brazil', type: 'Country' } }, 409);
    await exchange(HOLIDAYS, { method: 'POST', path: '/holidays-core/v1/holiday-calendar', body: { name: 'Orphan', type: 'City', parent_id: 99999999 } }, 404);
    await exchange(HOLIDAYS, { method: 'POST', path: '/holidays-core/v1/holiday-calendar', body: { name: 'Bad', type: 'City', holidays: [{ name: 'X', holiday_date: 'x' }] } }, 400);
    await exchange(HOLIDAYS, { method: 'GET', path: '/holidays-core/v1/holiday-calendar', query: { sort_by: 'type', page: '1', perPage: '10' } }, 200);
    await exchange(HOLIDAYS, { method: 'GET', path: `/holidays-core/v1/holiday-calendar/${calendarId}` }, 200);
    await exchange(HOLIDAYS, { method: 'GET', path: '/holidays-core/v1/holiday-calendar/external-id/br' }, 200);
    await exchange(HOLIDAYS, { method: 'PATCH', path: `/holidays-core/v1/holiday-calendar/${calendarId}`, body: { type: 'Nation' } }, 204);
    await exchange(HOLIDAYS, { method: 'PATCH', path: '/holidays-core/v1/holiday-calendar/99999999', body: { type: 'Nation' } }, 404);
    const spare = (await exchange(HOLIDAYS, { method: 'POST', path: '/holidays-core/v1/holiday-calendar', body: { name: 'Spare', type: 'City' } }, 201)).json();
    await exchange(HOLIDAYS, { method: 'DELETE', path: `/holidays-core/v1/holiday-calendar/${spare.holiday_calendar_id}` }, 204);
  });

  it('holidays: add, list, update, delete', async () => {
    const added = await exchange(
      HOLIDAYS,
      { method: 'POST', path: '/holidays-core/v1/holiday-calendar/holiday', body: { holiday_calendar_id: calendarId, holiday_date: '2027-01-01', name: 'New Year' } },
      201,
    );
    await exchange(
      HOLIDAYS,
      { method: 'POST', path: '/holidays-core/v1/holiday-calendar/holiday', body: { external_id: 'br', holiday_date: '2027-01-01', name: 'Again' } },
      409,
    );
    await exchange(
      HOLIDAYS,
      { method: 'POST', path: '/holidays-core/v1/holiday-calendar/holiday', body: { holiday_calendar_id: 99999999, holiday_date: '2027-01-02', name: 'Nowhere' } },
      404,
    );
    await exchange(HOLIDAYS, { method: 'GET', path: `/holidays-core/v1/holiday-calendar/${calendarId}/holiday`, query: { beginDate: '2026-01-01', order: 'DESC' } }, 200);
    const id = added.json().holiday_id;
    await exchange(HOLIDAYS, { method: 'PATCH', path: `/holidays-core/v1/holiday-calendar/${calendarId}/holiday/${id}`, body: { name: 'Ano Novo' } }, 204);
    await exchange(HOLIDAYS, { method: 'PATCH', path: `/holidays-core/v1/holiday-calendar/${calendarId}/holiday/99999999`, body: { name: 'x' } }, 404);
    await exchange(HOLIDAYS, { method: 'DELETE', path: `/holidays-core/v1/holiday-calendar/${calendarId}/holiday/${id}` }, 204);
  });
});
