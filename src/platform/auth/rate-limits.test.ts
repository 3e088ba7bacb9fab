import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateCounter } from './rate-limits.js';

describe('rate counter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-06-01T12:00:00.000Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('allows max requests per key in a window that starts at the first, then refuses until it ends', () => {
    const c = createRateCounter(3, 60_000);
    expect([c.hit('a'), c.hit('a'), c.hit('a')]).toEqual([undefined, undefined, undefined]);
    vi.advanceTimersByTime(20_000);
    expect(c.hit('a')).toBe(40_000);
    expect(c.hit('b')).toBeUndefined(); // another key counts on its own
    vi.advanceTimersByTime(39_999);
    expect(c.hit('a')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(c.hit('a')).toBeUndefined(); // a new window
    expect([c.hit('a'), c.hit('a'), c.hit('a')]).toEqual([undefined, undefined, 60_000]);
  });

  it('holds at most maxKeys keys: ended windows go first, then the oldest live one', () => {
    const c = createRateCounter(1, 60_000, 2);
    c.hit('a');
    vi.advanceTimersByTime(1_000);
    c.hit('b');
    expect(c.hit('b')).toBe(60_000);
    c.hit('c'); // forgets a, the oldest live window
    expect(c.hit('a')).toBeUndefined(); // b is forgotten now
    expect(c.hit('c')).toBe(60_000);
    expect(c.hit('b')).toBeUndefined();
    vi.advanceTimersByTime(60_000); // every window has ended
    c.hit('d');
    c.hit('e');
    expect(c.hit('d')).toBe(60_000);
  });
});
