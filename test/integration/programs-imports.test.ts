// Asynchronous creations, worked by hand (an `api` process does not work jobs): an import whose
// job keeps failing ends in ERROR, one that breaks a rule leaves nothing behind, and the request
// is resolved when it is accepted (a copy's base program, the calendar a reference names). Also
// int64 ids in paths and bodies, and the 400s that name every bad field.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgramsService } from '../../src/modules/programs/programs.service.js';
import type { TestApp } from '../helpers/app.js';
import type { TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { bodies } from './programs-fixtures.js';

let app: TestApp;
let org: TestOrg;
let h: Record<string, string>;
const CAL = '/holidays-core/v1/holiday-calendar';

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = h) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const fields = (res: { json(): { details?: { field: string }[] } }) => (res.json().details ?? []).map((d) => d.field);
const importOf = async (id: number) => (await call('GET', `/programs/v1/programs/import/${id}`)).json();
const namedPrograms = async (name: string) => (await call('GET', `/programs/v1/programs?name=${encodeURIComponent(name)}`)).json().total_items as number;

/** Runs the import job's handler as the worker would, on the given attempt. */
async function work(importId: number, attempt = 1) {
  const { importJob } = createProgramsService(app.platform);
  await importJob.handler({ org_id: org.orgId, program_import_id: String(importId) }, { id: 'test', attempt, log: app.platform.log });
}

beforeAll(async () => {
  ({ app, org, headers: h } = await setupTenant({ mode: 'api', start: true, env: NO_RATE_LIMITS }));
});
afterAll(async () => app?.close());

describe('an import whose job fails', () => {
  it('stays in PROCESS while attempts remain, and ends in ERROR when the last one fails', async () => {
    const sub = await call('POST', '/programs/v2/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'Doomed' });
    expect(sub.statusCode).toBe(201);
    const id: number = sub.json().program_import_id;
    expect((await importOf(id)).status).toBe('PENDING');
    // A request the job cannot insert (as one written by hand or by an older release would be):
    // the database refuses it with a not-null violation, an error that is not a rule broken.
    await app.platform.db.transaction(
      (tx) => sql`update program_imports set request = request - 'timezone' where program_import_id = ${id}`.execute(tx),
      { system: true },
    );
    await expect(work(id, 1)).rejects.toThrow(/timezone/);
    expect((await importOf(id)).status).toBe('PROCESS');
    await expect(work(id, 6)).rejects.toThrow(/timezone/);
    const failed = await importOf(id);
    expect(failed).toMatchObject({ status: 'ERROR', details: expect.stringContaining('could not be created'), finished_at: expect.any(String) });
    expect(failed.program_import_steps.every((s: { status: string }) => s.status === 'ERROR')).toBe(true);
    expect(await namedPrograms('Doomed')).toBe(0);
    // A redelivery after that changes nothing.
    await work(id, 1);
    expect((await importOf(id)).status).toBe('ERROR');
  });

  it('ends in ERROR with the reason, and writes nothing of the program, when its calendar was deleted since', async () => {
    const cal = (await call('POST', CAL, { name: 'Gone soon', type: 'Country' })).json();
    const sub = await call('POST', '/programs/v2/programs/template', { ...bodies.CREDITO, name: 'Orphan', holiday_calendar_id: String(cal.holiday_calendar_id) });
    expect(sub.statusCode).toBe(201);
    expect((await call('DELETE', `${CAL}/${cal.holiday_calendar_id}`)).statusCode).toBe(204);
    const id: number = sub.json().program_import_id;
    await work(id);
    const imp = await importOf(id);
    expect(imp).toMatchObject({ status: 'ERROR', details: expect.stringContaining('holiday_calendar_id') });
    expect(imp).not.toHaveProperty('program_id');
    expect(await namedPrograms('Orphan')).toBe(0);
    const leftovers = await app.platform.db.transaction(
      async (tx) => ({
        dueDates: (await sql<{ n: number }>`select count(*)::int as n from program_due_dates d where not exists (select 1 from programs p where p.org_id = d.org_id and p.program_id = d.program_id)`.execute(tx)).rows[0]!.n,
        events: (await sql<{ n: number }>`select count(*)::int as n from event_outbox_events where (data->>'program_import_id')::bigint = ${id}`.execute(tx)).rows[0]!.n,
      }),
      { orgId: org.orgId },
    );
    expect(leftovers).toEqual({ dueDates: 0, events: 0 });
  });
});

describe('an import is resolved when it is accepted', () => {
  it('a v2 copy copies the base program as it was at the request, and lists the DUEDATES step', async () => {
    const base = (await call('POST', '/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Copy base' })).json();
    const sub = await call('POST', '/programs/v2/programs/copy', { base_program_id: base.id, name: 'Copy then', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' });
    expect(sub.statusCode).toBe(201);
    const id: number = sub.json().program_export_id;
    // The base changes before the job runs.
    const patched = await call('PATCH', `/programs/v1/programs/${base.id}`, { bin: { end_range: '5' }, due_dates: [{ day: 20, active: true }] });
    expect(patched.statusCode).toBe(204);
    expect((await importOf(id)).program_import_steps.map((s: { name: string }) => s.name)).toEqual(['PROGRAM', 'DUEDATES']);
    await work(id);
    const done = await importOf(id);
    expect(done.status).toBe('SUCCESS');
    const copy = (await call('GET', `/programs/v1/programs/${done.program_id}`)).json();
    expect(copy).toMatchObject({ type: 'CREDITO', base_program_id: base.id, bin: base.bin });
    expect(copy.due_dates.map((d: { day: number }) => d.day)).toEqual([1, 2]);
  });

  it('a calendar reference keeps naming the calendar it named at the request', async () => {
    const first = (await call('POST', CAL, { name: 'Named first', type: 'Country', external_id: 'cal-ref' })).json();
    const sub = await call('POST', '/programs/v2/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'Ref kept', holiday_calendar_id: 'cal-ref' });
    expect(sub.statusCode).toBe(201);
    // The external id moves to another calendar before the job runs.
    expect((await call('PATCH', `${CAL}/${first.holiday_calendar_id}`, { external_id: 'cal-ref-old' })).statusCode).toBe(204);
    expect((await call('POST', CAL, { name: 'Named second', type: 'Country', external_id: 'cal-ref' })).statusCode).toBe(201);
    await work(sub.json().program_import_id);
    const done = await importOf(sub.json().program_import_id);
    expect((await call('GET', `/programs/v1/programs/${done.program_id}`)).json().holiday_calendar_id).toBe(String(first.holiday_calendar_id));
  });

  it('an external_id of digits only is refused, so a numeric reference always means a calendar id', async () => {
    const created = await call('POST', CAL, { name: 'Digits', type: 'Country', external_id: '12' });
    expect(created.statusCode).toBe(400);
    expect(fields(created)).toEqual(['body.external_id']);
    const cal = (await call('POST', CAL, { name: 'Digits later', type: 'Country', external_id: 'a12' })).json();
    const patched = await call('PATCH', `${CAL}/${cal.holiday_calendar_id}`, { external_id: '0042' });
    expect(patched.statusCode).toBe(400);
    expect(fields(patched)).toEqual(['body.external_id']);
  });
});

describe('int64 ids', () => {
  it('a path id beyond what any row can have is 404; one that is not an int64 at all is 400', async () => {
    for (const url of ['/programs/v1/programs/9223372036854775807', '/programs/v2/programs/9223372036854775808', '/programs/v1/programs/0']) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('EOA0020');
    }
    expect((await call('PATCH', '/programs/v1/programs/9999999999999999999', { name: 'x' })).statusCode).toBe(404);
    expect((await call('GET', '/programs/v1/programs/import/9223372036854775807')).json().code).toBe('EOA0091');
    expect((await call('GET', '/programs/v1/programs/import/program/9223372036854775808')).json().code).toBe('EOA0091');
    expect((await call('GET', `${CAL}/9223372036854775808`)).json().code).toBe('EHLD0052');
    expect((await call('DELETE', `${CAL}/9223372036854775807/holiday/9223372036854775808`)).statusCode).toBe(404);
    const tooLong = await call('GET', '/programs/v1/programs/12345678901234567890');
    expect(tooLong.statusCode).toBe(400);
    expect(fields(tooLong)).toEqual(['path.id']);
  });

  it('a body or query id past 2^53 is refused with a 400 naming it, not rounded', async () => {
    const copy = await call('POST', '/programs/v1/programs/copy', { base_program_id: 9007199254740993, name: 'x', timezone: 'UTC', currency_numeric_code: '986', country_code: 'BRA' });
    expect(copy.statusCode).toBe(400);
    expect(fields(copy)).toEqual(['body.base_program_id']);
    const list = await call('GET', '/programs/v1/programs?id=9223372036854775807');
    expect(list.statusCode).toBe(400);
    expect(fields(list)).toEqual(['query.id']);
    const parent = await call('POST', CAL, { name: 'Big parent', type: 'Country', parent_id: 9223372036854775807 });
    expect(fields(parent)).toEqual(['body.parent_id']);
  });
});

describe('one 400 names every bad field', () => {
  it('PATCH of a program: an unknown calendar is reported with the other problems', async () => {
    const credit = (await call('POST', '/programs/v1/programs/template', { ...bodies.CREDITO, name: 'Many wrongs' })).json();
    const res = await call('PATCH', `/programs/v1/programs/${credit.id}`, {
      holiday_calendar_id: 'no-such-calendar',
      due_dates: [{ day: 1, active: false }, { day: 2, active: false }],
    });
    expectError(res, 400, 'EOA0082');
    expect(fields(res)).toEqual(expect.arrayContaining(['body.holiday_calendar_id', 'body.due_dates']));
  });
});

describe('time zones', () => {
  it('are IANA Region/City names spelt as IANA spells them, or UTC', async () => {
    for (const timezone of ['america/sao_paulo', 'America/SAO_PAULO', 'Etc/GMT+3', 'US/Eastern', 'GMT']) {
      const res = await call('POST', '/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'tz', timezone });
      expect(res.statusCode, timezone).toBe(400);
      expect(fields(res)).toEqual(['body.timezone']);
    }
    for (const timezone of ['UTC', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires', 'America/Port-au-Prince']) {
      const res = await call('POST', '/programs/v1/programs/template', { ...bodies['CURRENT ACCOUNTS'], name: 'tz', timezone });
      expect(res.statusCode, timezone).toBe(200);
      expect(res.json().timezone).toBe(timezone);
    }
  });
});
