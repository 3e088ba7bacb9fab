// Event delivery in Prometheus: subscriptions by state and sink, webhook deliveries waiting to be
// sent, and how far each active subscription's cursor is behind the outbox (in events).
import { Gauge, type Registry } from 'prom-client';
import type { Platform } from '../../platform/module.js';
import { countPending } from './deliveries.repo.js';
import { countByStatusAndSink, largestLagBySink } from './subscriptions.repo.js';

export function eventMetrics(registry: Registry, deps: Pick<Platform, 'db'>): void {
  const { db } = deps;
  // Read across orgs; a failed read leaves the gauge empty rather than failing the scrape.
  const system = <T>(fn: Parameters<typeof db.transaction<T>>[0]) => db.transaction(fn, { system: true }).catch(() => undefined);

  new Gauge({
    name: 'lastro_event_subscriptions',
    help: 'Event subscriptions by status and sink type.',
    labelNames: ['status', 'sink'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await system(countByStatusAndSink)) ?? []) this.set({ status: r.status, sink: r.sink }, r.n);
    },
  });

  new Gauge({
    name: 'lastro_event_deliveries_pending',
    help: 'Webhook deliveries not yet succeeded or dead-lettered (in flight or waiting for a retry).',
    registers: [registry],
    async collect() {
      this.set((await system(countPending)) ?? 0);
    },
  });

  new Gauge({
    name: 'lastro_event_subscription_lag_events',
    help: "Events in the outbox after an active subscription's cursor (any type; an upper bound for filtered ones), per sink type: the largest.",
    labelNames: ['sink'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await system(largestLagBySink)) ?? []) this.set({ sink: r.sink }, r.lag);
    },
  });
}
