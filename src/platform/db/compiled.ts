// A query Kysely builds and compiles once per process, then runs with each call's values. Building
// a query (immutable nodes, frozen at every step) and compiling it (a walk of those nodes) costs a
// one-row read about as much CPU as parsing its answer; a hot read whose text never changes need
// not pay it per request.
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Tables } from './tables.js';

/** Stands for the i-th value while the query is built: each must reach the compiled query as a parameter. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * `build` once, with stand-ins for its values, compiled; each call runs that text with the call's
 * values in their places. `build` must pass each value where Kysely makes it a parameter
 * (`where('id', '=', id)`, `values({ … })`): not a list spread into `in (…)`, not a value it
 * inspects, not as SQL text; a value that reached no parameter is refused on the first call. No Kysely plugin may rewrite it (Lastro registers none).
 */
export function compiledOnce<A extends unknown[], R>(
  build: (db: Kysely<Tables>, ...values: A) => Compilable<R>,
): (db: Kysely<Tables>, ...values: A) => Promise<QueryResult<R>> {
  let compiled: CompiledQuery<R> | undefined;
  /** For each parameter of the compiled query: the index of the call's value, or -1 (a constant). */
  let from: number[] = [];
  return (db, ...values) => {
    if (!compiled) {
      const slots = values.map((_, i) => new Slot(i));
      const c = build(db, ...(slots as unknown as A)).compile();
      from = c.parameters.map((p) => (p instanceof Slot ? p.index : -1));
      const missing = slots.filter((s) => !from.includes(s.index));
      if (missing.length) return Promise.reject(new Error(`compiledOnce: values ${missing.map((s) => s.index).join(', ')} are no parameter of: ${c.sql}`));
      compiled = c;
    }
    const constants = compiled.parameters;
    const parameters = from.map((i, j) => (i === -1 ? constants[j] : values[i]));
    return db.executeQuery<R>({ query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters });
  };
}
