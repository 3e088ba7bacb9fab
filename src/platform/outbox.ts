// Data events are written to the outbox in the same transaction as the change they describe,
// so a rolled-back change emits nothing. Envelope as Pismo's: event_id, domain, event_type,
// schema_version, org_id, cid, timestamp, data. Publishing to sinks reads this table.
import type { Clock } from './clock.js';
import type { Tx } from './db/database.js';
import type { Json, Timestamp } from './db/tables.js';
import type { IdGenerator } from './ids.js';

declare module './db/tables.js' {
  interface Tables {
    event_outbox: {
      org_id: string;
      seq: import('kysely').Generated<bigint>;
      event_id: string;
      domain: string;
      event_type: string;
      schema_version: number;
      cid: string | null;
      occurred_at: Timestamp;
      data: Json;
    };
  }
}

export interface EventToRecord {
  orgId: string;
  domain: string;
  eventType: string;
  schemaVersion: number;
  cid: string | undefined;
  data: unknown;
}

export async function recordEvent(tx: Tx, deps: { clock: Clock; ids: IdGenerator }, event: EventToRecord): Promise<string> {
  const eventId = deps.ids.uuid();
  await tx
    .insertInto('event_outbox')
    .values({
      org_id: event.orgId,
      event_id: eventId,
      domain: event.domain,
      event_type: event.eventType,
      schema_version: event.schemaVersion,
      cid: event.cid ?? null,
      occurred_at: deps.clock.now(),
      data: JSON.stringify(event.data),
    })
    .execute();
  return eventId;
}
