// Round trips to the database, counted in process: every pg client call (one pipeline, one Sync)
// while a piece of work runs, but the coalesced NOTIFY a process sends after commits of events
// (outside any transaction, shared by the commits of a few milliseconds: database.ts).
// `LASTRO_TRACE_TRIPS=1` prints each one with its statements.
import pg from 'pg';

const original = pg.Client.prototype.query;
/** database.ts's NOTIFY after commit. */
const NOTIFY = 'select pg_notify($1, $2)';
let calls = 0;
let statements: string[] = [];

/** Starts counting (call in beforeAll, after setup that should not count); returns the undo. */
export function countRoundTrips(): () => void {
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as { text?: string; steps?: { text: string }[] } | string;
    const notify = q === NOTIFY;
    if (!notify) {
      calls++;
      if (typeof q === 'string') statements.push(q);
      else for (const step of q.steps ?? [{ text: q.text ?? '' }]) statements.push(step.text);
    }
    if (process.env.LASTRO_TRACE_TRIPS) {
      console.log(notify ? '(not counted)' : `#${calls}`, typeof q === 'string' ? q.slice(0, 100) : (q.steps ?? [{ text: q.text ?? '?' }]).map((s) => s.text.replace(/\s+/g, ' ').slice(0, 90)).join(' || '));
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return () => {
    pg.Client.prototype.query = original;
  };
}

/** The result of `fn`, the round trips made while it ran and the statements they sent. */
export async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; trips: number; statements: string[] }> {
  calls = 0;
  statements = [];
  const result = await fn();
  return { result, trips: calls, statements };
}
