// Storage of event subscriptions, webhook deliveries (with their attempt log) and batch files.
import { sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import type { OutboxRow, Position, RawOutboxRow } from './events.repo.js';

export type SinkType = 'webhook' | 'nats' | 'file';

/** Sink settings as stored (the webhook secret is sealed in its own column). */
export interface SinkSettings {
  url?: string;
  timeout_ms?: number;
  roll_seconds?: number;
  roll_bytes?: number;
}

export interface SubscriptionsTable {
  id: string;
  org_id: string;
  description: string | null;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  domains: string[];
  event_types: string[];
  sink_type: SinkType;
  sink: Json<SinkSettings>;
  secret: string | null;
  previous_secret: string | null;
  previous_secret_until: Timestamp | null;
  cursor_tx: string | null;
  cursor_seq: bigint | null;
  consecutive_failures: number;
  failing_since: Timestamp | null;
  revision: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeliveriesTable {
  id: string;
  org_id: string;
  subscription_id: string;
  event_id: string;
  event_tx: string;
  event_seq: bigint;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  first_attempt_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  lease_until: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AttemptsTable {
  delivery_id: string;
  attempt: number;
  org_id: string;
  started_at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_body: string | null;
}

export interface EventFilesTable {
  id: string;
  seq: Generated<bigint>;
  org_id: string;
  subscription_id: string;
  name: string;
  event_count: number;
  bytes: bigint;
  sha256: string;
  first_event_id: string;
  last_event_id: string;
  first_timestamp: Timestamp;
  last_timestamp: Timestamp;
  created_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    event_subscriptions: SubscriptionsTable;
    event_deliveries: DeliveriesTable;
    event_delivery_attempts: AttemptsTable;
    event_files: EventFilesTable;
  }
}

export type SubscriptionRow = Omit<SubscriptionsTable, 'sink' | 'created_at' | 'updated_at' | 'failing_since' | 'previous_secret_until'> & {
  sink: SinkSettings;
  failing_since: Date | null;
  previous_secret_until: Date | null;
  created_at: Date;
  updated_at: Date;
};
export type DeliveryRow = DeliveriesTable & { created_at: Date; updated_at: Date; next_attempt_at: Date | null; first_attempt_at: Date | null };

export const positionOf = (s: Pick<SubscriptionRow, 'cursor_tx' | 'cursor_seq'>): Position | undefined =>
  s.cursor_tx !== null && s.cursor_seq !== null ? { txId: s.cursor_tx, seq: s.cursor_seq } : undefined;

export async function insertSubscription(tx: Tx, row: Omit<Insertable<SubscriptionsTable>, 'sink'> & { sink: SinkSettings }): Promise<SubscriptionRow> {
  return (await tx
    .insertInto('event_subscriptions')
    .values({ ...row, sink: JSON.stringify(row.sink) })
    .returningAll()
    .executeTakeFirstOrThrow());
}

export async function findSubscription(tx: Tx, orgId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | undefined> {
  let q = tx.selectFrom('event_subscriptions').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst());
}

const SUBSCRIPTION_COLUMNS = sql`id, org_id, description, status, disabled_reason, domains, event_types, sink_type, sink, secret, previous_secret, previous_secret_until,
  cursor_tx::text as cursor_tx, cursor_seq, consecutive_failures, failing_since, revision, created_at, updated_at`;

export async function listSubscriptions(tx: Tx, orgId: string, after: { createdAt: Date; id: string } | undefined, limit: number): Promise<SubscriptionRow[]> {
  const { rows } = await sql<SubscriptionRow>`
    select ${SUBSCRIPTION_COLUMNS} from event_subscriptions
    where org_id = ${orgId}
      ${after ? sql`and (created_at, id) > (${after.createdAt}, ${after.id}::uuid)` : sql``}
    order by created_at, id
    limit ${limit}`.execute(tx);
  return rows;
}

export async function updateSubscription(
  tx: Tx,
  orgId: string,
  id: string,
  set: Omit<Updateable<SubscriptionsTable>, 'sink' | 'id' | 'org_id'> & { sink?: SinkSettings },
): Promise<SubscriptionRow | undefined> {
  const { sink, ...rest } = set;
  return (await tx
    .updateTable('event_subscriptions')
    .set({ ...rest, ...(sink ? { sink: JSON.stringify(sink) } : {}) })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst());
}

export async function deleteSubscription(tx: Tx, orgId: string, id: string): Promise<boolean> {
  const r = await tx.deleteFrom('event_subscriptions').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Moves the subscription's cursor, only while it is active and still at `revision`. */
export async function advanceCursor(tx: Tx, id: string, to: Position, revision: number): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    update event_subscriptions set cursor_tx = ${to.txId}::xid8, cursor_seq = ${to.seq}
    where id = ${id} and status = 'active' and revision = ${revision}
    returning id`.execute(tx);
  return rows.length === 1;
}

/** Every active subscription (system transaction): what the relay works on. */
export async function activeSubscriptions(tx: Tx): Promise<SubscriptionRow[]> {
  const { rows } = await sql<SubscriptionRow>`select ${SUBSCRIPTION_COLUMNS} from event_subscriptions where status = 'active'`.execute(tx);
  return rows;
}

/** Reads cursor columns as text (xid8 has no JS type). */
export async function subscriptionWithCursor(tx: Tx, orgId: string, id: string): Promise<SubscriptionRow | undefined> {
  const { rows } = await sql<SubscriptionRow>`
    select ${SUBSCRIPTION_COLUMNS} from event_subscriptions where org_id = ${orgId} and id = ${id}`.execute(tx);
  return rows[0];
}

// --- Deliveries ---

export async function insertDeliveries(
  tx: Tx,
  rows: Array<{ id: string; org_id: string; subscription_id: string; event: RawOutboxRow; lease_until: Date; now: Date }>,
): Promise<void> {
  if (!rows.length) return;
  await tx
    .insertInto('event_deliveries')
    .values(
      rows.map((r) => ({
        id: r.id,
        org_id: r.org_id,
        subscription_id: r.subscription_id,
        event_id: r.event.event_id,
        event_tx: r.event.tx_id,
        event_seq: r.event.seq,
        status: 'pending' as const,
        attempts: 0,
        // Sent at once by the process that fans out; due again only if its lease runs out.
        next_attempt_at: r.lease_until,
        lease_until: r.lease_until,
        created_at: r.now,
        updated_at: r.now,
      })),
    )
    .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
    .execute();
}

export interface DueDelivery {
  id: string;
  org_id: string;
  subscription_id: string;
  attempts: number;
  first_attempt_at: Date | null;
  event: RawOutboxRow;
}

/** Leases up to `limit` deliveries whose next attempt is due (system transaction). */
export async function leaseDueDeliveries(tx: Tx, now: Date, leaseUntil: Date, subscriptionIds: string[], limit: number): Promise<DueDelivery[]> {
  const { rows } = await sql<{
    id: string;
    org_id: string;
    subscription_id: string;
    attempts: number;
    first_attempt_at: Date | null;
    event_id: string;
    domain: string;
    event_type: string;
    schema_version: number;
    cid: string | null;
    occurred_at: Date;
    business_date: string | null;
    data_json: string;
    tx_id: string;
    seq: bigint;
  }>`
    with due as (
      select d.id from event_deliveries d
      join event_subscriptions s on s.id = d.subscription_id and s.status = 'active'
      where d.status = 'pending' and d.next_attempt_at <= ${now}
        and d.subscription_id = any(${subscriptionIds}::uuid[])
        and (d.lease_until is null or d.lease_until < ${now})
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked
    )
    update event_deliveries d set lease_until = ${leaseUntil}, next_attempt_at = ${leaseUntil}
    from due, event_outbox o
    where d.id = due.id and o.event_id = d.event_id
    returning d.id, d.org_id, d.subscription_id, d.attempts, d.first_attempt_at,
              o.event_id, o.domain, o.event_type, o.schema_version, o.cid, o.occurred_at, o.business_date, o.data::text as data_json, o.tx_id::text as tx_id, o.seq`.execute(tx);
  return rows.map((r) => ({
    id: r.id,
    org_id: r.org_id,
    subscription_id: r.subscription_id,
    attempts: r.attempts,
    first_attempt_at: r.first_attempt_at,
    event: {
      event_id: r.event_id,
      domain: r.domain,
      event_type: r.event_type,
      schema_version: r.schema_version,
      org_id: r.org_id,
      cid: r.cid,
      occurred_at: r.occurred_at,
      business_date: r.business_date,
      data_json: r.data_json,
      tx_id: r.tx_id,
      seq: r.seq,
    },
  }));
}

export async function insertAttempts(tx: Tx, rows: Array<Insertable<AttemptsTable>>): Promise<void> {
  if (!rows.length) return;
  await tx.insertInto('event_delivery_attempts').values(rows).onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()).execute();
}

export async function insertAttempt(tx: Tx, row: Insertable<AttemptsTable>): Promise<void> {
  await tx.insertInto('event_delivery_attempts').values(row).onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()).execute();
}

export async function listDeliveries(
  tx: Tx,
  orgId: string,
  subscriptionId: string,
  filter: { status?: 'pending' | 'succeeded' | 'failed'; before?: Position },
  limit: number,
): Promise<Array<DeliveryRow & { event_type: string | null }>> {
  const { rows } = await sql<DeliveryRow & { event_type: string | null }>`
    select d.id, d.org_id, d.subscription_id, d.event_id, d.event_tx::text as event_tx, d.event_seq, d.status, d.attempts,
           d.first_attempt_at, d.next_attempt_at, d.lease_until, d.last_status_code, d.last_error, d.created_at, d.updated_at,
           o.event_type
    from event_deliveries d left join event_outbox o on o.event_id = d.event_id
    where d.org_id = ${orgId} and d.subscription_id = ${subscriptionId}
      ${filter.status ? sql`and d.status = ${filter.status}` : sql``}
      ${filter.before ? sql`and (d.event_tx, d.event_seq) < (${filter.before.txId}::xid8, ${filter.before.seq})` : sql``}
    order by d.event_tx desc, d.event_seq desc
    limit ${limit}`.execute(tx);
  return rows;
}

export async function findDelivery(tx: Tx, orgId: string, subscriptionId: string, id: string): Promise<(DeliveryRow & { event_type: string | null }) | undefined> {
  const { rows } = await sql<DeliveryRow & { event_type: string | null }>`
    select d.id, d.org_id, d.subscription_id, d.event_id, d.event_tx::text as event_tx, d.event_seq, d.status, d.attempts,
           d.first_attempt_at, d.next_attempt_at, d.lease_until, d.last_status_code, d.last_error, d.created_at, d.updated_at,
           o.event_type
    from event_deliveries d left join event_outbox o on o.event_id = d.event_id
    where d.org_id = ${orgId} and d.subscription_id = ${subscriptionId} and d.id = ${id}`.execute(tx);
  return rows[0];
}

export type AttemptRow = Selectable<AttemptsTable>;
export type EventFileRow = Selectable<EventFilesTable>;

export async function attemptsOf(tx: Tx, orgId: string, deliveryId: string): Promise<AttemptRow[]> {
  return tx
    .selectFrom('event_delivery_attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .execute();
}

export async function outboxEvent(tx: Tx, orgId: string, eventId: string): Promise<OutboxRow | undefined> {
  const { rows } = await sql<OutboxRow>`
    select event_id, domain, event_type, schema_version, org_id, cid, occurred_at, business_date, data, tx_id::text as tx_id, seq
    from event_outbox where org_id = ${orgId} and event_id = ${eventId}`.execute(tx);
  return rows[0];
}

// --- Files ---

export async function listFiles(
  tx: Tx,
  orgId: string,
  filter: { subscriptionId?: string; afterSeq?: bigint },
  limit: number,
): Promise<EventFileRow[]> {
  let q = tx.selectFrom('event_files').selectAll().where('org_id', '=', orgId);
  if (filter.subscriptionId) q = q.where('subscription_id', '=', filter.subscriptionId);
  if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
  return q.orderBy('seq').limit(limit).execute();
}

export async function findFile(tx: Tx, orgId: string, id: string): Promise<EventFileRow | undefined> {
  return tx.selectFrom('event_files').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertFile(tx: Tx, row: Insertable<EventFilesTable>): Promise<void> {
  await tx.insertInto('event_files').values(row).onConflict((oc) => oc.columns(['subscription_id', 'name']).doNothing()).execute();
}
