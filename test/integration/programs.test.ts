// Programs API: the seed's request, every rule of ProgramFromTemplate (failing and passing), the
// asynchronous create and copy, list pagination, patch, and another org's programs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { bodies, waitFor } from './programs-fixtures.js';

let app: TestApp;
let org: TestOrg;
let h: Record<string, string>;

async function post(url: string, payload: unknown, headers = h) {
  return app.http.inject({ method: 'POST', url, headers, payload: payload as object });
}
const get = (url: string, headers = h) => app.http.inject({ method: 'GET', url, headers });

const fields = (res: { json(): { details?: { field: string }[] } }) => (res.json().details ?? []).map((d) => d.field);

beforeAll(async () => {
  ({ app, org, headers: h } = await setupTenant({ start: true, env: NO_RATE_LIMITS }));
});
afterAll(async () => app?.close());

describe('POST /programs/v1/programs/template', () => {
  it("creates the seed's example: numeric ids for the program and each due date, defaults applied", async () => {
    const res = await post('/programs/v1/programs/template', bodies.CREDITO);
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({
      name: 'Acme credit',
      type: 'CREDITO',
      status: 'ACTIVE',
      language: 'en-US',
      brand: 'VISA',
      bin: { value: '999999', start_range: '0', end_range: '999999999' },
      currency_numeric_code: '986',
      country_code: 'BRA',
      timezone: 'America/Sao_Paulo',
    });
    expect(Number.isInteger(p.id)).toBe(true);
    expect(p.due_dates).toEqual([
      { id: expect.any(Number), day: 1, active: true },
      { id: expect.any(Number), day: 2, active: false },
    ]);
    expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(p).not.toHaveProperty('cycle_closing');
  });

  it('creates every program type', async () => {
    const card = { bin: { value: '555555', start_range: '1', end_range: '99' }, brand: 'ELO' };
    const types = [
      ['PRE-PAGO', card],
      ['DEBITO', card],
      ['MERCHANT', {}],
      ['CREDITO ZERO-BALANCE', card],
      ['PRE-PAGO ZERO-BALANCE', card],
      ['DEBITO ZERO-BALANCE', card],
      ['CURRENT ACCOUNTS', {}],
      ['INTERNAL ACCOUNTS', {}],
      ['CORRESPONDENT ACCOUNTS', {}],
      ['VOUCHER', card],
    ] as const;
    for (const [type, extra] of types) {
      const res = await post('/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: `T ${type}`, type, ...extra });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
      expect(res.json().type).toBe(type);
    }
  });

  it('requires x-tenant (EOA0017)', async () => {
    const { 'x-tenant': _t, ...noTenant } = h;
    const res = await post('/programs/v1/programs/template', bodies['CURRENT ACCOUNTS'], noTenant);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'EOA0017', message: 'Missing x-tenant header' });
  });

  it('names every missing required field in one 400', async () => {
    const res = await post('/programs/v1/programs/template', {});
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(
      expect.arrayContaining(['body.name', 'body.type', 'body.timezone', 'body.currency_numeric_code', 'body.country_code']),
    );
  });

  // Each single-field rule: a value that fails, and one that passes.
  const base = bodies['CURRENT ACCOUNTS'];
  const cases: [string, string, unknown, unknown][] = [
    ['name', 'body.name', 'x'.repeat(51), 'x'.repeat(50)],
    ['type', 'body.type', 'LENDING', 'MERCHANT'],
    ['timezone', 'body.timezone', 'Mars/Olympus_Mons', 'Asia/Kolkata'],
    ['timezone', 'body.timezone', 'EST', 'America/New_York'],
    ['currency_numeric_code', 'body.currency_numeric_code', '000', '840'],
    ['currency_numeric_code', 'body.currency_numeric_code', 'BRL', '978'],
    ['country_code', 'body.country_code', 'XXX', 'USA'],
    ['country_code', 'body.country_code', 'BR', 'IND'],
    ['language', 'body.language', 'es-ES', 'pt-BR'],
    ['cycle_closing', 'body.cycle_closing', '24:00:00', '23:59:59'],
    ['cycle_closing', 'body.cycle_closing', '10:00', null],
    ['holiday_calendar_id', 'body.holiday_calendar_id', 'x'.repeat(37), undefined],
  ];
  for (const [field, path, bad, good] of cases) {
    it(`${field}: ${JSON.stringify(bad)} is refused, ${JSON.stringify(good)} accepted`, async () => {
      const refused = await post('/programs/v1/programs/template', { ...base, [field]: bad });
      expect(refused.statusCode).toBe(400);
      expect(fields(refused)).toContain(path);
      const accepted = await post('/programs/v1/programs/template', { ...base, [field]: good });
      expect(accepted.statusCode, accepted.body).toBe(200);
    });
  }

  it('BIN: value of 6 or 8 digits, numeric ranges, range length by BIN length (EOA0038/EOA0039)', async () => {
    const card = bodies['PRE-PAGO'];
    const bin = (b: Record<string, string>) => post('/programs/v1/programs/template', { ...card, bin: b });
    const sevenDigits = await bin({ value: '1234567', start_range: '0', end_range: '9' });
    expect(sevenDigits.statusCode).toBe(400);
    expect(fields(sevenDigits)).toContain('body.bin.value');
    const letters = await bin({ value: '123456', start_range: 'a', end_range: '9' });
    expect(fields(letters)).toContain('body.bin.start_range');
    const missing = await bin({ value: '123456' });
    expect(fields(missing)).toEqual(expect.arrayContaining(['body.bin.start_range', 'body.bin.end_range']));
    const long8 = await bin({ value: '12345678', start_range: '0', end_range: '99999999' });
    expect(long8.json()).toMatchObject({ code: 'EOA0039', details: [{ field: 'body.bin.end_range' }] });
    const ok8 = await bin({ value: '12345678', start_range: '0', end_range: '9999999' });
    expect(ok8.statusCode).toBe(200);
    const inverted = await bin({ value: '123456', start_range: '9', end_range: '1' });
    expect(fields(inverted)).toContain('body.bin.end_range');
    const ok6 = await bin({ value: '123456', start_range: '0', end_range: '999999999' });
    expect(ok6.statusCode).toBe(200);
    const brand = await post('/programs/v1/programs/template', { ...card, brand: 'AMEX' });
    expect(fields(brand)).toContain('body.brand');
    for (const b of ['VISA', 'MASTERCARD', 'ELO', 'RUPAY', 'PRIVATE', 'CABAL', 'GOODCARD', 'GPN']) {
      expect((await post('/programs/v1/programs/template', { ...card, brand: b })).statusCode).toBe(200);
    }
  });

  it('card-issuing types need bin and brand (EOA0073); CREDITO also due dates (EOA0054)', async () => {
    const { bin: _b, brand: _r, ...noCard } = bodies['PRE-PAGO'];
    const prepaid = await post('/programs/v1/programs/template', noCard);
    expectError(prepaid, 400, 'EOA0073');
    expect(fields(prepaid)).toEqual(['body.bin', 'body.brand']);
    const { due_dates: _d, ...noDueDates } = bodies.CREDITO;
    const credit = await post('/programs/v1/programs/template', noDueDates);
    expect(credit.json()).toMatchObject({ code: 'EOA0054', details: [{ field: 'body.due_dates' }] });
  });

  it('accounts-only types refuse card information (EOA0055)', async () => {
    const res = await post('/programs/v1/programs/template', {
      ...bodies['CURRENT ACCOUNTS'],
      brand: 'VISA',
      due_dates: [{ day: 3, active: true }],
    });
    expectError(res, 400, 'EOA0055');
    expect(fields(res)).toEqual(['body.brand', 'body.due_dates']);
    const debit = await post('/programs/v1/programs/template', { ...bodies['PRE-PAGO'], type: 'DEBITO', due_dates: [{ day: 3, active: true }] });
    expect(fields(debit)).toEqual(['body.due_dates']);
  });

  it('due dates: day 1–28, day and active required, no repeated day, one active at least', async () => {
    const credit = bodies.CREDITO;
    const dd = (due_dates: unknown) => post('/programs/v1/programs/template', { ...credit, due_dates });
    expect(fields(await dd([{ day: 29, active: true }]))).toContain('body.due_dates[0].day');
    expect(fields(await dd([{ day: 0, active: true }]))).toContain('body.due_dates[0].day');
    expect(fields(await dd([{ day: 5 }]))).toContain('body.due_dates[0].active');
    const repeated = await dd([
      { day: 5, active: true },
      { day: 5, active: false },
    ]);
    expect(fields(repeated)).toEqual(['body.due_dates[1].day']);
    const inactive = await dd([{ day: 5, active: false }]);
    expect(inactive.json()).toMatchObject({ code: 'EOA0082' });
    expect((await dd([{ day: 28, active: true }])).statusCode).toBe(200);
  });

  it('holiday_calendar_id must name a calendar of the org (by id or external_id)', async () => {
    const unknown = await post('/programs/v1/programs/template', { ...base, holiday_calendar_id: '424242' });
    expect(unknown.statusCode).toBe(400);
    expect(fields(unknown)).toEqual(['body.holiday_calendar_id']);
    const cal = await post('/holidays-core/v1/holiday-calendar', { name: 'BR program cal', type: 'Country', external_id: '0c78714f-3e88-40f3-9eda-debd356faabc' });
    expect(cal.statusCode).toBe(201);
    const byId = await post('/programs/v1/programs/template', { ...base, holiday_calendar_id: String(cal.json().holiday_calendar_id) });
    expect(byId.json().holiday_calendar_id).toBe(String(cal.json().holiday_calendar_id));
    const byExternal = await post('/programs/v1/programs/template', { ...base, holiday_calendar_id: '0c78714f-3e88-40f3-9eda-debd356faabc' });
    expect(byExternal.statusCode).toBe(200);
    expect(byExternal.json().holiday_calendar_id).toBe(String(cal.json().holiday_calendar_id));
    // A calendar in use cannot be deleted from under its programs.
    const del = await app.http.inject({ method: 'DELETE', url: `/holidays-core/v1/holiday-calendar/${cal.json().holiday_calendar_id}`, headers: h });
    expect(del.statusCode).toBe(409);
  });

  it('holiday_calendar_id: 36 characters (an external_id at its longest) are accepted, 37 refused', async () => {
    const externalId = 'e'.repeat(36);
    const cal = await post('/holidays-core/v1/holiday-calendar', { name: 'Longest external id', type: 'Country', external_id: externalId });
    expect(cal.statusCode).toBe(201);
    const accepted = await post('/programs/v1/programs/template', { ...base, holiday_calendar_id: externalId });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().holiday_calendar_id).toBe(String(cal.json().holiday_calendar_id));
    const refused = await post('/programs/v1/programs/template', { ...base, holiday_calendar_id: `${externalId}e` });
    expect(refused.statusCode).toBe(400);
    expect(fields(refused)).toEqual(['body.holiday_calendar_id']);
  });

  it('an Idempotency-Key replays the first answer instead of creating twice', async () => {
    const headers = { ...h, 'idempotency-key': 'program-once-1' };
    const body = { ...base, name: 'Once only' };
    const first = await post('/programs/v1/programs/template', body, headers);
    const again = await post('/programs/v1/programs/template', body, headers);
    expect(again.json().id).toBe(first.json().id);
    const list = await get('/programs/v1/programs?name=Once%20only');
    expect(list.json().total_items).toBe(1);
  });

  it('emits Program created', async () => {
    const res = await post('/programs/v1/programs/template', { ...base, name: 'Evented' });
    const events = await get('/lastro/v1/events?domain=programs&limit=1000');
    const created = events.json().items.filter((e: { event_type: string; data: { program_id: number } }) => e.event_type === 'creation' && e.data.program_id === res.json().id);
    expect(created).toHaveLength(1);
    expect(created[0].data).toMatchObject({ program_name: 'Evented', program_type: 'CURRENT ACCOUNTS', program_type_id: 11 });
  });

  it("lists the org's programs in the s2s token response (program_ids)", async () => {
    const made = (await post('/programs/v1/programs/template', { ...base, name: 'In the token' })).json().id as number;
    const res = await app.http.inject({ method: 'POST', url: '/passport/v2/s2s/access-token', payload: { server_key: org.serverKey, server_secret: org.serverSecret } });
    expect(res.statusCode).toBe(201);
    const ids = res.json().program_ids as number[];
    expect(ids).toContain(made);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const listed = (await get('/programs/v1/programs?perPage=100')).json();
    expect(ids.length).toBe(listed.total_items ?? listed.items.length);
    // Another org's token lists none of them.
    const other = await createOrg(app);
    const theirs = await app.http.inject({ method: 'POST', url: '/passport/v2/s2s/access-token', payload: { server_key: other.serverKey, server_secret: other.serverSecret } });
    expect(theirs.json().program_ids).toEqual([]);
  });
});

describe('GET /programs/v1/programs/{id} and /programs/v2/programs/{id}', () => {
  it('v1 answers the Program, v2 the ProgramDetails with type and brand objects', async () => {
    const id = (await post('/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Readable' })).json().id;
    const v1 = await get(`/programs/v1/programs/${id}`);
    expect(v1.json()).toMatchObject({ id, type: 'CREDITO', brand: 'VISA', due_dates: [{ day: 1 }, { day: 2 }] });
    const v2 = await get(`/programs/v2/programs/${id}`);
    expect(v2.json()).toMatchObject({ id, type: { id: 1, description: 'CREDITO', mode: 'CREDIT' }, brand: { id: 1, description: 'VISA', pci: true } });
  });

  it('an unknown id is 404 EOA0020', async () => {
    const res = await get('/programs/v1/programs/999999999');
    expectError(res, 404, 'EOA0020');
  });
});

describe('GET /programs/v1/programs', () => {
  it('pages with page/perPage, sorts with order/orderBy, filters by id, name, type and binValue', async () => {
    const other = await createOrg(app);
    const oh = bearer(await tokenFor(app, other), other.orgId);
    const ids: number[] = [];
    for (const n of ['Delta', 'alpha', 'Charlie', 'bravo', 'Echo']) {
      ids.push((await post('/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: n }, oh)).json().id);
    }
    await post('/programs/v1/programs/template', { ...bodies['PRE-PAGO'], name: 'Foxtrot', bin: { value: '43214321', start_range: '0', end_range: '1' } }, oh);
    const p1 = (await get('/programs/v1/programs?perPage=2', oh)).json();
    expect(p1).toMatchObject({ current_page: 1, per_page: 2, pages: 3, total_items: 6 });
    expect(p1.items.map((i: { id: number }) => i.id)).toEqual(ids.slice(0, 2));
    const p3 = (await get('/programs/v1/programs?perPage=2&page=3', oh)).json();
    expect(p3.items).toHaveLength(2);
    const p4 = (await get('/programs/v1/programs?perPage=2&page=4', oh)).json();
    expect(p4.items).toEqual([]);
    const byName = (await get('/programs/v1/programs?orderBy=NAME&order=DESC&perPage=3', oh)).json();
    expect(byName.items.map((i: { name: string }) => i.name)).toEqual(['Foxtrot', 'Echo', 'Delta']);
    expect((await get(`/programs/v1/programs?id=${ids[1]}`, oh)).json().items.map((i: { name: string }) => i.name)).toEqual(['alpha']);
    expect((await get('/programs/v1/programs?name=RAV', oh)).json().items.map((i: { name: string }) => i.name)).toEqual(['bravo']);
    expect((await get('/programs/v1/programs?type=PRE-PAGO', oh)).json().total_items).toBe(1);
    expect((await get('/programs/v1/programs?binValue=43214321', oh)).json().items[0].name).toBe('Foxtrot');
    const bad = await get('/programs/v1/programs?perPage=0&order=UP', oh);
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['query.perPage', 'query.order']));
  });
});

describe('PATCH /programs/v1/programs/{id}', () => {
  it('updates fields, adds and toggles due dates, emits Program updated; 204', async () => {
    const created = (await post('/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Patchable' })).json();
    const res = await app.http.inject({
      method: 'PATCH',
      url: `/programs/v1/programs/${created.id}`,
      headers: h,
      payload: { name: 'Patched', cycle_closing: '22:00:00', due_dates: [{ day: 2, active: true }, { day: 10, active: true }], bin: { end_range: '500' } },
    });
    expect(res.statusCode).toBe(204);
    const after = (await get(`/programs/v1/programs/${created.id}`)).json();
    expect(after).toMatchObject({ name: 'Patched', cycle_closing: '22:00:00', bin: { value: '999999', start_range: '0', end_range: '500' } });
    // Existing due dates keep their ids.
    expect(after.due_dates).toEqual([
      created.due_dates[0],
      { ...created.due_dates[1], active: true },
      { id: expect.any(Number), day: 10, active: true },
    ]);
    const events = (await get('/lastro/v1/events?domain=programs&limit=1000')).json().items;
    const updated = events.filter((e: { event_type: string; data: { program_id: number } }) => e.event_type === 'update' && e.data.program_id === created.id);
    expect(updated).toHaveLength(1);
    expect(updated[0].data.changed_fields).toEqual(expect.arrayContaining(['name', 'cycle_closing', 'bin', 'due_dates']));
  });

  it('refuses what creation refuses, names the fields, and changes nothing', async () => {
    const credit = (await post('/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Strict' })).json();
    const patch = (id: number, payload: unknown) => app.http.inject({ method: 'PATCH', url: `/programs/v1/programs/${id}`, headers: h, payload: payload as object });
    const bad = await patch(credit.id, { name: 'y'.repeat(51), timezone: 'Nowhere/Land', country_code: 'ZZZ' });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['body.name', 'body.timezone', 'body.country_code']));
    const allOff = await patch(credit.id, { due_dates: [{ day: 1, active: false }, { day: 2, active: false }] });
    expect(allOff.json().code).toBe('EOA0082');
    const brand = await patch(credit.id, { brand: 'ELO' });
    expect(brand.json()).toMatchObject({ code: 'EOA0059', details: [{ field: 'body.brand' }] });
    const range = await patch(credit.id, { bin: { start_range: '1234567890' } });
    expect(range.json().code).toBe('EOA0038');
    const current = (await post('/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'No cards' })).json();
    expect((await patch(current.id, { bin: { value: '123456' } })).json().code).toBe('EOA0055');
    // ProgramDueDatePatch declares no id (ProgramDueDate, of a create body, does).
    expect(fields(await patch(credit.id, { due_dates: [{ day: 3, active: true, id: 1 }] }))).toEqual(['body.due_dates[0].id']);
    expect((await get(`/programs/v1/programs/${credit.id}`)).json()).toEqual(credit);
    expect((await patch(999999999, { name: 'x' })).statusCode).toBe(404);
  });
});

describe('copy', () => {
  it('v1 copies type, card data and due dates (new ids), overridden by the body', async () => {
    const base = (await post('/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Base', cycle_closing: '23:00:00' })).json();
    const res = await post('/programs/v1/programs/copy', {
      base_program_id: base.id,
      name: 'Copy',
      timezone: 'America/Sao_Paulo',
      currency_numeric_code: '986',
      country_code: 'BRA',
      brand: 'ELO',
    });
    expect(res.statusCode).toBe(200);
    const copy = res.json();
    expect(copy).toMatchObject({ name: 'Copy', type: 'CREDITO', base_program_id: base.id, brand: 'ELO', bin: base.bin, cycle_closing: '23:00:00' });
    expect(copy.id).not.toBe(base.id);
    const full = (await get(`/programs/v1/programs/${copy.id}`)).json();
    expect(full.due_dates.map((d: { day: number }) => d.day)).toEqual([1, 2]);
    expect(full.due_dates[0].id).not.toBe(base.due_dates[0].id);
    const missing = await post('/programs/v1/programs/copy', { base_program_id: 999999999, name: 'x', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' });
    expectError(missing, 404, 'EOA0020');
  });

  it('v2 answers program_export_id, and the job makes the copy', async () => {
    const base = (await post('/programs/v1/programs/template', { ...bodies['PRE-PAGO'], name: 'Async base' })).json();
    const res = await post('/programs/v2/programs/copy', { base_program_id: base.id, name: 'Async copy', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' });
    expect(res.statusCode).toBe(201);
    const importId = res.json().program_export_id;
    const done = await waitFor(async () => {
      const r = (await get(`/programs/v1/programs/import/${importId}`)).json();
      return r.status === 'SUCCESS' ? r : undefined;
    });
    expect((await get(`/programs/v1/programs/${done.program_id}`)).json()).toMatchObject({ name: 'Async copy', type: 'PRE-PAGO', base_program_id: base.id });
  });
});

describe('POST /programs/v2/programs/template', () => {
  it('answers 201 with program_import_id at once; the job creates the program and emits Program created', async () => {
    const res = await post('/programs/v2/programs/template', { ...bodies.CREDITO, name: 'Async' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ program_import_id: expect.any(Number), message: expect.stringContaining('submitted successfully') });
    const importId = res.json().program_import_id;
    const done = await waitFor(async () => {
      const r = (await get(`/programs/v1/programs/import/${importId}`)).json();
      return r.status === 'SUCCESS' ? r : undefined;
    });
    expect(done.program_import_steps.map((s: { name: string }) => s.name)).toEqual(['PROGRAM', 'DUEDATES']);
    const program = (await get(`/programs/v1/programs/${done.program_id}`)).json();
    expect(program).toMatchObject({ name: 'Async', type: 'CREDITO' });
    expect((await get(`/programs/v1/programs/import/program/${done.program_id}`)).json().id).toBe(importId);
    // Events are readable once every older transaction of the server has ended, so on a server
    // shared with other work this can trail the import by a moment.
    const events = await waitFor(async () => {
      const items = (await get('/lastro/v1/events?domain=programs&limit=1000')).json().items as { data: { program_import_id?: number } }[];
      const mine = items.filter((e) => e.data.program_import_id === importId);
      return mine.length ? mine : undefined;
    });
    expect(events).toHaveLength(1);
  });

  it('refuses bad input at once, with the same rules as v1, and writes no import', async () => {
    const imports = async () =>
      app.platform.db.transaction(async (tx) => (await sql<{ n: number }>`select count(*)::int as n from program_imports`.execute(tx)).rows[0]!.n, {
        orgId: org.orgId,
      });
    const before = await imports();
    const res = await post('/programs/v2/programs/template', { ...bodies.CREDITO, due_dates: undefined, timezone: 'Bad' });
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toContain('body.timezone');
    const rules = await post('/programs/v2/programs/template', { ...bodies.CREDITO, due_dates: undefined });
    expect(rules.json().code).toBe('EOA0054');
    const calendar = await post('/programs/v2/programs/template', { ...bodies['CURRENT ACCOUNTS'], holiday_calendar_id: 'no-such-calendar' });
    expect(fields(calendar)).toEqual(['body.holiday_calendar_id']);
    expect(await imports()).toBe(before);
  });

  it('unknown imports are 404 EOA0091', async () => {
    const res = await get('/programs/v1/programs/import/999999999');
    expectError(res, 404, 'EOA0091');
    const sync = (await post('/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'Sync only' })).json();
    expect((await get(`/programs/v1/programs/import/program/${sync.id}`)).statusCode).toBe(404);
  });
});

// Pismo's Programs spec accepts these bodies; Lastro accepts them too (see compatibility.md,
// "Requests: what Pismo's spec accepts, Lastro accepts").
describe("what the Programs spec accepts", () => {
  const withIds = [
    { day: 1, active: true, id: 12345 },
    { day: 2, active: false, id: 12345 },
  ];

  it('due_dates[].id in a template or copy body is accepted and not kept: the due dates get ids of their own', async () => {
    const first = await post('/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Ids sent', due_dates: withIds });
    expect(first.statusCode, first.body).toBe(200);
    const ids = first.json().due_dates.map((d: { id: number }) => d.id);
    expect(first.json().due_dates.map(({ day, active }: { day: number; active: boolean }) => ({ day, active }))).toEqual([
      { day: 1, active: true },
      { day: 2, active: false },
    ]);
    expect(ids).not.toContain(12345);
    expect(new Set(ids).size).toBe(2);
    // A body read back from a program, ids included, creates another program with new ids.
    const { id: _id, created_at: _c, status: _s, holiday_calendar_id: _h, ...readBack } = first.json();
    const again = await post('/programs/v1/programs/template', { ...readBack, name: 'Read back' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().due_dates.map((d: { id: number }) => d.id).some((id: number) => ids.includes(id))).toBe(false);
    const copy = await post('/programs/v1/programs/copy', {
      base_program_id: first.json().id,
      name: 'Ids sent copy',
      timezone: 'UTC',
      currency_numeric_code: '986',
      country_code: 'BRA',
      due_dates: [{ day: 7, active: true, id: ids[0] }],
    });
    expect(copy.statusCode, copy.body).toBe(200);
    const copied = (await get(`/programs/v1/programs/${copy.json().id}`)).json().due_dates;
    expect(copied).toEqual([{ id: expect.any(Number), day: 7, active: true }]);
    expect(ids).not.toContain(copied[0].id);
    expect(fields(await post('/programs/v1/programs/template', { ...bodies.CREDITO, due_dates: [{ day: 1, active: true, id: 'x' }] }))).toEqual([
      'body.due_dates[0].id',
    ]);
  });

  it('v2 template with due_dates[].id: the import neither keeps the ids nor fails on them', async () => {
    const res = await post('/programs/v2/programs/template', { ...bodies.CREDITO, name: 'Async ids sent', due_dates: withIds });
    expect(res.statusCode, res.body).toBe(201);
    const importId = res.json().program_import_id;
    const done = await waitFor(async () => {
      const r = (await get(`/programs/v1/programs/import/${importId}`)).json();
      return ['SUCCESS', 'ERROR'].includes(r.status) ? r : undefined;
    });
    expect(done.status, done.details).toBe('SUCCESS');
    const stored = await app.platform.db.transaction(
      async (tx) => (await sql<{ request: unknown }>`select request from program_imports where program_import_id = ${importId}`.execute(tx)).rows[0]!.request,
      { orgId: org.orgId },
    );
    expect(JSON.stringify(stored)).not.toContain('12345');
    const due = (await get(`/programs/v1/programs/${done.program_id}`)).json().due_dates;
    expect(due.map((d: { day: number }) => d.day)).toEqual([1, 2]);
  });

  it('empty updates change nothing (204, no event): {}, due_dates: [], bin: {}; an unknown program is still 404', async () => {
    const credit = (await post('/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Untouched' })).json();
    const patch = (id: number, payload: unknown) => app.http.inject({ method: 'PATCH', url: `/programs/v1/programs/${id}`, headers: h, payload: payload as object });
    for (const body of [{}, { due_dates: [] }, { bin: {} }]) expect((await patch(credit.id, body)).statusCode, JSON.stringify(body)).toBe(204);
    expect((await get(`/programs/v1/programs/${credit.id}`)).json()).toEqual(credit);
    const events = (await get('/lastro/v1/events?domain=programs&limit=1000')).json().items;
    expect(events.filter((e: { event_type: string; data: { program_id: number } }) => e.event_type === 'update' && e.data.program_id === credit.id)).toEqual([]);
    expectError(await patch(999999999, {}), 404, 'EOA0020');
  });

  it('an id of 0 or less where the spec sets no minimum names nothing: copy is 404 EOA0020, the list filter is empty', async () => {
    const copy = { name: 'From nothing', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' };
    expectError(await post('/programs/v1/programs/copy', { ...copy, base_program_id: 0 }), 404, 'EOA0020');
    expectError(await post('/programs/v2/programs/copy', { ...copy, base_program_id: -1 }), 404, 'EOA0020');
    const list = await get('/programs/v1/programs?id=0');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ items: [], total_items: 0 });
  });
});

describe('another org', () => {
  it("gets 404 for the first org's program, import and calendar, and cannot change them", async () => {
    const mine = (await post('/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'Private' })).json();
    const imp = (await post('/programs/v2/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'Private async' })).json();
    const cal = (await post('/holidays-core/v1/holiday-calendar', { name: 'Private cal', type: 'Country' })).json();
    const intruder = await createOrg(app);
    const ih = bearer(await tokenFor(app, intruder), intruder.orgId);
    const done = await waitFor(async () => {
      const r = (await get(`/programs/v1/programs/import/${imp.program_import_id}`)).json();
      return r.status === 'SUCCESS' ? r : undefined;
    });
    for (const url of [
      `/programs/v1/programs/${mine.id}`,
      `/programs/v2/programs/${mine.id}`,
      `/programs/v1/programs/import/${imp.program_import_id}`,
      `/programs/v1/programs/import/program/${done.program_id}`,
      `/holidays-core/v1/holiday-calendar/${cal.holiday_calendar_id}`,
    ]) {
      expect((await get(url, ih)).statusCode, url).toBe(404);
    }
    const patch = await app.http.inject({ method: 'PATCH', url: `/programs/v1/programs/${mine.id}`, headers: ih, payload: { name: 'Stolen' } });
    expect(patch.statusCode).toBe(404);
    const copy = await post('/programs/v1/programs/copy', { base_program_id: mine.id, name: 'x', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' }, ih);
    expect(copy.statusCode).toBe(404);
    const copyAsync = await post('/programs/v2/programs/copy', { base_program_id: mine.id, name: 'x', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' }, ih);
    expectError(copyAsync, 404, 'EOA0020');
    const child = await post('/holidays-core/v1/holiday-calendar', { name: 'Adopted', type: 'Country', parent_id: cal.holiday_calendar_id }, ih);
    expectError(child, 404, 'EHLD0052');
    const useCal = await post('/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], holiday_calendar_id: String(cal.holiday_calendar_id) }, ih);
    expect(useCal.statusCode).toBe(400);
    expect((await get('/programs/v1/programs', ih)).json().total_items).toBe(0);
    expect((await get(`/programs/v1/programs/${mine.id}`)).json().name).toBe('Private');
  });

  it('a token without the programs group is refused', async () => {
    const cred = await post('/lastro/v1/credentials', { permissions: ['pismo-v1:programs:ro'] });
    const ro = await app.http.inject({
      method: 'POST',
      url: '/passport/v2/s2s/access-token',
      payload: { server_key: cred.json().server_key, server_secret: cred.json().server_secret },
    });
    const rh = bearer(ro.json().token, org.orgId);
    expect((await get('/programs/v1/programs', rh)).statusCode).toBe(200);
    expect((await post('/programs/v1/programs/template', bodies['CURRENT ACCOUNTS'], rh)).statusCode).toBe(403);
  });
});
