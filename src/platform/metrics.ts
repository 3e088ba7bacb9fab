// Prometheus metrics. One registry per app instance (tests build several apps in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from './db/database.js';
import type { JobRunner } from './jobs.js';

export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(deps: { db: Database; jobs: JobRunner }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lastro_' });

  const requests = new Counter({
    name: 'lastro_http_requests_total',
    help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lastro_http_request_duration_seconds',
    help: 'HTTP request latency by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'lastro_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting clients, max).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = deps.db.poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
      this.set({ state: 'max' }, s.max);
    },
  });
  new Gauge({
    name: 'lastro_job_queue_depth',
    help: 'Jobs waiting to run, per queue.',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const depth = await deps.jobs.queueDepth().catch(() => ({}));
      for (const [queue, n] of Object.entries(depth)) this.set({ queue }, n);
    },
  });

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status_code: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
}
