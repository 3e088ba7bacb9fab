// Reading the outbox in replay order (see db/migrations/0003_event_order.sql).
import { sql } from 'kysely';
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
  tx_id: string;
  seq: bigint;
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

/** Events of one org after `after`, from finished transactions only, in (tx_id, seq) order. */
export async function readAfter(
  tx: Tx,
  orgId: string,
  after: Position | undefined,
  filter: EventFilter,
  limit: number,
): Promise<OutboxRow[]> {
  const { rows } = await sql<OutboxRow>`
    select event_id, domain, event_type, schema_version, org_id, cid, occurred_at, data, tx_id::text as tx_id, seq
    from event_outbox
    where org_id = ${orgId}
      and tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ${after ? sql`and (tx_id, seq) > (${after.txId}::xid8, ${after.seq})` : sql``}
      ${filter.domain ? sql`and domain = ${filter.domain}` : sql``}
      ${filter.eventType ? sql`and event_type = ${filter.eventType}` : sql``}
      ${filter.domains?.length ? sql`and domain = any(${filter.domains}::text[])` : sql``}
      ${filter.eventTypes?.length ? sql`and event_type = any(${filter.eventTypes}::text[])` : sql``}
    order by tx_id, seq
    limit ${limit}`.execute(tx);
  return rows;
}

/** The position of the org's newest event from a finished transaction, if any. */
export async function latestPosition(tx: Tx, orgId: string): Promise<Position | undefined> {
  const { rows } = await sql<{ tx_id: string; seq: bigint }>`
    select tx_id::text as tx_id, seq from event_outbox
    where org_id = ${orgId} and tx_id < pg_snapshot_xmin(pg_current_snapshot())
    order by tx_id desc, seq desc
    limit 1`.execute(tx);
  const r = rows[0];
  return r ? { txId: r.tx_id, seq: r.seq } : undefined;
}
