import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, businessDateAt, closingMs, createBusinessDates, dayRule, daysBetween, isIsoDate, UnknownDayScopeError, type DayDirectory } from './business-date.js';
import type { Tx } from './db/database.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => new Date(s);

describe('calendar arithmetic', () => {
  it('crosses month, year and leap-year ends', () => {
    expect(addDays('2027-01-31', 1)).toBe('2027-02-01');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-11-23', 400)).toBe('2027-12-28');
    expect(daysBetween('2026-11-23', '2027-12-28')).toBe(400);
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(daysBetween('2027-03-01', '2027-02-01')).toBe(-28);
  });

  it('accepts only real ISO dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-13-01')).toBe(false);
    expect(isIsoDate('2027-1-01')).toBe(false);
  });

  it('reads 00:00:00 and anything that is not HH:MM:SS as local midnight', () => {
    expect(dayRule('UTC', '00:00:00').closing).toBeNull();
    expect(dayRule('UTC', null).closing).toBeNull();
    expect(dayRule('UTC', '25:00:00').closing).toBeNull();
    expect(dayRule('UTC', '22:00:00').closing).toBe('22:00:00');
  });
});

describe('closing instants and business dates', () => {
  it('a cycle closing is a cut-off: at and after it, the business date is the next day', () => {
    const rule = dayRule('America/Sao_Paulo', '22:00:00'); // UTC-3 all year since 2019
    expect(iso(closingMs('2026-11-22', rule))).toBe('2026-11-23T01:00:00.000Z');
    expect(businessDateAt(at('2026-11-23T00:59:59.999Z'), rule)).toBe('2026-11-22');
    expect(businessDateAt(at('2026-11-23T01:00:00.000Z'), rule)).toBe('2026-11-23');
    // Local midnight: the local date.
    const midnight = dayRule('America/Sao_Paulo', null);
    expect(businessDateAt(at('2026-11-23T02:59:59.999Z'), midnight)).toBe('2026-11-22');
    expect(businessDateAt(at('2026-11-23T03:00:00.000Z'), midnight)).toBe('2026-11-23');
  });

  it('answers the same as computed afresh when instants go back and forth across closings (the last answer is kept per rule)', () => {
    const rule = dayRule('America/Sao_Paulo', '22:00:00');
    const instants = ['2026-11-23T00:59:59.999Z', '2026-11-23T01:00:00.000Z', '2026-11-23T00:59:59.999Z', '2026-11-24T01:00:00.000Z', '2026-11-20T12:00:00Z', '2026-11-24T00:00:00Z'];
    expect(instants.map((i) => businessDateAt(at(i), rule))).toEqual(['2026-11-22', '2026-11-23', '2026-11-22', '2026-11-24', '2026-11-20', '2026-11-23']);
  });

  it('São Paulo 2018: DST began at midnight, so that day starts at 01:00 and the day before closes then', () => {
    const rule = dayRule('America/Sao_Paulo', null);
    // 2018-11-04 00:00 -03 did not exist; the clock went to 01:00 -02 (03:00Z).
    expect(iso(closingMs('2018-11-03', rule))).toBe('2018-11-04T03:00:00.000Z');
    expect(businessDateAt(at('2018-11-04T02:59:59.999Z'), rule)).toBe('2018-11-03');
    expect(businessDateAt(at('2018-11-04T03:00:00.000Z'), rule)).toBe('2018-11-04');
    // 2018-11-04 is 23 hours long.
    expect(closingMs('2018-11-04', rule) - closingMs('2018-11-03', rule)).toBe(23 * 3_600_000);
  });

  it('São Paulo 2019: DST ended at midnight, so the evening before is doubled and the day lasts 25 hours', () => {
    const midnight = dayRule('America/Sao_Paulo', null);
    expect(iso(closingMs('2019-02-16', midnight))).toBe('2019-02-17T03:00:00.000Z');
    expect(closingMs('2019-02-16', midnight) - closingMs('2019-02-15', midnight)).toBe(25 * 3_600_000);
    // 23:30 on the 16th happened at -02 and again at -03: the day closes at the first.
    const late = dayRule('America/Sao_Paulo', '23:30:00');
    expect(iso(closingMs('2019-02-16', late))).toBe('2019-02-17T01:30:00.000Z');
    expect(businessDateAt(at('2019-02-17T02:00:00.000Z'), late)).toBe('2019-02-17');
  });

  it('Lisbon: a closing time inside the spring gap closes when the clock has passed it; one in the autumn overlap at its first occurrence', () => {
    const rule = dayRule('Europe/Lisbon', '01:30:00');
    // 2026-03-29 01:00 WET → 02:00 WEST: 01:30 never happened; the day closes at 02:30 WEST.
    expect(iso(closingMs('2026-03-29', rule))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(closingMs('2026-03-28', rule))).toBe('2026-03-28T01:30:00.000Z');
    // 2026-10-25 02:00 WEST → 01:00 WET: 01:30 happened twice; the first is 00:30Z.
    expect(iso(closingMs('2026-10-25', rule))).toBe('2026-10-25T00:30:00.000Z');
    expect(businessDateAt(at('2026-10-25T01:00:00.000Z'), rule)).toBe('2026-10-26');
  });

  it('New York: spring forward skips 02:30, fall back doubles 01:30; midnight is untouched', () => {
    const skipped = dayRule('America/New_York', '02:30:00');
    expect(iso(closingMs('2026-03-08', skipped))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(iso(closingMs('2026-03-07', skipped))).toBe('2026-03-07T07:30:00.000Z'); // 02:30 EST
    // The closing pushed past the gap keeps 24 hours between closings.
    expect(closingMs('2026-03-08', skipped) - closingMs('2026-03-07', skipped)).toBe(24 * 3_600_000);
    const doubled = dayRule('America/New_York', '01:30:00');
    expect(iso(closingMs('2026-11-01', doubled))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, the first
    const midnight = dayRule('America/New_York', null);
    expect(iso(closingMs('2026-03-07', midnight))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(closingMs('2026-03-08', midnight))).toBe('2026-03-09T04:00:00.000Z');
  });

  it('Samoa skipped 2011-12-30: it closes with the day before, and is never the business date', () => {
    const rule = dayRule('Pacific/Apia', null);
    expect(closingMs('2011-12-30', rule)).toBe(closingMs('2011-12-29', rule));
    expect(businessDateAt(closingMs('2011-12-29', rule) - 1, rule)).toBe('2011-12-29');
    expect(businessDateAt(closingMs('2011-12-29', rule), rule)).toBe('2011-12-31');
  });

  it('closing instants never go backwards, and the business date is the first day not closed (any zone, any closing time)', () => {
    const zones = ['America/Sao_Paulo', 'Europe/Lisbon', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'Pacific/Chatham'];
    const closing = fc.option(
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, s]) =>
        [h, m, s].map((n) => String(n).padStart(2, '0')).join(':'),
      ),
      { nil: null },
    );
    const date = fc.integer({ min: 0, max: 365 * 50 }).map((n) => addDays('1990-01-01', n));
    fc.assert(
      fc.property(fc.constantFrom(...zones), closing, date, (zone, c, d) => {
        const rule = dayRule(zone, c);
        const close = closingMs(d, rule);
        const next = closingMs(addDays(d, 1), rule);
        expect(next).toBeGreaterThan(close);
        expect(businessDateAt(close - 1, rule) <= d).toBe(true);
        expect(businessDateAt(close, rule)).toBe(addDays(d, 1));
        expect(businessDateAt(next - 1, rule)).toBe(addDays(d, 1));
      }),
      { numRuns: 500 },
    );
  });
});

describe('createBusinessDates: zones and closing times kept briefly per process', () => {
  const tx = {} as Tx; // never queried: `asOf` dates read no closed day
  const at = new Date('2026-03-10T23:30:00Z');
  function directory(zone: { org: string; program: string | null }) {
    const calls = { org: 0, program: 0 };
    const dir: DayDirectory = {
      org: async (_tx, orgId) => (calls.org++, { orgId, timezone: zone.org, cycleClosing: null, sandbox: true, active: true, createdAt: at }),
      program: async (_tx, orgId, programId) => (calls.program++, zone.program === null ? undefined : { orgId, programId, timezone: zone.program, cycleClosing: null }),
      programs: async () => [],
      allOrgs: async () => [],
      allPrograms: async () => [],
    };
    return { dir, calls };
  }
  const dateOf = (src: ReturnType<typeof createBusinessDates>, programId?: bigint) => src.forTenant(tx, 'org-1', { asOf: at }).today(programId);

  it('reads an org and a program once for many transactions, and again after forget', async () => {
    const zone = { org: 'UTC', program: 'Asia/Tokyo' };
    const { dir, calls } = directory(zone);
    const src = createBusinessDates({ clock: { now: () => at }, directory: dir, factsCacheMs: 60_000 });
    expect(await dateOf(src)).toBe('2026-03-10');
    expect(await dateOf(src, 7n)).toBe('2026-03-11'); // 08:30 in Tokyo
    expect(await dateOf(src, 7n)).toBe('2026-03-11');
    expect(await src.forTenant(tx, 'org-1', { asOf: at }).isSandbox()).toBe(true);
    expect(calls).toEqual({ org: 1, program: 1 });
    // The program moved to New York: this process's own change is seen at once.
    zone.program = 'America/New_York';
    src.forget('org-1');
    expect(await dateOf(src, 7n)).toBe('2026-03-10');
    expect(calls).toEqual({ org: 2, program: 2 });
  });

  it('keeps nothing with a zero cache time, and never keeps a program that was not there', async () => {
    const zone: { org: string; program: string | null } = { org: 'UTC', program: null };
    const { dir, calls } = directory(zone);
    const src = createBusinessDates({ clock: { now: () => at }, directory: dir, factsCacheMs: 60_000 });
    await expect(dateOf(src, 9n)).rejects.toBeInstanceOf(UnknownDayScopeError);
    zone.program = 'UTC'; // created since
    expect(await dateOf(src, 9n)).toBe('2026-03-10');
    expect(calls.program).toBe(2);

    const uncached = directory({ org: 'UTC', program: 'UTC' });
    const none = createBusinessDates({ clock: { now: () => at }, directory: uncached.dir, factsCacheMs: 0 });
    await dateOf(none, 1n);
    await dateOf(none, 1n);
    expect(uncached.calls).toEqual({ org: 2, program: 2 });
  });
});
