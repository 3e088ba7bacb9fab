// The SQL pg-boss runs through Lastro's pool, and the grants its tables need.
import { CompiledQuery } from 'kysely';
import type { Database, Tx } from './database.js';

/** pg-boss's `db` adapter over a Kysely transaction: a job sent with it commits with the transaction. */
export const txExecutor = (tx: Tx) => ({
  executeSql: async (text: string, values?: unknown[]) => tx.executeQuery(CompiledQuery.raw(text, values ?? [])),
});

/** pg-boss's `db` adapter over the pool. */
export const poolExecutor = (db: Database) => ({
  executeSql: (text: string, values?: unknown[]) => db.pool.query(text, values),
});

const QUEUE_LOCK_KEY = '83919925834320';

/**
 * Runs `fn` while holding a PostgreSQL advisory lock that every process installing pg-boss or
 * changing its queues takes: two processes creating the same queues at once deadlock inside
 * `pgboss.create_queue`, and two first starts race to create the schema.
 * PGlite has one process and one connection, so there `fn` just runs.
 */
export async function withQueueLock<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  if (db.kind === 'pglite') return fn();
  const client = await db.pool.connect();
  try {
    await client.query(`select pg_advisory_lock(${QUEUE_LOCK_KEY})`);
    try {
      return await fn();
    } finally {
      await client.query(`select pg_advisory_unlock(${QUEUE_LOCK_KEY})`);
    }
  } finally {
    client.release();
  }
}

/** Tenant transactions run as lastro_app (row-level security) and may enqueue jobs. */
export async function grantJobTablesToApp(db: Database): Promise<void> {
  // Granted already (every start but the first after pg-boss made a table): a read, not a GRANT,
  // which writes the catalog (about 100 ms of a PGlite start). Partitions take their parent's
  // rights for rows sent through it, so only tables that are not partitions count.
  const { rows } = await db.pool.query<{ done: boolean }>(
    `select not exists (select 1 from pg_roles where rolname = 'lastro_app')
         or (has_schema_privilege('lastro_app', 'pgboss', 'usage')
             and not exists (
               select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'pgboss' and c.relkind in ('r', 'p') and not c.relispartition
                  and not (has_table_privilege('lastro_app', c.oid, 'select')
                           and has_table_privilege('lastro_app', c.oid, 'insert')
                           and has_table_privilege('lastro_app', c.oid, 'update')))) as done`,
  );
  if (rows[0]?.done) return;
  await db.pool.query(
    `do $$ begin
       if exists (select 1 from pg_roles where rolname = 'lastro_app') then
         grant usage on schema pgboss to lastro_app;
         grant select, insert, update on all tables in schema pgboss to lastro_app;
       end if;
     end $$`,
  );
}

/**
 * Renews the lease of a running job: pg-boss expires an active job `expire_in` after `started_on`,
 * so moving `started_on` forward keeps it while its worker lives.
 */
export async function renewJobLease(db: Database, jobId: string): Promise<void> {
  await db.pool.query(`update pgboss.job set started_on = now() where id = $1 and state = 'active'`, [jobId]);
}
