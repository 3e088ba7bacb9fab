// Reading the outbox in replay order (see db/migrations/0003_event_order.sql), and removing
// expired events.
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { ROW_EVENTS } from '../../platform/db/outbox.repo.js';

export interface OutboxRow {
  event_id: string;
  domain: string;
  event_type: string;
  schema_version: number;
  org_id: string;
  cid: string | null;
  occurred_at: Date;
  /** The business day the event belongs to, when it has one. */
  business_date: string | null;
  data: unknown;
  tx_id: string;
  seq: bigint;
}

/** An outbox row with `data` as JSON text. */
export type RawOutboxRow = Omit<OutboxRow, 'data'> & { data_json: string };

/** A place in the outbox's replay order: the transaction id (xid8, as text) and the row's seq. */
export interface Position {
  txId: string;
  seq: bigint;
}

export interface EventFilter {
  domain?: string | undefined;
  eventType?: string | undefined;
  /** Any of these domains (empty: any). */
  domains?: string[];
  /** Any of these event types (empty: any). */
  eventTypes?: string[];
}

// Events are read through event_outbox_events (migration 0028): one row per event at its
// position (tx_id, seq), several of which can share an outbox row (row_seq; an event is at most
// ROW_SPAN - 1 after its row's seq). The select lists tx_id as text (xid8 has no JS type). ORDER BY
// names the view's columns that are the outbox's primary key (tx_id, row_seq), then row_index, so
// the primary key gives the order and LIMIT stops the scan: a bare `tx_id` would mean the text
// output column, which sorts '10' before '9' and cannot use the index. A reader after (T, S) also
// asks for rows after (T, S - ROW_SPAN), which the primary key serves.
const ROW_SPAN = ROW_EVENTS;
const ORDER = sql`order by v.tx_id, v.row_seq, v.row_index`;
const COLUMNS = sql`v.event_id, v.domain, v.event_type, v.schema_version, v.org_id, v.cid, v.occurred_at, v.business_date`;

/** A position as values, or as SQL (columns of the caller's statement). */
type PositionSql = { txId: RawBuilder<unknown> | string; seq: RawBuilder<unknown> | bigint };

/** The events after position `at`, as a condition on event_outbox_events `v`. */
export const afterPosition = (at: PositionSql) =>
  sql`(v.tx_id, v.row_seq) > (${at.txId}::xid8, ${at.seq}::bigint - ${ROW_SPAN}) and (v.tx_id, v.seq) > (${at.txId}::xid8, ${at.seq}::bigint)`;

/** The event at position `at`, as a condition on event_outbox_events `v`. */
export const atPosition = (at: PositionSql) =>
  sql`v.tx_id = ${at.txId}::xid8 and v.row_seq <= ${at.seq} and v.row_seq > ${at.seq}::bigint - ${ROW_SPAN} and v.seq = ${at.seq}`;

/** Events of one org after `after`, from finished transactions only, in (tx_id, seq) order. */
export async function readAfter(
  tx: Tx,
  orgId: string,
  after: Position | undefined,
  filter: EventFilter,
  limit: number,
): Promise<OutboxRow[]> {
  return readOutbox<OutboxRow>(tx, sql`v.data`, orgId, after, filter, limit);
}

/** readAfter with `data` as the stored JSON text: sinks put it into their bodies as it is. */
export async function readAfterRaw(
  tx: Tx,
  orgId: string,
  after: Position | undefined,
  filter: EventFilter,
  limit: number,
): Promise<RawOutboxRow[]> {
  return readOutbox<RawOutboxRow>(tx, sql`v.data::text as data_json`, orgId, after, filter, limit);
}

async function readOutbox<R>(
  tx: Tx,
  data: RawBuilder<unknown>,
  orgId: string,
  after: Position | undefined,
  filter: EventFilter,
  limit: number,
): Promise<R[]> {
  const { rows } = await sql<R>`
    select ${COLUMNS}, ${data}, v.tx_id::text as tx_id, v.seq
    from event_outbox_events v
    where v.org_id = ${orgId}
      and v.tx_id < lastro_outbox_horizon()
      ${after ? sql`and ${afterPosition(after)}` : sql``}
      ${filter.domain ? sql`and v.domain = ${filter.domain}` : sql``}
      ${filter.eventType ? sql`and v.event_type = ${filter.eventType}` : sql``}
      ${filter.domains?.length ? sql`and v.domain = any(${filter.domains}::text[])` : sql``}
      ${filter.eventTypes?.length ? sql`and v.event_type = any(${filter.eventTypes}::text[])` : sql``}
    ${ORDER}
    limit ${limit}`.execute(tx);
  return rows;
}

/** The position of the org's newest event from a finished transaction, if any: the last event of its newest row. */
export async function latestPosition(tx: Tx, orgId: string): Promise<Position | undefined> {
  const { rows } = await sql<{ tx_id: string; seq: bigint }>`
    select tx_id::text as tx_id, seq + coalesce(json_array_length(more), 0) as seq from event_outbox
    where org_id = ${orgId} and tx_id < lastro_outbox_horizon()
    order by event_outbox.tx_id desc, event_outbox.seq desc
    limit 1`.execute(tx);
  const r = rows[0];
  return r ? { txId: r.tx_id, seq: BigInt(r.seq) } : undefined;
}

/** One event of the org, at its position in the outbox, if it is still there and has this id. */
export async function outboxEvent(tx: Tx, orgId: string, at: Position, eventId: string): Promise<OutboxRow | undefined> {
  const { rows } = await sql<OutboxRow>`
    select ${COLUMNS}, v.data, v.tx_id::text as tx_id, v.seq
    from event_outbox_events v where v.org_id = ${orgId} and ${atPosition(at)} and v.event_id = ${eventId}`.execute(tx);
  return rows[0];
}

/**
 * Deletes up to `limit` outbox rows older than `cutoff`, across orgs (system transaction), except
 * those holding an event a webhook delivery still waits to send. Returns how many events went.
 */
export async function deleteExpiredEvents(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: string | number | null }>`
    with old as (
      delete from event_outbox o using (
        select org_id, tx_id, seq from event_outbox e
        where e.occurred_at < ${cutoff}
          and not exists (
            select 1 from event_deliveries d
            where d.org_id = e.org_id and d.status = 'pending'
              and (d.event_id = e.event_id
                   or (e.more is not null and d.event_id in (select (m ->> 'event_id')::uuid from json_array_elements(e.more) m))))
        limit ${limit}
      ) old
      where o.org_id = old.org_id and o.tx_id = old.tx_id and o.seq = old.seq
      returning 1 + coalesce(json_array_length(o.more), 0) as n
    )
    select sum(n) as n from old`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The rest of `tx` commits without waiting for the WAL flush. For the relay's own bookkeeping
 * (cursors, delivery results): if the database crashes and loses it, those events are simply
 * delivered again (at least once).
 */
export async function commitWithoutFlush(tx: Tx): Promise<void> {
  await sql`set local synchronous_commit = off`.execute(tx);
}
