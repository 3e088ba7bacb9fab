// SQL on event_outbox for the writer side (readers are the events module's repos).
import { sql, type Insertable } from 'kysely';
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
    await sendWithNext(tx, sql`select set_config('lastro.outbox_notify', 'off', true)`.compile(tx));
    notifyAfterCommit(tx, OUTBOX_CHANNEL);
  }
  await sendWithNext(tx, tx.insertInto('event_outbox').values(rows).compile());
}
