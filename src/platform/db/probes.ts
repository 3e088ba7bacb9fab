// Rows of one org by a list of ids, reached the one way that does not depend on statistics
// (probeByKey where the key is unique on its own: see there).
//
// Statements are prepared, so PostgreSQL may keep a generic plan costed from the tables'
// statistics. Where those are missing or stale (a new org's rows; a server with autovacuum off),
// `org_id = $1 and id in (…)` was planned as "read every row of the org, keep those in the list".
// Written with these pieces, each id is one probe of a unique index, as a lateral subquery the
// planner cannot flatten (`offset 0`), and ids go in ascending order, so rows are also locked in
// one order (docs/architecture.md, "Plans that do not depend on statistics").
//
//   select t.* from ${PROBE_IDS} ${probe('ledger_holds', 't', 'hold_id')} for update of t
//   with parameters [orgId, ascendingIds(ids)]
//
// Text keys (tracking ids, loan ids) go the same way through PROBE_KEYS and ascendingKeys; a key
// that is unique only with another column (an authorization's operation) names that column in
// `also`, from a second list crossed with the first. FOR UPDATE locks rows in the order of the
// list ($2), whatever the statement's ORDER BY (which orders what it returns): ids numerically,
// text keys by their UTF-16 code units (not the database's collation), the same for every caller.

/** The ids, `$2`, as the rows `ids(id)` a statement probes from; `$1` is the org id. */
export const PROBE_IDS = 'unnest($2::bigint[]) as ids(id)';

/** The text keys, `$2`, as the rows `ids(id)` a statement probes from; `$1` is the org id. */
export const PROBE_KEYS = 'unnest($2::text[]) as ids(id)';

/**
 * Pairs of text keys, `$2` and `$3` as parallel arrays, as the rows `ids(id, op)` (a key unique
 * only with a second column, e.g. an authorization's tracking id and operation). One row per pair,
 * not two lists crossed in SQL: the generic plan of a cross join is costed for 100 rows, so
 * PostgreSQL keeps planning the statement anew at each execution.
 */
export const PROBE_KEY_PAIRS = 'unnest($2::text[], $3::text[]) as ids(id, op)';

/**
 * `cross join lateral (…) alias`: the row(s) of `table` whose `key` is the current id, in the org
 * `$1` (`orderWithin`: their order when an id names several, e.g. one row per currency).
 */
export function probe(table: string, alias: string, key: string, orderWithin?: string, also?: string): string {
  const order = orderWithin ? ` order by ${alias}.${orderWithin}` : '';
  const and = also ? ` and ${also}` : '';
  return `cross join lateral (
    select * from ${table} ${alias} where ${alias}.org_id = $1 and ${alias}.${key} = ids.id${and}${order} offset 0
  ) ${alias}`;
}

/**
 * As `probe`, for a table whose `key` is unique on its own (a unique index on that column alone:
 * accounts' `account_id`). Without statistics (a database never analyzed; PGlite; a server with
 * autovacuum off) PostgreSQL prices every index that starts with `org_id` alike, as if an org had a
 * handful of rows, and may pick one that names the org only, reading every row of the org per
 * probe with the key as a filter. Here the org is a filter PostgreSQL cannot serve from an index
 * (`(… = $1) is true`), so the key's own unique index is the only one the probe can use.
 */
export function probeByKey(table: string, alias: string, key: string): string {
  return `cross join lateral (
    select * from ${table} ${alias} where ${alias}.${key} = ids.id and (${alias}.org_id = $1) is true offset 0
  ) ${alias}`;
}

/** Distinct ids in ascending order, as the text PostgreSQL reads into `$2::bigint[]`. */
export const ascendingIds = (ids: readonly bigint[]): string[] => [...new Set(ids)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map(String);

/** Distinct text keys in ascending order (one lock order), as `$2::text[]`. */
export const ascendingKeys = (keys: readonly string[]): string[] => [...new Set(keys)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
