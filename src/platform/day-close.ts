// End-of-day processing. Modules register day handlers (`onBusinessDay`, listed in a module's
// `dayHandlers`); for each org the platform closes every business day once, in order, and runs
// each handler for it with its own TenantTx value in the org's transaction, which also records
// that the handler is done: a handler-day's work commits with its progress, or neither does. A
// crash mid-day resumes at the first handler-day that had not committed; the org's row in
// business_day_scopes, locked FOR UPDATE SKIP LOCKED first in each of those transactions, keeps
// two workers off the same org at once. Consecutive handler-days of one org commit together
// (BATCH_STEPS, BATCH_MS), so catching up a year is a few commits, not 365.
//
// Closing scopes: the org itself (its zone and cycle_closing, else local midnight) and each
// program whose zone or cycle closing differs from the org's; a program with the org's rule is
// part of the org's day. Within an org, due steps run in (date, scope, handler) order: the org's
// day before its programs', programs by id, handlers in registration order.
//
// Sandbox test clocks: an advance sets a target date on the org; every day before it is due at
// once, so the same handlers run for each passed day, in the same order, with the same dates
// (`t.dates` inside a handler is as of the instant its day closed).
import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import { afterCommit, type Database, type Tx } from './db/database.js';
import type { Logger } from './logger.js';
import type { BackgroundService } from './service.js';
import type { BusinessDateSource, TenantRunner, TenantTx } from './tenant.js';
import {
  addDays,
  businessDateAt,
  closingMs,
  dayRule,
  daysBetween,
  laterDate,
  orgRule,
  programRule,
  sameRule,
  type DayDirectory,
  type DayRule,
  type OrgDayFacts,
  type ProgramDayFacts,
} from './business-date.js';
import {
  ORG_SCOPE,
  allScopes,
  dueOrgs,
  findAdvance,
  finishAdvance,
  insertAdvance,
  insertScopeIfMissing,
  insertScopes,
  lockOrgScopes,
  orgScopes,
  updateScope,
  type AdvanceRow,
  type BusinessDayScopesTable,
  type ScopeRow,
} from './business-days.repo.js';
import type { Insertable, Updateable } from 'kysely';

// --- What modules write ---

export interface DayContext {
  /** The org's tenant transaction for this handler and day; actor `day:<name>`. */
  t: TenantTx;
  /** The business day being closed, `YYYY-MM-DD`. */
  date: string;
  /** null: the org's own day (and every program that follows it); else that program's day. */
  programId: bigint | null;
  /** The programs whose day this is: for the org's day, its programs without a day of their own. */
  programs(): Promise<bigint[]>;
}

export interface DayHandler {
  /** Unique across modules, stable across releases: progress is recorded by name. */
  name: string;
  handle(ctx: DayContext): Promise<void>;
}

/** Declares a day handler: `onBusinessDay('lending.accrue', async ({ t, date }) => …)`. */
export const onBusinessDay = (name: string, handle: (ctx: DayContext) => Promise<void>): DayHandler => ({ name, handle });

// --- Pure rules (unit-tested in day-close.test.ts) ---

/** "Due now": a day that a test-clock advance wants closed, or one being closed. */
export const DUE_NOW = new Date(0);

export interface ScopeState {
  programId: bigint;
  rule: DayRule;
  lastClosed: string;
  inProgress: string | null;
  handlersDone: readonly string[];
  nextDueAt: Date | null;
}

export interface DayStep {
  programId: bigint;
  date: string;
  /** The handler to run; null when none is left to run (the day only needs recording). */
  handler: string | null;
  /** Whether this step finishes the day. */
  closes: boolean;
}

/**
 * The next handler-day to run at `now`: among the scopes whose next day is due, the earliest
 * date, then the org before programs, programs by id; within the day, the first handler (in
 * registration order) not yet done.
 */
export function nextStep(scopes: readonly ScopeState[], handlers: readonly string[], now: Date): DayStep | undefined {
  let best: { scope: ScopeState; date: string } | undefined;
  for (const scope of scopes) {
    if (!scope.nextDueAt || scope.nextDueAt.getTime() > now.getTime()) continue;
    const date = scope.inProgress ?? addDays(scope.lastClosed, 1);
    if (!best || date < best.date || (date === best.date && scope.programId < best.scope.programId)) best = { scope, date };
  }
  if (!best) return undefined;
  const done = best.scope.inProgress ? best.scope.handlersDone : [];
  const pending = handlers.filter((h) => !done.includes(h));
  return { programId: best.scope.programId, date: best.date, handler: pending[0] ?? null, closes: pending.length <= 1 };
}

/** When a scope's next day becomes due: now if mid-day or before a test clock's target, else when it closes. */
export function nextDueAt(scope: Pick<ScopeState, 'rule' | 'lastClosed' | 'inProgress'>, opts: { target: string | null; active: boolean }): Date | null {
  if (!opts.active) return null;
  if (scope.inProgress) return DUE_NOW;
  const day = addDays(scope.lastClosed, 1);
  if (opts.target && day < opts.target) return DUE_NOW;
  return new Date(closingMs(day, scope.rule));
}

export interface ScopePlan {
  inserts: Array<{ programId: bigint; rule: DayRule; lastClosed: string; nextDueAt: Date | null }>;
  updates: Array<{ programId: bigint; rule: DayRule; nextDueAt: Date | null }>;
}

const sameInstant = (a: Date | null, b: Date | null): boolean => (a === null || b === null ? a === b : a.getTime() === b.getTime());
const stateOf = (r: ScopeRow): ScopeState => ({
  programId: r.program_id,
  rule: dayRule(r.time_zone, r.cycle_closing),
  lastClosed: r.last_closed,
  inProgress: r.day_in_progress,
  handlersDone: r.handlers_done,
  nextDueAt: r.next_due_at,
});

/**
 * What an org's scopes should become given its facts. `existing` must hold the org's own row.
 * A program whose rule differs from the org's gets a scope starting where the org's day is (its
 * days so far were closed with the org's), unless the org is mid-day (then at a later pass); a
 * program scope is kept even if its rule later matches the org's again, so no day is closed twice.
 */
export function planScopes(org: OrgDayFacts, programs: readonly ProgramDayFacts[], existing: readonly ScopeRow[]): ScopePlan {
  const plan: ScopePlan = { inserts: [], updates: [] };
  const orgRow = existing.find((r) => r.program_id === ORG_SCOPE);
  if (!orgRow) throw new Error(`org ${org.orgId} has no day scope yet`);
  const target = orgRow.advance_to;
  const rule = orgRule(org);
  const consider = (row: ScopeRow, wanted: DayRule) => {
    const state = stateOf(row);
    const due = nextDueAt({ ...state, rule: wanted }, { target, active: org.active });
    if (!sameRule(state.rule, wanted) || !sameInstant(due, row.next_due_at)) plan.updates.push({ programId: row.program_id, rule: wanted, nextDueAt: due });
  };
  consider(orgRow, rule);
  for (const p of programs) {
    const wanted = programRule(org, p);
    const own = existing.find((r) => r.program_id === p.programId);
    if (own) consider(own, wanted);
    else if (!sameRule(wanted, rule) && !orgRow.day_in_progress) {
      const lastClosed = orgRow.last_closed;
      plan.inserts.push({ programId: p.programId, rule: wanted, lastClosed, nextDueAt: nextDueAt({ rule: wanted, lastClosed, inProgress: null }, { target, active: org.active }) });
    }
  }
  return plan;
}

// --- The engine ---

/** The longest test-clock advance, in days (ten years). */
export const MAX_ADVANCE_DAYS = 3660;

export interface AdvanceState {
  id: string;
  status: 'RUNNING' | 'DONE';
  from: string;
  to: string;
  days: number;
  /** Days of the advance closed in every scope of the org so far. */
  daysClosed: number;
  cid: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** The last handler failure while it runs (it is retried). */
  lastError: string | null;
}

export interface ClockState {
  sandbox: boolean;
  programId: bigint | null;
  businessDate: string;
  wallTime: Date;
  zone: string;
  closing: string | null;
  /** The scope's last closed day; null before the org's first day closing pass. */
  lastClosed: string | null;
  /** When the current business date closes by the wall clock. */
  closesAt: Date;
  /** The advance still running, if any. */
  advance: AdvanceState | undefined;
}

export type StartAdvance =
  | { ok: true; advance: AdvanceState }
  | { ok: false; reason: 'not_sandbox' }
  | { ok: false; reason: 'in_progress'; advanceId: string }
  | { ok: false; reason: 'before_today' | 'too_far'; today: string };

export type StepOutcome = 'progress' | 'idle' | 'busy' | 'failed';

export interface DayCloser {
  /** Enrols new orgs, gives programs with their own rule their own scope, follows zone changes. */
  reconcile(): Promise<number>;
  /** Runs the org's due handler-days until none is due (or another process holds the org). */
  closeDue(orgId: string, opts?: { waitForLock?: boolean; shouldStop?: () => boolean }): Promise<{ steps: number; outcome: StepOutcome }>;
  /** One pass over the orgs with a due day (up to 1,000), `lanes` at a time; the handler-days run. */
  closeAllDue(opts?: { shouldStop?: () => boolean }): Promise<number>;
  /** The worker's background loop over every org. */
  service(): BackgroundService;
  /** The org's (or a program's) clock; undefined for an unknown program. */
  clock(t: TenantTx, programId?: bigint): Promise<ClockState | undefined>;
  /** Starts a test-clock advance to `to`, or by `days`; the days close in later transactions. */
  startAdvance(t: TenantTx, req: { to?: string; days?: number; advanceId: string }): Promise<StartAdvance>;
  advance(t: TenantTx, advanceId: string): Promise<AdvanceState | undefined>;
}

export interface DayCloserDeps {
  db: Database;
  tenant: TenantRunner;
  dates: BusinessDateSource;
  clock: Clock;
  log: Logger;
  directory: DayDirectory;
  /** Every module's handlers, in registration order (read when a step runs). */
  handlers: () => readonly DayHandler[];
  /** Orgs closed at once by one worker process. */
  lanes: number;
  /** How often an idle worker looks for due days. */
  pollMs: number;
}

/** Wakes this process's day-closing loop (an advance was just committed). */
export const dayClosingSignal = new EventEmitter().setMaxListeners(0);
const signalDue = () => dayClosingSignal.emit('due');

/** Orgs are enrolled (and program and zone changes followed) every this many polls. */
const RECONCILE_EVERY_POLLS = 5;
/** At most this many days before enrolment are closed for a new org (orgs older than day closing start near today). */
const ENROL_BACKLOG_DAYS = 7;
const MAX_BACKOFF_MS = 5 * 60_000;
const ACTOR = 'day-close';
/** Handler-days of one org committed together at most, and for how long a batch takes more. */
const BATCH_STEPS = 100;
const BATCH_MS = 250;
const DUE_ORGS_PER_PASS = 1000;

export function createDayCloser(deps: DayCloserDeps): DayCloser {
  const { db, tenant, dates, clock, log, directory } = deps;

  /** The org's scopes, its row locked (waiting for it), reconciled with the org's facts. */
  const reconcileLocked = async (tx: Tx, org: OrgDayFacts, now: Date): Promise<ScopeRow[]> => {
    let rows = (await lockOrgScopes(tx, org.orgId, { skipLocked: false })) ?? [];
    if (!rows.length) {
      const rule = orgRule(org);
      const lastClosed = addDays(firstDay(org, now), -1);
      await insertScopeIfMissing(
        tx,
        scopeRow(org.orgId, ORG_SCOPE, rule, lastClosed, nextDueAt({ rule, lastClosed, inProgress: null }, { target: null, active: org.active }), now),
      );
      rows = (await lockOrgScopes(tx, org.orgId, { skipLocked: false })) ?? [];
    }
    const plan = planScopes(org, await directory.programs(tx, org.orgId), rows);
    if (!plan.inserts.length && !plan.updates.length) return rows;
    await insertScopes(
      tx,
      plan.inserts.map((i) => scopeRow(org.orgId, i.programId, i.rule, i.lastClosed, i.nextDueAt, now)),
    );
    for (const u of plan.updates) {
      await updateScope(tx, org.orgId, u.programId, { time_zone: u.rule.zone, cycle_closing: u.rule.closing, next_due_at: u.nextDueAt, updated_at: now });
    }
    log.debug({ orgId: org.orgId, inserts: plan.inserts.length, updates: plan.updates.length }, 'day scopes reconciled');
    return orgScopes(tx, org.orgId);
  };

  const reconcile = async (): Promise<number> => {
    const now = clock.now();
    const { orgs, programs, scopes } = await db.transaction(
      async (tx) => ({ orgs: await directory.allOrgs(tx), programs: await directory.allPrograms(tx), scopes: await allScopes(tx) }),
      { system: true },
    );
    const programsOf = groupBy(programs, (p) => p.orgId);
    const scopesOf = groupBy(scopes, (r) => r.org_id);
    let changed = 0;
    for (const org of orgs) {
      const existing = scopesOf.get(org.orgId);
      if (existing) {
        const plan = planScopes(org, programsOf.get(org.orgId) ?? [], existing);
        if (!plan.inserts.length && !plan.updates.length) continue;
      } else if (!org.active) continue;
      await tenant({ orgId: org.orgId, cid: undefined, actor: ACTOR }, async (t) => {
        const fresh = await directory.org(t.db, org.orgId);
        if (fresh) await reconcileLocked(t.db, fresh, now);
      });
      changed += 1;
    }
    return changed;
  };

  type Batch =
    | { kind: 'progress'; steps: number }
    | { kind: 'idle' | 'busy' }
    | { kind: 'failed'; index: number; step: DayStep; error: unknown };

  /**
   * Up to `limit` handler-days of the org in one tenant transaction, in order, each handler with
   * its own TenantTx value; the progress of all of them is written before the commit, so a
   * handler-day's work and its progress commit (or vanish) together. A batch ends after
   * BATCH_MS, so an org's row and whatever its handlers lock are not held for long.
   */
  const runBatch = async (orgId: string, limit: number): Promise<Batch> => {
    const now = clock.now();
    let at: { index: number; step: DayStep } | undefined;
    try {
      return await tenant({ orgId, cid: undefined, actor: ACTOR }, async (t): Promise<Batch> => {
        const rows = await lockOrgScopes(t.db, orgId, { skipLocked: true });
        if (rows === null) return { kind: 'busy' };
        const orgRow = rows[0];
        if (!orgRow) return { kind: 'idle' };
        if (orgRow.retry_at && orgRow.retry_at.getTime() > now.getTime()) return { kind: 'idle' };
        const handlers = deps.handlers();
        const names = handlers.map((h) => h.name);
        const states = rows.map(stateOf);
        const changed = new Set<ScopeState>();
        let target = orgRow.advance_to;
        let finished = false;
        const started = performance.now();
        let n = 0;
        for (; n < limit && (n === 0 || performance.now() - started < BATCH_MS); n++) {
          const next = nextStep(states, names, now);
          if (!next) break;
          at = { index: n, step: next };
          const state = states.find((s) => s.programId === next.programId)!;
          if (next.handler) {
            const handler = handlers.find((h) => h.name === next.handler)!;
            const ht: TenantTx = {
              db: t.db,
              orgId,
              cid: orgRow.advance_cid ?? undefined,
              actor: `day:${handler.name}`,
              dates: dates.forTenant(t.db, orgId, { asOf: new Date(closingMs(next.date, state.rule)) }),
            };
            const programs = async (): Promise<bigint[]> => {
              if (next.programId !== ORG_SCOPE) return [next.programId];
              const own = new Set(states.map((s) => s.programId));
              return (await directory.programs(t.db, orgId)).map((p) => p.programId).filter((id) => !own.has(id));
            };
            await handler.handle({ t: ht, date: next.date, programId: next.programId === ORG_SCOPE ? null : next.programId, programs });
          }
          changed.add(state);
          if (!next.closes) {
            state.handlersDone = [...(state.inProgress ? state.handlersDone : []), next.handler!];
            state.inProgress = next.date;
            continue;
          }
          state.lastClosed = next.date;
          state.inProgress = null;
          state.handlersDone = [];
          state.nextDueAt = nextDueAt(state, { target, active: true });
          if (target && states.every((s) => s.lastClosed >= addDays(target!, -1))) {
            finished = true;
            target = null;
          }
        }
        if (!n) return { kind: 'idle' };
        // Business dates of this process read the new last closed days at once.
        afterCommit(t.db, () => dates.forget(orgId));
        for (const s of changed) {
          const c: Updateable<BusinessDayScopesTable> = {
            last_closed: s.lastClosed,
            day_in_progress: s.inProgress,
            handlers_done: [...s.handlersDone],
            next_due_at: s.nextDueAt,
            updated_at: now,
          };
          if (s.programId === ORG_SCOPE && (orgRow.failures || orgRow.retry_at || orgRow.last_error)) Object.assign(c, { failures: 0, retry_at: null, last_error: null });
          if (s.programId === ORG_SCOPE && finished) Object.assign(c, { advance_id: null, advance_to: null, advance_cid: null });
          await updateScope(t.db, orgId, s.programId, c);
        }
        if (!changed.has(states[0]!) && (orgRow.failures || orgRow.retry_at || orgRow.last_error || finished)) {
          await updateScope(t.db, orgId, ORG_SCOPE, {
            failures: 0,
            retry_at: null,
            last_error: null,
            ...(finished ? { advance_id: null, advance_to: null, advance_cid: null } : {}),
            updated_at: now,
          });
        }
        if (finished) await finishAdvance(t.db, orgId, orgRow.advance_id!, now);
        return { kind: 'progress', steps: n };
      });
    } catch (error) {
      if (!at) throw error;
      return { kind: 'failed', index: at.index, step: at.step, error };
    }
  };

  /** Records a failed handler-day on the org: it is retried after a backoff (1 s, 2 s, … 5 min). */
  const recordFailure = async (orgId: string, step: DayStep, err: unknown): Promise<void> => {
    const now = clock.now();
    const what = `${step.handler ?? 'closing'} on ${step.date}${step.programId === ORG_SCOPE ? '' : ` (program ${step.programId})`}`;
    log.error({ err, orgId, date: step.date, handler: step.handler, programId: String(step.programId) }, `day handler failed: ${what}`);
    await tenant({ orgId, cid: undefined, actor: ACTOR }, async (t) => {
      const orgRow = (await lockOrgScopes(t.db, orgId, { skipLocked: false }))?.[0];
      if (!orgRow) return;
      const failures = orgRow.failures + 1;
      await updateScope(t.db, orgId, ORG_SCOPE, {
        failures,
        retry_at: new Date(now.getTime() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures - 1, 20))),
        last_error: `${what}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000),
        updated_at: now,
      });
    }).catch((e: unknown) => log.error({ err: e, orgId }, 'could not record a day handler failure'));
  };

  const closeDue: DayCloser['closeDue'] = async (orgId, opts = {}) => {
    let steps = 0;
    let limit = BATCH_STEPS;
    for (;;) {
      if (opts.shouldStop?.()) return { steps, outcome: 'idle' };
      const batch = await runBatch(orgId, limit);
      switch (batch.kind) {
        case 'progress':
          steps += batch.steps;
          limit = BATCH_STEPS;
          continue;
        case 'failed':
          // The handler-days before the failing one rolled back with it: commit them on their own
          // (their handlers run again), then the failing one is retried later.
          if (batch.index > 0) {
            limit = batch.index;
            continue;
          }
          await recordFailure(orgId, batch.step, batch.error);
          return { steps, outcome: 'failed' };
        case 'busy':
          if (!opts.waitForLock) return { steps, outcome: 'busy' };
          await new Promise((r) => setTimeout(r, 20));
          continue;
        case 'idle':
          return { steps, outcome: 'idle' };
      }
    }
  };

  const closeAllDue: DayCloser['closeAllDue'] = async (opts = {}) => {
    let steps = 0;
    const due = await db.transaction((tx) => dueOrgs(tx, clock.now(), DUE_ORGS_PER_PASS), { system: true });
    const lane = async () => {
      for (let orgId = due.shift(); orgId !== undefined && !opts.shouldStop?.(); orgId = due.shift()) {
        const { steps: n } = await closeDue(orgId, opts); // not `steps += await …`: lanes interleave
        steps += n;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, deps.lanes) }, lane));
    return steps;
  };

  const advanceState = (a: AdvanceRow, scopes: readonly ScopeRow[], lastError: string | null): AdvanceState => {
    const slowest = scopes.reduce<string | undefined>((m, r) => (m === undefined || r.last_closed < m ? r.last_closed : m), undefined);
    const closed = a.status === 'DONE' ? a.days : slowest ? Math.max(0, Math.min(a.days, daysBetween(a.from_date, addDays(slowest, 1)))) : 0;
    return {
      id: a.advance_id,
      status: a.status,
      from: a.from_date,
      to: a.to_date,
      days: a.days,
      daysClosed: closed,
      cid: a.cid,
      createdAt: a.created_at,
      finishedAt: a.finished_at,
      lastError: a.status === 'RUNNING' ? lastError : null,
    };
  };

  const service = (): BackgroundService => {
    let stopping = false;
    let loop: Promise<void> | undefined;
    let wakeUp: (() => void) | undefined;
    let woken = false;
    const wake = () => {
      woken = true;
      wakeUp?.();
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (woken || stopping) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    const run = async () => {
      let lastReconcile = -Infinity;
      while (!stopping) {
        woken = false;
        if (performance.now() - lastReconcile >= RECONCILE_EVERY_POLLS * deps.pollMs) {
          lastReconcile = performance.now();
          try {
            const changed = await reconcile();
            if (changed) log.info({ orgs: changed }, 'business day scopes enrolled or updated');
          } catch (err) {
            log.error({ err }, 'could not reconcile business day scopes');
          }
        }
        let steps = 0;
        try {
          steps = await closeAllDue({ shouldStop: () => stopping });
        } catch (err) {
          log.error({ err }, 'day closing pass failed');
        }
        if (!steps) await sleep(deps.pollMs);
      }
    };
    return {
      name: 'day-close',
      async start() {
        dayClosingSignal.on('due', wake);
        loop = run();
      },
      async stop(timeoutMs) {
        stopping = true;
        dayClosingSignal.off('due', wake);
        wake();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([loop, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      },
    };
  };

  return {
    reconcile,
    closeDue,
    closeAllDue,
    service,

    async clock(t, programId) {
      const org = await directory.org(t.db, t.orgId);
      if (!org) return undefined;
      let rule = orgRule(org);
      if (programId !== undefined) {
        const program = await directory.program(t.db, t.orgId, programId);
        if (!program) return undefined;
        rule = programRule(org, program);
      }
      const rows = await orgScopes(t.db, t.orgId);
      const governing = (programId !== undefined ? rows.find((r) => r.program_id === programId) : undefined) ?? rows[0];
      const now = clock.now();
      let businessDate = businessDateAt(now, rule);
      if (governing) businessDate = laterDate(businessDate, addDays(governing.last_closed, 1));
      const orgRow = rows[0];
      const running = orgRow?.advance_id ? await findAdvance(t.db, t.orgId, orgRow.advance_id) : undefined;
      return {
        sandbox: org.sandbox,
        programId: programId ?? null,
        businessDate,
        wallTime: now,
        zone: rule.zone,
        closing: rule.closing,
        lastClosed: governing?.last_closed ?? null,
        closesAt: new Date(closingMs(businessDate, rule)),
        advance: running ? advanceState(running, rows, orgRow?.last_error ?? null) : undefined,
      };
    },

    async startAdvance(t, req) {
      const now = clock.now();
      const org = await directory.org(t.db, t.orgId);
      if (!org) throw new Error(`no org ${t.orgId}`);
      if (!org.sandbox) return { ok: false, reason: 'not_sandbox' };
      const rows = await reconcileLocked(t.db, org, now);
      const orgRow = rows[0]!;
      if (orgRow.advance_id) return { ok: false, reason: 'in_progress', advanceId: orgRow.advance_id };
      const today = laterDate(businessDateAt(now, orgRule(org)), addDays(orgRow.last_closed, 1));
      const to = req.to ?? addDays(today, req.days ?? 0);
      if (to < today) return { ok: false, reason: 'before_today', today };
      const days = daysBetween(today, to);
      if (days > MAX_ADVANCE_DAYS) return { ok: false, reason: 'too_far', today };
      const row: AdvanceRow = {
        org_id: t.orgId,
        advance_id: req.advanceId,
        from_date: today,
        to_date: to,
        days,
        status: days > 0 ? 'RUNNING' : 'DONE',
        cid: t.cid ?? null,
        created_at: now,
        finished_at: days > 0 ? null : now,
      };
      await insertAdvance(t.db, row);
      if (days > 0) {
        for (const r of rows) {
          const state = stateOf(r);
          const due = nextDueAt(state, { target: to, active: org.active });
          await updateScope(t.db, t.orgId, r.program_id, {
            next_due_at: due,
            updated_at: now,
            ...(r.program_id === ORG_SCOPE ? { advance_id: row.advance_id, advance_to: to, advance_cid: row.cid } : {}),
          });
        }
        afterCommit(t.db, signalDue);
      }
      return { ok: true, advance: advanceState(row, rows, null) };
    },

    async advance(t, advanceId) {
      const row = await findAdvance(t.db, t.orgId, advanceId);
      if (!row) return undefined;
      const rows = await orgScopes(t.db, t.orgId);
      return advanceState(row, rows, rows[0]?.last_error ?? null);
    },
  };
}

/**
 * The first day closed for a newly enrolled org: the business day it was created on, so the
 * moment it is enrolled at does not matter; but no more than a week back (orgs that existed
 * before day closing did).
 */
export function firstDay(org: Pick<OrgDayFacts, 'timezone' | 'cycleClosing' | 'createdAt'>, now: Date): string {
  const rule = dayRule(org.timezone, org.cycleClosing);
  const today = businessDateAt(now, rule);
  const created = businessDateAt(org.createdAt, rule);
  return laterDate(created > today ? today : created, addDays(today, -ENROL_BACKLOG_DAYS));
}

function scopeRow(orgId: string, programId: bigint, rule: DayRule, lastClosed: string, nextDue: Date | null, now: Date): Insertable<BusinessDayScopesTable> {
  return {
    org_id: orgId,
    program_id: programId,
    time_zone: rule.zone,
    cycle_closing: rule.closing,
    last_closed: lastClosed,
    day_in_progress: null,
    handlers_done: [],
    next_due_at: nextDue,
    failures: 0,
    retry_at: null,
    last_error: null,
    advance_id: null,
    advance_to: null,
    advance_cid: null,
    created_at: now,
    updated_at: now,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
