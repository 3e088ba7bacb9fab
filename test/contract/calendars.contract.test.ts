// Contract tests of the Holidays API's business-day operations (Get business day, Get
// non-business days): real requests and responses, success and each documented error, checked
// against Pismo's Platform_setup_-_Holidays.yaml. The calendar and holiday operations are in
// programs.contract.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor } from '../helpers/auth.js';
import { describeContract, expectConforms, type RequestSample } from './pismo-spec.js';

const HOLIDAYS = 'Platform_setup_-_Holidays.yaml';
const BASE = '/holidays-core/v1/holiday-calendar';

let app: TestApp;
let h: Record<string, string>;

async function exchange(req: RequestSample, expected: number, opts: { request?: boolean; headers?: Record<string, string> } = {}) {
  const headers = opts.headers ?? h;
  const query = req.query ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
  const res = await app.http.inject({
    method: req.method as 'GET',
    url: req.path + query,
    headers,
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
  expect(res.statusCode, res.body).toBe(expected);
  expectConforms(HOLIDAYS, { request: { ...req, headers }, response: res }, { request: opts.request ?? true });
  return res;
}

describeContract('Pismo contract: business days of holiday calendars', () => {
  let calendarId: number;
  let noTenant: Record<string, string>;

  beforeAll(async () => {
    app = await testApp({ start: true });
    const org = await createOrg(app);
    h = bearer(await tokenFor(app, org), org.orgId);
    noTenant = Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'x-tenant'));
    const created = await app.http.inject({
      method: 'POST',
      url: BASE,
      headers: h,
      payload: {
        name: 'Contract business days',
        type: 'Country',
        metadata: { region: 'national' },
        holidays: [
          // Pismo's NonBusinessDay declares each holiday_metadata value an object.
          { name: 'Christmas', holiday_date: '2026-12-25', description: 'Natal', metadata: { posting: { defer_transactions: true } } },
          { name: 'New Year', holiday_date: '2027-01-01' },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    calendarId = created.json().holiday_calendar_id;
  });
  afterAll(async () => app?.close());

  it('POST …/{holiday_calendar_id}/business-day: 200 for a holiday, a weekend and a business day', async () => {
    const path = `${BASE}/${calendarId}/business-day`;
    const holiday = await exchange({ method: 'POST', path, body: { current_date: '2026-12-25' } }, 200);
    expect(holiday.json()).toMatchObject({ is_holiday: true, name: 'Christmas', next_business_date: '2026-12-28', prior_business_date: '2026-12-24' });
    expect((await exchange({ method: 'POST', path, body: { current_date: '2026-12-26' } }, 200)).json().is_weekend).toBe(true);
    expect((await exchange({ method: 'POST', path, body: { current_date: '2026-11-24' } }, 200)).json().is_holiday).toBe(false);
  });

  it('POST …/business-day: the documented 400s (x-tenant, calendar id, date format, current_date) and 404', async () => {
    const path = `${BASE}/${calendarId}/business-day`;
    const tenant = await exchange({ method: 'POST', path, body: { current_date: '2026-12-25' } }, 400, { headers: noTenant });
    expect(tenant.json().code).toBe('EHLD0016');
    await exchange({ method: 'POST', path: `${BASE}/not-an-id/business-day`, body: { current_date: '2026-12-25' } }, 400);
    await exchange({ method: 'POST', path, body: { current_date: '25/12/2026' } }, 400, { request: false });
    await exchange({ method: 'POST', path, body: {} }, 400, { request: false });
    const missing = await exchange({ method: 'POST', path: `${BASE}/99999999/business-day`, body: { current_date: '2026-12-25' } }, 404);
    expect(missing.json().code).toBe('EHLD0052');
  });

  it('GET …/{holiday_calendar_id}/non-business-days: 200 with a range and with the defaults', async () => {
    const path = `${BASE}/${calendarId}/non-business-days`;
    const range = await exchange({ method: 'GET', path, query: { beginDate: '2026-12-20', endDate: '2027-01-03' } }, 200);
    expect(range.json().dates.filter((d: { is_holiday: boolean }) => d.is_holiday)).toHaveLength(2);
    await exchange({ method: 'GET', path }, 200);
  });

  it('GET …/non-business-days: the documented 400s (x-tenant, parameters) and 404', async () => {
    const path = `${BASE}/${calendarId}/non-business-days`;
    const tenant = await exchange({ method: 'GET', path }, 400, { headers: noTenant });
    expect(tenant.json().code).toBe('EHLD0016');
    await exchange({ method: 'GET', path: `${BASE}/not-an-id/non-business-days` }, 400);
    await exchange({ method: 'GET', path, query: { beginDate: '2026-12-32' } }, 400);
    await exchange({ method: 'GET', path, query: { beginDate: '2027-01-03', endDate: '2026-12-20' } }, 400);
    const missing = await exchange({ method: 'GET', path: `${BASE}/99999999/non-business-days` }, 404);
    expect(missing.json().code).toBe('EHLD0052');
  });
});
