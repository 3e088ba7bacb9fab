// SQL on event_outbox for the writer side (readers are the events module's repos).
import { CompiledQuery, type Insertable } from 'kysely';
import { notifyAfterCommit, outboxQuietFromBegin, sendWithNext, type Tx } from './database.js';
import type { Tables } from './tables.js';

/** The channel relays LISTEN on (migration 0004's trigger, 0013's quiet setting). */
export const OUTBOX_CHANNEL = 'lastro_events';

const quieted = new WeakSet<Tx>();

/**
 * Inserts events (one statement, in the order given: their positions follow it) in the caller's
 * transaction; tx_id and seq come from column defaults. Consecutive events of one org, time and
 * business date share an outbox row (migration 0028): up to ROW_EVENTS of them, and about
 * ROW_BYTES of their text, so that a row stays in its page as written. The insert travels with
 * the transaction's next statement or its COMMIT. The outbox trigger's NOTIFY is silenced for
 * the transaction (a NOTIFY at commit serializes the commits of all sessions that send one) by
 * the transaction's settings, or here by a statement of its own when it sent none: one coalesced
 * NOTIFY goes out after the commit instead.
 */
export async function insertOutboxRows(tx: Tx, rows: Insertable<Tables['event_outbox']>[]): Promise<void> {
  if (!rows.length) return;
  if (!quieted.has(tx)) {
    quieted.add(tx);
    if (!outboxQuietFromBegin(tx)) await sendWithNext(tx, QUIET);
    notifyAfterCommit(tx, OUTBOX_CHANNEL);
  }
  const packed = packOutboxRows(rows);
  const values: unknown[] = [];
  for (const r of packed) {
    values.push(r.org_id, r.event_id, r.domain, r.event_type, r.schema_version, r.cid ?? null, r.occurred_at, r.data, r.business_date ?? null, r.more ?? null);
  }
  await sendWithNext(tx, CompiledQuery.raw(insertPackedText(packed.length), values));
}

/** The most events an outbox row holds: its seq steps by this much (migration 0028). */
export const ROW_EVENTS = 64;
/** The most text of events one row holds (its data, and `more`): with its columns, under a page (toast_tuple_target 8160). */
export const ROW_BYTES = 7800;

type OutboxInsert = Insertable<Tables['event_outbox']>;

const instantOf = (t: OutboxInsert['occurred_at']): string => (t instanceof Date ? t.toISOString() : String(t));
const sameInstant = (a: OutboxInsert['occurred_at'], b: OutboxInsert['occurred_at']): boolean => a === b || instantOf(a) === instantOf(b);

/** An event as an element of `more`: its envelope's own fields and its data (JSON text, as it is). */
const moreElement = (e: OutboxInsert): string =>
  `{"event_id":${JSON.stringify(e.event_id)},"domain":${JSON.stringify(e.domain)},"event_type":${JSON.stringify(e.event_type)},` +
  `"schema_version":${Number(e.schema_version)},"cid":${JSON.stringify(e.cid ?? null)},"data":${String(e.data)}}`;

/**
 * Events as outbox rows: a run of consecutive events of one org, occurred_at and business_date
 * goes into one row while it holds fewer than ROW_EVENTS events and its text stays within
 * ROW_BYTES (an event larger than that has a row of its own). The first event of a row is in its
 * columns, the others in `more`, in order.
 */
export function packOutboxRows(events: readonly OutboxInsert[]): OutboxInsert[] {
  const out: OutboxInsert[] = [];
  let head: OutboxInsert | undefined;
  let more: string[] = [];
  let bytes = 0;
  const close = () => {
    if (head) out.push(more.length ? { more: `[${more.join(',')}]`, ...head } : head);
  };
  for (const e of events) {
    if (
      head !== undefined &&
      more.length + 1 < ROW_EVENTS &&
      bytes + String(e.data).length < ROW_BYTES &&
      e.org_id === head.org_id &&
      sameInstant(e.occurred_at, head.occurred_at) &&
      (e.business_date ?? null) === (head.business_date ?? null)
    ) {
      const element = moreElement(e);
      if (bytes + element.length + 1 <= ROW_BYTES) {
        more.push(element);
        bytes += element.length + 1;
        continue;
      }
    }
    close();
    head = e;
    more = [];
    bytes = String(e.data).length + 2;
  }
  close();
  return out;
}

/**
 * The statements that insert one event row (and, first in the transaction, quiet the trigger's
 * NOTIFY), for a caller that sends them itself together with its own (sendLast, sendTogether).
 * `fill`: a field of `data` PostgreSQL sets when the row is inserted, to the value of an SQL
 * expression (`sql`, from the caller's repo): an id an earlier statement of the same pipeline
 * took, which the caller could not know when it built the event. The row's data is then in jsonb's
 * key order (the column is json and otherwise keeps the text as written).
 */
export function outboxRowStatements(
  tx: Tx,
  row: Insertable<Tables['event_outbox']>,
  fill?: { field: string; sql: string },
): CompiledQuery[] {
  const out: CompiledQuery[] = [];
  if (!quieted.has(tx)) {
    quieted.add(tx);
    if (!outboxQuietFromBegin(tx)) out.push(QUIET);
    notifyAfterCommit(tx, OUTBOX_CHANNEL);
  }
  const values: unknown[] = [row.org_id, row.event_id, row.domain, row.event_type, row.schema_version, row.cid ?? null, row.occurred_at, row.data, row.business_date ?? null];
  if (!fill) {
    out.push(CompiledQuery.raw(INSERT_ONE, values));
    return out;
  }
  values.push([fill.field]);
  const text = `insert into "event_outbox" (${OUTBOX_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, jsonb_set($8::jsonb, $10::text[], to_jsonb(${fill.sql}))::json, $9)`;
  out.push(CompiledQuery.raw(text, values));
  return out;
}

const QUIET = CompiledQuery.raw("select set_config('lastro.outbox_notify', 'off', true)", []);
// Every write sends one of these: its text is written once (per row count, for insertOutboxRows)
// rather than built by Kysely each time (and, the same text, parsed once per connection).
const OUTBOX_COLUMNS = '"org_id", "event_id", "domain", "event_type", "schema_version", "cid", "occurred_at", "data", "business_date"';
const INSERT_ONE = `insert into "event_outbox" (${OUTBOX_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
const packedTexts: string[] = [];
function insertPackedText(n: number): string {
  return insertText(packedTexts, `${OUTBOX_COLUMNS}, "more"`, 10, n);
}
function insertText(cache: string[], columns: string, width: number, n: number): string {
  let text = cache[n];
  if (text === undefined) {
    const tuples = Array.from({ length: n }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
    text = `insert into "event_outbox" (${columns}) values ${tuples.join(', ')}`;
    if (n <= 64) cache[n] = text;
  }
  return text;
}
