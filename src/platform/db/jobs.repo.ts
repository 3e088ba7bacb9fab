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

/** Tenant transactions run as lastro_app (row-level security) and may enqueue jobs. */
export async function grantJobTablesToApp(db: Database): Promise<void> {
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
