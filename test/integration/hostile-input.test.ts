// Hostile input never reaches the database: each kind of value a hostile (or careless) client
// sends is refused where the request enters, with a 400 (or 414/431) in the one error body naming
// the field, and nothing is written. The API fuzz test (api-fuzz.test.ts) sends the same kinds to
// every route; this file pins each rule down with readable cases, including the errors Fastify
// and Node raise before any route runs, on a real connection.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { adminHeaders } from '../helpers/auth.js';
import { NO_RATE_LIMITS, setupTenant, type TenantFixture } from '../helpers/fixture.js';
import { changedTables, fingerprint, settleDayClosing, tenantTables, type Fingerprint } from '../isolation/fingerprint.js';

let f: TenantFixture;
let app: TestApp;
let tables: string[];
let calendarId: number;

beforeAll(async () => {
  f = await setupTenant({ start: true, env: { ...NO_RATE_LIMITS } });
  app = f.app;
  tables = await tenantTables(app);
  const cal = await send('POST', '/holidays-core/v1/holiday-calendar', JSON.stringify({ name: 'hostile', type: 'Country' }));
  expect(cal.status).toBe(201);
  calendarId = cal.json().holiday_calendar_id;
});
afterAll(async () => f?.close());

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json(): any;
}

/** A request through app.inject, as the tenant unless `headers` say otherwise; `body` is sent as given (text or bytes). */
async function send(method: string, url: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await app.http.inject({
    method: method as 'GET',
    url,
    headers: { ...f.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: body }),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body, json: () => JSON.parse(res.body) };
}

/** The answer is a 400 in the one error body naming `field` (and its cid is the x-cid header). */
function expectRefusal(res: Answer, field: string, reason?: RegExp, code: string | RegExp = 'VALIDATION_ERROR'): void {
  expect(res.status, res.body).toBe(400);
  const body = res.json();
  if (typeof code === 'string') expect(body.code).toBe(code);
  else expect(body.code).toMatch(code);
  expect(body.cid).toBe(res.headers['x-cid']);
  const named = (body.details as { field: string; reason: string }[]).find((d) => d.field === field);
  expect(named, `${field} in ${res.body}`).toBeDefined();
  if (reason) expect(named!.reason).toMatch(reason);
}

const rowsOfOrg = (): Promise<Fingerprint> => fingerprint(app, f.org.orgId, tables);
async function expectNothingWritten(run: () => Promise<void>): Promise<void> {
  await settleDayClosing(app, [f.org.orgId]);
  const before = await rowsOfOrg();
  await run();
  expect(changedTables(before, await rowsOfOrg())).toEqual([]);
}

const NUL = /NUL character/;
const ILL_FORMED = /not valid Unicode text/;
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const program = (name: string) =>
  `{"name": ${name}, "type": "CURRENT ACCOUNTS", "timezone": "UTC", "currency_numeric_code": "986", "country_code": "BRA"}`;

describe('a NUL character (\\u0000)', () => {
  it('in a JSON body of a mutating route, the token endpoints included: 400 naming the field, nothing written', async () => {
    await expectNothingWritten(async () => {
      expectRefusal(await send('POST', '/programs/v1/programs/template', program('"a\\u0000b"')), 'body.name', NUL);
      expectRefusal(await send('POST', '/programs/v2/programs/template', program('"a\\u0000b"')), 'body.name', NUL);
      expectRefusal(await send('POST', '/holidays-core/v1/holiday-calendar', '{"name": "c", "type": "Country", "metadata": {"a\\u0000": 1}}'), 'body.metadata', NUL);
      expectRefusal(await send('PATCH', '/orgs-core/v1/orgs', '{"address": "Rua \\u0000"}'), 'body.address', NUL);
      expectRefusal(await send('POST', '/passport/v2/s2s/access-token', `{"server_key": "${f.org.serverKey}\\u0000", "server_secret": "x"}`, { authorization: '' }), 'body.server_key', NUL);
      expectRefusal(await send('POST', '/passport/v1/oauth2/token', '{"token": "\\u0000"}', { authorization: '' }), 'body.token', NUL);
    });
  });

  it('RFC 6749’s token endpoint refuses it as invalid_request, in JSON, in a form and in Basic credentials', async () => {
    const json = await send('POST', '/passport/v2/oauth/token', '{"grant_type": "client_credentials", "client_id": "a\\u0000", "client_secret": "b"}', { authorization: '' });
    expectRefusal(json, 'body.client_id', NUL, 'OAUTH_INVALID_REQUEST');
    expect(json.json().error).toBe('invalid_request');
    const form = await send('POST', '/passport/v2/oauth/token', 'grant_type=client_credentials&client_id=a%00&client_secret=b', {
      authorization: '',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectRefusal(form, 'body.client_id', NUL, 'OAUTH_INVALID_REQUEST');
    const badForm = await send('POST', '/passport/v2/oauth/token', 'grant_type=client_credentials&client_id=%ED%A0%80&client_secret=b', {
      authorization: '',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectRefusal(badForm, 'body.client_id', /percent-encoded UTF-8/, 'OAUTH_INVALID_REQUEST');
    const basic = await send('POST', '/passport/v2/oauth/token', 'grant_type=client_credentials', {
      authorization: `Basic ${Buffer.from('a%00:b').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(basic.status, basic.body).toBe(400);
    expect(basic.json().error).toBe('invalid_request');
  });

  it('in a path or query parameter: 400 naming it', async () => {
    expectRefusal(await send('GET', '/lastro/v1/credentials/%00'), 'path.id', NUL);
    expectRefusal(await send('GET', `/orgs-core/v1/orgs/${f.org.orgId}%00`), 'path.id', NUL);
    expectRefusal(await send('GET', '/holidays-core/v1/holiday-calendar/external-id/x%00'), 'path.external_id', NUL);
    expectRefusal(await send('GET', '/programs/v1/programs?name=%00'), 'query.name', NUL);
    expectRefusal(await send('GET', '/lastro/v1/events?domain=org%00'), 'query.domain', NUL);
    expectRefusal(await send('GET', '/holidays-core/v1/holiday-calendar?name=a%00'), 'query.name', NUL);
  });
});

const SURROGATE_BYTES = bytes('{"name": "x', [0xed, 0xa0, 0x80], '", "type": "CURRENT ACCOUNTS", "timezone": "UTC", "currency_numeric_code": "986", "country_code": "BRA"}');

describe('a lone UTF-16 surrogate', () => {
  it.each([
    ['an escape \\ud800', program('"x\\ud800y"')],
    ['an escape \\udc00', program('"x\\udc00y"')],
    ['a surrogate encoded as UTF-8 bytes (ED A0 80)', SURROGATE_BYTES],
  ])('in a body (%s): 400 on the sync and the async program create, never a 500 nor U+FFFD', async (_label, payload) => {
    await expectNothingWritten(async () => {
      expectRefusal(await send('POST', '/programs/v1/programs/template', payload), 'body.name', ILL_FORMED);
      expectRefusal(await send('POST', '/programs/v2/programs/template', payload), 'body.name', ILL_FORMED);
    });
  });

  it('bytes that are not UTF-8 at all (an overlong C0 AE, a stray FF) are refused the same way', async () => {
    for (const bad of [[0xc0, 0xae], [0xff], [0xe2, 0x82]]) {
      expectRefusal(await send('POST', '/holidays-core/v1/holiday-calendar', bytes('{"name": "c', bad, '", "type": "Country"}')), 'body.name', ILL_FORMED);
    }
  });

  it('in a query or path parameter (%ED%A0%80, %C0%AE): 400 naming it', async () => {
    expectRefusal(await send('GET', '/programs/v1/programs?name=%ED%A0%80'), 'query.name', /percent-encoded UTF-8/);
    expectRefusal(await send('GET', '/programs/v1/programs?name=%C0%AE'), 'query.name', /percent-encoded UTF-8/);
    expectRefusal(await send('GET', '/holidays-core/v1/holiday-calendar/external-id/%ED%A0%80'), 'path', /percent-encoded UTF-8/);
  });

  it('a real pair, escaped or as UTF-8, is text like any other and is kept exactly', async () => {
    const escaped = await send('POST', '/holidays-core/v1/holiday-calendar', '{"name": "sun \\ud83c\\udf1e", "type": "Country"}');
    expect(escaped.status, escaped.body).toBe(201);
    expect(escaped.json().name).toBe('sun \u{1f31e}');
    const raw = await send('POST', '/holidays-core/v1/holiday-calendar', Buffer.from('{"name": "moon \u{1f31d} ção", "type": "Country"}'));
    expect(raw.status, raw.body).toBe(201);
    expect(raw.json().name).toBe('moon \u{1f31d} ção');
  });
});

describe('numbers in query strings', () => {
  /** Every GET route of the OpenAPI document with an integer query parameter, with its path filled. */
  async function listRoutes(): Promise<{ url: string; params: { name: string; minimum?: number }[] }[]> {
    const doc = (await send('GET', '/openapi.json')).json();
    const out: { url: string; params: { name: string; minimum?: number }[] }[] = [];
    for (const [template, ops] of Object.entries<any>(doc.paths)) {
      const params = (ops.get?.parameters ?? []).filter((p: any) => p.in === 'query' && p.schema?.type === 'integer');
      if (!params.length) continue;
      const url = template.replace('{holiday_calendar_id}', String(calendarId)).replace('{domain}', 'org').replace('{event_type}', 'org-updated');
      if (url.includes('{')) continue; // a route about one object of another seed: the fuzz test covers it
      out.push({ url, params: params.map((p: any) => ({ name: p.name, minimum: p.schema.minimum })) });
    }
    return out;
  }

  it('too large, not finite, fractional, not decimal, or -0 where 0 is not allowed: 400 naming the parameter on every list route', async () => {
    const routes = await listRoutes();
    expect(routes.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/programs/v1/programs', '/lastro/v1/credentials', '/holidays-core/v1/holiday-calendar', '/lastro/v1/events', '/lastro/v1/orgs']),
    );
    for (const { url, params } of routes) {
      // An account-scoped route refuses an org-wide token before reading its query (403
      // ACCOUNT_TOKEN_REQUIRED); the API fuzz calls it with its seed's account.
      const probe = await send('GET', url, undefined, url.startsWith('/lastro/v1/orgs') ? adminHeaders : {});
      if (probe.status === 403 && probe.json().code === 'ACCOUNT_TOKEN_REQUIRED') continue;
      for (const p of params) {
        const values = ['99999999999999999999', '9007199254740993', '1e309', '-1e309', '1.5', 'Infinity', 'NaN', '0x10', '%201', ''];
        if ((p.minimum ?? 0) >= 1) values.push('-0');
        for (const v of values) {
          const headers = url.startsWith('/lastro/v1/orgs') ? adminHeaders : {};
          // Lending answers a refused field with the ELND code Pismo's Lending spec gives it.
          const code = url.startsWith('/lending/') ? /^ELND\d{4}$/ : 'VALIDATION_ERROR';
          expectRefusal(await send('GET', `${url}?${p.name}=${v}`, undefined, headers), `query.${p.name}`, undefined, code);
        }
      }
    }
  });

  it('says why a number cannot be used', async () => {
    expectRefusal(await send('GET', '/programs/v1/programs?page=99999999999999999999'), 'query.page', /beyond ±9007199254740991/);
    expectRefusal(await send('GET', '/lastro/v1/events?limit=1e309'), 'query.limit', /too large to represent/);
    expectRefusal(await send('GET', '/programs/v1/programs?perPage=-0'), 'query.perPage', /must be >= 1/);
    expectRefusal(await send('GET', '/programs/v1/programs?page=1.5'), 'query.page', /must be integer/);
  });

  it('decimal text is still read as a number, booleans as booleans (the URL is text)', async () => {
    const page = await send('GET', '/programs/v1/programs?perPage=5&page=01');
    expect(page.status, page.body).toBe(200);
    expect(page.json()).toMatchObject({ per_page: 5, current_page: 1 });
    const holidays = await send('GET', `/holidays-core/v1/holiday-calendar/${calendarId}/holiday?include_parent_holidays=true&perPage=1e1`);
    expect(holidays.status, holidays.body).toBe(200);
    expect(holidays.json().per_page).toBe(10);
  });
});

describe('dates stay within 0001-01-01 … 9999-12-31', () => {
  const CAL = '/holidays-core/v1/holiday-calendar';

  it('a holiday whose working date would fall after 9999-12-31 is refused naming it, not answered with a 5-digit year', async () => {
    await expectNothingWritten(async () => {
      const res = await send('POST', `${CAL}/holiday`, JSON.stringify({ holiday_calendar_id: calendarId, holiday_date: '9999-12-31', name: 'end' }));
      expectRefusal(res, 'body.holiday_date', /no business day after it up to 9999-12-31/);
      const created = await send('POST', CAL, JSON.stringify({ name: 'ends', type: 'Country', holidays: [{ name: 'a', holiday_date: '2026-12-25' }, { name: 'b', holiday_date: '9999-12-31' }] }));
      expectRefusal(created, 'body.holidays[1].holiday_date', /after it up to 9999-12-31/);
    });
    // The day before still has one: Friday 9999-12-31.
    const thursday = await send('POST', `${CAL}/holiday`, JSON.stringify({ holiday_calendar_id: calendarId, holiday_date: '9999-12-30', name: 'eve' }));
    expect(thursday.status, thursday.body).toBe(201);
    expect(thursday.json().working_date).toBe('9999-12-31');
  });

  it('a business-day question whose answer leaves the range is refused naming the date asked about', async () => {
    expectRefusal(await send('POST', `${CAL}/${calendarId}/business-day`, '{"current_date": "9999-12-31"}'), 'body.current_date', /after it up to 9999-12-31/);
    expectRefusal(await send('POST', `${CAL}/${calendarId}/business-day`, '{"current_date": "0001-01-01"}'), 'body.current_date', /before it from 0001-01-01/);
    const ok = await send('POST', `${CAL}/${calendarId}/business-day`, '{"current_date": "0001-01-02"}');
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ prior_business_date: '0001-01-01', next_business_date: '0001-01-03' });
  });

  it('year 0000 and five-digit years are not dates', async () => {
    for (const date of ['0000-01-03', '10000-01-01', '+010000-01-01', '-0001-01-01']) {
      expectRefusal(await send('POST', `${CAL}/${calendarId}/business-day`, JSON.stringify({ current_date: date })), 'body.current_date', /from 0001-01-01 to 9999-12-31/);
    }
    expectRefusal(await send('GET', `${CAL}/${calendarId}/non-business-days?beginDate=0000-12-01`), 'query.beginDate');
  });

  it('a range running past 9999-12-31 ends there', async () => {
    const res = await send('GET', `${CAL}/${calendarId}/non-business-days?beginDate=9999-06-01`);
    expect(res.status, res.body).toBe(200);
    const dates: string[] = res.json().dates.map((d: { date: string }) => d.date);
    expect(dates.length).toBeGreaterThan(50);
    for (const d of dates) expect(d).toMatch(/^9999-(0[6-9]|1[0-2])-\d{2}$/);
    const explicit = await send('GET', `${CAL}/${calendarId}/non-business-days?beginDate=9999-06-01&endDate=9999-12-31`);
    expect(explicit.json()).toEqual(res.json());
  });

  it('a date-time must be an instant within the range, whatever its offset', async () => {
    const url = `/lastro/v1/orgs/${f.org.orgId}`;
    for (const at of ['9999-12-31T23:00:00-03:00', '0001-01-01T00:30:00+01:00', '0000-06-01T00:00:00Z']) {
      expectRefusal(await send('PATCH', url, JSON.stringify({ start_date: at }), adminHeaders), 'body.start_date', /0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z/);
    }
    const ok = await send('PATCH', url, JSON.stringify({ start_date: '0001-01-01T00:00:00Z', expiration_date: '9999-12-31T20:59:59-03:00' }), adminHeaders);
    expect(ok.status, ok.body).toBe(200);
  });
});

describe('int64 ids beyond 2^53 and type coercion', () => {
  it('an id sent as a JSON number beyond 2^53 is refused, in a body, a query or a path, never rounded', async () => {
    const beyond = /beyond ±9007199254740991/;
    expectRefusal(await send('PATCH', '/orgs-core/v1/orgs', '{"holiday_calendar_id": 9007199254740993}'), 'body.holiday_calendar_id', beyond);
    expectRefusal(await send('POST', '/programs/v1/programs/copy', '{"base_program_id": 9007199254740993, "name": "copy"}'), 'body.base_program_id', beyond);
    expectRefusal(await send('POST', '/passport/v2/s2s/access-token', `{"server_key": "${f.org.serverKey}", "server_secret": "${f.org.serverSecret}", "account_id": 9007199254740993}`), 'body.account_id', beyond);
    expectRefusal(await send('GET', '/holidays-core/v1/holiday-calendar?holiday_calendar_id=9007199254740993'), 'query.holiday_calendar_id', beyond);
    expectRefusal(await send('GET', '/programs/v1/programs?id=9007199254740993'), 'query.id', beyond);
    expectRefusal(await send('GET', '/lastro/v1/events/catalog/org/org-updated/9007199254740993'), 'path.version', beyond);
    expectRefusal(await send('GET', '/programs/v1/programs/99999999999999999999'), 'path.id');
  });

  it('a body field is never coerced: a number for a string, a string for a number or a boolean are refused and nothing is stored', async () => {
    await expectNothingWritten(async () => {
      expectRefusal(await send('POST', '/holidays-core/v1/holiday-calendar', '{"name": 123, "type": "Country"}'), 'body.name', /must be string/);
      expectRefusal(await send('PATCH', '/orgs-core/v1/orgs', '{"org_name": 123}'), 'body.org_name', /must be string/);
      expectRefusal(await send('PATCH', `/holidays-core/v1/holiday-calendar/${calendarId}`, '{"working_days": ["1"]}'), 'body.working_days[0]');
      expectRefusal(await send('POST', '/lastro/v1/event-subscriptions', '{"sink": {"type": "file", "roll_seconds": "60"}}'), 'body.sink.roll_seconds');
    });
  });
});

/** One request written byte by byte on a real connection; the answer as Node's client would not parse it for us. */
async function rawRequest(request: string | Buffer): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { port } = app.http.server.address() as AddressInfo;
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
    socket.on('close', () => resolve(out));
    socket.on('error', (err) => (out ? resolve(out) : reject(err)));
    socket.setTimeout(5000, () => socket.destroy());
  });
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function expectErrorBody(res: { status: number; headers: Record<string, string>; body: string }, status: number, code: string): void {
  expect(res.status, `${res.status} ${res.body}`).toBe(status);
  const body = JSON.parse(res.body);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.cid).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers['x-cid']).toBe(body.cid);
  expect(Object.keys(body).every((k) => ['code', 'message', 'details', 'cid'].includes(k))).toBe(true);
}

describe('errors Fastify and Node meet before any route runs, on a real connection', () => {
  const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: lastro\r\n${extra}Connection: close\r\n\r\n`;

  it('a path that does not decode to UTF-8 (%C0%AE): 400 naming the path', async () => {
    const res = await rawRequest(get('/programs/v1/programs/%C0%AE'));
    expectErrorBody(res, 400, 'VALIDATION_ERROR');
    expect(JSON.parse(res.body).details).toEqual([{ field: 'path', reason: 'is not valid percent-encoded UTF-8' }]);
    expect(app.logs.find((l) => l.cid === JSON.parse(res.body).cid && l.msg === 'client error')).toMatchObject({ status: 400 });
  });

  it('a URL too long: 414 URI_TOO_LONG, whether Fastify or Node’s parser meets it', async () => {
    expectErrorBody(await rawRequest(get(`/holidays-core/v1/holiday-calendar/external-id/${'x'.repeat(200)}`)), 414, 'URI_TOO_LONG');
    expectErrorBody(await rawRequest(get(`/programs/v1/programs?name=${'x'.repeat(9000)}`)), 414, 'URI_TOO_LONG');
    const res = await rawRequest(get(`/programs/v1/programs?name=${'x'.repeat(20_000)}`));
    expectErrorBody(res, 414, 'URI_TOO_LONG');
    // The operator can find it by its cid.
    expect(app.logs.find((l) => l.cid === JSON.parse(res.body).cid && l.msg === 'client error')).toMatchObject({ status: 414 });
  });

  it('headers too large: 431 HEADER_TOO_LARGE', async () => {
    expectErrorBody(await rawRequest(get('/health', `X-Padding: ${'y'.repeat(20_000)}\r\n`)), 431, 'HEADER_TOO_LARGE');
  });

  it('a bad Content-Length: 400 INVALID_CONTENT_LENGTH', async () => {
    expectErrorBody(await rawRequest(get('/health', 'Content-Length: abc\r\n')), 400, 'INVALID_CONTENT_LENGTH');
    const twice = `POST /holidays-core/v1/holiday-calendar HTTP/1.1\r\nHost: lastro\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`;
    expectErrorBody(await rawRequest(twice), 400, 'INVALID_CONTENT_LENGTH');
  });

  it('something that is not HTTP: 400 BAD_REQUEST', async () => {
    expectErrorBody(await rawRequest('HELLO\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('an unsupported content type: 415 in the same body', async () => {
    const body = '<calendar/>';
    const res = await rawRequest(
      `POST /holidays-core/v1/holiday-calendar HTTP/1.1\r\nHost: lastro\r\nAuthorization: ${f.headers.authorization}\r\nx-tenant: ${f.org.orgId}\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});
