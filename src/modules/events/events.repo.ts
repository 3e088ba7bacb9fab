// Reading the outbox in replay order (see db/migrations/0003_event_order.sql), and removing
// expired events.
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../platform/db/database.js';

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

// The select lists tx_id as text (xid8 has no JS type). ORDER BY must name the table's column:
// a bare `tx_id` means the text output column, which sorts '10' before '9' and cannot use the
// index.

/** Events of one org after `after`, from finished transactions only, in (tx_id, seq) order. */
export async function readAfter(
  tx: Tx,
  orgId: string,
  after: Position | undefined,
  filter: EventFilter,
  limit: number,
): Promise<OutboxRow[]> {
  return readOutbox<OutboxRow>(tx, sql`data`, orgId, after, filter, limit);
}

/** readAfter with `data` as the stored JSON text: sinks put it into their bodies as it is. */
export async function readAfterRaw(
  tx: Tx,
  orgId: string,
  after: Position | undefined,
  filter: EventFilter,
  limit: number,
): Promise<RawOutboxRow[]> {
  return readOutbox<RawOutboxRow>(tx, sql`data::text as data_json`, orgId, after, filter, limit);
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
    select event_id, domain, event_type, schema_version, org_id, cid, occurred_at, business_date, ${data}, tx_id::text as tx_id, seq
    from event_outbox
    where org_id = ${orgId}
      and tx_id < lastro_outbox_horizon()
      ${after ? sql`and (tx_id, seq) > (${after.txId}::xid8, ${after.seq})` : sql``}
      ${filter.domain ? sql`and domain = ${filter.domain}` : sql``}
      ${filter.eventType ? sql`and event_type = ${filter.eventType}` : sql``}
      ${filter.domains?.length ? sql`and domain = any(${filter.domains}::text[])` : sql``}
      ${filter.eventTypes?.length ? sql`and event_type = any(${filter.eventTypes}::text[])` : sql``}
    order by event_outbox.tx_id, event_outbox.seq
    limit ${limit}`.execute(tx);
  return rows;
}

/** The position of the org's newest event from a finished transaction, if any. */
export async function latestPosition(tx: Tx, orgId: string): Promise<Position | undefined> {
  const { rows } = await sql<{ tx_id: string; seq: bigint }>`
    select tx_id::text as tx_id, seq from event_outbox
    where org_id = ${orgId} and tx_id < lastro_outbox_horizon()
    order by event_outbox.tx_id desc, event_outbox.seq desc
    limit 1`.execute(tx);
  const r = rows[0];
  return r ? { txId: r.tx_id, seq: r.seq } : undefined;
}

/** One event of the org, at its position in the outbox (its primary key), if it is still there and has this id. */
export async function outboxEvent(tx: Tx, orgId: string, at: Position, eventId: string): Promise<OutboxRow | undefined> {
  const { rows } = await sql<OutboxRow>`
    select event_id, domain, event_type, schema_version, org_id, cid, occurred_at, business_date, data, tx_id::text as tx_id, seq
    from event_outbox where org_id = ${orgId} and tx_id = ${at.txId}::xid8 and seq = ${at.seq} and event_id = ${eventId}`.execute(tx);
  return rows[0];
}

/**
 * Deletes up to `limit` events older than `cutoff`, across orgs (system transaction), except
 * those a webhook delivery still waits to send. Returns how many went.
 */
export async function deleteExpiredEvents(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  const r = await sql`
    delete from event_outbox o using (
      select org_id, tx_id, seq from event_outbox e
      where e.occurred_at < ${cutoff}
        and not exists (
          select 1 from event_deliveries d where d.org_id = e.org_id and d.event_id = e.event_id and d.status = 'pending')
      limit ${limit}
    ) old
    where o.org_id = old.org_id and o.tx_id = old.tx_id and o.seq = old.seq`.execute(tx);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * The rest of `tx` commits without waiting for the WAL flush. For the relay's own bookkeeping
 * (cursors, delivery results): if the database crashes and loses it, those events are simply
 * delivered again (at least once).
 */
export async function commitWithoutFlush(tx: Tx): Promise<void> {
  await sql`set local synchronous_commit = off`.execute(tx);
}
