// Webhook sink. The worker fans events out into delivery rows (one per event, in commit order)
// and moves the cursor in the same transaction; the dispatcher sends them, records every
// attempt, and schedules retries with exponential backoff and jitter until the retry window
// closes (then the delivery is `failed`: the dead letter, redeliverable through the API).
// After LASTRO_WEBHOOK_DISABLE_AFTER failed attempts in a row the subscription is disabled and
// an *Event subscription disabled* event is emitted.
import type { Tx } from '../../../platform/db/database.js';
import { recordEvent } from '../../../platform/outbox.js';
import {
  existingDeliveries,
  insertAttempts,
  insertDeliveries,
  leaseDueDeliveries,
  markAttemptFailed,
  markSucceeded,
  releaseLeases,
} from '../deliveries.repo.js';
import { envelopeJson } from '../events.envelope.js';
import { commitWithoutFlush, type RawOutboxRow } from '../events.repo.js';
import { SubscriptionEvents } from '../subscriptions.events.js';
import { countFailure, disableSubscription, holdSubscriptions, resetFailures, type SubscriptionRow } from '../subscriptions.repo.js';
import { SubscriptionReader, positionOfRow, type RelayDeps, type SinkWorker } from './sink.js';
import { retryDelayMs, type WebhookResult, type WebhookSender } from './webhook-http.js';

/** Requests in flight or queued per subscription before its worker stops taking new events. */
const PER_SUBSCRIPTION_BACKLOG = 256;
const LEASE_SLACK_MS = 5_000;
/** Webhook results written per transaction. */
const RECORD_BATCH = 200;
/** Results sent and not yet recorded, per process, before workers stop taking new events. */
const MAX_UNRECORDED = 10 * RECORD_BATCH;

interface Job {
  delivery: { id: string; org_id: string; subscription_id: string; attempts: number; first_attempt_at: Date | null };
  event: RawOutboxRow;
  target: WebhookTarget;
}

export interface WebhookTarget {
  subscriptionId: string;
  url: string;
  secret: string;
  /** After a rotation: the previous secret, which also signs until `until`. */
  previous?: { secret: string; until: Date };
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
  /** Called when a request finished after a worker found its queue full (the relay refills it). */
  onIdle(fn: () => void): void;
}

export function createWebhookDispatcher(deps: RelayDeps, sender: WebhookSender): WebhookDispatcher {
  const { db, clock, config, log, ids } = deps;
  const queue: Job[] = [];
  const backlog = new Map<string, number>();
  let inFlight = 0;
  let idle: () => void = () => {};
  /** A worker found its subscription's queue full: wake the relay when room frees up. */
  let starved = false;
  /** Deliveries queued or in flight here: a lease that runs out while one waits does not queue it twice. */
  const active = new Set<string>();
  const drained = new Set<() => void>();

  const leaseMs = (timeoutMs: number) => timeoutMs + LEASE_SLACK_MS;

  // Results are written in batches (one transaction per RECORD_BATCH results or per flush), so
  // the attempt log does not cost a commit per request. Losing a batch to a crash only means
  // its deliveries are sent again when their lease ends: at least once, same webhook-id.
  const pending: Array<{ job: Job; started: Date; result: WebhookResult; done: () => void }> = [];
  let flushing: Promise<void> | undefined;

  /** A failed attempt: schedule the retry or dead-letter it, and count the failure. */
  const recordFailure = async (tx: Tx, job: Job, started: Date, result: WebhookResult, now: Date) => {
    const { delivery } = job;
    const attempt = delivery.attempts + 1;
    await insertAttempts(tx, [
      {
        delivery_id: delivery.id,
        attempt,
        org_id: delivery.org_id,
        started_at: started,
        duration_ms: result.durationMs,
        status_code: result.statusCode ?? null,
        error: result.error ?? null,
        response_body: result.responseBody ?? null,
      },
    ]);
    const first = delivery.first_attempt_at ?? started;
    const next = new Date(now.getTime() + retryDelayMs(attempt, config.webhookRetryBaseMs, Math.random()));
    const dead = next.getTime() - first.getTime() > config.webhookRetryWindowSeconds * 1000;
    await markAttemptFailed(
      tx,
      delivery,
      { attempt, started, nextAttemptAt: dead ? null : next, statusCode: result.statusCode ?? null, error: result.error ?? null },
      now,
    );
    const subscription = { org_id: delivery.org_id, id: delivery.subscription_id };
    const sub = await countFailure(tx, subscription, started);
    const failingMs = sub ? now.getTime() - new Date(sub.failing_since).getTime() : 0;
    if (
      sub &&
      sub.status === 'active' &&
      sub.consecutive_failures >= config.webhookDisableAfter &&
      failingMs >= config.webhookDisableAfterSeconds * 1000
    ) {
      const reason = `${sub.consecutive_failures} failed attempts in a row; last: ${result.error ?? 'no answer'}`;
      await disableSubscription(tx, subscription, reason, now);
      await recordEvent(tx, { clock, ids }, SubscriptionEvents.subscriptionDisabled, {
        orgId: delivery.org_id,
        cid: undefined,
        data: { subscription_id: delivery.subscription_id, reason, consecutive_failures: sub.consecutive_failures, url: job.target.url },
      });
      log.warn({ subscription: delivery.subscription_id, reason }, 'webhook subscription disabled');
    }
  };

  /** Successes of a batch in three statements, whatever their number. */
  const recordSuccesses = async (tx: Tx, done: Array<{ job: Job; started: Date; result: WebhookResult }>, now: Date) => {
    if (!done.length) return;
    await insertAttempts(
      tx,
      done.map(({ job, started, result }) => ({
        delivery_id: job.delivery.id,
        attempt: job.delivery.attempts + 1,
        org_id: job.delivery.org_id,
        started_at: started,
        duration_ms: result.durationMs,
        status_code: result.statusCode ?? null,
        error: null,
        response_body: result.responseBody ?? null,
      })),
    );
    await markSucceeded(
      tx,
      done.map(({ job, started, result }) => ({
        org_id: job.delivery.org_id,
        id: job.delivery.id,
        attempt: job.delivery.attempts + 1,
        started,
        statusCode: result.statusCode ?? 0,
      })),
      now,
    );
    const subs = new Map(done.map(({ job }) => [job.delivery.subscription_id, { org_id: job.delivery.org_id, id: job.delivery.subscription_id }]));
    await resetFailures(tx, [...subs.values()]);
  };

  const flush = async (): Promise<void> => {
    while (pending.length) {
      const batch = pending.splice(0, RECORD_BATCH);
      const now = clock.now();
      try {
        await db.transaction(
          async (tx) => {
            await commitWithoutFlush(tx);
            // A subscription deleted meanwhile took its deliveries with it: skip those results
            // rather than fail the whole batch on their attempt rows. Holding the subscriptions
            // first keeps a deletion from removing deliveries under this transaction.
            const keys = new Map(batch.map(({ job: { delivery: d } }) => [d.subscription_id, { org_id: d.org_id, id: d.subscription_id }]));
            const held = new Set((await holdSubscriptions(tx, [...keys.values()])).map((s) => s.id));
            const rows = await existingDeliveries(tx, batch.filter((r) => held.has(r.job.delivery.subscription_id)).map((r) => r.job.delivery));
            const live = new Set(rows.map((r) => r.id));
            const kept = batch.filter((r) => live.has(r.job.delivery.id));
            await recordSuccesses(tx, kept.filter((r) => r.result.ok), now);
            for (const r of kept) if (!r.result.ok) await recordFailure(tx, r.job, r.started, r.result, now);
          },
          { system: true },
        );
      } catch (err) {
        log.error({ err, deliveries: batch.length }, 'could not record webhook attempts; they will be sent again');
      }
      for (const r of batch) r.done();
    }
  };

  const kick = () => {
    if (flushing) return;
    flushing = flush().finally(() => {
      flushing = undefined;
      if (pending.length) kick();
    });
  };

  const record = (job: Job, started: Date, result: WebhookResult): Promise<void> =>
    new Promise((done) => {
      pending.push({ job, started, result, done });
      kick();
    });

  /** Sends one request; its result is recorded later, in a batch (`record`). */
  const send = async (job: Job): Promise<{ started: Date; result: WebhookResult }> => {
    const started = clock.now();
    const body = envelopeJson(job.event);
    const result = await sender.send({
      url: job.target.url,
      id: job.event.event_id,
      body,
      secrets: [job.target.secret, ...(job.target.previous && started < job.target.previous.until ? [job.target.previous.secret] : [])],
      timeoutMs: job.target.timeoutMs,
      timestampSeconds: Math.floor(started.getTime() / 1000),
    });
    return { started, result };
  };

  // Results sent but not yet recorded. A request's slot (LASTRO_WEBHOOK_CONCURRENCY) and its
  // subscription's backlog free up when its answer arrives, not when the batch holding its
  // result commits: on a slow database, waiting for the batch (up to two flushes) held every
  // slot and made the relay fall behind, the p99 tail `bench events` showed. The results
  // waiting for a batch are bounded instead (MAX_UNRECORDED): beyond it, workers take no new events.
  let unrecorded = 0;
  const wakeStarved = () => {
    if (starved) {
      starved = false;
      idle();
    }
  };
  const settled = () => inFlight === 0 && queue.length === 0 && unrecorded === 0;

  const next = () => {
    while (inFlight < config.webhookConcurrency && queue.length) {
      const job = queue.shift()!;
      inFlight += 1;
      unrecorded += 1;
      const sid = job.target.subscriptionId;
      void send(job)
        .then(
          ({ started, result }) => {
            inFlight -= 1;
            backlog.set(sid, (backlog.get(sid) ?? 1) - 1);
            next();
            wakeStarved();
            return record(job, started, result);
          },
          () => {
            // The sender reports failures as results; should it throw, the lease sends it again.
            inFlight -= 1;
            backlog.set(sid, (backlog.get(sid) ?? 1) - 1);
            next();
          },
        )
        .finally(() => {
          unrecorded -= 1;
          active.delete(job.delivery.id);
          wakeStarved();
          if (settled()) for (const fn of drained) fn();
        });
    }
  };

  return {
    room(subscriptionId) {
      const room = unrecorded >= MAX_UNRECORDED ? 0 : Math.max(0, PER_SUBSCRIPTION_BACKLOG - (backlog.get(subscriptionId) ?? 0));
      if (room === 0) starved = true;
      return room;
    },
    enqueue(job) {
      if (active.has(job.delivery.id)) return;
      active.add(job.delivery.id);
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
      const now = clock.now();
      await db.transaction((tx) => releaseLeases(tx, now), { system: true });
    },
    async drain(timeoutMs) {
      for (const job of queue.splice(0)) active.delete(job.delivery.id);
      if (settled()) return;
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
  deps: Pick<RelayDeps, 'db' | 'clock' | 'ids'>,
  subscription: SubscriptionRow,
  target: WebhookTarget,
  dispatcher: WebhookDispatcher,
): SinkWorker {
  const reader = new SubscriptionReader(deps, subscription);
  const { db, clock, ids } = deps;
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
