// Business days: the Holidays API's business-day search and non-business days over HTTP, and the
// calendars module's exports (isBusinessDay, nextBusinessDay, addBusinessDays, calendarFor) inside
// a tenant transaction, on calendars with parents, weekends and runs of holidays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBusinessDays, calendarFor, isBusinessDay, nextBusinessDay, type CalendarRef } from '../../src/modules/calendars/index.js';
import { addDays, addWorkingDays } from '../../src/modules/calendars/holidays.dates.js';
import { AppError } from '../../src/platform/errors.js';
import type { TenantTx } from '../../src/platform/tenant.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { bodies } from './programs-fixtures.js';

let app: TestApp;
let org: TestOrg;
let h: Record<string, string>;
const BASE = '/holidays-core/v1/holiday-calendar';
let br: number;
let sp: number;

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = h) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const fields = (res: { json(): { details?: { field: string }[] } }) => (res.json().details ?? []).map((d) => d.field);
const inOrg = <T>(fn: (t: TenantTx) => Promise<T>, orgId = org.orgId) => app.platform.tenant({ orgId, cid: 'test', actor: 'test' }, fn);
const businessDay = async (id: number, date: string) => {
  const res = await call('POST', `${BASE}/${id}/business-day`, { current_date: date });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

beforeAll(async () => {
  app = await testApp({ env: { LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0', LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '0' } });
  org = await createOrg(app);
  h = bearer(await tokenFor(app, org), org.orgId);
  // 2026-12-25 and 2027-01-01 are Fridays; 2026-07-09 a Thursday.
  const country = await call('POST', BASE, {
    name: 'Brazil',
    type: 'Country',
    external_id: 'br',
    metadata: { region: 'national' },
    holidays: [
      { name: 'Christmas', holiday_date: '2026-12-25', description: 'Natal', metadata: { defer_transactions: true } },
      { name: 'New Year', holiday_date: '2027-01-01' },
    ],
  });
  expect(country.statusCode, country.body).toBe(201);
  br = country.json().holiday_calendar_id;
  const state = await call('POST', BASE, {
    name: 'Sao Paulo',
    type: 'State',
    external_id: 'sp',
    parent_id: br,
    working_days: [1, 2, 3, 4, 5, 6],
    holidays: [
      { name: 'Revolution', holiday_date: '2026-07-09' },
      { name: 'Natal paulista', holiday_date: '2026-12-25', metadata: { source: { law: 'SP' } } },
    ],
  });
  expect(state.statusCode, state.body).toBe(201);
  sp = state.json().holiday_calendar_id;
});
afterAll(async () => app?.close());

describe('POST …/{holiday_calendar_id}/business-day', () => {
  it('a holiday: its name, description and metadata, the calendar metadata and the business days around it', async () => {
    expect(await businessDay(br, '2026-12-25')).toEqual({
      current_date: '2026-12-25',
      holiday_calendar_id: br,
      is_holiday: true,
      is_weekend: false,
      name: 'Christmas',
      description: 'Natal',
      holiday_metadata: { defer_transactions: true },
      holiday_calendar_metadata: { region: 'national' },
      next_business_date: '2026-12-28',
      prior_business_date: '2026-12-24',
    });
  });

  it("a child calendar inherits its parent's holidays, keeps its own working days, and its own holiday wins the name", async () => {
    const christmas = await businessDay(sp, '2026-12-25');
    expect(christmas).toMatchObject({ is_holiday: true, name: 'Natal paulista', holiday_metadata: { source: { law: 'SP' } }, next_business_date: '2026-12-26' });
    expect(christmas.holiday_calendar_metadata).toBeUndefined();
    const newYear = await businessDay(sp, '2027-01-01');
    expect(newYear).toMatchObject({ is_holiday: true, name: 'New Year', next_business_date: '2027-01-02', prior_business_date: '2026-12-31' });
    // The parent does not inherit the child's holidays.
    expect((await businessDay(br, '2026-07-09')).is_holiday).toBe(false);
  });

  it('a weekend and an ordinary day', async () => {
    expect(await businessDay(sp, '2026-12-27')).toEqual({
      current_date: '2026-12-27',
      holiday_calendar_id: sp,
      is_holiday: false,
      is_weekend: true,
      next_business_date: '2026-12-28',
      prior_business_date: '2026-12-26',
    });
    expect(await businessDay(br, '2026-11-24')).toMatchObject({ is_holiday: false, is_weekend: false, next_business_date: '2026-11-25', prior_business_date: '2026-11-23' });
    // A Saturday off in the country, worked in the state.
    expect((await businessDay(br, '2026-12-26')).is_weekend).toBe(true);
    expect((await businessDay(sp, '2026-12-26')).is_weekend).toBe(false);
  });

  it('refuses a missing or malformed date, and answers 404 for an unknown or another org\'s calendar', async () => {
    const missing = await call('POST', `${BASE}/${br}/business-day`, {});
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['body.current_date']);
    const bad = await call('POST', `${BASE}/${br}/business-day`, { current_date: '25/12/2026' });
    expect(fields(bad)).toEqual(['body.current_date']);
    expect(fields(await call('POST', `${BASE}/${br}/business-day`, { current_date: '2026-02-30' }))).toEqual(['body.current_date']);
    const unknown = await call('POST', `${BASE}/999999999/business-day`, { current_date: '2026-12-25' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('EHLD0052');
    const other = await createOrg(app);
    const oh = bearer(await tokenFor(app, other), other.orgId);
    const theirs = await call('POST', `${BASE}/${br}/business-day`, { current_date: '2026-12-25' }, oh);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('Christmas');
    const { 'x-tenant': _t, ...noTenant } = h;
    expect((await call('POST', `${BASE}/${br}/business-day`, { current_date: '2026-12-25' }, noTenant)).json().code).toBe('EHLD0016');
  });
});

describe('GET …/{holiday_calendar_id}/non-business-days', () => {
  it('lists weekends and holidays (its own and its parents\') of the range, with holiday metadata', async () => {
    const res = await call('GET', `${BASE}/${sp}/non-business-days?beginDate=2026-12-20&endDate=2027-01-03`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      dates: [
        { date: '2026-12-20', is_holiday: false, is_weekend: true },
        { date: '2026-12-25', is_holiday: true, is_weekend: false, holiday_metadata: { source: { law: 'SP' } } },
        { date: '2026-12-27', is_holiday: false, is_weekend: true },
        { date: '2027-01-01', is_holiday: true, is_weekend: false },
        { date: '2027-01-03', is_holiday: false, is_weekend: true },
      ],
    });
    const country = (await call('GET', `${BASE}/${br}/non-business-days?beginDate=2026-12-25&endDate=2026-12-26`)).json();
    expect(country).toEqual({
      dates: [
        { date: '2026-12-25', is_holiday: true, is_weekend: false, holiday_metadata: { defer_transactions: true } },
        { date: '2026-12-26', is_holiday: false, is_weekend: true },
      ],
      holiday_calendar_metadata: { region: 'national' },
    });
  });

  it('runs from the business date today to a year later, less a day, by default', async () => {
    // The test clock stands at 2026-11-23 (a Monday).
    const all = (await call('GET', `${BASE}/${br}/non-business-days`)).json().dates as { date: string }[];
    expect(all[0]!.date).toBe('2026-11-28');
    expect(all.at(-1)!.date).toBe('2027-11-21'); // the last Sunday before 2027-11-23
    expect(all.filter((d) => d.date === '2026-12-25')).toHaveLength(1);
    const fromDate = (await call('GET', `${BASE}/${br}/non-business-days?beginDate=2027-06-01`)).json().dates as { date: string }[];
    expect(fromDate.at(-1)!.date <= '2028-05-31').toBe(true);
    const toDate = (await call('GET', `${BASE}/${br}/non-business-days?endDate=2026-11-30`)).json().dates as { date: string }[];
    expect(toDate.map((d) => d.date)).toEqual(['2026-11-28', '2026-11-29']);
  });

  it('refuses ranges backwards or longer than a year, malformed dates, and unknown calendars', async () => {
    const backwards = await call('GET', `${BASE}/${br}/non-business-days?beginDate=2027-01-02&endDate=2027-01-01`);
    expect(backwards.statusCode).toBe(400);
    expect(fields(backwards)).toEqual(['query.endDate']);
    const tooLong = await call('GET', `${BASE}/${br}/non-business-days?beginDate=2024-02-29&endDate=2025-03-01`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().details[0].reason).toContain('2025-02-27');
    expect((await call('GET', `${BASE}/${br}/non-business-days?beginDate=2024-02-29&endDate=2025-02-27`)).statusCode).toBe(200);
    expect(fields(await call('GET', `${BASE}/${br}/non-business-days?beginDate=2026-13-01`))).toEqual(['query.beginDate']);
    expect(fields(await call('GET', `${BASE}/${br}/non-business-days?endDate=2026-11-01`))).toEqual(['query.endDate']);
    const unknown = await call('GET', `${BASE}/999999999/non-business-days`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('EHLD0052');
  });
});

describe('the calendars module exports', () => {
  it('isBusinessDay: by id, by reference (digits or external id), and with no calendar', async () => {
    await inOrg(async (t) => {
      expect(await isBusinessDay(t, BigInt(br), '2026-12-25')).toBe(false);
      expect(await isBusinessDay(t, 'sp', '2026-07-09')).toBe(false);
      expect(await isBusinessDay(t, String(br), '2026-07-09')).toBe(true);
      expect(await isBusinessDay(t, 'sp', '2026-12-26')).toBe(true); // a Saturday the state works
      expect(await isBusinessDay(t, null, '2026-12-25')).toBe(true); // no calendar: no holidays
      expect(await isBusinessDay(t, null, '2026-12-26')).toBe(false); // but weekends
    });
  });

  it('nextBusinessDay and addBusinessDays over parents, year ends, and backwards', async () => {
    await inOrg(async (t) => {
      expect(await nextBusinessDay(t, 'br', '2026-12-24')).toBe('2026-12-28');
      expect(await nextBusinessDay(t, 'sp', '2026-12-24')).toBe('2026-12-26');
      expect(await addBusinessDays(t, 'br', '2026-12-23', 6)).toBe('2027-01-04');
      expect(await addBusinessDays(t, 'br', '2027-01-04', -6)).toBe('2026-12-23');
      expect(await addBusinessDays(t, 'br', '2026-12-25', 0)).toBe('2026-12-25');
      expect(await addBusinessDays(t, null, '2026-11-23', 250)).toBe(addWorkingDays('2026-11-23', 250, [1, 2, 3, 4, 5], new Set()));
    });
  });

  it('sees holidays however far a run of them reaches', async () => {
    // 120 holidays in a row from 2027-03-01: far past the first window the search loads.
    const run = Array.from({ length: 120 }, (_, i) => ({ name: `Day ${i}`, holiday_date: addDays('2027-03-01', i) }));
    const res = await call('POST', BASE, { name: 'Long break', type: 'City', external_id: 'long', holidays: run });
    expect(res.statusCode, res.body).toBe(201);
    const expected = addWorkingDays('2027-02-26', 1, [1, 2, 3, 4, 5], new Set(run.map((d) => d.holiday_date)));
    expect(expected > '2027-06-28').toBe(true);
    expect(res.json().holidays[0].working_date).toBe(expected);
    await inOrg(async (t) => {
      expect(await nextBusinessDay(t, 'long', '2027-02-26')).toBe(expected);
      expect(await addBusinessDays(t, 'long', expected, -1)).toBe('2027-02-26');
    });
    expect((await businessDay(res.json().holiday_calendar_id, '2027-03-01')).next_business_date).toBe(expected);
  });

  it("calendarFor: the program's calendar, else the org's, else none", async () => {
    const create = async (body: Record<string, unknown>) => {
      const r = await call('POST', '/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], ...body });
      expect(r.statusCode, r.body).toBe(200);
      return BigInt(r.json().id);
    };
    const withCalendar = await create({ name: 'With calendar', holiday_calendar_id: 'sp' });
    const without = await create({ name: 'Without calendar' });
    await inOrg(async (t) => {
      expect(await calendarFor(t, { programId: withCalendar })).toBe(BigInt(sp));
      expect(await calendarFor(t, { programId: without })).toBeNull();
      expect(await calendarFor(t, 'org')).toBeNull();
      const ref: CalendarRef = await calendarFor(t, { programId: without });
      expect(await isBusinessDay(t, ref, '2026-12-25')).toBe(true);
    });
    expect((await call('PATCH', '/orgs-core/v1/orgs', { holiday_calendar_id: br })).statusCode).toBe(200);
    await inOrg(async (t) => {
      expect(await calendarFor(t, 'org')).toBe(BigInt(br));
      expect(await calendarFor(t, { programId: without })).toBe(BigInt(br));
      expect(await calendarFor(t, { programId: withCalendar })).toBe(BigInt(sp));
      expect(await isBusinessDay(t, await calendarFor(t, { programId: without }), '2026-12-25')).toBe(false);
    });
  });

  it("answers another org's calendars and programs as unknown", async () => {
    const other = await createOrg(app);
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => (err instanceof AppError ? err.code : String(err)));
    await inOrg(async (t) => {
      expect(await codeOf(isBusinessDay(t, BigInt(br), '2026-12-25'))).toBe('EHLD0052');
      expect(await codeOf(nextBusinessDay(t, 'br', '2026-12-25'))).toBe('EHLD0052');
      expect(await codeOf(calendarFor(t, { programId: 1n }))).toBe('EOA0020');
      expect(await calendarFor(t, 'org')).toBeNull();
    }, other.orgId);
  });
});
