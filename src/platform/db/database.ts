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

/** Whether `err` is PostgreSQL's report that the named constraint was violated. */
export function violates(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && e.code.startsWith('23') && e.constraint === constraint;
}

const commitHooks = new WeakMap<Tx, Array<() => void>>();

/**
 * Runs `fn` once `tx` (a transaction from Database.transaction) has committed; never when it
 * rolls back. For in-process signals only ("events were written"): `fn` must not throw.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.push(fn);
  else commitHooks.set(tx, [fn]);
}
export type DbKind = 'pglite' | 'postgres';

/** A SQL string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
function literal(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL literal cannot hold NUL');
  return `'${value.replace(/'/g, "''")}'`;
}

export interface Database {
  readonly kind: DbKind;
  readonly pool: pg.Pool;
  readonly kysely: Kysely<Tables>;
  /**
   * Runs `fn` in one transaction.
   * - `orgId`: tenant work. The transaction runs as the role `lastro_app` with `lastro.org_id`
   *   set (SET LOCAL), so row-level security hides every other org's rows even from a query
   *   that forgot its org_id predicate.
   * - `system`: cross-tenant work (operator API, credential lookup by key, jobs' bookkeeping).
   * - neither: tenant tables show no rows where row-level security applies.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: { orgId?: string; system?: boolean }): Promise<T>;
  /**
   * Inside `tx`, an open `system` transaction, runs `fn` bound to `orgId` as an `orgId`
   * transaction is (role lastro_app, lastro.org_id, no lastro.system), then returns `tx` to
   * system. For the one procedure that creates an org and seeds its defaults in one commit.
   */
  asOrg<T>(tx: Tx, orgId: string, fn: () => Promise<T>): Promise<T>;
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
  // Whether tenant transactions may switch to lastro_app (it exists once migrations ran, and we
  // are a superuser or a member). Checked on the first tenant transaction; "no" is rechecked later.
  let appRole: boolean | undefined;
  // `on`: the pool, or the open transaction (PGlite's one connection may be held by it).
  const probeAppRole = async (on: Kysely<Tables> = kysely): Promise<boolean> => {
    const { rows } = await sql<{ ok: boolean }>`
      select exists (select 1 from pg_roles where rolname = 'lastro_app')
         and pg_has_role(current_user, 'lastro_app', 'MEMBER') as ok`.execute(on);
    appRole = rows[0]?.ok === true ? true : undefined;
    return appRole === true;
  };
  return {
    kind,
    pool,
    kysely,
    async transaction(fn, opts) {
      // BEGIN and the session settings travel in one round trip (a multi-statement simple query),
      // and COMMIT in another: a tenant read costs one query more than the read itself.
      const settings = opts?.orgId
        ? `select set_config('lastro.org_id', ${literal(opts.orgId)}, true)${(appRole ?? (await probeAppRole())) ? ", set_config('role', 'lastro_app', true)" : ''}`
        : opts?.system
          ? "select set_config('lastro.system', 'on', true)"
          : '';
      const { result, tx } = await kysely.connection().execute(async (conn) => {
        const tx = conn as unknown as Tx;
        await sql.raw(settings ? `begin; ${settings}` : 'begin').execute(conn);
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(tx);
        } catch (err) {
          await sql.raw('rollback').execute(conn).catch(() => {}); // a broken connection rolled back already
          throw err;
        }
        await sql.raw('commit').execute(conn);
        return { result, tx };
      });
      for (const hook of commitHooks.get(tx) ?? []) hook();
      return result;
    },
    async asOrg(tx, orgId, fn) {
      const role = appRole ?? (await probeAppRole(tx));
      if (role) await sql`set local role lastro_app`.execute(tx);
      await sql`select set_config('lastro.org_id', ${orgId}, true), set_config('lastro.system', '', true)`.execute(tx);
      const result = await fn();
      // On failure the transaction rolls back and takes the binding with it.
      await sql`select set_config('lastro.org_id', '', true), set_config('lastro.system', 'on', true)`.execute(tx);
      if (role) await sql`set local role none`.execute(tx);
      return result;
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
