// Per-process request counters in fixed windows, as @fastify/rate-limit's local store counts
// (a key's window starts at its first request and lasts `windowMs`; the request that makes the
// count exceed `max` is refused, and so is every later one in that window), without its promises,
// key strings and LRU bookkeeping on every authenticated request.
// The wall clock, not `Clock`: a sandbox org's test clock must not move its rate windows.

export interface RateCounter {
  readonly max: number;
  /**
   * Counts one request of `key`: undefined while the window's count is within `max`, else the
   * milliseconds until the window ends.
   */
  hit(key: string): number | undefined;
}

/**
 * A counter allowing `max` requests per key per window, holding at most `maxKeys` keys: windows
 * are kept in the order they started, so the ended ones are dropped from the front, and past
 * `maxKeys` live keys the oldest window is forgotten (its key starts a new one).
 */
export function createRateCounter(max: number, windowMs: number, maxKeys = 50_000): RateCounter {
  const windows = new Map<string, { count: number; start: number }>();
  // eslint-disable-next-line no-restricted-properties -- rate windows follow the wall clock (see above)
  const wallMs = (): number => Date.now();

  function evict(now: number): void {
    for (const [key, w] of windows) {
      if (w.start + windowMs > now && windows.size < maxKeys) return;
      windows.delete(key);
    }
  }

  return {
    max,
    hit(key) {
      const now = wallMs();
      let w = windows.get(key);
      if (w !== undefined && w.start + windowMs <= now) {
        windows.delete(key); // re-inserted below, at the back: the order stays the order of starts
        w = undefined;
      }
      if (w === undefined) {
        if (windows.size >= maxKeys) evict(now);
        w = { count: 0, start: now };
        windows.set(key, w);
      }
      return ++w.count > max ? windowMs - (now - w.start) : undefined;
    },
  };
}
