// Holiday calendars: create with holidays (working dates computed), list, get, update, delete,
// add/rename/delete holidays, parent calendars, events, and another org's calendars.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { waitFor } from './programs-fixtures.js';

let app: TestApp;
let h: Record<string, string>;
const BASE = '/holidays-core/v1/holiday-calendar';

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = h) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const fields = (res: { json(): { details?: { field: string }[] } }) => (res.json().details ?? []).map((d) => d.field);

beforeAll(async () => {
  ({ app, headers: h } = await setupTenant({ env: NO_RATE_LIMITS }));
});
afterAll(async () => app?.close());

describe('holiday calendars', () => {
  it('creates a calendar with holidays and the next working day of each', async () => {
    const res = await call('POST', BASE, {
      name: 'Brazil',
      type: 'Country',
      external_id: 'br',
      metadata: { region: 'national' },
      holidays: [
        { name: 'Christmas', holiday_date: '2026-12-25' }, // a Friday
        { name: 'New Year', holiday_date: '2027-01-01', description: 'Confraternização' },
        { name: 'Eve', holiday_date: '2026-12-31' },
      ],
    });
    expect(res.statusCode).toBe(201);
    const cal = res.json();
    expect(cal).toMatchObject({ name: 'Brazil', type: 'Country', external_id: 'br', working_days: [1, 2, 3, 4, 5], metadata: { region: 'national' } });
    expect(cal.holidays.map((x: { holiday_date: string; working_date: string }) => [x.holiday_date, x.working_date])).toEqual([
      ['2026-12-25', '2026-12-28'],
      ['2027-01-01', '2027-01-04'],
      ['2026-12-31', '2027-01-04'],
    ]);
  });

  it('refuses bad input naming the fields, a repeated name (409 EHLD0027) and an unknown parent (404 EHLD0052)', async () => {
    const bad = await call('POST', BASE, { name: '', type: 'x'.repeat(16), working_days: [0, 7], holidays: [{ name: 'X', holiday_date: '25/12/2026' }] });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(
      expect.arrayContaining(['body.name', 'body.type', 'body.working_days[0]', 'body.working_days[1]', 'body.holidays[0].holiday_date']),
    );
    const twice = await call('POST', BASE, { name: 'Twice', type: 'City', holidays: [{ name: 'A', holiday_date: '2026-01-01' }, { name: 'B', holiday_date: '2026-01-01' }] });
    expect(fields(twice)).toEqual(['body.holidays[1].holiday_date']);
    const dup = await call('POST', BASE, { name: 'Brazil', type: 'Country' });
    expectError(dup, 409, 'EHLD0027');
    const orphan = await call('POST', BASE, { name: 'Orphan', type: 'City', parent_id: 999999 });
    expectError(orphan, 404, 'EHLD0052');
    const { 'x-tenant': _t, ...noTenant } = h;
    const missing = await call('GET', BASE, undefined, noTenant);
    expect(missing.json()).toMatchObject({ code: 'EHLD0016' });
  });

  it('lists with filters, relations and pages; gets by id and external id', async () => {
    const br = (await call('GET', `${BASE}/external-id/br`)).json();
    const sp = (await call('POST', BASE, { name: 'Sao Paulo', type: 'State', parent_external_id: 'br', working_days: [1, 2, 3, 4, 5, 6] })).json();
    expect(sp.parent_id).toBe(br.holiday_calendar_id);
    const campinas = (await call('POST', BASE, { name: 'Campinas', type: 'City', parent_id: sp.holiday_calendar_id })).json();
    const all = (await call('GET', `${BASE}?perPage=2`)).json();
    expect(all).toMatchObject({ current_page: 1, per_page: 2, pages: 2, total_items: 3 });
    expect(all.items.map((c: { name: string }) => c.name)).toEqual(['Brazil', 'Campinas']);
    const byType = (await call('GET', `${BASE}?type=City`)).json();
    expect(byType.items.map((c: { name: string }) => c.name)).toEqual(['Campinas']);
    const parents = (await call('GET', `${BASE}?relation=parents&holiday_calendar_id=${campinas.holiday_calendar_id}`)).json();
    expect(parents.items.map((c: { name: string }) => c.name).sort()).toEqual(['Brazil', 'Sao Paulo']);
    const children = (await call('GET', `${BASE}?relation=children&external_id=br`)).json();
    expect(children.items.map((c: { name: string }) => c.name)).toEqual(['Sao Paulo']);
    expect((await call('GET', `${BASE}/${campinas.holiday_calendar_id}`)).json()).toMatchObject({ name: 'Campinas', parent_id: sp.holiday_calendar_id });
    // A child inherits its parents' holidays.
    const inherited = (await call('GET', `${BASE}/${campinas.holiday_calendar_id}/holiday?include_parent_holidays=true`)).json();
    expect(inherited.total_items).toBe(3);
    expect((await call('GET', `${BASE}/${campinas.holiday_calendar_id}/holiday`)).json().total_items).toBe(0);
    // A parent cannot become its own descendant's child.
    const loop = await call('PATCH', `${BASE}/${br.holiday_calendar_id}`, { parent_id: campinas.holiday_calendar_id });
    expect(loop.statusCode).toBe(400);
    expect(fields(loop)).toEqual(['body.parent_id']);
    // A calendar with children cannot be deleted.
    expect((await call('DELETE', `${BASE}/${sp.holiday_calendar_id}`)).statusCode).toBe(409);
  });

  it('updates a calendar (204) and emits Holiday calendar updated', async () => {
    const cal = (await call('POST', BASE, { name: 'Editable', type: 'City' })).json();
    const res = await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, { name: 'Edited', working_days: [1, 2, 3], metadata: { a: 1 } });
    expect(res.statusCode).toBe(204);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}`)).json()).toMatchObject({ name: 'Edited', working_days: [1, 2, 3], metadata: { a: 1 } });
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, { name: 'Brazil' })).statusCode).toBe(409);
    expect((await call('PATCH', `${BASE}/999999`, { name: 'x' })).statusCode).toBe(404);
    const events = (await call('GET', '/lastro/v1/events?domain=holidays&event_type=holiday-calendar-updated&limit=1000')).json().items;
    expect(events.some((e: { data: { holiday_calendar_id: number; changed_fields?: string[] } }) => e.data.holiday_calendar_id === cal.holiday_calendar_id && e.data.changed_fields?.includes('name'))).toBe(true);
  });

  it('a PATCH that changes nothing (days in another order, keys in another order) writes no event', async () => {
    const cal = (await call('POST', BASE, { name: 'Steady', type: 'City', parent_external_id: 'br', metadata: { b: 1, a: { y: 2, x: 1 } } })).json();
    const eventsOf = async () =>
      (await call('GET', '/lastro/v1/events?domain=holidays&event_type=holiday-calendar-updated&limit=1000'))
        .json()
        .items.filter((e: { data: { holiday_calendar_id: number } }) => e.data.holiday_calendar_id === cal.holiday_calendar_id);
    const same = await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, {
      name: 'Steady',
      working_days: [5, 4, 3, 2, 1],
      metadata: { a: { x: 1, y: 2 }, b: 1 },
      parent_id: cal.parent_id,
    });
    expect(same.statusCode).toBe(204);
    expect(await eventsOf()).toEqual([]);
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, { working_days: [6, 1] })).statusCode).toBe(204);
    const changed = await eventsOf();
    expect(changed.map((e: { data: { changed_fields: string[] } }) => e.data.changed_fields)).toEqual([['working_days']]);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}`)).json().working_days).toEqual([1, 6]);
  });

  it('adds, lists, renames and deletes holidays', async () => {
    const cal = (await call('POST', BASE, { name: 'Holidays', type: 'City', external_id: 'hol' })).json();
    const added = await call('POST', `${BASE}/holiday`, { external_id: 'hol', holiday_date: '2026-11-20', name: 'Consciência Negra', metadata: { defer_transactions: true } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ holiday_calendar_id: cal.holiday_calendar_id, working_date: '2026-11-23', metadata: { defer_transactions: true } });
    const again = await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, holiday_date: '2026-11-20', name: 'Twice' });
    expect(again.statusCode).toBe(409);
    expect((await call('POST', `${BASE}/holiday`, { holiday_date: '2026-11-21', name: 'Nowhere' })).json().code).toBe('EHLD0050');
    expect((await call('POST', `${BASE}/holiday`, { holiday_calendar_id: 999999, holiday_date: '2026-11-21', name: 'Nowhere' })).statusCode).toBe(404);
    await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, holiday_date: '2026-04-21', name: 'Tiradentes' });
    const list = (await call('GET', `${BASE}/${cal.holiday_calendar_id}/holiday?orderBy=NAME`)).json();
    expect(list.items.map((x: { name: string }) => x.name)).toEqual(['Consciência Negra', 'Tiradentes']);
    expect(list.items[0].holiday_calendar).toEqual({ id: cal.holiday_calendar_id, name: 'Holidays' });
    const ranged = (await call('GET', `${BASE}/${cal.holiday_calendar_id}/holiday?beginDate=2026-05-01&endDate=2026-12-31`)).json();
    expect(ranged.items.map((x: { name: string }) => x.name)).toEqual(['Consciência Negra']);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}/holiday?beginDate=2026-05-01&endDate=2026-01-01`)).statusCode).toBe(400);
    const id = added.json().holiday_id;
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}/holiday/${id}`, { name: 'Zumbi' })).statusCode).toBe(204);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}/holiday?name=Zumbi`)).json().total_items).toBe(1);
    expect((await call('DELETE', `${BASE}/${cal.holiday_calendar_id}/holiday/${id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `${BASE}/${cal.holiday_calendar_id}/holiday/${id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `${BASE}/${cal.holiday_calendar_id}`)).statusCode).toBe(204);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}`)).statusCode).toBe(404);
    const types = (await call('GET', '/lastro/v1/events?domain=holidays&limit=1000')).json().items.map((e: { event_type: string }) => e.event_type);
    expect(types).toEqual(expect.arrayContaining(['holiday-calendar-created', 'holiday-calendar-updated', 'holiday-calendar-deleted']));
  });

  it("another org sees none of the first org's calendars and cannot change them", async () => {
    const cal = (await call('POST', BASE, { name: 'Secret', type: 'City', external_id: 'secret' })).json();
    const other = await createOrg(app);
    const oh = bearer(await tokenFor(app, other), other.orgId);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}`, undefined, oh)).statusCode).toBe(404);
    expect((await call('GET', `${BASE}/external-id/secret`, undefined, oh)).statusCode).toBe(404);
    expect((await call('GET', BASE, undefined, oh)).json().total_items).toBe(0);
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, { name: 'Mine' }, oh)).statusCode).toBe(404);
    expect((await call('DELETE', `${BASE}/${cal.holiday_calendar_id}`, undefined, oh)).statusCode).toBe(404);
    expect((await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, holiday_date: '2026-01-01', name: 'x' }, oh)).statusCode).toBe(404);
    // The same name is free in another org.
    expect((await call('POST', BASE, { name: 'Secret', type: 'City', external_id: 'secret' }, oh)).statusCode).toBe(201);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}`)).json().name).toBe('Secret');
  });

  it("an org's holiday_calendar_id must name one of its calendars, which then cannot be deleted", async () => {
    const cal = (await call('POST', BASE, { name: 'Org default', type: 'Country' })).json();
    const unknown = await call('PATCH', '/orgs-core/v1/orgs', { holiday_calendar_id: 987654321 });
    expect(unknown.statusCode).toBe(400);
    expect(fields(unknown)).toEqual(['body.holiday_calendar_id']);
    const other = await createOrg(app);
    const otherCal = (await call('POST', BASE, { name: 'Theirs', type: 'Country' }, bearer(await tokenFor(app, other), other.orgId))).json();
    expect((await call('PATCH', '/orgs-core/v1/orgs', { holiday_calendar_id: otherCal.holiday_calendar_id })).statusCode).toBe(400);
    const ok = await call('PATCH', '/orgs-core/v1/orgs', { holiday_calendar_id: cal.holiday_calendar_id });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().holiday_calendar_id).toBe(cal.holiday_calendar_id);
    const del = await call('DELETE', `${BASE}/${cal.holiday_calendar_id}`);
    expectError(del, 409, 'HOLIDAY_CALENDAR_IN_USE');
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}`)).statusCode).toBe(200);
    // A new org has no calendars: the operator cannot set one at creation.
    await expect(createOrg(app, { holiday_calendar_id: cal.holiday_calendar_id })).rejects.toThrow(/body.holiday_calendar_id/);
  });
});

// Pismo's Holidays spec accepts these bodies; Lastro accepts them too (see compatibility.md,
// "Requests: what Pismo's spec accepts, Lastro accepts").
describe('what the Holidays spec accepts', () => {
  const count = async () => (await call('GET', `${BASE}?perPage=100`)).json().total_items as number;

  it('a parent named by parent_id and parent_external_id: one calendar is accepted, two are 400 naming both, none is 404', async () => {
    const country = (await call('POST', BASE, { name: 'Both refs country', type: 'Country', external_id: 'both-country' })).json();
    const other = (await call('POST', BASE, { name: 'Both refs other', type: 'Country', external_id: 'both-other' })).json();
    const same = await call('POST', BASE, { name: 'Both refs state', type: 'State', parent_id: country.holiday_calendar_id, parent_external_id: 'both-country' });
    expect(same.statusCode, same.body).toBe(201);
    expect(same.json()).toMatchObject({ parent_id: country.holiday_calendar_id, parent_external_id: 'both-country' });

    const before = await count();
    const differ = await call('POST', BASE, { name: 'Both refs differ', type: 'State', parent_id: country.holiday_calendar_id, parent_external_id: 'both-other' });
    expectError(differ, 400, 'VALIDATION_ERROR');
    expect(fields(differ)).toEqual(['body.parent_id', 'body.parent_external_id']);
    expect(differ.json().details[0].reason).toContain(`names holiday calendar ${country.holiday_calendar_id}, but parent_external_id "both-other" names calendar ${other.holiday_calendar_id}`);
    const noId = await call('POST', BASE, { name: 'Both refs no id', type: 'State', parent_id: 987654321, parent_external_id: 'both-country' });
    expect(expectError(noId, 404, 'EHLD0052').message).toContain('parent_id');
    const noExternal = await call('POST', BASE, { name: 'Both refs no ext', type: 'State', parent_id: country.holiday_calendar_id, parent_external_id: 'nowhere' });
    expect(expectError(noExternal, 404, 'EHLD0052').message).toContain('parent_external_id');
    expect(await count()).toBe(before);
  });

  it('a holiday whose calendar is named by holiday_calendar_id and external_id: the same rules', async () => {
    const cal = (await call('POST', BASE, { name: 'Holiday refs', type: 'City', external_id: 'holiday-refs' })).json();
    const other = (await call('POST', BASE, { name: 'Holiday refs other', type: 'City', external_id: 'holiday-refs-other' })).json();
    const added = await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, external_id: 'holiday-refs', holiday_date: '2026-03-02', name: 'Both' });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ holiday_calendar_id: cal.holiday_calendar_id, external_id: 'holiday-refs' });

    const differ = await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, external_id: 'holiday-refs-other', holiday_date: '2026-03-03', name: 'Two' });
    expectError(differ, 400, 'VALIDATION_ERROR');
    expect(fields(differ)).toEqual(['body.holiday_calendar_id', 'body.external_id']);
    expect(differ.json().details[1].reason).toBe(`names holiday calendar ${other.holiday_calendar_id}, not calendar ${cal.holiday_calendar_id} that holiday_calendar_id names`);
    expectError(await call('POST', `${BASE}/holiday`, { holiday_calendar_id: 987654321, external_id: 'holiday-refs', holiday_date: '2026-03-03', name: 'X' }), 404, 'EHLD0052');
    expectError(await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, external_id: 'nowhere', holiday_date: '2026-03-03', name: 'X' }), 404, 'EHLD0052');
    // Pismo's HolidayCalendarID2 has no minimum: 0 is an id no calendar has.
    expectError(await call('POST', `${BASE}/holiday`, { holiday_calendar_id: 0, holiday_date: '2026-03-03', name: 'X' }), 404, 'EHLD0052');
    expectError(await call('POST', `${BASE}/holiday`, { holiday_date: '2026-03-03', name: 'X' }), 400, 'EHLD0050');
    const listed = (await call('GET', `${BASE}/${cal.holiday_calendar_id}/holiday`)).json();
    expect(listed.items.map((x: { name: string }) => x.name)).toEqual(['Both']);
    expect((await call('GET', `${BASE}/${other.holiday_calendar_id}/holiday`)).json().total_items).toBe(0);
  });

  it('empty PATCH bodies change nothing (204, no event); a repeated working day counts once; a list filter of id 0 is empty', async () => {
    const cal = (await call('POST', BASE, { name: 'Repeats', type: 'City', working_days: [1, 1, 2, 2, 3] })).json();
    expect(cal.working_days).toEqual([1, 2, 3]);
    const h1 = (await call('POST', `${BASE}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, holiday_date: '2026-05-01', name: 'Labour' })).json();
    const eventsOf = async () =>
      (await call('GET', '/lastro/v1/events?domain=holidays&event_type=holiday-calendar-updated&limit=1000'))
        .json()
        .items.filter((e: { data: { holiday_calendar_id: number } }) => e.data.holiday_calendar_id === cal.holiday_calendar_id);
    // Events are readable once every older transaction on the server has ended: wait for the
    // holiday's before counting, so a late one is not taken for an event of the empty PATCHes.
    const updates = (
      await waitFor(async () => {
        const seen = await eventsOf();
        return seen.some((e: { data: { change?: string } }) => e.data.change === 'HOLIDAY_ADDED') ? seen : undefined;
      })
    ).length;
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, {})).statusCode).toBe(204);
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}`, { working_days: [3, 2, 1, 1] })).statusCode).toBe(204);
    expect((await call('PATCH', `${BASE}/${cal.holiday_calendar_id}/holiday/${h1.holiday_id}`, {})).statusCode).toBe(204);
    expect(await eventsOf()).toHaveLength(updates);
    expect((await call('GET', `${BASE}/${cal.holiday_calendar_id}/holiday`)).json().items[0].name).toBe('Labour');
    expectError(await call('PATCH', `${BASE}/987654321`, {}), 404, 'EHLD0052');
    expectError(await call('PATCH', `${BASE}/${cal.holiday_calendar_id}/holiday/987654321`, {}), 404, 'EHLD0034');
    const none = await call('GET', `${BASE}?holiday_calendar_id=0`);
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json().items).toEqual([]);
  });
});
