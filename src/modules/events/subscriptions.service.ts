// Event subscriptions: an org says which events it wants (a filter) and where (one sink). The
// relay (relay.ts) delivers from each subscription's cursor; this service keeps the settings.
// The delivery log and the batch files are deliveries.service.ts's.
import type { FieldIssue } from '../../platform/errors.js';
import { PlatformErrors } from '../../platform/errors.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { latestPosition, type Position } from './events.repo.js';
import { positionCursor } from './events.service.js';
import { resumePending } from './deliveries.repo.js';
import { newWebhookSecret, webhookUrlProblem } from './sinks/webhook-http.js';
import { SubscriptionErrors } from './subscriptions.errors.js';
import * as repo from './subscriptions.repo.js';
import type { CreateSubscriptionBody, PatchSubscriptionBody, Subscription } from './subscriptions.schemas.js';
import { signalChangeOnCommit } from './subscriptions.signal.js';
import { natsNames } from './sinks/nats.js';

export const MAX_SUBSCRIPTIONS_PER_ORG = 100;

const iso = (d: Date | string) => new Date(d).toISOString();

/** The API view of a subscription; `natsRoot` is the deployment's subject root (`natsNames`). */
function toSubscription(row: repo.SubscriptionRow, natsRoot: string): Subscription {
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
      ...(row.sink_type === 'nats' ? { subject_prefix: `${natsRoot}.${row.org_id}` } : {}),
    },
    ...(position ? { position: positionCursor.encode(position) } : {}),
    consecutive_failures: row.consecutive_failures,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** List cursors: the creation time and id of the last subscription seen. */
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

export function createSubscriptionsService(deps: Pick<Platform, 'clock' | 'ids' | 'config' | 'sealer' | 'catalog'>) {
  const { root: natsRoot } = natsNames(deps.config.natsPrefix);
  const view = (row: repo.SubscriptionRow) => toSubscription(row, natsRoot);
  const { clock, ids, config, sealer } = deps;
  const domains = new Set(deps.catalog.map((d) => d.domain));
  const eventTypes = new Set(deps.catalog.map((d) => d.eventType));

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

  /** The subscription for a change, locked; another org's is not found. */
  const lockedSubscription = async (t: TenantTx, id: string) => {
    const row = await repo.findSubscription(t.db, t.orgId, id, { forUpdate: true });
    if (!row) throw SubscriptionErrors.notFound();
    return row;
  };

  const current = async (t: TenantTx, id: string) => view((await repo.subscriptionWithCursor(t.db, t.orgId, id))!);

  return {
    /** Creates a subscription from now on, from `earliest` or after a replay cursor; a webhook's secret is shown here only. */
    async create(t: TenantTx, body: CreateSubscriptionBody, opts: { idempotencyKey?: string | undefined } = {}): Promise<Subscription & { secret?: string }> {
      const issues = filterIssues(body.filter);
      if (body.sink.type === 'webhook') issues.push(...urlIssues(body.sink.url, 'body.sink.url'));
      if (body.sink.type === 'nats' && !config.natsUrl) {
        issues.push({ field: 'body.sink.type', reason: 'nats needs the server to be configured with NATS_URL' });
      }
      let start: Position | 'earliest' | undefined;
      if (body.start_after === 'earliest') start = 'earliest';
      else if (body.start_after !== undefined) {
        start = positionCursor.decode(body.start_after);
        if (!start) issues.push({ field: 'body.start_after', reason: 'must be `earliest` or a cursor from GET /lastro/v1/events' });
      }
      if (issues.length) throw PlatformErrors.validation(issues);

      const once = { orgId: t.orgId, key: opts.idempotencyKey, operation: 'POST /lastro/v1/event-subscriptions', payload: body };
      const result = await maybeIdempotent(t.db, clock, once, async () => {
        if ((await repo.countSubscriptions(t.db, t.orgId)) >= MAX_SUBSCRIPTIONS_PER_ORG) throw SubscriptionErrors.tooMany(MAX_SUBSCRIPTIONS_PER_ORG);
        const position = start === 'earliest' ? undefined : (start ?? (await latestPosition(t.db, t.orgId)));
        const secret = body.sink.type === 'webhook' ? newWebhookSecret() : undefined;
        const { type, ...settings } = body.sink;
        const now = clock.now();
        const id = ids.uuid();
        await repo.insertSubscription(t.db, {
          id,
          org_id: t.orgId,
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
        return { status: 201, body: { ...(await current(t, id)), ...(secret ? { secret } : {}) } };
      });
      if (!result.replayed) signalChangeOnCommit(t.db);
      return result.body;
    },

    /** The org's subscriptions in creation order, by cursor. */
    async list(t: TenantTx, query: { limit?: number | undefined; after?: string | undefined }) {
      const limit = query.limit ?? 20;
      const after = query.after ? pageCursor.decode(query.after, 'query.after') : undefined;
      const rows = await repo.listSubscriptions(t.db, t.orgId, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(view),
        ...(rows.length > limit && last ? { next_cursor: pageCursor.encode(new Date(last.created_at), last.id) } : {}),
        has_next: rows.length > limit,
      };
    },

    async get(t: TenantTx, id: string): Promise<Subscription> {
      const row = await repo.subscriptionWithCursor(t.db, t.orgId, id);
      if (!row) throw SubscriptionErrors.notFound();
      return view(row);
    },

    /** Changes the description, filter or sink settings; disables it or re-enables it (waiting deliveries are due at once). */
    async patch(t: TenantTx, id: string, body: PatchSubscriptionBody): Promise<Subscription> {
      const sub = await lockedSubscription(t, id);
      const issues = filterIssues(body.filter);
      const only = (fields: Array<keyof PatchSubscriptionBody>, sink: repo.SinkType) => {
        for (const f of fields) {
          if (body[f] !== undefined && sub.sink_type !== sink) issues.push({ field: `body.${f}`, reason: `applies to ${sink} sinks only` });
        }
      };
      only(['url', 'timeout_ms'], 'webhook');
      only(['roll_seconds', 'roll_bytes'], 'file');
      issues.push(...urlIssues(body.url, 'body.url'));
      if (issues.length) throw PlatformErrors.validation(issues);

      const sink = { ...sub.sink };
      for (const f of ['url', 'timeout_ms', 'roll_seconds', 'roll_bytes'] as const) {
        if (body[f] !== undefined) Object.assign(sink, { [f]: body[f] });
      }
      const now = clock.now();
      const reenable = body.status === 'active' && sub.status === 'disabled';
      const disable = body.status === 'disabled' && sub.status === 'active';
      await repo.updateSubscription(t.db, t.orgId, id, {
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.filter ? { domains: body.filter.domains ?? [], event_types: body.filter.event_types ?? [] } : {}),
        ...(body.status ? { status: body.status } : {}),
        ...(reenable ? { disabled_reason: null, consecutive_failures: 0, failing_since: null } : {}),
        ...(disable ? { disabled_reason: 'disabled through the API' } : {}),
        sink,
        revision: sub.revision + 1,
        updated_at: now,
      });
      // Deliveries that waited while it was disabled are due now.
      if (reenable) await resumePending(t.db, t.orgId, id, now);
      signalChangeOnCommit(t.db);
      return current(t, id);
    },

    /**
     * A new signing secret for a webhook subscription, returned once. For `graceSeconds` (default
     * a day) deliveries carry a signature with the previous secret as well, so receivers can
     * switch without losing a request.
     */
    async rotateSecret(t: TenantTx, id: string, graceSeconds: number): Promise<{ secret: string; previous_secret_valid_until: string }> {
      const sub = await lockedSubscription(t, id);
      if (sub.sink_type !== 'webhook') throw PlatformErrors.validation([{ field: 'params.id', reason: 'is not a webhook subscription' }]);
      const secret = newWebhookSecret();
      const now = clock.now();
      const until = new Date(now.getTime() + graceSeconds * 1000);
      await repo.updateSubscription(t.db, t.orgId, id, {
        secret: sealer.seal(secret),
        previous_secret: sub.secret,
        previous_secret_until: until,
        revision: sub.revision + 1,
        updated_at: now,
      });
      signalChangeOnCommit(t.db);
      return { secret, previous_secret_valid_until: until.toISOString() };
    },

    /**
     * Deletes the subscription with its delivery log and file listing. Returns it: a file
     * subscription's files on disk go once this commits (DeliveriesService.discardFiles).
     */
    async remove(t: TenantTx, id: string): Promise<repo.SubscriptionRow> {
      const sub = await lockedSubscription(t, id);
      await repo.deleteSubscription(t.db, t.orgId, id);
      signalChangeOnCommit(t.db);
      return sub;
    },
  };
}

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;
