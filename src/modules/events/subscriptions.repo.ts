// Storage of event subscriptions: their settings, the relay's cursor and the failure count.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import { afterPosition, type Position } from './events.repo.js';

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

declare module '../../platform/db/tables.js' {
  interface Tables {
    event_subscriptions: SubscriptionsTable;
  }
}

export type SubscriptionRow = Omit<SubscriptionsTable, 'sink' | 'created_at' | 'updated_at' | 'failing_since' | 'previous_secret_until'> & {
  sink: SinkSettings;
  failing_since: Date | null;
  previous_secret_until: Date | null;
  created_at: Date;
  updated_at: Date;
};

/** Where a subscription and its rows live: every key of the event tables starts with the org. */
export interface SubscriptionKey {
  org_id: string;
  id: string;
}

export const positionOf = (s: Pick<SubscriptionRow, 'cursor_tx' | 'cursor_seq'>): Position | undefined =>
  s.cursor_tx !== null && s.cursor_seq !== null ? { txId: s.cursor_tx, seq: s.cursor_seq } : undefined;

export async function insertSubscription(tx: Tx, row: Omit<Insertable<SubscriptionsTable>, 'sink'> & { sink: SinkSettings }): Promise<void> {
  await tx
    .insertInto('event_subscriptions')
    .values({ ...row, sink: JSON.stringify(row.sink) })
    .execute();
}

export async function countSubscriptions(tx: Tx, orgId: string): Promise<number> {
  const { count } = await tx
    .selectFrom('event_subscriptions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function findSubscription(tx: Tx, orgId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | undefined> {
  let q = tx.selectFrom('event_subscriptions').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

const SUBSCRIPTION_COLUMNS = sql`id, org_id, description, status, disabled_reason, domains, event_types, sink_type, sink, secret, previous_secret, previous_secret_until,
  cursor_tx::text as cursor_tx, cursor_seq, consecutive_failures, failing_since, revision, created_at, updated_at`;

/** The org's subscriptions after `(createdAt, id)`, in creation order. */
export async function listSubscriptions(tx: Tx, orgId: string, after: { createdAt: Date; id: string } | undefined, limit: number): Promise<SubscriptionRow[]> {
  const { rows } = await sql<SubscriptionRow>`
    select ${SUBSCRIPTION_COLUMNS} from event_subscriptions
    where org_id = ${orgId}
      ${after ? sql`and (created_at, id) > (${after.createdAt}, ${after.id}::uuid)` : sql``}
    order by created_at, id
    limit ${limit}`.execute(tx);
  return rows;
}

/** Reads cursor columns as text (xid8 has no JS type). */
export async function subscriptionWithCursor(tx: Tx, orgId: string, id: string): Promise<SubscriptionRow | undefined> {
  const { rows } = await sql<SubscriptionRow>`
    select ${SUBSCRIPTION_COLUMNS} from event_subscriptions where org_id = ${orgId} and id = ${id}`.execute(tx);
  return rows[0];
}

export async function updateSubscription(
  tx: Tx,
  orgId: string,
  id: string,
  set: Omit<Updateable<SubscriptionsTable>, 'sink' | 'id' | 'org_id'> & { sink?: SinkSettings },
): Promise<void> {
  const { sink, ...rest } = set;
  await tx
    .updateTable('event_subscriptions')
    .set({ ...rest, ...(sink ? { sink: JSON.stringify(sink) } : {}) })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/** Deletes the subscription; its deliveries, attempts and file listings go with it (cascade). */
export async function deleteSubscription(tx: Tx, orgId: string, id: string): Promise<boolean> {
  const r = await tx.deleteFrom('event_subscriptions').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

// --- The relay's side (system or the subscription's org) ---

/** Every active subscription, across orgs (system transaction): what the relay works on. */
export async function activeSubscriptions(tx: Tx): Promise<SubscriptionRow[]> {
  const { rows } = await sql<SubscriptionRow>`select ${SUBSCRIPTION_COLUMNS} from event_subscriptions where status = 'active'`.execute(tx);
  return rows;
}

/** Moves the subscription's cursor, only while it is active and still at `revision`. */
export async function advanceCursor(tx: Tx, sub: SubscriptionKey, to: Position, revision: number): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    update event_subscriptions set cursor_tx = ${to.txId}::xid8, cursor_seq = ${to.seq}
    where org_id = ${sub.org_id} and id = ${sub.id} and status = 'active' and revision = ${revision}
    returning id`.execute(tx);
  return rows.length === 1;
}

/**
 * Holds these subscriptions against deletion until `tx` ends (FOR KEY SHARE, in key order) and
 * returns those still there. A deletion holds the subscription first and its deliveries next
 * (cascade); whoever records results must take them in the same order, or the two deadlock.
 */
export async function holdSubscriptions(tx: Tx, subs: SubscriptionKey[]): Promise<SubscriptionKey[]> {
  if (!subs.length) return [];
  const { rows } = await sql<SubscriptionKey>`
    select s.org_id, s.id from event_subscriptions s
    join unnest(${subs.map((k) => k.org_id)}::text[], ${subs.map((k) => k.id)}::uuid[]) as v(org_id, id)
      on s.org_id = v.org_id and s.id = v.id
    order by s.org_id, s.id
    for key share of s`.execute(tx);
  return rows;
}

/** One more failed webhook attempt in a row; returns the count and since when it has been failing. */
export async function countFailure(
  tx: Tx,
  sub: SubscriptionKey,
  started: Date,
): Promise<{ consecutive_failures: number; status: string; failing_since: Date } | undefined> {
  const { rows } = await sql<{ consecutive_failures: number; status: string; failing_since: Date }>`
    update event_subscriptions
    set consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, ${started})
    where org_id = ${sub.org_id} and id = ${sub.id}
    returning consecutive_failures, status, failing_since`.execute(tx);
  return rows[0];
}

/** Disables the subscription (the relay stops its worker: the revision changes). */
export async function disableSubscription(tx: Tx, sub: SubscriptionKey, reason: string, now: Date): Promise<void> {
  await sql`
    update event_subscriptions set status = 'disabled', disabled_reason = ${reason}, revision = revision + 1, updated_at = ${now}
    where org_id = ${sub.org_id} and id = ${sub.id}`.execute(tx);
}

/** A success ends the run of failures of these subscriptions. */
export async function resetFailures(tx: Tx, subs: SubscriptionKey[]): Promise<void> {
  if (!subs.length) return;
  await sql`
    update event_subscriptions s set consecutive_failures = 0, failing_since = null
    from unnest(${subs.map((s) => s.org_id)}::text[], ${subs.map((s) => s.id)}::uuid[]) as v(org_id, id)
    where s.org_id = v.org_id and s.id = v.id and s.consecutive_failures > 0`.execute(tx);
}

// --- Metrics (system transaction) ---

export async function countByStatusAndSink(tx: Tx): Promise<Array<{ status: string; sink: string; n: number }>> {
  const { rows } = await sql<{ status: string; sink: string; n: string }>`
    select status, sink_type as sink, count(*) as n from event_subscriptions group by 1, 2`.execute(tx);
  return rows.map((r) => ({ status: r.status, sink: r.sink, n: Number(r.n) }));
}

/** Per sink type, the largest number of events after an active subscription's cursor. */
export async function largestLagBySink(tx: Tx): Promise<Array<{ sink: string; lag: number }>> {
  const { rows } = await sql<{ sink: string; lag: string }>`
    select s.sink_type as sink, max(coalesce((
      select count(*) from event_outbox_events v
      where v.org_id = s.org_id
        and (s.cursor_tx is null or (${afterPosition({ txId: sql`s.cursor_tx`, seq: sql`s.cursor_seq` })}))
    ), 0)) as lag
    from event_subscriptions s where s.status = 'active' group by 1`.execute(tx);
  return rows.map((r) => ({ sink: r.sink, lag: Number(r.lag) }));
}
