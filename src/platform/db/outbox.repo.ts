// SQL on event_outbox for the writer side (readers are the events module's repos).
import { CompiledQuery, type Insertable } from 'kysely';
import { notifyAfterCommit, sendWithNext, type Tx } from './database.js';
import type { Tables } from './tables.js';

/** The channel relays LISTEN on (migration 0004's trigger, 0013's quiet setting). */
export const OUTBOX_CHANNEL = 'lastro_events';

const quieted = new WeakSet<Tx>();

/**
 * Inserts one event row in the caller's transaction; tx_id and seq come from column defaults.
 * The insert travels with the transaction's next statement or its COMMIT. The outbox trigger's
 * NOTIFY is silenced for the transaction (a NOTIFY at commit serializes the commits of all
 * sessions that send one): one coalesced NOTIFY goes out after the commit instead.
 */
export async function insertOutboxRow(tx: Tx, row: Insertable<Tables['event_outbox']>): Promise<void> {
  if (!quieted.has(tx)) {
    quieted.add(tx);
    await sendWithNext(tx, QUIET);
    notifyAfterCommit(tx, OUTBOX_CHANNEL);
  }
  await sendWithNext(
    tx,
    CompiledQuery.raw(INSERT_OUTBOX, [row.org_id, row.event_id, row.domain, row.event_type, row.schema_version, row.cid ?? null, row.occurred_at, row.data, row.business_date ?? null]),
  );
}

const QUIET = CompiledQuery.raw("select set_config('lastro.outbox_notify', 'off', true)", []);
// Every write sends one or more of these: written once rather than built by Kysely each time.
const INSERT_OUTBOX =
  'insert into "event_outbox" ("org_id", "event_id", "domain", "event_type", "schema_version", "cid", "occurred_at", "data", "business_date") values ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
