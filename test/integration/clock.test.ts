// The business date and sandbox test clocks over HTTP: GET /lastro/v1/clock and
// POST /lastro/v1/clock/advance, with a test-only day handler that records every call. A 400-day
// advance closes every day once, in order, in the org's and a program's scope; a production org is
// refused; advancing one org leaves the others where they were.
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { modules } from '../../src/modules/index.js';
import { addDays } from '../../src/platform/business-date.js';
import { onBusinessDay } from '../../src/platform/day-close.js';
import type { Tx } from '../../src/platform/db/database.js';
import type { LastroModule } from '../../src/platform/module.js';
import { defineEvent, recordEvent } from '../../src/platform/outbox.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { bodies, waitFor } from './programs-fixtures.js';

const record = async (db: Tx, c: Call) => {
  await sql`insert into test_day_calls (org_id, program_id, date, handler, today, actor, programs)
            values (${c.orgId}, ${c.programId}, ${c.date}, ${c.handler}, ${c.today}, ${c.actor}, ${c.programs.join(',')})`.execute(db);
};

interface Call {
  handler: string;
  orgId: string;
  programId: string | null;
  date: string;
  today: string;
  actor: string;
  programs: string[];
}

/** Orgs whose first handler fails (on any day, or on the given one) until removed. */
const failing = new Map<string, string | undefined>();

const MonthOpened = defineEvent({
  domain: 'test',
  eventType: 'month-opened',
  version: 1,
  title: 'Month opened',
  description: 'Test-only: emitted when the first day of a month is closed.',
  schema: Type.Object({ date: Type.String() }),
  example: { date: '2026-12-01' },
});

/** A module that only records the days it is given (registered beside the real modules). */
const recorder: LastroModule = {
  name: 'test-days',
  events: [MonthOpened],
  dayHandlers: (platform) => [
    // Each call is recorded in the handler's own transaction: a call whose transaction rolled
    // back leaves no row, so the table holds exactly the handler-days that committed.
    onBusinessDay('test.first', async ({ t, date, programId, programs }) => {
      if (failing.has(t.orgId) && (failing.get(t.orgId) ?? date) === date) throw new Error('the ledger is not ready');
      await record(t.db, {
        handler: 'first',
        orgId: t.orgId,
        programId: programId === null ? null : String(programId),
        date,
        today: await t.dates.today(programId ?? undefined),
        actor: t.actor,
        programs: (await programs()).map(String),
      });
    }),
    onBusinessDay('test.second', async ({ t, date, programId }) => {
      await record(t.db, { handler: 'second', orgId: t.orgId, programId: programId === null ? null : String(programId), date, today: '', actor: t.actor, programs: [] });
      if (programId === null && date.endsWith('-01')) {
        await recordEvent(t.db, platform, MonthOpened, { orgId: t.orgId, cid: t.cid, data: { date }, businessDate: date });
      }
    }),
  ],
};

let app: TestApp;
const orgs: Record<string, TestOrg & { token: string }> = {};
const org = async (name: string, sandbox: boolean) => {
  const o = await createOrg(app, { org_name: name, sandbox });
  const entry = { ...o, token: await tokenFor(app, o) };
  orgs[name] = entry;
  return entry;
};
const h = (name: string, extra: Record<string, string> = {}) => ({ ...bearer(orgs[name]!.token, orgs[name]!.orgId), ...extra });
const clockOf = async (name: string, query = '') => {
  const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/clock${query}`, headers: h(name) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const advance = (name: string, payload: unknown, extra: Record<string, string> = {}) =>
  app.http.inject({ method: 'POST', url: '/lastro/v1/clock/advance', headers: h(name, extra), payload: payload as object });
const pollDone = async (name: string, id: string): Promise<any> =>
  waitFor<any>(async () => {
    const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/clock/advances/${id}`, headers: h(name) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().status === 'DONE' ? res.json() : undefined;
  }, 120_000);
const callsOf = async (name: string): Promise<Call[]> => {
  const { rows } = await sql<{ org_id: string; program_id: string | null; date: string; handler: string; today: string; actor: string; programs: string }>`
    select org_id, program_id, date, handler, today, actor, programs from test_day_calls where org_id = ${orgs[name]!.orgId} order by seq`.execute(
    app.platform.db.kysely,
  );
  return rows.map((r) => ({
    handler: r.handler,
    orgId: r.org_id,
    programId: r.program_id,
    date: r.date,
    today: r.today,
    actor: r.actor,
    programs: r.programs ? r.programs.split(',') : [],
  }));
};
const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));

beforeAll(async () => {
  // 2026-11-23T12:00Z: 09:00 in São Paulo, 21:00 in Tokyo; both on the 23rd.
  app = await testApp({ modules: [...modules, recorder], start: true, env: { LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0' } });
  await sql`create table test_day_calls (
    seq bigint generated always as identity primary key,
    org_id text not null, program_id text, date text not null, handler text not null, today text, actor text, programs text)`.execute(app.platform.db.kysely);
  await org('alpha', true);
  await org('beta', false);
  await org('gamma', true);
});
afterAll(async () => app?.close());

describe('GET /lastro/v1/clock', () => {
  it("answers the org's business date in its time zone, and when that day closes", async () => {
    const c = await clockOf('beta');
    expect(c).toMatchObject({
      business_date: '2026-11-23',
      wall_time: '2026-11-23T12:00:00.000Z',
      time_zone: 'America/Sao_Paulo',
      closes_at: '2026-11-24T03:00:00.000Z',
      sandbox: false,
    });
    expect(c.cycle_closing).toBeUndefined();
  });

  it("answers a program's business date in the program's zone and cycle closing; an unknown program is 404", async () => {
    await org('epsilon', false);
    const res = await app.http.inject({
      method: 'POST',
      url: '/programs/v1/programs/template',
      headers: h('epsilon'),
      payload: { ...bodies['CURRENT ACCOUNTS'], name: 'Tokyo', timezone: 'Asia/Tokyo', cycle_closing: '20:00:00' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().id as number;
    // 21:00 in Tokyo is past the 20:00 closing: the program is already on the 24th.
    expect(await clockOf('epsilon', `?program_id=${id}`)).toMatchObject({
      business_date: '2026-11-24',
      time_zone: 'Asia/Tokyo',
      cycle_closing: '20:00:00',
      closes_at: '2026-11-24T11:00:00.000Z',
      program_id: id,
    });
    const missing = await app.http.inject({ method: 'GET', url: '/lastro/v1/clock?program_id=999999999', headers: h('epsilon') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('PROGRAM_NOT_FOUND');
  });
});

describe('POST /lastro/v1/clock/advance', () => {
  let tokyo: string;
  let local: string;

  it('advances a sandbox org 400 days: every day closed once, in order, in the org and in a program with its own day', async () => {
    // A program on the org's own day (same zone, no cycle closing) and one on its own day.
    const mk = async (name: string, timezone: string) => {
      const res = await app.http.inject({
        method: 'POST',
        url: '/programs/v1/programs/template',
        headers: h('alpha'),
        payload: { ...bodies['CURRENT ACCOUNTS'], name, timezone },
      });
      expect(res.statusCode, res.body).toBe(200);
      return String(res.json().id);
    };
    local = await mk('Local', 'America/Sao_Paulo');
    tokyo = await mk('Tokyo', 'Asia/Tokyo');

    const res = await advance('alpha', { days: 400 });
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json();
    expect(res.headers.location).toBe(`/lastro/v1/clock/advances/${started.id}`);
    expect(started).toMatchObject({ status: 'RUNNING', from_date: '2026-11-23', to_date: '2027-12-28', days: 400 });
    const done = await pollDone('alpha', started.id);
    expect(done).toMatchObject({ status: 'DONE', days: 400, days_closed: 400 });

    // Per day: the org's day, then the program's; each handler in registration order.
    const expected = days('2026-11-23', 400).flatMap((date) =>
      [null, tokyo].flatMap((programId) => ['first', 'second'].map((handler) => ({ handler, programId, date }))),
    );
    expect((await callsOf('alpha')).map(({ handler, programId, date }) => ({ handler, programId, date }))).toEqual(expected);

    const firsts = (await callsOf('alpha')).filter((c) => c.handler === 'first');
    // Inside a handler the business date is the day after the one closing (its closing instant).
    for (const c of firsts) expect(c.today, `${c.programId} ${c.date}`).toBe(addDays(c.date, 1));
    expect(new Set(firsts.map((c) => c.actor))).toEqual(new Set(['day:test.first']));
    // The org's day covers the programs that follow it; the Tokyo program has its own.
    expect(firsts.find((c) => c.programId === null)!.programs).toEqual([local]);
    expect(firsts.find((c) => c.programId === tokyo)!.programs).toEqual([tokyo]);

    expect(await clockOf('alpha')).toMatchObject({ business_date: '2027-12-28', last_closed_date: '2027-12-27', sandbox: true });
    expect((await clockOf('alpha')).advance).toBeUndefined();
    expect(await clockOf('alpha', `?program_id=${tokyo}`)).toMatchObject({ business_date: '2027-12-28', last_closed_date: '2027-12-27' });
    // What modules see in a tenant transaction: the same dates.
    const today = (name: string, programId?: string) =>
      app.platform.tenant({ orgId: orgs[name]!.orgId, cid: undefined, actor: 'test' }, (t) => t.dates.today(programId));
    expect(await today('alpha')).toBe('2027-12-28');
    expect(await today('alpha', tokyo)).toBe('2027-12-28');
    expect(await today('alpha', local)).toBe('2027-12-28');
    expect(await today('beta')).toBe('2026-11-23');
  }, 180_000);

  it('events emitted on a business day carry it beside the wall-clock timestamp', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/lastro/v1/events?event_type=month-opened&limit=100', headers: h('alpha') });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items;
    expect(items.map((e: { business_date: string }) => e.business_date)).toEqual(days('2026-11-23', 400).filter((d) => d.endsWith('-01')));
    expect(items[0]).toMatchObject({ domain: 'test', event_type: 'month-opened', timestamp: '2026-11-23T12:00:00.000Z', data: { date: '2026-12-01' } });
    // Events not emitted on a business day keep the envelope they always had.
    const other = await app.http.inject({ method: 'GET', url: '/lastro/v1/events?limit=5', headers: h('beta') });
    for (const e of other.json().items) expect(Object.keys(e)).not.toContain('business_date');
  });

  it('advancing one org changes no other org', async () => {
    expect(await callsOf('gamma')).toEqual([]);
    expect(await callsOf('beta')).toEqual([]);
    expect(await clockOf('gamma')).toMatchObject({ business_date: '2026-11-23' });
    expect(await clockOf('beta')).toMatchObject({ business_date: '2026-11-23' });
  });

  it('up to LASTRO_CLOCK_SYNC_DAYS days answer 200 once closed; the wall clock catching up closes nothing twice', async () => {
    const res = await advance('gamma', { to: '2026-12-10' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'DONE', from_date: '2026-11-23', to_date: '2026-12-10', days: 17, days_closed: 17 });
    expect(res.json().finished_at).toBeDefined();
    expect((await callsOf('gamma')).filter((c) => c.handler === 'first').map((c) => c.date)).toEqual(days('2026-11-23', 17));
    expect(await clockOf('gamma')).toMatchObject({ business_date: '2026-12-10', last_closed_date: '2026-12-09' });

    // To today: nothing to close, and done at once.
    const again = await advance('gamma', { to: '2026-12-10' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'DONE', days: 0 });

  });

  it('same inputs, same results: two orgs set up alike close the same days with the same dates', async () => {
    await org('twin1', true);
    await org('twin2', true);
    for (const name of ['twin1', 'twin2']) expect((await advance(name, { days: 20 })).statusCode).toBe(200);
    const strip = async (name: string) => (await callsOf(name)).map(({ orgId: _o, ...rest }) => rest);
    expect(await strip('twin1')).toHaveLength(40);
    expect(await strip('twin1')).toEqual(await strip('twin2'));
  });

  it('a production org refuses it with 409 TEST_CLOCK_NOT_SANDBOX', async () => {
    const res = await advance('beta', { days: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('TEST_CLOCK_NOT_SANDBOX');
    expect(await callsOf('beta')).toEqual([]);
  });

  it('bad input answers 400 naming the field', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{}, 'VALIDATION_ERROR', 'body.to'],
      [{ to: '2027-01-01', days: 3 }, 'VALIDATION_ERROR', 'body.days'],
      [{ days: 0 }, 'VALIDATION_ERROR', 'body.days'],
      [{ days: 2.5 }, 'VALIDATION_ERROR', 'body.days'],
      [{ to: '2027-02-30' }, 'VALIDATION_ERROR', 'body.to'],
      [{ to: '2026-11-01' }, 'TEST_CLOCK_DATE_IN_PAST', 'body.to'],
      [{ to: '2045-01-01' }, 'TEST_CLOCK_TOO_FAR', 'body.to'],
      [{ days: 5, hours: 3 }, 'VALIDATION_ERROR', 'body.hours'],
    ];
    for (const [payload, code, field] of cases) {
      const res = await advance('gamma', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code, JSON.stringify(payload)).toBe(code);
      expect(res.json().details.map((d: { field: string }) => d.field), JSON.stringify(payload)).toContain(field);
    }
  });

  it('an Idempotency-Key replays the advance instead of closing more days', async () => {
    const before = (await callsOf('gamma')).length;
    const first = await advance('gamma', { days: 2 }, { 'idempotency-key': 'gamma-advance-1' });
    expect(first.statusCode, first.body).toBe(200);
    const replay = await advance('gamma', { days: 2 }, { 'idempotency-key': 'gamma-advance-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.json().id).toBe(first.json().id);
    expect((await callsOf('gamma')).length).toBe(before + 4);
    expect(await clockOf('gamma')).toMatchObject({ business_date: '2026-12-12' });
    const reused = await advance('gamma', { days: 3 }, { 'idempotency-key': 'gamma-advance-1' });
    expect(reused.statusCode).toBe(422);
  });

  it('a failing handler is retried; meanwhile the advance shows the error and another advance is refused', async () => {
    const d = await org('delta', true);
    const today = (await clockOf('delta')).business_date as string;
    failing.set(d.orgId, undefined);
    const res = await advance('delta', { days: 3 });
    // The day could not close: the advance goes on in the worker.
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'RUNNING', days_closed: 0 });
    expect(res.json().last_error).toContain(`test.first on ${today}: the ledger is not ready`);
    const busy = await advance('delta', { days: 1 });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('TEST_CLOCK_ADVANCE_IN_PROGRESS');
    expect((await clockOf('delta')).advance).toMatchObject({ id: res.json().id, status: 'RUNNING' });
    failing.delete(d.orgId);
    // Retries back off on the wall clock (1 s, 2 s, … up to 5 min).
    app.clock.advance(10 * 60_000);
    const done = await pollDone('delta', res.json().id);
    expect(done.last_error).toBeUndefined();
    expect((await callsOf('delta')).filter((c) => c.handler === 'first').map((c) => c.date)).toEqual(days(today, 3));
  });

  it('a handler failing mid-way through a batch of days: the days before it commit once, the rest follow after the retry', async () => {
    const z = await org('zeta', true);
    const today = (await clockOf('zeta')).business_date as string;
    failing.set(z.orgId, addDays(today, 4));
    const res = await advance('zeta', { days: 10 });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'RUNNING', days_closed: 4 });
    expect((await callsOf('zeta')).filter((c) => c.handler === 'second').map((c) => c.date)).toEqual(days(today, 4));
    failing.delete(z.orgId);
    app.clock.advance(10 * 60_000);
    await pollDone('zeta', res.json().id);
    const calls = await callsOf('zeta');
    expect(calls.map((c) => `${c.date} ${c.handler}`)).toEqual(days(today, 10).flatMap((d) => [`${d} first`, `${d} second`]));
  });

  it('an advance of another org is not found', async () => {
    const mine = await advance('gamma', { days: 1 });
    const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/clock/advances/${mine.json().id}`, headers: h('alpha') });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('TEST_CLOCK_ADVANCE_NOT_FOUND');
  });

  it('the wall clock closes a production org’s days; behind a test clock it closes nothing twice', async () => {
    const gammaCalls = (await callsOf('gamma')).length;
    const alphaCalls = (await callsOf('alpha')).length;
    // Three days pass on the wall clock (São Paulo midnights of the 24th, 25th and 26th).
    app.clock.advance(3 * 86_400_000);
    for (const o of Object.values(orgs)) o.token = await tokenFor(app, o); // the old ones expired
    const closed = await waitFor(async () => {
      const dates = (await callsOf('beta')).filter((c) => c.handler === 'second').map((c) => c.date);
      return dates.length >= 3 ? dates : undefined;
    }, 30_000);
    expect(closed).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect((await callsOf('beta')).every((c) => c.programId === null)).toBe(true);
    expect(await clockOf('beta')).toMatchObject({ business_date: '2026-11-26', last_closed_date: '2026-11-25' });
    // gamma's test clock is at 2026-12-13, alpha's in 2027: the wall clock is behind both.
    await app.platform.days.closeDue(orgs.gamma!.orgId);
    expect(await callsOf('gamma')).toHaveLength(gammaCalls);
    expect(await callsOf('alpha')).toHaveLength(alphaCalls);
    expect(await clockOf('gamma')).toMatchObject({ business_date: '2026-12-13' });
  });
});

describe('the last closed day', () => {
  const todayOf = (name: string) => app.platform.tenant({ orgId: orgs[name]!.orgId, cid: 'test', actor: 'test' }, (t) => t.dates.today());
  const setLastClosed = (name: string, date: string) =>
    app.platform.db.transaction(
      (tx) => tx.updateTable('business_day_scopes').set({ last_closed: date }).where('org_id', '=', orgs[name]!.orgId).execute(),
      { system: true },
    );
  const lastClosedOf = (name: string) =>
    app.platform.db.transaction(
      async (tx) => (await tx.selectFrom('business_day_scopes').select('last_closed').where('org_id', '=', orgs[name]!.orgId).where('program_id', '=', 0n).executeTakeFirstOrThrow()).last_closed,
      { system: true },
    );

  it("is kept briefly for a production org (closed by the wall clock), read every time for a sandbox org's test clock", async () => {
    for (const [name, sandbox] of [['beta', false], ['alpha', true]] as const) {
      const before = await lastClosedOf(name);
      // The process's monotonic clock stands still, so "briefly" is not a race with a slow machine.
      const frozen = vi.spyOn(performance, 'now').mockReturnValue(performance.now());
      const today = await todayOf(name);
      // Another process closes days ahead (a sandbox org's test clock can; a production org's days close by the wall clock).
      await setLastClosed(name, addDays(today, 4));
      try {
        expect(await todayOf(name)).toBe(sandbox ? addDays(today, 5) : today);
        frozen.mockRestore();
        app.platform.dates.forget(orgs[name]!.orgId);
        expect(await todayOf(name)).toBe(addDays(today, 5));
      } finally {
        frozen.mockRestore();
        await setLastClosed(name, before);
        app.platform.dates.forget(orgs[name]!.orgId);
      }
      expect(await todayOf(name)).toBe(today);
    }
  });
});
