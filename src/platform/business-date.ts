// Business dates: "what day is it" for an org or one of its programs. A day belongs to a time
// zone (the program's, else the org's, IANA) and ends at a cycle closing time (the program's,
// else the org's `cycle_closing`; seed 002: "used for accrual basis, interest calculation, taxes,
// penalties"), else at local midnight. The wall clock (Clock) stays the source of instants; this
// file turns instants into dates and back with temporal-polyfill, and never reads `Date`'s zone.
//
// The rule, for a day D in zone Z with closing time C:
//   - D closes at the instant of local date-time (D, C) in Z; with no C, at the start of D + 1.
//   - The business date at instant t is the first D that has not closed at t: so with C = 22:00,
//     23:00 local on the 10th is business date the 11th (a cut-off, as banks use it).
//   - A (D, C) that does not exist (spring forward) closes when the clock has jumped past it, by
//     the length of the gap (02:30 on New York's spring-forward day closes at 03:30 EDT); one that
//     occurs twice (fall back) closes at its first occurrence. A midnight that does not exist
//     (São Paulo's DST began at 00:00 until 2019) closes at the first instant of the day.
//   - `00:00:00` means local midnight, the same as no closing time.
import { Temporal } from 'temporal-polyfill';
import type { Clock } from './clock.js';
import type { Tx } from './db/database.js';
import type { BusinessDateSource, TenantDates } from './tenant.js';
import { governingLastClosed, lastClosedFor, lastClosedOfOrg } from './business-days.repo.js';

/** How one scope's days end: its IANA time zone and its cycle closing time (null: midnight). */
export interface DayRule {
  zone: string;
  /** `HH:MM:SS`; null for local midnight. */
  closing: string | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HMS = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

export const isIsoDate = (s: string): boolean => {
  if (!ISO_DATE.test(s)) return false;
  try {
    return Temporal.PlainDate.from(s, { overflow: 'reject' }).toString() === s;
  } catch {
    return false;
  }
};

/** A rule from stored values: `00:00:00` and anything not `HH:MM:SS` mean midnight. */
export function dayRule(zone: string, closing: string | null | undefined): DayRule {
  return { zone, closing: closing && HMS.test(closing) && closing !== '00:00:00' ? closing : null };
}

export const sameRule = (a: DayRule, b: DayRule): boolean => a.zone === b.zone && a.closing === b.closing;

/**
 * A small memo for the hot paths of day closing (the same dates and zones recur across orgs and
 * days); Temporal stays the one source of the answers.
 */
function memo<A extends unknown[], R>(key: (...args: A) => string, fn: (...args: A) => R, size = 20_000): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A): R => {
    const k = key(...args);
    const hit = cache.get(k);
    if (hit !== undefined) return hit;
    const value = fn(...args);
    if (cache.size >= size) cache.clear();
    cache.set(k, value);
    return value;
  };
}

/** `date` plus `days` (negative to go back), across month and year ends. */
export const addDays = memo(
  (date: string, days: number) => `${date}${days}`,
  (date: string, days: number): string => Temporal.PlainDate.from(date).add({ days }).toString(),
);

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => Temporal.PlainDate.from(from).until(to, { largestUnit: 'days' }).days;

export const laterDate = (a: string, b: string): string => (a >= b ? a : b);

/** The instant (epoch ms) at which day `date` closes under `rule`. */
export const closingMs = memo(
  (date: string, rule: DayRule) => `${date} ${rule.zone} ${rule.closing ?? ''}`,
  (date: string, rule: DayRule): number => {
    const day = Temporal.PlainDate.from(date);
    const zoned = rule.closing
      ? day.toPlainDateTime(rule.closing).toZonedDateTime(rule.zone, { disambiguation: 'compatible' })
      : day.add({ days: 1 }).toZonedDateTime({ timeZone: rule.zone }); // start of the next day
    return zoned.epochMilliseconds;
  },
);

/** Per rule, the last answer of businessDateAt and the instants between which it holds. */
const lastDates = new Map<string, { date: string; from: number; until: number }>();

/** The business date at instant `at` under `rule`: the first day not yet closed. */
export function businessDateAt(at: Date | number, rule: DayRule): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  // Closings never go backwards: from the day before's closing until its own, a day is the answer.
  const key = `${rule.zone} ${rule.closing ?? ''}`;
  const last = lastDates.get(key);
  if (last && ms >= last.from && ms < last.until) return last.date;
  const date = firstDayNotClosed(ms, rule);
  if (lastDates.size >= 1000) lastDates.clear();
  lastDates.set(key, { date, from: closingMs(addDays(date, -1), rule), until: closingMs(date, rule) });
  return date;
}

function firstDayNotClosed(ms: number, rule: DayRule): string {
  const local = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(rule.zone).toPlainDate();
  // A closing instant is within a day or so of its local date; start one day back and step.
  let day = local.subtract({ days: 1 }).toString();
  while (closingMs(day, rule) <= ms) day = addDays(day, 1);
  return day;
}

// --- Who the org and its programs are, as far as days are concerned ---

/** An org's time zone, cycle closing and flags (from the orgs module, wired in app.ts). */
export interface OrgDayFacts {
  orgId: string;
  timezone: string;
  cycleClosing: string | null;
  sandbox: boolean;
  active: boolean;
  /** Day closing starts with the business day the org was created on. */
  createdAt: Date;
}

/** A program's time zone and cycle closing (from the programs module, wired in app.ts). */
export interface ProgramDayFacts {
  orgId: string;
  programId: bigint;
  timezone: string;
  cycleClosing: string | null;
}

/**
 * What day closing needs to know about orgs and programs. The platform imports no module, so
 * app.ts builds this from the orgs and programs modules' exports.
 */
export interface DayDirectory {
  /** One org, in its tenant transaction; undefined when there is none. */
  org(tx: Tx, orgId: string): Promise<OrgDayFacts | undefined>;
  /** One program of the org; undefined when the org has no such program. */
  program(tx: Tx, orgId: string, programId: bigint): Promise<ProgramDayFacts | undefined>;
  /** Every program of the org. */
  programs(tx: Tx, orgId: string): Promise<ProgramDayFacts[]>;
  /** Every org (a system transaction): enrolment of new orgs, changed zones. */
  allOrgs(tx: Tx): Promise<OrgDayFacts[]>;
  /** Every program of every org (a system transaction). */
  allPrograms(tx: Tx): Promise<ProgramDayFacts[]>;
}

export const orgRule = (org: OrgDayFacts): DayRule => dayRule(org.timezone, org.cycleClosing);

/** A program's rule: its zone; its cycle closing, else the org's. */
export const programRule = (org: OrgDayFacts, p: ProgramDayFacts): DayRule => dayRule(p.timezone, p.cycleClosing ?? org.cycleClosing);

export class UnknownDayScopeError extends Error {
  constructor(orgId: string, programId?: bigint | string) {
    super(programId === undefined ? `no org ${orgId}` : `org ${orgId} has no program ${String(programId)}`);
    this.name = 'UnknownDayScopeError';
  }
}

/** How long a process keeps an org's or program's zone and closing time (see createBusinessDates). */
export const DAY_FACTS_CACHE_MS = 2000;

/**
 * Business dates for tenant transactions. The date is the scope's rule applied to the wall clock,
 * but never a day that is already closed: after a sandbox test clock has closed days ahead of the
 * wall clock, the business date is the day after the last closed one until the wall clock catches
 * up. Inside a day handler (`asOf`, the instant the day closed) it is the rule at that instant
 * alone, so a replayed day sees the same dates. Read once per transaction and kept.
 *
 * An org's and a program's zone and closing time (and the org's sandbox flag) change rarely and
 * are read by most money movements, so a process keeps them for DAY_FACTS_CACHE_MS (as it keeps a token subject's
 * state): a change made through this process is seen at once (`forget`, called by the orgs and
 * programs modules after commit), one made through another process within that time. The last
 * closed day of a sandbox org is read every time: its test clock closes days at any moment, and a
 * date must never fall in a closed day. A production org's is kept as long (`floorOf`), and
 * forgotten by a day closing in this process.
 */
export function createBusinessDates(deps: { clock: Clock; directory: DayDirectory; factsCacheMs?: number }): BusinessDateSource {
  const ttl = deps.factsCacheMs ?? DAY_FACTS_CACHE_MS;
  const orgs = new Map<string, { facts: OrgDayFacts; at: number }>();
  const programs = new Map<string, { facts: ProgramDayFacts; at: number }>();
  const fresh = (at: number): boolean => performance.now() - at < ttl;
  const floors = new Map<string, { floor: string | undefined; at: number }>();
  /**
   * The last closed day of a production org's scope, kept as its zone is: its days close by the
   * wall clock, once a day, so a kept floor is behind only in the seconds after a closing made by
   * another process (which a process whose clock is not ahead reaches itself at the same time).
   * A sandbox org's test clock closes days ahead of the wall clock at any moment: read every time.
   */
  const floorOf = async (tx: Tx, orgId: string, programId: bigint | undefined, sandbox: boolean): Promise<string | undefined> => {
    if (sandbox || ttl <= 0) return lastClosedFor(tx, orgId, programId);
    const key = `${orgId}|${programId ?? ''}`;
    const hit = floors.get(key);
    if (hit && fresh(hit.at)) return hit.floor;
    const floor = await lastClosedFor(tx, orgId, programId);
    if (floors.size > 100_000) floors.clear();
    floors.set(key, { floor, at: performance.now() });
    return floor;
  };
  const orgFactsOf = async (tx: Tx, orgId: string): Promise<OrgDayFacts | undefined> => {
    const hit = orgs.get(orgId);
    if (hit && fresh(hit.at)) return hit.facts;
    const facts = await deps.directory.org(tx, orgId);
    if (facts && ttl > 0) {
      if (orgs.size > 10_000) orgs.clear();
      orgs.set(orgId, { facts, at: performance.now() });
    }
    return facts;
  };
  const programFactsOf = async (tx: Tx, orgId: string, programId: bigint): Promise<ProgramDayFacts | undefined> => {
    const key = `${orgId}|${programId}`;
    const hit = programs.get(key);
    if (hit && fresh(hit.at)) return hit.facts;
    const facts = await deps.directory.program(tx, orgId, programId);
    if (facts && ttl > 0) {
      if (programs.size > 100_000) programs.clear();
      programs.set(key, { facts, at: performance.now() });
    }
    return facts;
  };
  return {
    forTenant(tx, orgId, opts): TenantDates {
      const known = new Map<string, Promise<string>>();
      // The org's facts are read once per transaction, for its date and each program's.
      let orgFacts: Promise<OrgDayFacts | undefined> | undefined;
      // Every scope's last closed day, once read ahead (readAhead) with a caller's statements.
      let lastClosed: { program_id: bigint; last_closed: string }[] | undefined;
      const compute = async (programId: bigint | undefined): Promise<string> => {
        const org = await (orgFacts ??= orgFactsOf(tx, orgId));
        if (!org) throw new UnknownDayScopeError(orgId);
        let rule = orgRule(org);
        if (programId !== undefined) {
          const program = await programFactsOf(tx, orgId, programId);
          if (!program) throw new UnknownDayScopeError(orgId, programId);
          rule = programRule(org, program);
        }
        if (opts?.asOf) return businessDateAt(opts.asOf, rule);
        const date = businessDateAt(deps.clock.now(), rule);
        const floor = lastClosed ? governingLastClosed(lastClosed, programId) : await floorOf(tx, orgId, programId, org.sandbox);
        return floor ? laterDate(date, addDays(floor, 1)) : date;
      };
      return {
        today(programId) {
          const id = programId === undefined ? undefined : BigInt(programId);
          const key = id === undefined ? '' : id.toString();
          let date = known.get(key);
          if (!date) known.set(key, (date = compute(id)));
          return date;
        },
        readAhead() {
          if (opts?.asOf || lastClosed) return undefined;
          // A production org known to this process: its last closed days are kept (floorOf).
          const org = orgs.get(orgId);
          if (org && fresh(org.at) && !org.facts.sandbox) return undefined;
          return {
            query: lastClosedOfOrg(tx, orgId),
            read(rows) {
              lastClosed = rows as { program_id: bigint; last_closed: string }[];
            },
          };
        },
        async isSandbox() {
          const org = await (orgFacts ??= orgFactsOf(tx, orgId));
          if (!org) throw new UnknownDayScopeError(orgId);
          return org.sandbox;
        },
      };
    },
    forget(orgId) {
      orgs.delete(orgId);
      for (const key of programs.keys()) if (key.startsWith(`${orgId}|`)) programs.delete(key);
      for (const key of floors.keys()) if (key.startsWith(`${orgId}|`)) floors.delete(key);
    },
  };
}
