// Storage of webhook deliveries (one row per event and subscription) and their attempt log.
// Every key starts with org_id (db/migrations/0007), so every statement names the org of the
// rows it touches, including the relay's batched ones.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Timestamp } from '../../platform/db/tables.js';
import { atPosition, type Position, type RawOutboxRow } from './events.repo.js';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveriesTable {
  id: string;
  org_id: string;
  subscription_id: string;
  event_id: string;
  event_tx: string;
  event_seq: bigint;
  status: DeliveryStatus;
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

declare module '../../platform/db/tables.js' {
  interface Tables {
    event_deliveries: DeliveriesTable;
    event_delivery_attempts: AttemptsTable;
  }
}

export type DeliveryRow = DeliveriesTable & {
  created_at: Date;
  updated_at: Date;
  next_attempt_at: Date | null;
  first_attempt_at: Date | null;
  /** The event's type, while the event is still in the outbox. */
  event_type: string | null;
};
export type AttemptRow = Selectable<AttemptsTable>;

/** A delivery is found by its org and id (the primary key). */
export interface DeliveryKey {
  org_id: string;
  id: string;
}

// --- The API's side (tenant transaction) ---

// The delivery's event type, from the event at its position (events.repo's atPosition).
const EVENT_TYPE_AT = sql`select v.event_type from event_outbox_events v where v.org_id = d.org_id and ${atPosition({ txId: sql`d.event_tx`, seq: sql`d.event_seq` })}`;

const DELIVERY_COLUMNS = sql`d.id, d.org_id, d.subscription_id, d.event_id, d.event_tx::text as event_tx, d.event_seq, d.status, d.attempts,
  d.first_attempt_at, d.next_attempt_at, d.lease_until, d.last_status_code, d.last_error, d.created_at, d.updated_at, o.event_type`;

/** A subscription's deliveries before `before` (newest event first). */
export async function listDeliveries(
  tx: Tx,
  orgId: string,
  subscriptionId: string,
  filter: { status?: DeliveryStatus | undefined; before?: Position | undefined },
  limit: number,
): Promise<DeliveryRow[]> {
  const { rows } = await sql<DeliveryRow>`
    select ${DELIVERY_COLUMNS}
    from event_deliveries d left join lateral (${EVENT_TYPE_AT}) o on true
    where d.org_id = ${orgId} and d.subscription_id = ${subscriptionId}
      ${filter.status ? sql`and d.status = ${filter.status}` : sql``}
      ${filter.before ? sql`and (d.event_tx, d.event_seq) < (${filter.before.txId}::xid8, ${filter.before.seq})` : sql``}
    order by d.event_tx desc, d.event_seq desc
    limit ${limit}`.execute(tx);
  return rows;
}

export async function findDelivery(tx: Tx, orgId: string, subscriptionId: string, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await sql<DeliveryRow>`
    select ${DELIVERY_COLUMNS}
    from event_deliveries d left join lateral (${EVENT_TYPE_AT}) o on true
    where d.org_id = ${orgId} and d.subscription_id = ${subscriptionId} and d.id = ${id}`.execute(tx);
  return rows[0];
}

export async function attemptsOf(tx: Tx, orgId: string, deliveryId: string): Promise<AttemptRow[]> {
  return tx
    .selectFrom('event_delivery_attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .execute();
}

const dueAgain = (now: Date) => ({ status: 'pending' as const, next_attempt_at: now, first_attempt_at: null, lease_until: null, updated_at: now });

/** The delivery is pending again and due now, with a fresh retry window. */
export async function redeliver(tx: Tx, orgId: string, id: string, now: Date): Promise<void> {
  await tx.updateTable('event_deliveries').set(dueAgain(now)).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Every failed (dead-lettered) delivery of the subscription is due again now. Returns how many. */
export async function redeliverFailed(tx: Tx, orgId: string, subscriptionId: string, now: Date): Promise<number> {
  const r = await tx
    .updateTable('event_deliveries')
    .set(dueAgain(now))
    .where('org_id', '=', orgId)
    .where('subscription_id', '=', subscriptionId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The subscription's pending deliveries are due now (it was re-enabled). */
export async function resumePending(tx: Tx, orgId: string, subscriptionId: string, now: Date): Promise<void> {
  await tx
    .updateTable('event_deliveries')
    .set({ next_attempt_at: now, lease_until: null, updated_at: now })
    .where('org_id', '=', orgId)
    .where('subscription_id', '=', subscriptionId)
    .where('status', '=', 'pending')
    .execute();
}

// --- The relay's side ---

/** New deliveries, one per event, leased to the process that sends them at once. */
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
    .onConflict((oc) => oc.columns(['org_id', 'subscription_id', 'event_id']).doNothing())
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
      select d.org_id, d.id, d.event_tx, d.event_seq from event_deliveries d
      join event_subscriptions s on s.org_id = d.org_id and s.id = d.subscription_id and s.status = 'active'
      where d.status = 'pending' and d.next_attempt_at <= ${now}
        and d.subscription_id = any(${subscriptionIds}::uuid[])
        and (d.lease_until is null or d.lease_until < ${now})
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked
    )
    update event_deliveries d set lease_until = ${leaseUntil}, next_attempt_at = ${leaseUntil}
    from due cross join lateral (
      select v.event_id, v.domain, v.event_type, v.schema_version, v.cid, v.occurred_at, v.business_date, v.data, v.tx_id, v.seq
      from event_outbox_events v
      where v.org_id = due.org_id and ${atPosition({ txId: sql`due.event_tx`, seq: sql`due.event_seq` })}
    ) o
    where d.org_id = due.org_id and d.id = due.id
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

/** Deliveries leased by a process that is gone are due again (system transaction). */
export async function releaseLeases(tx: Tx, now: Date): Promise<void> {
  await sql`update event_deliveries set lease_until = null, next_attempt_at = least(next_attempt_at, ${now})
            where status = 'pending' and lease_until is not null`.execute(tx);
}

/** Which of these deliveries still exist (a deleted subscription takes its deliveries with it). */
export async function existingDeliveries(tx: Tx, keys: DeliveryKey[]): Promise<DeliveryKey[]> {
  if (!keys.length) return [];
  const { rows } = await sql<DeliveryKey>`
    select d.org_id, d.id from event_deliveries d
    join unnest(${keys.map((k) => k.org_id)}::text[], ${keys.map((k) => k.id)}::uuid[]) as v(org_id, id)
      on d.org_id = v.org_id and d.id = v.id`.execute(tx);
  return rows;
}

export async function insertAttempts(tx: Tx, rows: Array<Insertable<AttemptsTable>>): Promise<void> {
  if (!rows.length) return;
  await tx
    .insertInto('event_delivery_attempts')
    .values(rows)
    .onConflict((oc) => oc.columns(['org_id', 'delivery_id', 'attempt']).doNothing())
    .execute();
}

/** Successful attempts of many deliveries in one statement. */
export async function markSucceeded(
  tx: Tx,
  rows: Array<DeliveryKey & { attempt: number; started: Date; statusCode: number }>,
  now: Date,
): Promise<void> {
  if (!rows.length) return;
  await sql`
    update event_deliveries d set status = 'succeeded', attempts = v.attempt, lease_until = null, next_attempt_at = null,
      first_attempt_at = coalesce(d.first_attempt_at, v.started), last_status_code = v.code, last_error = null, updated_at = ${now}
    from unnest(${rows.map((r) => r.org_id)}::text[], ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.attempt)}::int[],
                ${rows.map((r) => r.started.toISOString())}::timestamptz[], ${rows.map((r) => r.statusCode)}::int[])
      as v(org_id, id, attempt, started, code)
    where d.org_id = v.org_id and d.id = v.id`.execute(tx);
}

/** A failed attempt: the delivery waits for `nextAttemptAt`, or is dead-lettered (`failed`) when there is none. */
export async function markAttemptFailed(
  tx: Tx,
  key: DeliveryKey,
  failure: { attempt: number; started: Date; nextAttemptAt: Date | null; statusCode: number | null; error: string | null },
  now: Date,
): Promise<void> {
  const dead = failure.nextAttemptAt === null;
  await sql`
    update event_deliveries set status = ${dead ? 'failed' : 'pending'}, attempts = ${failure.attempt}, lease_until = null,
      next_attempt_at = ${failure.nextAttemptAt}, first_attempt_at = coalesce(first_attempt_at, ${failure.started}),
      last_status_code = ${failure.statusCode}, last_error = ${failure.error}, updated_at = ${now}
    where org_id = ${key.org_id} and id = ${key.id}`.execute(tx);
}

// --- Retention and metrics (system transaction) ---

/** Deletes up to `limit` finished deliveries (and their attempts) last changed before `cutoff`. */
export async function deleteFinishedDeliveries(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  const r = await sql`
    delete from event_deliveries d using (
      select org_id, id from event_deliveries where status <> 'pending' and updated_at < ${cutoff} limit ${limit}
    ) old
    where d.org_id = old.org_id and d.id = old.id`.execute(tx);
  return Number(r.numAffectedRows ?? 0n);
}

export async function countPending(tx: Tx): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from event_deliveries where status = 'pending'`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}
