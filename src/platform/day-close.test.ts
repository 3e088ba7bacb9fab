import { describe, expect, it } from 'vitest';
import { closingMs, dayRule, type OrgDayFacts, type ProgramDayFacts } from './business-date.js';
import type { ScopeRow } from './business-days.repo.js';
import { DUE_NOW, firstDay, nextDueAt, nextStep, planScopes, type ScopeState } from './day-close.js';

const SP = dayRule('America/Sao_Paulo', null);
const TOKYO = dayRule('Asia/Tokyo', null);
const now = new Date('2026-06-10T12:00:00Z');
const due = new Date('2026-06-01T00:00:00Z');

const scope = (programId: bigint, lastClosed: string, over: Partial<ScopeState> = {}): ScopeState => ({
  programId,
  rule: SP,
  lastClosed,
  inProgress: null,
  handlersDone: [],
  nextDueAt: due,
  ...over,
});

describe('nextStep: the order days close in', () => {
  const handlers = ['a', 'b', 'c'];

  it('the earliest day first, whatever the scope', () => {
    expect(nextStep([scope(0n, '2026-06-04'), scope(7n, '2026-06-02')], handlers, now)).toEqual({
      programId: 7n,
      date: '2026-06-03',
      handler: 'a',
      closes: false,
    });
  });

  it('on the same day, the org before its programs, programs by id', () => {
    const scopes = [scope(9n, '2026-06-02'), scope(3n, '2026-06-02'), scope(0n, '2026-06-02')];
    expect(nextStep(scopes, handlers, now)?.programId).toBe(0n);
    expect(nextStep(scopes.slice(0, 2), handlers, now)?.programId).toBe(3n);
  });

  it('only scopes whose next day is due', () => {
    expect(nextStep([scope(0n, '2026-06-02', { nextDueAt: new Date('2026-06-11T00:00:00Z') })], handlers, now)).toBeUndefined();
    expect(nextStep([scope(0n, '2026-06-02', { nextDueAt: null })], handlers, now)).toBeUndefined();
    expect(nextStep([scope(0n, '2026-06-02', { nextDueAt: now })], handlers, now)?.date).toBe('2026-06-03');
  });

  it('a day in progress resumes at the first handler not done, and the last one closes it', () => {
    const mid = scope(0n, '2026-06-02', { inProgress: '2026-06-03', handlersDone: ['a'] });
    expect(nextStep([mid], handlers, now)).toEqual({ programId: 0n, date: '2026-06-03', handler: 'b', closes: false });
    const last = scope(0n, '2026-06-02', { inProgress: '2026-06-03', handlersDone: ['a', 'b'] });
    expect(nextStep([last], handlers, now)).toMatchObject({ handler: 'c', closes: true });
  });

  it('handlers done by a name no longer registered are ignored; with none left the day just closes', () => {
    const mid = scope(0n, '2026-06-02', { inProgress: '2026-06-03', handlersDone: ['retired', 'a', 'b', 'c'] });
    expect(nextStep([mid], handlers, now)).toMatchObject({ handler: null, closes: true });
    expect(nextStep([scope(0n, '2026-06-02')], [], now)).toMatchObject({ date: '2026-06-03', handler: null, closes: true });
  });

  it('handlers done on another day do not count for a new day', () => {
    expect(nextStep([scope(0n, '2026-06-02', { handlersDone: ['a'] })], handlers, now)).toMatchObject({ handler: 'a' });
  });
});

describe('nextDueAt', () => {
  it('paused for an inactive org; now for a day in progress or before a test clock target; else at its closing', () => {
    const s = { rule: SP, lastClosed: '2026-06-02', inProgress: null };
    expect(nextDueAt(s, { target: null, active: false })).toBeNull();
    expect(nextDueAt({ ...s, inProgress: '2026-06-03' }, { target: null, active: true })).toBe(DUE_NOW);
    expect(nextDueAt(s, { target: '2026-06-04', active: true })).toBe(DUE_NOW);
    expect(nextDueAt(s, { target: '2026-06-03', active: true })?.getTime()).toBe(closingMs('2026-06-03', SP));
    expect(nextDueAt(s, { target: null, active: true })?.toISOString()).toBe('2026-06-04T03:00:00.000Z');
  });
});

const org: OrgDayFacts = { orgId: 'TN-1', timezone: 'America/Sao_Paulo', cycleClosing: null, sandbox: true, active: true, createdAt: new Date('2026-06-01T12:00:00Z') };
const row = (programId: bigint, over: Partial<ScopeRow> = {}): ScopeRow => ({
  org_id: 'TN-1',
  program_id: programId,
  time_zone: 'America/Sao_Paulo',
  cycle_closing: null,
  last_closed: '2026-06-09',
  day_in_progress: null,
  handlers_done: [],
  next_due_at: new Date(closingMs('2026-06-10', SP)),
  failures: 0,
  retry_at: null,
  last_error: null,
  advance_id: null,
  advance_to: null,
  advance_cid: null,
  created_at: now,
  updated_at: now,
  ...over,
});
const program = (id: bigint, timezone: string, cycleClosing: string | null = null): ProgramDayFacts => ({ orgId: 'TN-1', programId: id, timezone, cycleClosing });

describe('planScopes: which programs close their own day', () => {
  it('nothing for programs on the org’s rule', () => {
    expect(planScopes(org, [program(5n, 'America/Sao_Paulo')], [row(0n)])).toEqual({ inserts: [], updates: [] });
  });

  it('a program with another zone or closing starts where the org’s day is', () => {
    const plan = planScopes(org, [program(5n, 'Asia/Tokyo'), program(6n, 'America/Sao_Paulo', '22:00:00')], [row(0n)]);
    expect(plan.updates).toEqual([]);
    expect(plan.inserts).toEqual([
      { programId: 5n, rule: TOKYO, lastClosed: '2026-06-09', nextDueAt: new Date(closingMs('2026-06-10', TOKYO)) },
      { programId: 6n, rule: dayRule('America/Sao_Paulo', '22:00:00'), lastClosed: '2026-06-09', nextDueAt: new Date('2026-06-11T01:00:00Z') },
    ]);
  });

  it('a program without a cycle closing takes the org’s', () => {
    const withClosing = { ...org, cycleClosing: '18:00:00' };
    const plan = planScopes(withClosing, [program(5n, 'America/Sao_Paulo')], [row(0n, { cycle_closing: '18:00:00', next_due_at: new Date('2026-06-10T21:00:00Z') })]);
    expect(plan).toEqual({ inserts: [], updates: [] });
  });

  it('waits while the org’s day is being closed, so no handler sees the program twice that day', () => {
    expect(planScopes(org, [program(5n, 'Asia/Tokyo')], [row(0n, { day_in_progress: '2026-06-10', handlers_done: ['a'], next_due_at: DUE_NOW })]).inserts).toEqual([]);
  });

  it('follows a changed zone and keeps a program’s own scope even when it matches the org again', () => {
    const plan = planScopes(org, [program(5n, 'America/Sao_Paulo')], [row(0n), row(5n, { time_zone: 'Asia/Tokyo', next_due_at: new Date(closingMs('2026-06-10', TOKYO)) })]);
    expect(plan.inserts).toEqual([]);
    expect(plan.updates).toEqual([{ programId: 5n, rule: SP, nextDueAt: new Date(closingMs('2026-06-10', SP)) }]);
  });

  it('pauses an inactive org', () => {
    expect(planScopes({ ...org, active: false }, [], [row(0n)]).updates).toEqual([{ programId: 0n, rule: SP, nextDueAt: null }]);
  });
});

describe('firstDay: where a new org starts', () => {
  it('the business day it was created on, at most a week back', () => {
    expect(firstDay({ timezone: 'America/Sao_Paulo', cycleClosing: null, createdAt: new Date('2026-06-08T02:00:00Z') }, now)).toBe('2026-06-07');
    expect(firstDay({ timezone: 'America/Sao_Paulo', cycleClosing: null, createdAt: new Date('2025-01-01T12:00:00Z') }, now)).toBe('2026-06-03');
    expect(firstDay({ timezone: 'America/Sao_Paulo', cycleClosing: null, createdAt: new Date('2026-07-01T12:00:00Z') }, now)).toBe('2026-06-10');
  });
});
