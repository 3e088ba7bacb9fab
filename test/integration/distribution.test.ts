// Distributable by org: on a sharded PostgreSQL (e.g. Citus, distribution column org_id) every
// primary key and unique index of a distributed table must contain org_id, and foreign keys
// between distributed tables must join on it. Lastro keeps the stricter rule that org_id comes
// FIRST, so an org's rows are one index range everywhere. The catalog is read, not a list: a table
// a later migration adds is checked too. Exceptions are listed below, each with its reason
// (docs/architecture.md, "Distribution by org").
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

/** Unique indexes (by name) that may lead with another column than org_id, and why. */
const ALLOWED: Record<string, string> = {
  credentials_server_key_key:
    'The token endpoint finds a credential by its server_key before it knows the org. Sharded, the lookup needs a ' +
    'reference table server_key → org_id (or a key that carries its org). The orgs module owns it.',
  refresh_tokens_hash:
    'A refresh token is looked up by its hash alone, before the org is known; same remedy as server_key. The orgs module owns it.',
  programs_id:
    "Pismo's program ids are int64 and unique across orgs (a program id names one program). The ids come from one " +
    'identity sequence; sharded, the sequence (disjoint ranges per node) keeps them unique and this index goes.',
  program_due_dates_id: 'Due date ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  program_imports_id: 'Import ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  holiday_calendars_id: 'Holiday calendar ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  holidays_id: 'Holiday ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  accounts_id: 'Account ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_applications_id: 'Application ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_customers_id: 'Customer ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_entities_id: 'Entity ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_addresses_id: 'Address ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_phones_id: 'Phone ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_statuses_id: 'Account status ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  account_status_reasons_id: 'Status reason ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  acquisition_channels_id: 'Acquisition channel ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
  processing_codes_operation_id: 'Processing code operation ids are int64 ids in Pismo\'s style, unique across orgs: as programs_id.',
};

interface KeyIndex {
  table: string;
  index: string;
  primary: boolean;
  /** Key columns in order; null for an expression. */
  columns: Array<string | null>;
}

interface ForeignKey {
  table: string;
  name: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
}

interface Catalog {
  /** Tables of the public schema that have an org_id column. */
  tenantTables: string[];
  keys: KeyIndex[];
  foreignKeys: ForeignKey[];
}

/** What keeps the schema from distributing by org_id, one line each; empty when nothing does. */
function distributionProblems(catalog: Catalog, allowed: Record<string, string>): string[] {
  const problems: string[] = [];
  const tenant = new Set(catalog.tenantTables);
  const used = new Set<string>();
  for (const table of catalog.tenantTables) {
    if (!catalog.keys.some((k) => k.table === table && k.primary)) problems.push(`${table} has no primary key`);
  }
  for (const k of catalog.keys) {
    if (!tenant.has(k.table) || k.columns[0] === 'org_id') continue;
    if (allowed[k.index]) {
      used.add(k.index);
      continue;
    }
    const what = k.primary ? 'primary key' : 'unique index';
    problems.push(`${k.table}: ${what} ${k.index} (${k.columns.map((c) => c ?? '(expression)').join(', ')}) does not start with org_id`);
  }
  for (const fk of catalog.foreignKeys) {
    if (!tenant.has(fk.table) || !tenant.has(fk.references)) continue;
    const at = fk.columns.indexOf('org_id');
    if (at < 0 || fk.referencedColumns[at] !== 'org_id') {
      problems.push(`${fk.table}: foreign key ${fk.name} (${fk.columns.join(', ')}) → ${fk.references} does not join on org_id`);
    }
  }
  for (const name of Object.keys(allowed)) {
    if (!used.has(name)) problems.push(`allow-list entry ${name} matches no unique index that needs it: remove it`);
  }
  return problems;
}

/** The keys of the public schema's tables that have an org_id column, from the system catalogs. */
async function readCatalog(db: Kysely<any>): Promise<Catalog> {
  const tables = await sql<{ table: string }>`
    select c.relname as table
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by 1`.execute(db);
  const keys = await sql<KeyIndex>`
    select t.relname as table, i.relname as index, x.indisprimary as primary,
           array(select a.attname::text
                 from unnest(x.indkey::int2[]) with ordinality k(attnum, n)
                 left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum and k.attnum > 0
                 where k.n <= x.indnkeyatts
                 order by k.n) as columns
    from pg_index x
    join pg_class t on t.oid = x.indrelid
    join pg_class i on i.oid = x.indexrelid
    join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public' and x.indisunique
    order by 1, 2`.execute(db);
  const foreignKeys = await sql<ForeignKey>`
    select t.relname as table, c.conname as name, r.relname as references,
           array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, n)
                 join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.n) as columns,
           array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, n)
                 join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.n) as "referencedColumns"
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    join pg_class r on r.oid = c.confrelid
    join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public' and c.contype = 'f'
    order by 1, 2`.execute(db);
  return { tenantTables: tables.rows.map((r) => r.table), keys: keys.rows, foreignKeys: foreignKeys.rows };
}

let testDb: TestDatabase;
let db: Database;
beforeAll(async () => {
  testDb = await freshDatabase();
  db = await testDb.open();
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('distribution by org', () => {
  it('every tenant table is keyed by org_id first, and joins its tenant foreign keys on org_id', async () => {
    const catalog = await readCatalog(db.kysely);
    // The catalog really holds the tables: an empty read would pass vacuously.
    for (const t of ['orgs', 'credentials', 'event_outbox', 'event_subscriptions', 'event_deliveries', 'event_delivery_attempts', 'event_files', 'programs']) {
      expect(catalog.tenantTables).toContain(t);
    }
    expect(catalog.keys.find((k) => k.index === 'event_delivery_attempts_pkey')?.columns).toEqual(['org_id', 'delivery_id', 'attempt']);
    expect(distributionProblems(catalog, ALLOWED)).toEqual([]);
  });

  it('fails for a new table keyed without org_id (created in a transaction that is rolled back)', async () => {
    const rollback = new Error('rollback');
    let problems: string[] = [];
    await expect(
      db.kysely.transaction().execute(async (tx) => {
        await sql`create table distribution_probe (org_id text not null, id uuid primary key, name text not null unique)`.execute(tx);
        await sql`create table distribution_probe_child (
                    org_id text not null, id uuid not null, probe_id uuid not null references distribution_probe (id),
                    primary key (org_id, id))`.execute(tx);
        await sql`create table distribution_probe_heap (org_id text not null, payload text)`.execute(tx);
        problems = distributionProblems(await readCatalog(tx), ALLOWED);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(problems).toEqual([
      'distribution_probe_heap has no primary key',
      'distribution_probe: unique index distribution_probe_name_key (name) does not start with org_id',
      'distribution_probe: primary key distribution_probe_pkey (id) does not start with org_id',
      'distribution_probe_child: foreign key distribution_probe_child_probe_id_fkey (probe_id) → distribution_probe does not join on org_id',
    ]);
    const left = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname like 'distribution_probe%'`.execute(db.kysely);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('the checker: keys and foreign keys, tables without org_id, expressions, and stale allow-list entries', () => {
    const catalog: Catalog = {
      tenantTables: ['a', 'b'],
      keys: [
        { table: 'a', index: 'a_pkey', primary: true, columns: ['org_id', 'id'] },
        { table: 'a', index: 'a_lower_name', primary: false, columns: [null, 'org_id'] },
        { table: 'b', index: 'b_pkey', primary: true, columns: ['org_id', 'id'] },
        { table: 'b', index: 'b_global_id', primary: false, columns: ['id'] },
        { table: 'meta', index: 'meta_pkey', primary: true, columns: ['key'] },
      ],
      foreignKeys: [
        { table: 'b', name: 'b_a_fk', columns: ['org_id', 'a_id'], references: 'a', referencedColumns: ['org_id', 'id'] },
        { table: 'b', name: 'b_a_crossed', columns: ['a_id', 'org_id'], references: 'a', referencedColumns: ['org_id', 'id'] },
        { table: 'b', name: 'b_meta_fk', columns: ['key'], references: 'meta', referencedColumns: ['key'] },
      ],
    };
    expect(distributionProblems(catalog, { b_global_id: 'int64 ids unique across orgs', gone_index: 'was dropped' })).toEqual([
      'a: unique index a_lower_name ((expression), org_id) does not start with org_id',
      'b: foreign key b_a_crossed (a_id, org_id) → a does not join on org_id',
      'allow-list entry gone_index matches no unique index that needs it: remove it',
    ]);
  });
});
