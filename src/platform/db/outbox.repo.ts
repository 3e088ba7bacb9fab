// SQL on event_outbox for the writer side (readers are the events module's repos).
import { CompiledQuery, type Insertable } from 'kysely';
import { notifyAfterCommit, sendWithNext, type Tx } from './database.js';
import type { Tables } from './tables.js';

/** The channel relays LISTEN on (migration 0004's trigger, 0013's quiet setting). */
export const OUTBOX_CHANNEL = 'lastro_events';

const quieted = new WeakSet<Tx>();

/**
 * Inserts event rows (one statement, in the order given: their seq follows it) in the caller's
 * transaction; tx_id and seq come from column defaults. The insert travels with the
 * transaction's next statement or its COMMIT. The outbox trigger's NOTIFY is silenced for the
 * transaction (a NOTIFY at commit serializes the commits of all sessions that send one): one
 * coalesced NOTIFY goes out after the commit instead.
 */
export async function insertOutboxRows(tx: Tx, rows: Insertable<Tables['event_outbox']>[]): Promise<void> {
  if (!rows.length) return;
  if (!quieted.has(tx)) {
    quieted.add(tx);
    await sendWithNext(tx, QUIET);
    notifyAfterCommit(tx, OUTBOX_CHANNEL);
  }
  const values: unknown[] = [];
  for (const r of rows) values.push(r.org_id, r.event_id, r.domain, r.event_type, r.schema_version, r.cid ?? null, r.occurred_at, r.data, r.business_date ?? null);
  await sendWithNext(tx, CompiledQuery.raw(insertOutboxText(rows.length), values));
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
    out.push(QUIET);
    notifyAfterCommit(tx, OUTBOX_CHANNEL);
  }
  const values: unknown[] = [row.org_id, row.event_id, row.domain, row.event_type, row.schema_version, row.cid ?? null, row.occurred_at, row.data, row.business_date ?? null];
  if (!fill) {
    out.push(CompiledQuery.raw(insertOutboxText(1), values));
    return out;
  }
  values.push([fill.field]);
  const text = `insert into "event_outbox" (${OUTBOX_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, jsonb_set($8::jsonb, $10::text[], to_jsonb(${fill.sql}))::json, $9)`;
  out.push(CompiledQuery.raw(text, values));
  return out;
}

const QUIET = CompiledQuery.raw("select set_config('lastro.outbox_notify', 'off', true)", []);
// Every write sends one of these: its text is written once per row count rather than built by
// Kysely each time (and, the same text, parsed once per connection).
const OUTBOX_COLUMNS = '"org_id", "event_id", "domain", "event_type", "schema_version", "cid", "occurred_at", "data", "business_date"';
const outboxTexts: string[] = [];
function insertOutboxText(n: number): string {
  let text = outboxTexts[n];
  if (text === undefined) {
    const tuples = Array.from({ length: n }, (_, r) => `(${Array.from({ length: 9 }, (_, c) => `$${r * 9 + c + 1}`).join(', ')})`);
    text = `insert into "event_outbox" (${OUTBOX_COLUMNS}) values ${tuples.join(', ')}`;
    if (n <= 64) outboxTexts[n] = text;
  }
  return text;
}
