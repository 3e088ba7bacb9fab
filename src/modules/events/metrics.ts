// Event delivery in Prometheus: subscriptions by state and sink, webhook deliveries waiting to be
// sent, and how far each active subscription's cursor is behind the outbox (in events).
import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Platform } from '../../platform/module.js';

export function eventMetrics(registry: Registry, platform: Platform): void {
  const { db } = platform;
  const system = <T>(fn: Parameters<typeof db.transaction<T>>[0]) => db.transaction(fn, { system: true });

  new Gauge({
    name: 'lastro_event_subscriptions',
    help: 'Event subscriptions by status and sink type.',
    labelNames: ['status', 'sink'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await system((tx) =>
        sql<{ status: string; sink: string; n: string }>`
          select status, sink_type as sink, count(*) as n from event_subscriptions group by 1, 2`.execute(tx),
      ).catch(() => undefined);
      for (const r of rows?.rows ?? []) this.set({ status: r.status, sink: r.sink }, Number(r.n));
    },
  });

  new Gauge({
    name: 'lastro_event_deliveries_pending',
    help: 'Webhook deliveries not yet succeeded or dead-lettered (in flight or waiting for a retry).',
    registers: [registry],
    async collect() {
      const rows = await system((tx) => sql<{ n: string }>`select count(*) as n from event_deliveries where status = 'pending'`.execute(tx)).catch(
        () => undefined,
      );
      this.set(Number(rows?.rows[0]?.n ?? 0));
    },
  });

  new Gauge({
    name: 'lastro_event_subscription_lag_events',
    help: "Events in the outbox after an active subscription's cursor (any type; an upper bound for filtered ones), per sink type: the largest.",
    labelNames: ['sink'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await system((tx) =>
        sql<{ sink: string; lag: string }>`
          select s.sink_type as sink, max(coalesce((
            select count(*) from event_outbox o
            where o.org_id = s.org_id
              and (s.cursor_tx is null or (o.tx_id, o.seq) > (s.cursor_tx, s.cursor_seq))
          ), 0)) as lag
          from event_subscriptions s where s.status = 'active' group by 1`.execute(tx),
      ).catch(() => undefined);
      for (const r of rows?.rows ?? []) this.set({ sink: r.sink }, Number(r.lag));
    },
  });
}
