// One database interface over two engines: PostgreSQL through a `pg` pool, or embedded PGlite
// through PGlite's node-postgres adapter (a pool of exactly one connection). Kysely, pg-boss and
// raw SQL all go through the same `pg.Pool`, so every module's SQL runs on both.
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { lockDataDir, type DirLock } from './dir-lock.js';
import type { Tables } from './tables.js';

// int8 columns hold money in minor units: read them as bigint, never as a lossy number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));

export type Tx = Transaction<Tables>;
export type DbKind = 'pglite' | 'postgres';

export interface Database {
  readonly kind: DbKind;
  readonly pool: pg.Pool;
  readonly kysely: Kysely<Tables>;
  /**
   * Runs `fn` in one transaction. With `orgId`, the transaction carries `lastro.org_id`
   * (SET LOCAL), which PostgreSQL row-level security policies read.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: { orgId?: string }): Promise<T>;
  /** Cheap liveness query for /ready. */
  ping(): Promise<void>;
  poolStats(): { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  poolSize?: number;
  /** PGlite data directory (locked against a second process). `memory://` for a throwaway. */
  dataDir?: string;
  /** A PGlite instance the caller already opened (tests load a pre-migrated snapshot). */
  pglite?: PGlite;
  /** Application name reported to PostgreSQL (pg_stat_activity). */
  applicationName?: string;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      application_name: opts.applicationName ?? 'lastro',
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = build('postgres', pool, async () => {});
    try {
      await db.ping();
    } catch (err) {
      await pool.end();
      throw err;
    }
    return db;
  }

  let lock: DirLock | undefined;
  let pglite = opts.pglite;
  if (!pglite) {
    const dataDir = opts.dataDir ?? './.lastro/data';
    if (!dataDir.startsWith('memory://')) lock = lockDataDir(dataDir);
    try {
      pglite = await PGlite.create(dataDir);
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  const owned = !opts.pglite;
  const instance = pglite;
  const pool = new pg.Pool(createPgConfig(instance));
  return build('pglite', pool, async () => {
    if (owned) await instance.close();
    lock?.release();
  });
}

function build(kind: DbKind, pool: pg.Pool, closeEngine: () => Promise<void>): Database {
  const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    kind,
    pool,
    kysely,
    transaction(fn, opts) {
      return kysely.transaction().execute(async (tx) => {
        if (opts?.orgId) await sql`select set_config('lastro.org_id', ${opts.orgId}, true)`.execute(tx);
        return fn(tx);
      });
    },
    async ping() {
      await pool.query('select 1');
    },
    poolStats() {
      return {
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: (pool.options as { max?: number }).max ?? 1,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy(); // ends the pool
      await closeEngine();
    },
  };
}
