// SQL on event_outbox for the writer side (readers are the events module's repos).
import type { Insertable } from 'kysely';
import type { Tx } from './database.js';
import type { Tables } from './tables.js';

/** Inserts one event row in the caller's transaction; tx_id and seq come from column defaults. */
export async function insertOutboxRow(tx: Tx, row: Insertable<Tables['event_outbox']>): Promise<void> {
  await tx.insertInto('event_outbox').values(row).execute();
}
