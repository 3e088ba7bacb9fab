// A digest of every row one org owns, per table: every table of the public schema with an org_id
// column (found in the catalog, so a table a later migration adds is covered), read in the org's
// own tenant transaction. The walk compares it around each call, so a write into another org's
// rows is caught and named by the request that made it, whatever the route answered.
import { sql } from 'kysely';
import type { TestApp } from '../helpers/app.js';

export type Fingerprint = Map<string, string>;

export async function tenantTables(app: TestApp): Promise<string[]> {
  const { rows } = await sql<{ relname: string }>`
    select c.relname
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by c.relname`.execute(app.platform.db.kysely);
  return rows.map((r) => r.relname);
}

export async function fingerprint(app: TestApp, orgId: string, tables: string[]): Promise<Fingerprint> {
  const parts = tables.map((t) => sql`select ${t} as name, md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as digest from ${sql.table(t)} r`);
  const { rows } = await app.platform.db.transaction((tx) => sql<{ name: string; digest: string }>`${sql.join(parts, sql` union all `)}`.execute(tx), { orgId });
  return new Map(rows.map((r) => [r.name, r.digest]));
}

/** The tables whose rows differ between two fingerprints. */
export const changedTables = (before: Fingerprint, after: Fingerprint): string[] =>
  [...after.keys()].filter((t) => before.get(t) !== after.get(t));

/**
 * Lets the worker's own follow-up of what was just created finish before rows are fingerprinted:
 * enrolling new orgs and programs in day closing and closing their first days. Done later, in the
 * middle of what is being watched, it would look like a write by the request under test.
 */
export async function settleDayClosing(app: TestApp, orgIds: string[]): Promise<void> {
  await app.platform.days.reconcile();
  for (const orgId of orgIds) await app.platform.days.closeDue(orgId, { waitForLock: true });
}
