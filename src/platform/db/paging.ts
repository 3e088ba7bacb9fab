// Offset paging for Kysely queries: the total and one page of rows, the page's ORDER BY given.
import type { SelectQueryBuilder } from 'kysely';
import type { PageRequest } from '../paging.js';

/** `count(*)` of `base` and one page of `rows` (base with its columns and order). */
export async function offsetPage<DB, TB extends keyof DB, O>(
  base: SelectQueryBuilder<DB, TB, object>,
  rows: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
): Promise<{ rows: O[]; total: number }> {
  const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const result = await rows.limit(page.size).offset(page.offset).execute();
  return { rows: result, total: Number((total as { n: string | number | bigint }).n) };
}
