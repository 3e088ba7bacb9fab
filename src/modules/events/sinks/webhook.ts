// Webhook sink. The worker fans events out into delivery rows (one per event, in commit order)
// and moves the cursor in the same transaction; the dispatcher sends them, records every
// attempt, and schedules retries with exponential backoff and jitter until the retry window
// closes (then the delivery is `failed`: the dead letter, redeliverable through the API).
// After LASTRO_WEBHOOK_DISABLE_AFTER failed attempts in a row the subscription is disabled and
// an *Event subscription disabled* event is emitted.
import { sql } from 'kysely';
import type { Platform } from '../../../platform/module.js';
import { recordEvent } from '../../../platform/outbox.js';
import type { OutboxRow } from '../events.repo.js';
import { toEnvelope } from '../events.routes.js';
import { SubscriptionEvents } from '../subscriptions.events.js';
import { insertAttempt, insertDeliveries, leaseDueDeliveries, type SubscriptionRow } from '../subscriptions.repo.js';
import { SubscriptionReader, positionOfRow, type SinkWorker } from './sink.js';
import { retryDelayMs, type WebhookResult, type WebhookSender } from './webhook-http.js';

/** Requests in flight or queued per subscription before its worker stops taking new events. */
const PER_SUBSCRIPTION_BACKLOG = 256;
const LEASE_SLACK_MS = 5_000;

interface Job {
  delivery: { id: string; org_id: string; subscription_id: string; attempts: number; first_attempt_at: Date | null };
  event: OutboxRow;
  target: WebhookTarget;
}

export interface WebhookTarget {
  subscriptionId: string;
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface WebhookDispatcher {
  /** Queue room left for a subscription (0: its worker should wait). */
  room(subscriptionId: string): number;
  enqueue(job: Job): void;
  /** Leases due retries of the given subscriptions and queues them. True when it found some. */
  pumpDue(targets: Map<string, WebhookTarget>): Promise<boolean>;
  /** Deliveries leased by a dead leader become due again (called when this process becomes leader). */
  releaseLeases(): Promise<void>;
  /** Waits for in-flight requests, at most `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Resolves when a request finished (the relay wakes to refill the queue). */
  onIdle(fn: () => void): void;
}

export function createWebhookDispatcher(platform: Platform, sender: WebhookSender): WebhookDispatcher {
  const { db, clock, config, log, ids } = platform;
  const queue: Job[] = [];
  const backlog = new Map<string, number>();
  let inFlight = 0;
  let idle: () => void = () => {};
  const drained = new Set<() => void>();

  const leaseMs = (timeoutMs: number) => timeoutMs + LEASE_SLACK_MS;

  const record = async (job: Job, started: Date, result: WebhookResult) => {
    const { delivery } = job;
    const attempt = delivery.attempts + 1;
    const now = clock.now();
    await db.transaction(
      async (tx) => {
        await insertAttempt(tx, {
          delivery_id: delivery.id,
          attempt,
          org_id: delivery.org_id,
          started_at: started,
          duration_ms: result.durationMs,
          status_code: result.statusCode ?? null,
          error: result.error ?? null,
          response_body: result.responseBody ?? null,
        });
        if (result.ok) {
          await sql`
            update event_deliveries set status = 'succeeded', attempts = ${attempt}, lease_until = null, next_attempt_at = null,
              first_attempt_at = coalesce(first_attempt_at, ${started}), last_status_code = ${result.statusCode ?? null},
              last_error = null, updated_at = ${now}
            where id = ${delivery.id}`.execute(tx);
          await sql`update event_subscriptions set consecutive_failures = 0, failing_since = null
                    where id = ${delivery.subscription_id} and consecutive_failures > 0`.execute(tx);
          return;
        }
        const first = delivery.first_attempt_at ?? started;
        const next = new Date(now.getTime() + retryDelayMs(attempt, config.webhookRetryBaseMs, Math.random()));
        const dead = next.getTime() - first.getTime() > config.webhookRetryWindowSeconds * 1000;
        await sql`
          update event_deliveries set status = ${dead ? 'failed' : 'pending'}, attempts = ${attempt}, lease_until = null,
            next_attempt_at = ${dead ? null : next}, first_attempt_at = coalesce(first_attempt_at, ${started}),
            last_status_code = ${result.statusCode ?? null}, last_error = ${result.error ?? null}, updated_at = ${now}
          where id = ${delivery.id}`.execute(tx);
        const { rows } = await sql<{ consecutive_failures: number; status: string; failing_since: Date }>`
          update event_subscriptions
          set consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, ${started})
          where id = ${delivery.subscription_id}
          returning consecutive_failures, status, failing_since`.execute(tx);
        const sub = rows[0];
        const failingMs = sub ? now.getTime() - new Date(sub.failing_since).getTime() : 0;
        if (
          sub &&
          sub.status === 'active' &&
          sub.consecutive_failures >= config.webhookDisableAfter &&
          failingMs >= config.webhookDisableAfterSeconds * 1000
        ) {
          const reason = `${sub.consecutive_failures} failed attempts in a row; last: ${result.error ?? 'no answer'}`;
          await sql`update event_subscriptions set status = 'disabled', disabled_reason = ${reason}, revision = revision + 1, updated_at = ${now}
                    where id = ${delivery.subscription_id}`.execute(tx);
          await recordEvent(tx, { clock, ids }, SubscriptionEvents.subscriptionDisabled, {
            orgId: delivery.org_id,
            cid: undefined,
            data: { subscription_id: delivery.subscription_id, reason, consecutive_failures: sub.consecutive_failures, url: job.target.url },
          });
          log.warn({ subscription: delivery.subscription_id, reason }, 'webhook subscription disabled');
        }
      },
      { orgId: delivery.org_id },
    );
  };

  const run = async (job: Job) => {
    const started = clock.now();
    const body = JSON.stringify(toEnvelope(job.event));
    const result = await sender.send({
      url: job.target.url,
      id: job.event.event_id,
      body,
      secret: job.target.secret,
      timeoutMs: job.target.timeoutMs,
      timestampSeconds: Math.floor(started.getTime() / 1000),
    });
    try {
      await record(job, started, result);
    } catch (err) {
      // The lease expires and the delivery is attempted again: at least once.
      log.error({ err, delivery: job.delivery.id }, 'could not record a webhook attempt');
    }
  };

  const next = () => {
    while (inFlight < config.webhookConcurrency && queue.length) {
      const job = queue.shift()!;
      inFlight += 1;
      void run(job).finally(() => {
        inFlight -= 1;
        const sid = job.target.subscriptionId;
        backlog.set(sid, (backlog.get(sid) ?? 1) - 1);
        next();
        idle();
        if (inFlight === 0 && queue.length === 0) for (const fn of drained) fn();
      });
    }
  };

  return {
    room(subscriptionId) {
      return Math.max(0, PER_SUBSCRIPTION_BACKLOG - (backlog.get(subscriptionId) ?? 0));
    },
    enqueue(job) {
      const sid = job.target.subscriptionId;
      backlog.set(sid, (backlog.get(sid) ?? 0) + 1);
      queue.push(job);
      next();
    },
    async pumpDue(targets) {
      if (!targets.size) return false;
      const room = config.webhookConcurrency * 2 - inFlight - queue.length;
      if (room <= 0) return false;
      const now = clock.now();
      const maxTimeout = Math.max(...[...targets.values()].map((t) => t.timeoutMs));
      const due = await db.transaction(
        (tx) => leaseDueDeliveries(tx, now, new Date(now.getTime() + leaseMs(maxTimeout)), [...targets.keys()], room),
        { system: true },
      );
      for (const d of due) {
        const target = targets.get(d.subscription_id);
        if (target) this.enqueue({ delivery: d, event: d.event, target });
      }
      return due.length > 0;
    },
    async releaseLeases() {
      await db.transaction(
        (tx) => sql`update event_deliveries set lease_until = null where status = 'pending' and lease_until is not null`.execute(tx),
        { system: true },
      );
    },
    async drain(timeoutMs) {
      queue.length = 0;
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          drained.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        drained.add(done);
      });
    },
    onIdle(fn) {
      idle = fn;
    },
  };
}

export function webhookWorker(
  platform: Platform,
  subscription: SubscriptionRow,
  target: WebhookTarget,
  dispatcher: WebhookDispatcher,
): SinkWorker {
  const reader = new SubscriptionReader(platform, subscription);
  const { db, clock, ids } = platform;
  return {
    subscription,
    async pump() {
      const room = Math.min(500, dispatcher.room(subscription.id));
      if (room === 0) return false;
      const rows = await reader.next(room);
      if (!rows.length) return false;
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + target.timeoutMs + LEASE_SLACK_MS);
      const deliveries = rows.map((event) => ({ id: ids.uuid(), org_id: subscription.org_id, subscription_id: subscription.id, event, lease_until: leaseUntil, now }));
      const last = positionOfRow(rows.at(-1)!);
      await db.transaction(
        async (tx) => {
          await insertDeliveries(tx, deliveries);
          await reader.commit(tx, last);
        },
        { orgId: subscription.org_id },
      );
      reader.position = last;
      for (const d of deliveries) {
        dispatcher.enqueue({
          delivery: { id: d.id, org_id: d.org_id, subscription_id: d.subscription_id, attempts: 0, first_attempt_at: null },
          event: d.event,
          target,
        });
      }
      return true;
    },
    async stop() {},
  };
}
