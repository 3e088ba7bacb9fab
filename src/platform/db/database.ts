// One database interface over two engines: PostgreSQL through a `pg` pool, or embedded PGlite
// through PGlite's node-postgres adapter (a pool of exactly one connection). Kysely, pg-boss and
// raw SQL all go through the same `pg.Pool`, so every module's SQL runs on both.
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { CompiledQuery, Kysely, PostgresDialect, sql, type PostgresPool, type Transaction } from 'kysely';
import pg from 'pg';
import { lockDataDir, type DirLock } from './dir-lock.js';
import type { Tables } from './tables.js';
import { WIRE_HANDLE, wirePool, type Statement, type TxSettings, type Wire } from './wire.js';

// int8 columns hold money in minor units: read them as bigint, never as a lossy number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));

export type Tx = Transaction<Tables>;

/** Whether `err` is PostgreSQL's report that the named constraint was violated. */
export function violates(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && e.code.startsWith('23') && e.constraint === constraint;
}

// State kept per transaction, by transaction. Database.transaction deletes a transaction's entries
// when it ends (forgetTx): V8's scavenges keep a WeakMap's values alive whatever became of their
// keys, until the next full collection, so state left to the keys' death was promoted to the old
// generation, each group of transfers' with it (bench/README.md "Objects that outlived their
// transaction").
const commitHooks = new WeakMap<Tx, Array<() => void>>();
const txWires = new WeakMap<Tx, Wire>();
const txNotices = new WeakMap<Tx, Set<string>>();
const txStates = new WeakMap<Tx, Map<TxSlot<unknown>, unknown>>();

function forgetTx(tx: Tx): void {
  commitHooks.delete(tx);
  txWires.delete(tx);
  txNotices.delete(tx);
  txStates.delete(tx);
  quietFromBegin.delete(tx);
}

/** A kind of per-transaction state (txState); made once, where the state is used. */
export interface TxSlot<T> {
  readonly init: () => T;
}

/** A new kind of per-transaction state, `init` making its value in each transaction. */
export const txSlot = <T>(init: () => T): TxSlot<T> => ({ init });

/**
 * The value of `slot` in `tx`, made by the slot's `init` on first use in the transaction. It lasts
 * until the transaction ends (commit or rollback), and goes with it: state a module kept in a
 * WeakMap of its own, keyed by the transaction, would survive it until V8's next full collection.
 */
export function txState<T>(tx: Tx, slot: TxSlot<T>): T {
  let states = txStates.get(tx);
  if (!states) txStates.set(tx, (states = new Map()));
  if (states.has(slot)) return states.get(slot) as T;
  const value = slot.init();
  states.set(slot, value);
  return value;
}

/**
 * Runs `fn` once `tx` (a transaction from Database.transaction) has committed; never when it
 * rolls back. For in-process signals only ("events were written"): `fn` must not throw.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.push(fn);
  else commitHooks.set(tx, [fn]);
}

/**
 * Sends `query` in `tx` together with the transaction's next statement or its COMMIT instead of
 * on its own (one round trip fewer). For writes nothing in the transaction reads back before its
 * next statement (the outbox, a transfer's rows): an error of `query` is reported by that next
 * statement or COMMIT, and the transaction rolls back as for any failed statement. `mapError`
 * turns the statement's own error into what the caller answers (a constraint into its domain
 * error), whichever round trip reports it. Outside Database.transaction it runs at once.
 */
export async function sendWithNext(tx: Tx, query: CompiledQuery, opts?: { mapError?: (err: Error) => Error }): Promise<void> {
  const wire = txWires.get(tx);
  if (wire?.inTransaction) {
    wire.defer({ text: query.sql, values: query.parameters, ...(opts?.mapError ? { mapError: opts.mapError } : {}) });
    return;
  }
  try {
    await tx.executeQuery(query);
  } catch (err) {
    throw opts?.mapError ? opts.mapError(err as Error) : err;
  }
}

/** One statement's result, as Kysely gives it: rows, and the rows a write touched. */
export interface SentResult<R = Record<string, unknown>> {
  rows: R[];
  numAffectedRows?: bigint;
}

/**
 * Sends independent `queries` in `tx` in one round trip (behind BEGIN, the settings and the
 * deferred statements, when still to send) and answers each one's result, in order. None may
 * depend on another's result; each is one SQL statement. The first that fails fails the call,
 * nothing after it runs, and the transaction rolls back. Outside Database.transaction (no
 * pipeline), they run one after another with the same results.
 */
export async function sendTogether(tx: Tx, queries: readonly CompiledQuery[]): Promise<SentResult[]> {
  const wire = txWires.get(tx);
  if (!wire?.inTransaction) {
    const out: SentResult[] = [];
    for (const q of queries) {
      const r = await tx.executeQuery(q);
      out.push({ rows: r.rows as Record<string, unknown>[], ...(r.numAffectedRows !== undefined ? { numAffectedRows: r.numAffectedRows } : {}) });
    }
    return out;
  }
  return sentResults(await wire.together(queries.map((q) => ({ text: q.sql, values: q.parameters }))));
}

/**
 * sendTogether for the last statements of `tx`: when the transaction has sent nothing yet, they
 * go with its settings in one pipeline that PostgreSQL commits at once (no BEGIN, no COMMIT: the
 * whole transaction is one round trip; wire.ts `last`), and nothing may be sent in `tx` after
 * them. Otherwise exactly as sendTogether, and the transaction commits as usual.
 */
export async function sendLast(tx: Tx, queries: readonly CompiledQuery[]): Promise<SentResult[]> {
  const wire = txWires.get(tx);
  if (!wire?.inTransaction) return sendTogether(tx, queries);
  return sentResults(await wire.last(queries.map((q) => ({ text: q.sql, values: q.parameters }))));
}

const sentResults = (results: pg.QueryResult[]): SentResult[] =>
  results.map((r) => ({
    rows: r.rows as Record<string, unknown>[],
    // As Kysely's pg driver counts them.
    ...(WRITES.has(r.command) && r.rowCount !== null ? { numAffectedRows: BigInt(r.rowCount) } : {}),
  }));
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * A statement and what its caller makes of its rows: how a module offers a read that another
 * sends together with its own (readTogether), without executing it itself.
 */
export interface Read<T> {
  readonly query: CompiledQuery;
  /**
   * A second statement sent right after `query` (its rows are read's second argument). Under READ
   * COMMITTED it runs on a new snapshot, so it sees what a transaction `query` waited for (a row
   * lock) committed.
   */
  readonly then?: CompiledQuery;
  read(rows: Record<string, unknown>[], thenRows?: Record<string, unknown>[]): T;
}

type ValueOf<X> = X extends Read<infer T> ? T : undefined; // distributes: Read<T> | undefined → T | undefined
type ReadValues<R extends readonly (Read<unknown> | undefined)[]> = { -readonly [K in keyof R]: ValueOf<R[K]> };

/**
 * sendTogether for Reads: each read's value, in order (undefined for an undefined slot, so a
 * caller can leave out a read it does not need without renumbering the others).
 */
export async function readTogether<const R extends readonly (Read<unknown> | undefined)[]>(tx: Tx, reads: R): Promise<ReadValues<R>> {
  const queries: CompiledQuery[] = [];
  for (const r of reads) if (r) queries.push(...(r.then ? [r.query, r.then] : [r.query]));
  const results = await sendTogether(tx, queries);
  let i = 0;
  return reads.map((r) => {
    if (r === undefined) return undefined;
    const rows = results[i++]!.rows;
    return r.read(rows, r.then ? results[i++]!.rows : []);
  }) as ReadValues<R>;
}

/**
 * After `tx` commits, wakes the listeners of the PostgreSQL channel `channel` in every process:
 * one NOTIFY per channel and process at most every few milliseconds, sent outside the
 * transaction (a NOTIFY inside one serializes the commits of every session that sends one).
 * Nothing on PGlite (one process).
 */
export function notifyAfterCommit(tx: Tx, channel: string): void {
  const set = txNotices.get(tx);
  if (set) set.add(channel);
  else txNotices.set(tx, new Set([channel]));
}

/** How long a NOTIFY waits for more commits of the same channel to share it. */
export const NOTIFY_COALESCE_MS = 5;

export type DbKind = 'pglite' | 'postgres';

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
   * - `plans: 'generic'` (with `orgId` or `system`): every prepared statement of the transaction
   *   runs its generic plan (plan_cache_mode, SET LOCAL), never one planned again for its
   *   values. For work whose statements all reach their rows by primary-key probes, whose generic
   *   plans are right ("Plans that do not depend on statistics", docs/architecture.md).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Inside `tx`, an open `system` transaction, runs `fn` bound to `orgId` as an `orgId`
   * transaction is (role lastro_app, lastro.org_id, no lastro.system), then returns `tx` to
   * system. For the one procedure that creates an org and seeds its defaults in one commit.
   */
  asOrg<T>(tx: Tx, orgId: string, fn: () => Promise<T>): Promise<T>;
  /** Cheap liveness query for /ready. */
  ping(): Promise<void>;
  poolStats(): { total: number; idle: number; waiting: number; max: number };
  /**
   * Whether a listener of this process holds `channel` (LISTEN) on this database: while one does,
   * commits here send that channel no NOTIFY (notifyAfterCommit), as the listener's process wakes
   * it itself. For a channel only one session listens on (the event relay's leader); called with
   * true once it listens, with false when it stops.
   */
  listeningHere(channel: string, on: boolean): void;
  close(): Promise<void>;
}

export interface TransactionOptions {
  orgId?: string;
  system?: boolean;
  plans?: 'generic';
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  poolSize?: number;
  /**
   * PostgreSQL: send statements as named prepared statements (parsed once per connection).
   * Default on; turn off behind a pooler that does not keep sessions (PgBouncer transaction mode).
   * Never on PGlite.
   */
  preparedStatements?: boolean;
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
    const db = build('postgres', pool, async () => {}, opts.preparedStatements ?? true);
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
  return build(
    'pglite',
    pool,
    async () => {
      if (owned) await instance.close();
      lock?.release();
    },
    false,
  );
}

// The outbox trigger's NOTIFY is off for every transaction that sends settings (migration 0013):
// one that writes events sends its own NOTIFY after it commits (notifyAfterCommit). Carried by
// the settings, it costs no statement of its own.
const QUIET_OUTBOX = "set_config('lastro.outbox_notify', 'off', true)";
const SYSTEM_SETTINGS = `select set_config('lastro.system', 'on', true), ${QUIET_OUTBOX}`;
const READ_ONLY = "set_config('transaction_read_only', 'on', true)";
// A probe's statement (`unnest($2::bigint[])` … one index probe per id) has a generic plan costed
// for 100 ids, against a custom plan for the few it is sent: left to choose (auto), PostgreSQL
// plans it again at every execution, at its bind.
const GENERIC_PLANS = "set_config('plan_cache_mode', 'force_generic_plan', true)";

/** Transactions whose settings silenced the outbox trigger's NOTIFY (QUIET_OUTBOX). */
const quietFromBegin = new WeakSet<Tx>();

/** Whether `tx`'s settings silenced the outbox trigger's NOTIFY already (the outbox writer then sends no statement for it). */
export const outboxQuietFromBegin = (tx: Tx): boolean => quietFromBegin.has(tx);

/** The settings a transaction sends before its first statement (see wire.ts). */
function txSettings(opts: TransactionOptions | undefined, appRole: boolean): TxSettings {
  let settings: Statement | null = null;
  if (opts?.orgId) {
    const role = appRole ? ", set_config('role', 'lastro_app', true)" : '';
    settings = { text: `select set_config('lastro.org_id', $1, true)${role}, ${QUIET_OUTBOX}`, values: [opts.orgId] };
  } else if (opts?.system) {
    settings = { text: SYSTEM_SETTINGS, values: [] };
  }
  if (settings && opts?.plans === 'generic') settings = { text: `${settings.text}, ${GENERIC_PLANS}`, values: settings.values };
  const readSettings = settings
    ? { text: `${settings.text}, ${READ_ONLY}`, values: settings.values }
    : { text: `select ${READ_ONLY}`, values: [] };
  return { settings, readSettings };
}

function build(kind: DbKind, pool: pg.Pool, closeEngine: () => Promise<void>, named: boolean): Database {
  const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: wirePool(pool, { named }) as unknown as PostgresPool }) });
  let closed = false;
  // Coalesced cross-process NOTIFYs (PostgreSQL only), by channel.
  const pendingNotices = new Set<string>();
  // Channels a session of this process listens on (listeningHere): their commits notify nobody.
  const heardHere = new Set<string>();
  let noticeTimer: NodeJS.Timeout | undefined;
  const sendNotices = async () => {
    noticeTimer = undefined;
    const channels = [...pendingNotices];
    pendingNotices.clear();
    for (const channel of channels) {
      // A lost NOTIFY only delays other processes until their next poll.
      await pool.query('select pg_notify($1, $2)', [channel, '']).catch(() => {});
    }
  };
  const notify = (channels: Set<string>) => {
    if (kind !== 'postgres' || closed) return;
    for (const c of channels) if (!heardHere.has(c)) pendingNotices.add(c);
    if (pendingNotices.size) noticeTimer ??= setTimeout(() => void sendNotices(), NOTIFY_COALESCE_MS);
  };
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
      // BEGIN and the session settings travel with the first statement, outbox rows with the
      // next statement or COMMIT, and a first plain read needs no BEGIN at all (wire.ts).
      const settings = txSettings(opts, opts?.orgId ? (appRole ?? (await probeAppRole())) : false);
      let tx: Tx | undefined;
      try {
        const result = await kysely.connection().execute(async (conn) => {
          tx = conn as unknown as Tx;
          const wire = (await conn.executeQuery(CompiledQuery.raw(WIRE_HANDLE))).rows[0] as Wire;
          wire.begin(settings);
          txWires.set(tx, wire);
          if (settings.settings) quietFromBegin.add(tx);
          let result: Awaited<ReturnType<typeof fn>>;
          try {
            result = await fn(tx);
          } catch (err) {
            await wire.rollback();
            throw err;
          }
          await wire.commit();
          return result;
        });
        for (const hook of commitHooks.get(tx!) ?? []) hook();
        const notices = txNotices.get(tx!);
        if (notices) notify(notices);
        return result;
      } finally {
        if (tx) forgetTx(tx);
      }
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
    listeningHere(channel, on) {
      if (on) heardHere.add(channel);
      else heardHere.delete(channel);
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
      if (noticeTimer) {
        clearTimeout(noticeTimer);
        await sendNotices();
      }
      await kysely.destroy(); // ends the pool
      await closeEngine();
    },
  };
}
