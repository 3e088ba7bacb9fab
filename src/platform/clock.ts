// The one source of time. Business code receives a Clock and never reads the wall clock itself,
// so sandbox test clocks and tests can move time deterministically.

export interface Clock {
  /** The current instant. */
  now(): Date;
}

export const systemClock: Clock = {
  // eslint-disable-next-line no-restricted-properties -- the single place that reads the wall clock
  now: () => new Date(Date.now()),
};

/** A clock that only moves when told to; for tests and sandbox orgs. */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.#ms = new Date(start).getTime();
    if (Number.isNaN(this.#ms)) throw new RangeError(`invalid start instant: ${String(start)}`);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('a clock only moves forward');
    this.#ms += ms;
  }

  set(instant: Date | string): void {
    const ms = new Date(instant).getTime();
    if (ms < this.#ms) throw new RangeError('a clock only moves forward');
    this.#ms = ms;
  }
}
