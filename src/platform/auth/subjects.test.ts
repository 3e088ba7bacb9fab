import { describe, expect, it } from 'vitest';
import { createSubjectState } from './subjects.js';

/** A lookup whose answers the test gives, one pending read at a time per call. */
function lookups(answer: () => boolean) {
  const calls: { orgId: string; subject: string; settle: (ok?: boolean) => void; fail: (err: Error) => void }[] = [];
  const lookup = (orgId: string, subject: string) =>
    new Promise<boolean>((resolve, reject) => {
      calls.push({ orgId, subject, settle: (ok) => resolve(ok ?? answer()), fail: reject });
    });
  return { calls, lookup };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('subject state', () => {
  it('concurrent asks of one subject share one read', async () => {
    const { calls, lookup } = lookups(() => true);
    const state = createSubjectState(lookup, () => 0);
    const asks = [state.isActive('o1', 'credential:a'), state.isActive('o1', 'credential:a'), state.isActive('o1', 'credential:b')];
    expect(calls.map((c) => c.subject)).toEqual(['credential:a', 'credential:b']);
    calls.forEach((c) => c.settle());
    expect(await Promise.all(asks)).toEqual([true, true, true]);
    // Held now: no read.
    expect(state.known('o1', 'credential:a')).toBe(true);
    await state.isActive('o1', 'credential:a');
    expect(calls).toHaveLength(2);
  });

  it('serves a held answer past half its life and reads it again in the background, once', async () => {
    let active = true;
    const { calls, lookup } = lookups(() => active);
    let now = 0;
    const state = createSubjectState(lookup, () => now);
    const first = state.isActive('o1', 's');
    calls[0]!.settle();
    expect(await first).toBe(true);

    now = 999;
    expect(state.known('o1', 's')).toBe(true);
    expect(calls).toHaveLength(1);

    now = 1500;
    active = false; // revoked by another process
    expect(state.known('o1', 's')).toBe(true); // still the held answer, at once
    expect(await state.isActive('o1', 's')).toBe(true);
    expect(calls).toHaveLength(2); // one background read for both asks
    calls[1]!.settle();
    await tick();
    expect(state.known('o1', 's')).toBe(false); // the refreshed answer

    // Never older than the cache's life: past it, an ask waits for a read.
    now = 1500 + 2000;
    expect(state.known('o1', 's')).toBeUndefined();
  });

  it('a failed background read leaves the answer to expire, then the ask waits and fails', async () => {
    const { calls, lookup } = lookups(() => true);
    let now = 0;
    const state = createSubjectState(lookup, () => now);
    const first = state.isActive('o1', 's');
    calls[0]!.settle();
    await first;
    now = 1200;
    expect(state.known('o1', 's')).toBe(true);
    calls[1]!.fail(new Error('connection lost'));
    await tick();
    expect(state.known('o1', 's')).toBe(true); // a new background read
    expect(calls).toHaveLength(3);
    now = 2100;
    expect(state.known('o1', 's')).toBeUndefined();
    const ask = state.isActive('o1', 's'); // shares the read still out
    calls[2]!.fail(new Error('connection lost'));
    await expect(ask).rejects.toThrow('connection lost');
  });

  it('invalidate forgets the org at once, and a read begun before it is not kept', async () => {
    const { calls, lookup } = lookups(() => true);
    const state = createSubjectState(lookup, () => 0);
    const before = state.isActive('o1', 's');
    state.invalidate('o1');
    const after = state.isActive('o1', 's');
    expect(calls).toHaveLength(2); // the ask after invalidate does not share the older read
    calls[0]!.settle(true);
    expect(await before).toBe(true);
    expect(state.known('o1', 's')).toBeUndefined(); // the older read's answer was not kept
    calls[1]!.settle(false);
    expect(await after).toBe(false);
    expect(state.known('o1', 's')).toBe(false);
    // Other orgs are untouched.
    const other = state.isActive('o2', 's');
    calls[2]!.settle(true);
    expect(await other).toBe(true);
    state.invalidate('o1');
    expect(state.known('o2', 's')).toBe(true);
  });
});
