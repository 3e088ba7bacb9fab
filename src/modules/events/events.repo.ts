// Reading the outbox in replay order (see db/migrations/0003_event_order.sql).
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
  data: unknown;
  /** The business day the event belongs to, when it has one. */
  business_date: string | null;
  tx_id: string;
  seq: bigint;
}

/** An outbox row with `data` as JSON text. */
export type RawOutboxRow = Omit<OutboxRow, 'data'> & { data_json: string };

/** The envelope as JSON text, built around the stored `data` text (no parse and re-serialize). */
export function envelopeJson(r: RawOutboxRow): string {
  const cid = r.cid ? `,"cid":${JSON.stringify(r.cid)}` : '';
  const day = r.business_date ? `,"business_date":"${r.business_date}"` : '';
  return (
    `{"event_id":"${r.event_id}","domain":${JSON.stringify(r.domain)},"event_type":${JSON.stringify(r.event_type)},` +
    `"schema_version":${r.schema_version},"org_id":${JSON.stringify(r.org_id)}${cid},` +
    `"timestamp":"${r.occurred_at.toISOString()}"${day},"data":${r.data_json}}`
  );
}

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
      and tx_id < pg_snapshot_xmin(pg_current_snapshot())
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
    where org_id = ${orgId} and tx_id < pg_snapshot_xmin(pg_current_snapshot())
    order by event_outbox.tx_id desc, event_outbox.seq desc
    limit 1`.execute(tx);
  const r = rows[0];
  return r ? { txId: r.tx_id, seq: r.seq } : undefined;
}
