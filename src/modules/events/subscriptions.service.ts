// Event subscriptions: an org says which events it wants (a filter) and where (one sink). The
// relay (relay.ts) delivers from each subscription's cursor; this service keeps the settings.
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FieldIssue } from '../../platform/errors.js';
import { PlatformErrors } from '../../platform/errors.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { decodeCursor, encodeCursor, toEnvelope } from './events.routes.js';
import { latestPosition, type Position } from './events.repo.js';
import { newWebhookSecret, webhookUrlProblem } from './sinks/webhook-http.js';
import { SubscriptionErrors } from './subscriptions.errors.js';
import * as repo from './subscriptions.repo.js';
import type { CreateSubscriptionBody, EventFile, PatchSubscriptionBody, Subscription } from './subscriptions.schemas.js';

export const MAX_SUBSCRIPTIONS_PER_ORG = 100;

/** Emits 'changed' when a subscription's settings change in this process (the relay reloads at once). */
export const subscriptionSignal = new EventEmitter().setMaxListeners(0);

interface RequestContext {
  orgId: string;
  idempotencyKey: string | undefined;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function toSubscription(row: repo.SubscriptionRow): Subscription {
  const position = repo.positionOf(row);
  return {
    id: row.id,
    ...(row.description ? { description: row.description } : {}),
    status: row.status,
    ...(row.disabled_reason ? { disabled_reason: row.disabled_reason } : {}),
    filter: { domains: row.domains, event_types: row.event_types },
    sink: {
      type: row.sink_type,
      ...row.sink,
      ...(row.sink_type === 'nats' ? { subject_prefix: `lastro.${row.org_id}` } : {}),
    },
    ...(position ? { position: encodeCursor(position) } : {}),
    consecutive_failures: row.consecutive_failures,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

const pageCursor = {
  encode: (createdAt: Date, id: string) => Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url'),
  decode(cursor: string, field: string): { createdAt: Date; id: string } {
    const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    const createdAt = new Date(at ?? '');
    if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
      throw PlatformErrors.validation([{ field, reason: 'is not a cursor this API returned' }]);
    }
    return { createdAt, id };
  },
};

/** Event file cursors: the listing sequence of the last file seen. */
const fileCursor = {
  encode: (seq: bigint) => Buffer.from(`f${seq}`).toString('base64url'),
  decode(cursor: string): bigint {
    const m = /^f(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m) throw PlatformErrors.validation([{ field: 'query.after', reason: 'is not a cursor this API returned' }]);
    return BigInt(m[1]!);
  },
};

export function fileDir(eventsDir: string, orgId: string, subscriptionId: string): string {
  return join(eventsDir, orgId, subscriptionId);
}

export function createSubscriptionsService(platform: Platform) {
  const { db, clock, ids, config, sealer } = platform;
  const domains = new Set(platform.catalog.map((d) => d.domain));
  const eventTypes = new Set(platform.catalog.map((d) => d.eventType));

  const filterIssues = (filter: { domains?: string[] | undefined; event_types?: string[] | undefined } | undefined): FieldIssue[] => {
    const issues: FieldIssue[] = [];
    filter?.domains?.forEach((d, i) => {
      if (!domains.has(d)) issues.push({ field: `body.filter.domains[${i}]`, reason: `"${d}" is not a domain of the event catalog` });
    });
    filter?.event_types?.forEach((t, i) => {
      if (!eventTypes.has(t)) issues.push({ field: `body.filter.event_types[${i}]`, reason: `"${t}" is not an event type of the event catalog` });
    });
    return issues;
  };

  const urlIssues = (url: string | undefined, field: string): FieldIssue[] => {
    if (url === undefined) return [];
    const problem = webhookUrlProblem(url, config.webhookAllowPrivate);
    return problem ? [{ field, reason: problem }] : [];
  };

  const changed = () => subscriptionSignal.emit('changed');

  return {
    async create(body: CreateSubscriptionBody, ctx: RequestContext): Promise<Subscription & { secret?: string }> {
      const issues = filterIssues(body.filter);
      if (body.sink.type === 'webhook') issues.push(...urlIssues(body.sink.url, 'body.sink.url'));
      if (body.sink.type === 'nats' && !config.natsUrl) {
        issues.push({ field: 'body.sink.type', reason: 'nats needs the server to be configured with NATS_URL' });
      }
      let start: Position | 'earliest' | undefined;
      if (body.start_after === 'earliest') start = 'earliest';
      else if (body.start_after !== undefined) {
        try {
          start = decodeCursor(body.start_after);
        } catch {
          issues.push({ field: 'body.start_after', reason: 'must be `earliest` or a cursor from GET /lastro/v1/events' });
        }
      }
      if (issues.length) throw PlatformErrors.validation(issues);

      const result = await db.transaction(
        async (tx) => {
          const once = { orgId: ctx.orgId, key: ctx.idempotencyKey, operation: 'POST /lastro/v1/event-subscriptions', payload: body };
          return maybeIdempotent(tx, clock, once, async () => {
            const { count } = await tx
              .selectFrom('event_subscriptions')
              .select((eb) => eb.fn.countAll<string>().as('count'))
              .where('org_id', '=', ctx.orgId)
              .executeTakeFirstOrThrow();
            if (Number(count) >= MAX_SUBSCRIPTIONS_PER_ORG) throw SubscriptionErrors.tooMany(MAX_SUBSCRIPTIONS_PER_ORG);
            const position = start === 'earliest' ? undefined : (start ?? (await latestPosition(tx, ctx.orgId)));
            const secret = body.sink.type === 'webhook' ? newWebhookSecret() : undefined;
            const { type, ...settings } = body.sink;
            const now = clock.now();
            const row = await repo.insertSubscription(tx, {
              id: ids.uuid(),
              org_id: ctx.orgId,
              description: body.description ?? null,
              status: 'active',
              disabled_reason: null,
              domains: body.filter?.domains ?? [],
              event_types: body.filter?.event_types ?? [],
              sink_type: type,
              sink: settings,
              secret: secret ? sealer.seal(secret) : null,
              cursor_tx: position?.txId ?? null,
              cursor_seq: position?.seq ?? null,
              consecutive_failures: 0,
              revision: 1,
              created_at: now,
              updated_at: now,
            });
            const created = await repo.subscriptionWithCursor(tx, ctx.orgId, row.id);
            return { status: 201, body: { ...toSubscription(created!), ...(secret ? { secret } : {}) } };
          });
        },
        { orgId: ctx.orgId },
      );
      if (!result.replayed) changed();
      return result.body;
    },

    async list(orgId: string, query: { limit?: number | undefined; after?: string | undefined }) {
      const limit = query.limit ?? 20;
      const after = query.after ? pageCursor.decode(query.after, 'query.after') : undefined;
      const rows = await db.transaction((tx) => repo.listSubscriptions(tx, orgId, after, limit + 1), { orgId });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toSubscription),
        ...(rows.length > limit && last ? { next_cursor: pageCursor.encode(new Date(last.created_at), last.id) } : {}),
        has_next: rows.length > limit,
      };
    },

    async get(orgId: string, id: string): Promise<Subscription> {
      const row = await db.transaction((tx) => repo.subscriptionWithCursor(tx, orgId, id), { orgId });
      if (!row) throw SubscriptionErrors.notFound();
      return toSubscription(row);
    },

    async patch(orgId: string, id: string, body: PatchSubscriptionBody): Promise<Subscription> {
      const out = await db.transaction(
        async (tx) => {
          const current = await repo.findSubscription(tx, orgId, id, { forUpdate: true });
          if (!current) throw SubscriptionErrors.notFound();
          const issues = filterIssues(body.filter);
          const only = (fields: Array<keyof PatchSubscriptionBody>, sink: repo.SinkType) => {
            for (const f of fields) {
              if (body[f] !== undefined && current.sink_type !== sink) issues.push({ field: `body.${f}`, reason: `applies to ${sink} sinks only` });
            }
          };
          only(['url', 'timeout_ms'], 'webhook');
          only(['roll_seconds', 'roll_bytes'], 'file');
          issues.push(...urlIssues(body.url, 'body.url'));
          if (issues.length) throw PlatformErrors.validation(issues);

          const sink = { ...current.sink };
          for (const f of ['url', 'timeout_ms', 'roll_seconds', 'roll_bytes'] as const) {
            if (body[f] !== undefined) Object.assign(sink, { [f]: body[f] });
          }
          const now = clock.now();
          const reenable = body.status === 'active' && current.status === 'disabled';
          const disable = body.status === 'disabled' && current.status === 'active';
          await repo.updateSubscription(tx, orgId, id, {
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.filter ? { domains: body.filter.domains ?? [], event_types: body.filter.event_types ?? [] } : {}),
            ...(body.status ? { status: body.status } : {}),
            ...(reenable ? { disabled_reason: null, consecutive_failures: 0, failing_since: null } : {}),
            ...(disable ? { disabled_reason: 'disabled through the API' } : {}),
            sink,
            revision: current.revision + 1,
            updated_at: now,
          });
          // Deliveries that waited while it was disabled are due now.
          if (reenable) {
            await tx
              .updateTable('event_deliveries')
              .set({ next_attempt_at: now, lease_until: null, updated_at: now })
              .where('org_id', '=', orgId)
              .where('subscription_id', '=', id)
              .where('status', '=', 'pending')
              .execute();
          }
          return toSubscription((await repo.subscriptionWithCursor(tx, orgId, id))!);
        },
        { orgId },
      );
      changed();
      return out;
    },

    /**
     * A new signing secret for a webhook subscription, returned once. For `graceSeconds` (default
     * a day) deliveries carry a signature with the previous secret as well, so receivers can
     * switch without losing a request.
     */
    async rotateSecret(orgId: string, id: string, graceSeconds: number): Promise<{ secret: string; previous_secret_valid_until: string }> {
      const secret = newWebhookSecret();
      const now = clock.now();
      const until = new Date(now.getTime() + graceSeconds * 1000);
      await db.transaction(
        async (tx) => {
          const current = await repo.findSubscription(tx, orgId, id, { forUpdate: true });
          if (!current) throw SubscriptionErrors.notFound();
          if (current.sink_type !== 'webhook') throw PlatformErrors.validation([{ field: 'params.id', reason: 'is not a webhook subscription' }]);
          await repo.updateSubscription(tx, orgId, id, {
            secret: sealer.seal(secret),
            previous_secret: current.secret,
            previous_secret_until: until,
            revision: current.revision + 1,
            updated_at: now,
          });
        },
        { orgId },
      );
      changed();
      return { secret, previous_secret_valid_until: until.toISOString() };
    },

    async remove(orgId: string, id: string): Promise<void> {
      const sub = await db.transaction(
        async (tx) => {
          const row = await repo.findSubscription(tx, orgId, id, { forUpdate: true });
          if (!row) throw SubscriptionErrors.notFound();
          await repo.deleteSubscription(tx, orgId, id);
          return row;
        },
        { orgId },
      );
      changed();
      if (sub.sink_type === 'file') await rm(fileDir(config.eventsDir, orgId, id), { recursive: true, force: true });
    },

    async deliveries(orgId: string, id: string, query: { status?: 'pending' | 'succeeded' | 'failed' | undefined; limit?: number | undefined; after?: string | undefined }) {
      const limit = query.limit ?? 20;
      let before: Position | undefined;
      if (query.after) {
        try {
          before = decodeCursor(query.after);
        } catch {
          throw PlatformErrors.validation([{ field: 'query.after', reason: 'is not a cursor this API returned' }]);
        }
      }
      const rows = await db.transaction(
        async (tx) => {
          if (!(await repo.findSubscription(tx, orgId, id))) throw SubscriptionErrors.notFound();
          return repo.listDeliveries(tx, orgId, id, { status: query.status, before }, limit + 1);
        },
        { orgId },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toDelivery),
        ...(rows.length > limit && last ? { next_cursor: encodeCursor({ txId: last.event_tx, seq: last.event_seq }) } : {}),
        has_next: rows.length > limit,
      };
    },

    async delivery(orgId: string, id: string, deliveryId: string) {
      return db.transaction(
        async (tx) => {
          const d = await repo.findDelivery(tx, orgId, id, deliveryId);
          if (!d) throw SubscriptionErrors.deliveryNotFound();
          const attempts = await repo.attemptsOf(tx, orgId, deliveryId);
          const event = await repo.outboxEvent(tx, orgId, d.event_id);
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
        },
        { orgId },
      );
    },

    /** Attempts the delivery again now, with a fresh retry window (succeeded or failed ones). */
    async redeliver(orgId: string, id: string, deliveryId: string) {
      const now = clock.now();
      await db.transaction(
        async (tx) => {
          const d = await repo.findDelivery(tx, orgId, id, deliveryId);
          if (!d) throw SubscriptionErrors.deliveryNotFound();
          if (d.status === 'pending') throw SubscriptionErrors.notRedeliverable();
          await tx
            .updateTable('event_deliveries')
            .set({ status: 'pending', next_attempt_at: now, first_attempt_at: null, lease_until: null, updated_at: now })
            .where('org_id', '=', orgId)
            .where('id', '=', deliveryId)
            .execute();
        },
        { orgId },
      );
      changed();
      return this.delivery(orgId, id, deliveryId);
    },

    /** Every dead-lettered (failed) delivery of the subscription is attempted again now. */
    async redeliverFailed(orgId: string, id: string): Promise<{ redelivered: number }> {
      const now = clock.now();
      const n = await db.transaction(
        async (tx) => {
          if (!(await repo.findSubscription(tx, orgId, id))) throw SubscriptionErrors.notFound();
          const r = await tx
            .updateTable('event_deliveries')
            .set({ status: 'pending', next_attempt_at: now, first_attempt_at: null, lease_until: null, updated_at: now })
            .where('org_id', '=', orgId)
            .where('subscription_id', '=', id)
            .where('status', '=', 'failed')
            .executeTakeFirst();
          return Number(r.numUpdatedRows);
        },
        { orgId },
      );
      changed();
      return { redelivered: n };
    },

    async files(orgId: string, query: { subscription_id?: string | undefined; limit?: number | undefined; after?: string | undefined }) {
      const limit = query.limit ?? 100;
      const afterSeq = query.after ? fileCursor.decode(query.after) : undefined;
      const rows = await db.transaction(
        (tx) => repo.listFiles(tx, orgId, { subscriptionId: query.subscription_id, ...(afterSeq !== undefined ? { afterSeq } : {}) }, limit + 1),
        { orgId },
      );
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

    async file(orgId: string, id: string): Promise<{ manifest: EventFile; path: string }> {
      const row = await db.transaction((tx) => repo.findFile(tx, orgId, id), { orgId });
      if (!row) throw SubscriptionErrors.fileNotFound();
      return { manifest: toEventFile(row), path: join(fileDir(config.eventsDir, orgId, row.subscription_id), row.name) };
    },
  };
}

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;

function toDelivery(d: repo.DeliveryRow & { event_type: string | null }) {
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

export function toEventFile(f: repo.EventFileRow): EventFile {
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
