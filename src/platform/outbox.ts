// Data events. Each event type is declared once (defineEvent): domain, type, version, title,
// description, the JSON Schema of its `data` and an example. Events are written to the outbox
// in the same transaction as the change they describe, so a rolled-back change emits nothing,
// and an event whose data does not match its schema is refused there: the schema cannot drift
// from the code. Envelope as Pismo's: event_id, domain, event_type, schema_version, org_id,
// cid, timestamp, data; plus business_date when the event was emitted on a business day.
import { EventEmitter } from 'node:events';
import type { CompiledQuery, Generated } from 'kysely';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Clock } from './clock.js';
import { insertOutboxRows, outboxRowStatements } from './db/outbox.repo.js';
import { afterCommit, type Tx } from './db/database.js';
import type { Json, Timestamp } from './db/tables.js';
import type { IdGenerator } from './ids.js';

declare module './db/tables.js' {
  interface Tables {
    event_outbox: {
      org_id: string;
      seq: Generated<bigint>;
      event_id: string;
      domain: string;
      event_type: string;
      schema_version: number;
      cid: string | null;
      occurred_at: Timestamp;
      data: Json;
      /** The business day the event belongs to (day handlers); null otherwise. */
      business_date: string | null;
      /**
       * The events the same statement wrote after this row's own, as a JSON array of {event_id,
       * domain, event_type, schema_version, cid, data}; null when the row holds one event. The
       * i-th (from 1) is at position (tx_id, seq + i). Read events through event_outbox_events.
       */
      more: Json | null;
    };
    /** The outbox one row per event, each at its position (tx_id, seq) (migration 0028's view; read-only). */
    event_outbox_events: {
      org_id: string;
      tx_id: string;
      seq: bigint;
      /** The outbox row the event is in, and its place there (0: the row's own columns). */
      row_seq: bigint;
      row_index: bigint;
      event_id: string;
      domain: string;
      event_type: string;
      schema_version: number;
      cid: string | null;
      occurred_at: Date;
      data: unknown;
      business_date: string | null;
    };
  }
}

export interface EventDefinition<S extends TSchema = TSchema> {
  /** Pismo's domain name where Pismo has one (`lending`, `account`, `program`). */
  domain: string;
  /** Type slug, Pismo style: `loan-status-changed`. */
  eventType: string;
  /** Bumped when a field is removed or retyped; adding a field is not a new version. */
  version: number;
  /** Title as Pismo writes it: `Loan status changed`. */
  title: string;
  description: string;
  /** JSON Schema of `data`. */
  schema: S;
  example: Static<S>;
}

const checkers = new WeakMap<EventDefinition, ReturnType<typeof Compile>>();

/** Declares an event type; the example is checked against the schema when tests load it. */
export const defineEvent = <S extends TSchema>(def: EventDefinition<S>): EventDefinition<S> => def;

/** Problems of `data` against the event's schema; empty when it conforms. */
export function eventDataProblems(def: EventDefinition, data: unknown): string[] {
  let check = checkers.get(def);
  if (!check) checkers.set(def, (check = Compile(def.schema)));
  if (check.Check(data)) return [];
  return [...check.Errors(data)].map((e) => `${e.instancePath || '/'} ${e.message}`);
}

export class EventSchemaError extends Error {
  constructor(def: EventDefinition, problems: string[]) {
    super(`event ${def.domain}/${def.eventType} v${def.version} does not match its schema: ${problems.join('; ')}`);
    this.name = 'EventSchemaError';
  }
}

/** The full JSON Schema (draft-07) of an event type's data, as published in the catalog. */
export function publishedSchema(def: EventDefinition): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `lastro:event:${def.domain}/${def.eventType}/${def.version}`,
    title: def.title,
    description: def.description,
    ...JSON.parse(JSON.stringify(def.schema)),
  };
}

/**
 * Emits 'committed' in this process after a transaction that wrote events commits, so the
 * relay can wake at once; relays in other processes are woken by PostgreSQL NOTIFY.
 */
export const outboxSignal = new EventEmitter().setMaxListeners(0);
const signalCommitted = () => outboxSignal.emit('committed');

/** One event for recordEvents. */
export interface EventToRecord<S extends TSchema = TSchema> {
  def: EventDefinition<S>;
  orgId: string;
  cid: string | undefined;
  data: Static<S>;
  businessDate?: string;
}

/** An EventToRecord of `def` (its data checked against `def`'s schema by the compiler). */
export const eventOf = <S extends TSchema>(def: EventDefinition<S>, event: Omit<EventToRecord<S>, 'def'>): EventToRecord =>
  ({ def, ...event });

/**
 * Writes one event into the outbox, inside the caller's transaction. Returns its event_id.
 * `businessDate`: the business day the event belongs to (a day handler passes its `date`); the
 * envelope then carries it beside the wall-clock `timestamp`.
 */
export async function recordEvent<S extends TSchema>(
  tx: Tx,
  deps: { clock: Clock; ids: IdGenerator },
  def: EventDefinition<S>,
  event: { orgId: string; cid: string | undefined; data: Static<S>; businessDate?: string },
): Promise<string> {
  return (await recordEvents(tx, deps, [eventOf(def, event)]))[0]!;
}

/**
 * An event's outbox row, its data checked against the event's schema first. `occurredAt`: the
 * clock's now as ISO text, taken once for the events a statement writes (one Date turned into
 * text per event was a visible share of a transfer group's CPU).
 */
function outboxRowOf(deps: { ids: IdGenerator }, event: EventToRecord, occurredAt: string) {
  const problems = eventDataProblems(event.def, event.data);
  if (problems.length) throw new EventSchemaError(event.def, problems);
  return {
    org_id: event.orgId,
    event_id: deps.ids.uuid(),
    domain: event.def.domain,
    event_type: event.def.eventType,
    schema_version: event.def.version,
    cid: event.cid ?? null,
    occurred_at: occurredAt,
    data: JSON.stringify(event.data),
    business_date: event.businessDate ?? null,
  };
}

/**
 * The statements that write one event into the outbox, for a caller that sends them itself with
 * its own (sendLast: a create whose event and rows commit in one round trip). `fill` sets a field
 * of the data in PostgreSQL, when the row is inserted: an id the caller's earlier statement in the
 * same pipeline takes (outboxRowStatements). `event.data` is checked against the schema as given,
 * so the field holds a placeholder of its type.
 */
export function eventStatements(
  tx: Tx,
  deps: { clock: Clock; ids: IdGenerator },
  event: EventToRecord,
  fill?: { field: string; sql: string },
): CompiledQuery[] {
  const row = outboxRowOf(deps, event, deps.clock.now().toISOString());
  afterCommit(tx, signalCommitted);
  return outboxRowStatements(tx, row, fill);
}

/**
 * Writes events into the outbox in one statement, in order, inside the caller's transaction
 * (recordEvent for several: one insert instead of one per event). Returns their event_ids.
 */
export async function recordEvents(tx: Tx, deps: { clock: Clock; ids: IdGenerator }, events: readonly EventToRecord[]): Promise<string[]> {
  const occurredAt = deps.clock.now().toISOString();
  const rows = events.map((event) => outboxRowOf(deps, event, occurredAt));
  if (!rows.length) return [];
  await insertOutboxRows(tx, rows);
  afterCommit(tx, signalCommitted);
  return rows.map((r) => r.event_id);
}
