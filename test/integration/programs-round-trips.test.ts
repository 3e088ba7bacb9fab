// What one program create costs in round trips to the database: every pg client call (one
// pipeline, one Sync) while the request runs, counted in process. The program and its due dates
// are one statement and Program created another, sent with the settings in one pipeline that
// PostgreSQL commits at its end (sendLast); the bound below fails when a change adds a round trip
// back. The answer and the event are those of a create in several round trips: the event's
// program_id is the program's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';
import { expectValidEvents } from '../helpers/events.js';
import { countRoundTrips, counted } from '../helpers/round-trips.js';
import { bodies } from './programs-fixtures.js';

let app: TestApp;
let tenant: Tenant;
let stopCounting: (() => void) | undefined;

const create = (name: string) =>
  app.http.inject({ method: 'POST', url: '/programs/v1/programs/template', headers: tenant.headers, payload: { ...bodies.CREDITO, name } });

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  stopCounting = countRoundTrips();
});
afterAll(async () => {
  stopCounting?.();
  await app?.close();
});

describe('round trips of a program create', () => {
  it('a credit program with two due dates', async () => {
    const first = await create('Round trips 1');
    expect(first.statusCode, first.body).toBe(200);
    const warm = await counted(() => create('Round trips 2'));
    expect(warm.result.statusCode, warm.result.body).toBe(200);
    if (process.env.LASTRO_TRACE_TRIPS) console.log(`round trips: ${warm.trips}`);
    // 1: the settings, the program and its due dates (one statement), the Program created event,
    //    committed at the pipeline's end (no BEGIN, no COMMIT).
    expect(warm.trips).toBeLessThanOrEqual(1);

    // The same answer as before the statements were folded: due dates by day, each with its own
    // id, in the order the body gave them; the program as GET shows it.
    const created = warm.result.json<{ id: number; due_dates: { id: number; day: number; active: boolean }[] }>();
    const firstDates = first.json<{ due_dates: { id: number }[] }>().due_dates;
    expect(created.due_dates.map(({ day, active }) => ({ day, active }))).toEqual([
      { day: 1, active: true },
      { day: 2, active: false },
    ]);
    expect(created.due_dates[1]!.id).toBeGreaterThan(created.due_dates[0]!.id);
    expect(created.due_dates[0]!.id).toBeGreaterThan(firstDates[1]!.id);
    const got = await app.http.inject({ method: 'GET', url: `/programs/v1/programs/${created.id}`, headers: tenant.headers });
    expect(got.json()).toEqual(created);

    const events = (await expectValidEvents(app, tenant.headers, { domain: 'programs' })).filter((e) => e.event_type === 'creation');
    expect(events.map((e) => e.data)).toEqual(
      [first.json<{ id: number; name: string }>(), created].map((p) => ({
        org_id: tenant.org.orgId,
        program_id: p.id,
        program_name: (p as { name?: string }).name,
        program_type: 'CREDITO',
        program_type_id: 1,
        status: 'ACTIVE',
        currency_numeric_code: '986',
        country_code: 'BRA',
        timezone: 'America/Sao_Paulo',
      })),
    );
  });

  it('with an idempotency key (a round trip before the insert), the same answer, replayed', async () => {
    const headers = { ...tenant.headers, 'idempotency-key': 'round-trips-once' };
    const payload = { ...bodies.CREDITO, name: 'Round trips once' };
    const once = await app.http.inject({ method: 'POST', url: '/programs/v1/programs/template', headers, payload });
    expect(once.statusCode, once.body).toBe(200);
    const again = await app.http.inject({ method: 'POST', url: '/programs/v1/programs/template', headers, payload });
    expect(again.json()).toEqual(once.json());
    const got = await app.http.inject({ method: 'GET', url: `/programs/v1/programs/${once.json<{ id: number }>().id}`, headers: tenant.headers });
    expect(got.json()).toEqual(once.json());
  });

  it('due dates sent out of order keep the ids of the order sent, and answer by day', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/programs/v1/programs/template',
      headers: tenant.headers,
      payload: { ...bodies.CREDITO, name: 'Round trips 3', due_dates: [{ day: 20, active: false }, { day: 5, active: true }, { day: 12, active: true }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const dates = res.json<{ due_dates: { id: number; day: number; active: boolean }[] }>().due_dates;
    expect(dates.map((d) => d.day)).toEqual([5, 12, 20]);
    const [five, twelve, twenty] = dates;
    expect(twenty!.id).toBeLessThan(five!.id);
    expect(five!.id).toBeLessThan(twelve!.id);
  });

  it('a program without due dates', async () => {
    const res = await app.http.inject({ method: 'POST', url: '/programs/v1/programs/template', headers: tenant.headers, payload: bodies['PRE-PAGO'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).not.toHaveProperty('due_dates');
  });
});
