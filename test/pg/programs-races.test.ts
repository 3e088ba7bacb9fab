// Concurrent requests on holiday calendars and programs, on PostgreSQL (PGlite has one connection,
// so its transactions never overlap). A race ends in the answer the same requests get one after
// the other — 409, 404 or 400 — never in a 500 or in data the rules forbid.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { bodies } from '../integration/programs-fixtures.js';

let app: TestApp;
let h: Record<string, string>;
const CAL = '/holidays-core/v1/holiday-calendar';
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.http.inject({ method, url, headers: h, ...(payload === undefined ? {} : { payload: payload as object }) });
const statuses = (rs: { statusCode: number }[]) => rs.map((r) => r.statusCode).sort();
const newCalendar = async (name: string, extra: Record<string, unknown> = {}) => {
  const res = await call('POST', CAL, { name, type: 'Country', ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().holiday_calendar_id as number;
};

beforeAll(async () => {
  ({ app, headers: h } = await setupTenant({ env: NO_RATE_LIMITS }));
});
afterAll(async () => app?.close());

it('calendars created at once with one name or external_id: one 201, the others 409 EHLD0027', async () => {
  for (const [i, body] of [{ name: 'Same name' }, { name: '', external_id: 'same-ext' }].entries()) {
    const rs = await Promise.all([0, 1, 2, 3].map((n) => call('POST', CAL, { type: 'Country', ...body, name: body.name || `Ext ${i}-${n}` })));
    expect(statuses(rs)).toEqual([201, 409, 409, 409]);
    for (const r of rs.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('EHLD0027');
  }
});

it('the same holiday added at once: one 201, the others 409 EHLD0027', async () => {
  const id = await newCalendar('Concurrent holidays');
  const rs = await Promise.all(
    [0, 1, 2, 3].map(() => call('POST', `${CAL}/holiday`, { holiday_calendar_id: id, holiday_date: '2026-05-01', name: 'Labour' })),
  );
  expect(statuses(rs)).toEqual([201, 409, 409, 409]);
  for (const r of rs.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('EHLD0027');
});

it('two calendars renamed at once to one name: one 204, one 409', async () => {
  for (let i = 0; i < 5; i++) {
    const a = await newCalendar(`Rename A${i}`);
    const b = await newCalendar(`Rename B${i}`);
    const rs = await Promise.all([a, b].map((id) => call('PATCH', `${CAL}/${id}`, { name: `Renamed ${i}`, external_id: `renamed-${i}` })));
    expect(statuses(rs)).toEqual([204, 409]);
  }
});

it('two calendars made each other’s parent at once: one of them wins, never a loop', async () => {
  for (let i = 0; i < 8; i++) {
    const a = await newCalendar(`Loop A${i}`);
    const b = await newCalendar(`Loop B${i}`);
    const rs = await Promise.all([call('PATCH', `${CAL}/${a}`, { parent_id: b }), call('PATCH', `${CAL}/${b}`, { parent_id: a })]);
    expect(statuses(rs)).toEqual([204, 400]);
    const parents = [(await call('GET', `${CAL}/${a}`)).json().parent_id, (await call('GET', `${CAL}/${b}`)).json().parent_id];
    expect(parents.filter((p) => p !== undefined)).toHaveLength(1);
  }
});

it('a calendar deleted while a program is created with it: either the program (and a 409) or the delete (and a 400)', async () => {
  for (let i = 0; i < 10; i++) {
    const id = await newCalendar(`Contested ${i}`);
    const [created, deleted] = await Promise.all([
      call('POST', '/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: `Contested ${i}`, holiday_calendar_id: String(id) }),
      call('DELETE', `${CAL}/${id}`),
    ]);
    const outcome = `${created.statusCode}/${deleted.statusCode}`;
    expect(['200/409', '400/204'], `${outcome} ${created.body} ${deleted.body}`).toContain(outcome);
    if (deleted.statusCode === 409) expect(deleted.json().code).toBe('HOLIDAY_CALENDAR_IN_USE');
    if (created.statusCode === 400) expect(created.json().details).toEqual([{ field: 'body.holiday_calendar_id', reason: expect.any(String) }]);
  }
});

it('a child calendar created while its parent is deleted: either the child (and a 409) or the delete (and a 404)', async () => {
  for (let i = 0; i < 6; i++) {
    const id = await newCalendar(`Parent ${i}`);
    const [child, deleted] = await Promise.all([call('POST', CAL, { name: `Child ${i}`, type: 'City', parent_id: id }), call('DELETE', `${CAL}/${id}`)]);
    expect(['201/409', '404/204']).toContain(`${child.statusCode}/${deleted.statusCode}`);
  }
});

it("a calendar deleted while the org names it: either the org's calendar (and a 409) or the delete (and a 400)", async () => {
  for (let i = 0; i < 8; i++) {
    const id = await newCalendar(`Org contested ${i}`);
    const [named, deleted] = await Promise.all([call('PATCH', '/orgs-core/v1/orgs', { holiday_calendar_id: id }), call('DELETE', `${CAL}/${id}`)]);
    const outcome = `${named.statusCode}/${deleted.statusCode}`;
    expect(['200/409', '400/204'], `${outcome} ${named.body} ${deleted.body}`).toContain(outcome);
    if (deleted.statusCode === 409) expect(deleted.json().code).toBe('HOLIDAY_CALENDAR_IN_USE');
    // Free the calendar for the next round's org PATCH to be a change.
    if (named.statusCode === 200) expect((await call('PATCH', '/orgs-core/v1/orgs', { holiday_calendar_id: null })).statusCode).toBe(200);
  }
});
