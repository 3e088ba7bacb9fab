// What the relay did with a subscription's events: the webhook delivery log (every attempt, and
// sending a delivery again) and the batch files written for file sinks.
import { createReadStream, type ReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PlatformErrors } from '../../platform/errors.js';
import type { Platform } from '../../platform/module.js';
import { cursorPage } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import * as deliveries from './deliveries.repo.js';
import { toEnvelope } from './events.envelope.js';
import { outboxEvent } from './events.repo.js';
import { positionCursor } from './events.service.js';
import * as files from './files.repo.js';
import { fileDir } from './sinks/files.js';
import { SubscriptionErrors } from './subscriptions.errors.js';
import { findSubscription, type SubscriptionRow } from './subscriptions.repo.js';
import type { EventFile } from './subscriptions.schemas.js';
import { signalChangeOnCommit } from './subscriptions.signal.js';

const iso = (d: Date | string) => new Date(d).toISOString();

/** Event file cursors: the listing sequence of the last file seen (`f<seq>`, base64url). */
const fileCursor = {
  encode: (seq: bigint) => Buffer.from(`f${seq}`).toString('base64url'),
  decode(cursor: string): bigint {
    const m = /^f(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m) throw PlatformErrors.validation([{ field: 'query.after', reason: 'is not a cursor this API returned' }]);
    return BigInt(m[1]!);
  },
};

function toDelivery(d: deliveries.DeliveryRow) {
  return {
    id: d.id,
    subscription_id: d.subscription_id,
    event_id: d.event_id,
    ...(d.event_type ? { event_type: d.event_type } : {}),
    status: d.status,
    attempts: d.attempts,
    ...(d.status === 'pending' && d.next_attempt_at ? { next_attempt_at: iso(d.next_attempt_at) } : {}),
    ...(d.last_status_code !== null ? { last_status_code: d.last_status_code } : {}),
    ...(d.last_error !== null ? { last_error: d.last_error } : {}),
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
  };
}

export function toEventFile(f: files.EventFileRow): EventFile {
  return {
    id: f.id,
    subscription_id: f.subscription_id,
    name: f.name,
    count: f.event_count,
    bytes: Number(f.bytes),
    sha256: f.sha256,
    first_event_id: f.first_event_id,
    last_event_id: f.last_event_id,
    first_timestamp: iso(f.first_timestamp),
    last_timestamp: iso(f.last_timestamp),
    created_at: iso(f.created_at),
  };
}

export function createDeliveriesService(deps: Pick<Platform, 'clock' | 'config'>) {
  const { clock, config } = deps;

  const subscriptionOf = async (t: TenantTx, id: string) => {
    if (!(await findSubscription(t.db, t.orgId, id))) throw SubscriptionErrors.notFound();
  };

  /** One delivery with every attempt and the event it carries (while the outbox keeps it). */
  const detail = async (t: TenantTx, subscriptionId: string, deliveryId: string) => {
    const d = await deliveries.findDelivery(t.db, t.orgId, subscriptionId, deliveryId);
    if (!d) throw SubscriptionErrors.deliveryNotFound();
    const attempts = await deliveries.attemptsOf(t.db, t.orgId, deliveryId);
    const event = await outboxEvent(t.db, t.orgId, { txId: d.event_tx, seq: d.event_seq }, d.event_id);
    return {
      ...toDelivery(d),
      attempt_log: attempts.map((a) => ({
        attempt: a.attempt,
        started_at: iso(a.started_at),
        duration_ms: a.duration_ms,
        ...(a.status_code !== null ? { status_code: a.status_code } : {}),
        ...(a.error !== null ? { error: a.error } : {}),
        ...(a.response_body !== null ? { response_body: a.response_body } : {}),
      })),
      ...(event ? { event: toEnvelope(event) } : {}),
    };
  };

  return {
    /** A subscription's deliveries, newest event first, by the replay cursor of the last one seen. */
    async deliveries(
      t: TenantTx,
      subscriptionId: string,
      query: { status?: deliveries.DeliveryStatus | undefined; limit?: number | undefined; after?: string | undefined },
    ) {
      const limit = query.limit ?? 20;
      const before = query.after ? positionCursor.decode(query.after) : undefined;
      if (query.after && !before) throw PlatformErrors.validation([{ field: 'query.after', reason: 'is not a cursor this API returned' }]);
      await subscriptionOf(t, subscriptionId);
      const rows = await deliveries.listDeliveries(t.db, t.orgId, subscriptionId, { status: query.status, before }, limit + 1);
      const page = cursorPage(rows, limit, (d) => [BigInt(d.event_tx), d.event_seq]);
      return { items: page.items.map(toDelivery), ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}), has_next: rows.length > limit };
    },

    delivery: detail,

    /** Attempts the delivery again now, with a fresh retry window (succeeded or failed ones). */
    async redeliver(t: TenantTx, subscriptionId: string, deliveryId: string) {
      const d = await deliveries.findDelivery(t.db, t.orgId, subscriptionId, deliveryId);
      if (!d) throw SubscriptionErrors.deliveryNotFound();
      if (d.status === 'pending') throw SubscriptionErrors.notRedeliverable();
      await deliveries.redeliver(t.db, t.orgId, deliveryId, clock.now());
      signalChangeOnCommit(t.db);
      return detail(t, subscriptionId, deliveryId);
    },

    /** Every dead-lettered (failed) delivery of the subscription is attempted again now. */
    async redeliverFailed(t: TenantTx, subscriptionId: string): Promise<{ redelivered: number }> {
      await subscriptionOf(t, subscriptionId);
      const redelivered = await deliveries.redeliverFailed(t.db, t.orgId, subscriptionId, clock.now());
      signalChangeOnCommit(t.db);
      return { redelivered };
    },

    /** The org's batch files in the order they were written (oldest first). */
    async files(t: TenantTx, query: { subscription_id?: string | undefined; limit?: number | undefined; after?: string | undefined }) {
      const limit = query.limit ?? 100;
      const afterSeq = query.after ? fileCursor.decode(query.after) : undefined;
      const rows = await files.listFiles(t.db, t.orgId, { subscriptionId: query.subscription_id, afterSeq }, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      // Like replay: the last page still carries a cursor (or repeats the caller's), so a
      // consumer keeps its place and asks again later for files made since.
      return {
        items: page.map(toEventFile),
        ...(last ? { next_cursor: fileCursor.encode(last.seq) } : query.after ? { next_cursor: query.after } : {}),
        has_next: rows.length > limit,
      };
    },

    async file(t: TenantTx, id: string): Promise<EventFile> {
      const row = await files.findFile(t.db, t.orgId, id);
      if (!row) throw SubscriptionErrors.fileNotFound();
      return toEventFile(row);
    },

    /** A batch file's manifest and bytes; EVENT_FILE_GONE when it is listed but no longer on disk. */
    async fileContent(t: TenantTx, id: string): Promise<{ manifest: EventFile; bytes: number; open: () => ReadStream }> {
      const row = await files.findFile(t.db, t.orgId, id);
      if (!row) throw SubscriptionErrors.fileNotFound();
      const path = join(fileDir(config.eventsDir, t.orgId, row.subscription_id), row.name);
      const info = await stat(path).catch(() => undefined);
      if (!info) throw SubscriptionErrors.fileGone();
      return { manifest: toEventFile(row), bytes: info.size, open: () => createReadStream(path) };
    },

    /** Removes a deleted file subscription's folder of batch files; call once its deletion has committed. */
    async discardFiles(sub: Pick<SubscriptionRow, 'org_id' | 'id' | 'sink_type'>): Promise<void> {
      if (sub.sink_type === 'file') await rm(fileDir(config.eventsDir, sub.org_id, sub.id), { recursive: true, force: true });
    },
  };
}

export type DeliveriesService = ReturnType<typeof createDeliveriesService>;
