// What Lastro sends to the database, per connection: the fewest round trips a transaction needs.
//
// Kysely talks to a `pg` client through this wrapper (see database.ts). A transaction opened by
// Database.transaction sends nothing at first; its BEGIN and session settings travel in the same
// extended-protocol pipeline (one Sync, one round trip) as its first statement, and the outbox
// rows it writes travel with its next statement or its COMMIT. A transaction whose first
// statement is a plain read sends that read without BEGIN: settings and read go in one pipeline,
// which PostgreSQL runs as one implicit transaction (set_config(…, true) lasts until the Sync),
// read-only, so RLS applies exactly as inside BEGIN…COMMIT and the read can write nothing; a
// transaction that only reads one statement then costs one round trip and no COMMIT. Several
// independent statements may also go in one pipeline with each one's result returned (`together`).
//
// On PostgreSQL, statements are also named prepared statements, parsed once per connection and
// again after a while (REPLAN_FIRST_MS, doubling up to REPLAN_MAX_MS): PostgreSQL keeps a named
// statement's generic plan until something invalidates it (an ANALYZE of its tables), so a plan
// made while a table was nearly empty (a sequential scan per probe of a new org's or database's
// first rows) would otherwise outlive the table's growth on a server where nothing analyzes it.
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
// pg's own mapping of JavaScript values to wire text (dates, buffers, arrays, JSON, bigint).
const { prepareValue } = require('pg/lib/utils.js') as { prepareValue: (v: unknown) => unknown };

interface Field {
  name: string;
  dataTypeID: number;
  format?: string;
}

/**
 * What a statement's rows look like: column names, each column's parser and an empty row to copy.
 * The parsers are `pg.types`', the ones this process configured (database.ts reads int8 as
 * bigint). A named statement's shape is kept per connection, so it is described (RowDescription)
 * only when that connection parses it: PostgreSQL refuses to run a prepared statement whose result
 * columns changed since it was parsed (SQLSTATE 0A000, below) rather than answer other columns.
 */
interface Shape {
  fields: Field[];
  names: string[];
  parsers: ((text: string) => unknown)[];
  empty: Record<string, null>;
}

function shapeOf(fields: Field[]): Shape {
  // As pg's Result: an empty row built without a prototype, then copied into a plain object.
  const row = Object.create(null) as Record<string, null>;
  for (const f of fields) row[f.name] = null;
  return {
    fields,
    names: fields.map((f) => f.name),
    parsers: fields.map((f) => pg.types.getTypeParser(f.dataTypeID, (f.format ?? 'text') as 'text')),
    empty: { ...row },
  };
}

/** A statement with no result columns (NoData: a write without RETURNING, a utility statement). */
const NO_COLUMNS = shapeOf([]);
const COMMAND = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;

/** One statement's result, as pg's (command, row count, rows of its text values parsed). */
class StatementResult implements pg.QueryResult {
  command = '';
  rowCount: number | null = null;
  oid = 0;
  rows: Record<string, unknown>[] = [];
  shape: Shape | undefined;

  constructor(shape: Shape | undefined) {
    this.shape = shape;
  }

  get fields(): pg.FieldDef[] {
    return (this.shape?.fields ?? []) as pg.FieldDef[];
  }

  addFields(fields: Field[]): void {
    this.shape = shapeOf(fields);
  }

  addRow(values: (string | null)[]): void {
    const shape = this.shape!;
    const row: Record<string, unknown> = { ...shape.empty };
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      row[shape.names[i]!] = v === null || v === undefined ? null : shape.parsers[i]!(v);
    }
    this.rows.push(row);
  }

  addCommandComplete(msg: { text: string }): void {
    // As pg's Result: "INSERT 0 5", "UPDATE 3", "SELECT 1", "BEGIN".
    const m = COMMAND.exec(msg.text);
    if (!m) return;
    this.command = m[1]!;
    if (m[3]) {
      this.oid = parseInt(m[2]!, 10);
      this.rowCount = parseInt(m[3], 10);
    } else if (m[2]) {
      this.rowCount = parseInt(m[2], 10);
    }
  }
}

export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
  /**
   * What the caller answers when this statement fails (a deferred write's constraint, reported by
   * whichever round trip carries it): the error thrown instead of PostgreSQL's.
   */
  readonly mapError?: (err: Error) => Error;
}

/** The session settings of a transaction, sent before its first statement. */
export interface TxSettings {
  /** `begin` plus settings (set_config(…, true)); null: a transaction with no settings. */
  readonly settings: Statement | null;
  /** The same settings plus read-only, for a first statement sent without BEGIN. */
  readonly readSettings: Statement;
}

const BEGIN: Statement = { text: 'begin', values: [] };
const COMMIT: Statement = { text: 'commit', values: [] };
const ROLLBACK = 'rollback';
/** SQLSTATE read_only_sql_transaction: the first statement wanted to write after all. */
const READ_ONLY_VIOLATION = '25006';
/** SQLSTATE feature_not_supported, raised as "cached plan must not change result type". */
const PLAN_CHANGED = '0A000';

/** Asked through Kysely (never sent): answers with the connection's Wire. */
export const WIRE_HANDLE = '/* lastro:wire */';

// A first statement may go without BEGIN only when it is a plain SELECT: nothing it does may
// outlive its own implicit transaction (row locks, advisory locks, settings) or write (sequences).
// Writes hidden in functions are refused by read-only and the statement is sent again under BEGIN.
// (Names match anywhere: pg_try_advisory_xact_lock has no word boundary before "advisory".)
const NOT_PLAIN =
  /\bfor\s+(?:update|share|no\s+key\s+update|key\s+share)\b|advisory|set_config|nextval|setval|txid_current|pg_current_xact_id|pg_notify|pg_sleep/i;
const isPlainRead = (text: string): boolean => /^\s*select\b/i.test(text) && !NOT_PLAIN.test(text) && !text.includes(';');

interface Known {
  /** Prepared statement name; undefined: sent unnamed (too many distinct texts). */
  name: string | undefined;
  plainRead: boolean;
}

/** A named statement's first re-parse on a connection comes this long after its first parse (ms). */
export const REPLAN_FIRST_MS = 1_000;
/** The interval between re-parses doubles up to this (ms). */
export const REPLAN_MAX_MS = 60_000;

/** Statement texts seen, by text: names are the same on every connection of the process. */
const known = new Map<string, Known>();
const MAX_NAMED = 2000;
let nameSeq = 0;

function knownOf(text: string): Known {
  let k = known.get(text);
  if (!k) {
    k = { name: nameSeq < MAX_NAMED ? `lastro_${(nameSeq++).toString(36)}` : undefined, plainRead: isPlainRead(text) };
    if (known.size < 10_000) known.set(text, k);
  }
  return k;
}

interface Step {
  text: string;
  values: readonly unknown[];
  name: string; // '' = unnamed
  parse: boolean;
  close: boolean;
  /** Whether the caller reads this statement's result (its rows are kept). */
  want: boolean;
  /** The shape of its rows, known on this connection: it is not described again. */
  shape: Shape | undefined;
}

type Callback = (err: (Error & { code?: string }) | null, res?: pg.QueryResult[]) => void;

// Constructed with the text alone (pg copies a config object property by property, descriptors
// included: a cost on every statement), then told it is an extended-protocol query.
const Query = pg.Query as unknown as new (text: string, values: undefined, callback: Callback) => pg.Query & {
  queryMode: string | undefined;
  handleRowDescription(msg: { fields: unknown[] }): void;
  handleDataRow(msg: { fields: unknown[] }): void;
  handleCommandComplete(msg: unknown, con: unknown): void;
  handleError(err: Error, con: unknown): void;
  handleEmptyQuery(con: unknown): void;
  handleReadyForQuery(con: unknown): void;
  _canceledDueToError: Error | false;
};

/**
 * Several statements and one Sync: each wanted statement's result is kept, in order; the others'
 * are dropped. The first error skips the rest (PostgreSQL discards up to the Sync), so a
 * statement never runs without the settings sent before it; `failed` is the index of the
 * statement that failed.
 */
class PipelinedQuery extends Query {
  /** Statements completed so far: the index of the one running. */
  #at = 0;
  readonly results: (StatementResult | undefined)[];
  failed = -1;
  constructor(
    private readonly steps: Step[],
    callback: (err: (Error & { code?: string }) | null, failed: number, res?: StatementResult[]) => void,
  ) {
    super(steps[steps.length - 1]!.text, undefined, (err) => callback(err, this.failed, err ? undefined : this.results.filter((r) => r !== undefined)));
    this.queryMode = 'extended';
    this.results = steps.map((s) => (s.want ? new StatementResult(s.shape) : undefined));
  }
  override handleRowDescription(msg: { fields: unknown[] }): void {
    this.results[this.#at]?.addFields(msg.fields as Field[]);
  }
  override handleDataRow(msg: { fields: unknown[] }): void {
    const result = this.results[this.#at];
    if (!result || this._canceledDueToError) return;
    try {
      result.addRow(msg.fields as (string | null)[]);
    } catch (err) {
      // As pg does: the query fails with the parser's error once PostgreSQL is done with it.
      this._canceledDueToError = err as Error;
    }
  }
  override handleCommandComplete(msg: unknown): void {
    this.results[this.#at]?.addCommandComplete(msg as { text: string });
    this.#at++;
  }
  override handleEmptyQuery(): void {
    this.#at++; // an empty statement completes without CommandComplete
  }
  override handleError(err: Error, con: unknown): void {
    this.failed = this.#at;
    super.handleError(err, con);
  }
  prepare(connection: WireConnection): void {
    for (const s of this.steps) {
      if (s.close) connection.close({ type: 'S', name: s.name });
      if (s.parse) connection.parse({ text: s.text, name: s.name, types: [] });
      connection.bind({ portal: '', statement: s.name, values: s.values, binary: false, valueMapper: prepareValue });
      if (s.want && !s.shape) connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '', rows: 0 });
    }
    connection.sync();
  }
}

/** The parts of pg's Connection a pipelined query writes to. */
interface WireConnection {
  parse(m: { text: string; name: string; types: unknown[] }): void;
  bind(m: { portal: string; statement: string; values: readonly unknown[]; binary: boolean; valueMapper: unknown }): void;
  describe(m: { type: 'P'; name: string }): void;
  execute(m: { portal: string; rows: number }): void;
  close(m: { type: 'S'; name: string }): void;
  sync(): void;
}

/** One pooled connection as Kysely sees it, with the state of the transaction it carries. */
export class Wire {
  /** Names parsed on this connection: when, and how long until they are parsed again. */
  readonly #parsed = new Map<string, { at: number; every: number }>();
  /** Names a failed pipeline may or may not have parsed: closed before the next parse. */
  readonly #unsure = new Set<string>();
  /** The shapes of the results of names parsed on this connection. */
  readonly #shapes = new Map<string, Shape>();
  #tx: TxSettings | undefined;
  /** BEGIN (and settings) not yet sent. */
  #lazy = false;
  /** BEGIN was sent: COMMIT or ROLLBACK must follow. */
  #begun = false;
  #deferred: Statement[] = [];
  /** Committed by `last` (its implicit transaction): nothing more may be sent. */
  #done = false;

  constructor(
    readonly client: pg.PoolClient,
    private readonly named: boolean,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Starts a transaction; nothing is sent until its first statement. */
  begin(tx: TxSettings): void {
    if (this.#tx) throw new Error('a transaction is already open on this connection');
    this.#tx = tx;
    this.#lazy = true;
    this.#begun = false;
    this.#deferred = [];
    this.#done = false;
  }

  /** Sends `stmt` with the transaction's next statement (or its COMMIT), not on its own. */
  defer(stmt: Statement): void {
    if (!this.#tx) throw new Error('no transaction is open on this connection');
    this.#refuseAfterLast();
    this.#deferred.push(stmt);
  }

  /** Whether a transaction is open (begun or not yet sent). */
  get inTransaction(): boolean {
    return this.#tx !== undefined;
  }

  async commit(): Promise<void> {
    const tx = this.#tx;
    if (!tx) throw new Error('no transaction is open on this connection');
    if (this.#done || (this.#lazy && this.#deferred.length === 0)) {
      // Committed already by `last`, or nothing was written (every statement was a read sent on its own): nothing to commit.
      this.#end();
      return;
    }
    try {
      await this.#send([...this.#openers(), ...this.#takeDeferred()], COMMIT);
    } catch (err) {
      // A deferred statement failed: COMMIT was skipped and the transaction is aborted.
      if (this.#begun) await this.#rawRollback();
      this.#end();
      throw err;
    }
    this.#end();
  }

  async rollback(): Promise<void> {
    if (!this.#tx) return;
    if (this.#begun) await this.#rawRollback();
    this.#end();
  }

  /**
   * Sends `stmts` (independent statements, one SQL statement each) in one round trip, behind
   * whatever the transaction still has to send (BEGIN and its settings, deferred statements), and
   * answers each one's result, in order. The first that fails fails the call and nothing after it
   * runs (the transaction is aborted and rolls back).
   */
  together(stmts: readonly Statement[]): Promise<pg.QueryResult[]> {
    if (!this.#tx) throw new Error('no transaction is open on this connection');
    this.#refuseAfterLast();
    if (stmts.length === 0) return Promise.resolve([]);
    return this.#pipeline([...this.#openers(), ...this.#takeDeferred(), ...stmts], stmts.length);
  }

  /**
   * Sends `stmts`, the transaction's last statements, and answers each one's result. When nothing
   * was sent or deferred yet, they go with the settings and without BEGIN in one pipeline, which
   * PostgreSQL runs as one implicit transaction and commits at its Sync (all or nothing, as
   * inside BEGIN…COMMIT): the whole transaction is one round trip, COMMIT sends nothing, and any
   * further statement is refused. Otherwise, as `together` (COMMIT follows as usual).
   */
  last(stmts: readonly Statement[]): Promise<pg.QueryResult[]> {
    const tx = this.#tx;
    if (!tx) throw new Error('no transaction is open on this connection');
    if (!this.#lazy || this.#deferred.length > 0 || stmts.length === 0) return this.together(stmts);
    this.#lazy = false;
    this.#done = true;
    return this.#pipeline([...(tx.settings ? [tx.settings] : []), ...stmts], stmts.length);
  }

  #refuseAfterLast(): void {
    if (this.#done) throw new Error('this transaction was committed with its last statements: nothing more can be sent in it');
  }

  /** Kysely's entry: one statement, with whatever the transaction still has to send. */
  query(textOrCursor: unknown, values?: readonly unknown[]): unknown {
    if (typeof textOrCursor !== 'string') return this.client.query(textOrCursor as pg.Submittable); // cursors
    if (textOrCursor === WIRE_HANDLE) return Promise.resolve({ command: 'SELECT', rowCount: 1, rows: [this] });
    return this.#run({ text: textOrCursor, values: values ?? [] });
  }

  /** Back to the pool; a connection still in a transaction is closed rather than reused. */
  release(): void {
    const dirty = this.#begun;
    this.#end();
    this.client.release(dirty ? new Error('released inside a transaction') : undefined);
  }

  async #run(stmt: Statement): Promise<pg.QueryResult> {
    const tx = this.#tx;
    if (!tx) return this.#send([], stmt);
    this.#refuseAfterLast();
    if (this.#lazy && this.#deferred.length === 0 && knownOf(stmt.text).plainRead) {
      try {
        return await this.#send([tx.readSettings], stmt);
      } catch (err) {
        if ((err as { code?: string }).code !== READ_ONLY_VIOLATION) throw err;
        // It writes after all (a function, a trigger): send it again inside the transaction.
      }
    }
    return this.#send([...this.#openers(), ...this.#takeDeferred()], stmt);
  }

  /** BEGIN and the settings, the first time; marks the transaction begun. */
  #openers(): Statement[] {
    if (!this.#lazy) return [];
    this.#lazy = false;
    this.#begun = true;
    const tx = this.#tx!;
    return tx.settings ? [BEGIN, tx.settings] : [BEGIN];
  }

  #takeDeferred(): Statement[] {
    if (this.#deferred.length === 0) return [];
    const d = this.#deferred;
    this.#deferred = [];
    return d;
  }

  #end(): void {
    this.#tx = undefined;
    this.#lazy = false;
    this.#begun = false;
    this.#deferred = [];
    this.#done = false;
  }

  async #rawRollback(): Promise<void> {
    this.#begun = false;
    await this.client.query(ROLLBACK).catch(() => {}); // a broken connection rolled back already
  }

  #send(prefix: Statement[], stmt: Statement): Promise<pg.QueryResult> {
    // No prefix and no parameters: the simple protocol, as pg sends it (it allows several
    // statements in one text).
    if (prefix.length === 0 && (stmt.values.length === 0 || !this.named)) {
      return this.client.query(stmt.text, stmt.values as unknown[]);
    }
    if (stmt.values.length === 0 && stmt.text.includes(';')) {
      // Several statements in one text cannot be prepared: the prefix goes first, on its own.
      const last = prefix[prefix.length - 1]!;
      return this.#send(prefix.slice(0, -1), last).then(() => this.client.query(stmt.text));
    }
    return this.#pipeline([...prefix, stmt], 1).then((results) => results[0]!);
  }

  /** `stmts` in one pipeline (one Sync): the results of the last `wanted` of them, in order. */
  #pipeline(stmts: Statement[], wanted: number): Promise<pg.QueryResult[]> {
    const first = stmts.length - wanted;
    const steps = stmts.map((s, i) => this.#step(s, i >= first));
    return new Promise<pg.QueryResult[]>((resolve, reject) => {
      const q = new PipelinedQuery(steps, (err, failed, res) => {
        if (err) {
          for (const s of steps) {
            if (s.parse && s.name) {
              this.#parsed.delete(s.name);
              this.#unsure.add(s.name);
              this.#shapes.delete(s.name);
            }
          }
          const culprit = stmts[failed];
          if (err.code === PLAN_CHANGED && culprit) known.delete(culprit.text); // parsed again under a new name
          reject(culprit?.mapError ? culprit.mapError(err) : err);
        } else {
          for (let i = 0; i < steps.length; i++) {
            const s = steps[i]!;
            if (s.name && s.want && !s.shape) this.#shapes.set(s.name, q.results[i]!.shape ?? NO_COLUMNS);
          }
          resolve(res!);
        }
      });
      void this.client.query(q as unknown as pg.Submittable);
    });
  }

  #step(s: Statement, want: boolean): Step {
    const name = this.named ? knownOf(s.text).name : undefined;
    if (!name) return { text: s.text, values: s.values, name: '', parse: true, close: false, want, shape: undefined };
    const parsed = this.#parsed.get(name);
    // Parsed long enough ago: closed and parsed again, so PostgreSQL plans it for the tables as they are now.
    const stale = parsed !== undefined && this.now() - parsed.at >= parsed.every;
    const parse = parsed === undefined || stale;
    const close = stale || (parse && this.#unsure.delete(name));
    if (parse) {
      this.#parsed.set(name, { at: this.now(), every: parsed ? Math.min(parsed.every * 2, REPLAN_MAX_MS) : REPLAN_FIRST_MS });
      if (stale) this.#shapes.delete(name);
    }
    const shape = want && !parse ? this.#shapes.get(name) : undefined;
    return { text: s.text, values: s.values, name, parse, close, want, shape };
  }
}

const wires = new WeakMap<pg.PoolClient, Wire>();

/** A Kysely `PostgresPool` over `pool` whose clients are Wires. */
export function wirePool(pool: pg.Pool, opts: { named: boolean; /** Milliseconds (tests); performance.now. */ now?: () => number }) {
  return {
    async connect(): Promise<Wire> {
      const client = await pool.connect();
      let wire = wires.get(client);
      if (!wire) wires.set(client, (wire = new Wire(client, opts.named, opts.now)));
      return wire;
    },
    end: () => pool.end(),
  };
}
