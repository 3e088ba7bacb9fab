// `events`: event delivery on PostgreSQL through the real `lastro start` process (its relay:
// outbox → sink). Three sinks, each against a baseline measured in the same run:
//   nats     N pre-filled events to JetStream, vs this process publishing the same envelopes
//            to JetStream with the same pipelining (batches of 1000, Nats-Msg-Id set);
//   webhook  a steady insert rate (default 1,000 events/s) to a loopback receiver, end-to-end
//            latency from the insert's commit to the request's arrival, vs the same receiver
//            fed directly by this process at the same rate (the HTTP hop alone);
//   file     N pre-filled events to gzip NDJSON batch files, vs this process gzip-writing the
//            same lines.
// Everything runs in a throwaway database (lastro_bench_<random>), dropped at the end.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { connect, nanos, StringCodec, type NatsConnection } from 'nats';
import pg from 'pg';
import { envelopeJson } from '../src/modules/events/events.envelope.js';
import type { RawOutboxRow } from '../src/modules/events/events.repo.js';
import {
  type Benchmark,
  type Child,
  UsageError,
  cpuSeconds,
  freePort,
  lastroNodeArgs,
  makeTempDir,
  parseOptions,
  removeTempDir,
  round,
  rssMb,
  say,
  sleep,
  spawnNode,
  stopChild,
  waitFor200,
} from './lib.js';

const TARGETS = { nats_events_per_s: 20_000, webhook_p99_ms: 100 };
/** The stream the relay publishes to (src/modules/events/sinks/nats.ts). */
const RELAY_STREAM = 'LASTRO_EVENTS';
const FILL_CHUNK = 10_000;
const PUBLISH_BATCH = 1000;
const ROLL_BYTES = 10 * 1024 * 1024;
const WARMUP_MS = 2000;
const DRAIN_TIMEOUT_MS = 30_000;
const sc = StringCodec();

// ---- event rows ----

// An org-updated event (data ≈ 300 bytes as JSON), as the orgs module emits it.
const EVENT_COLUMNS = 'org_id, event_id, domain, event_type, schema_version, cid, occurred_at, data';
const eventData = (orgIdParam: string, nameExpr: string) => `jsonb_build_object(
    'org_id', ${orgIdParam}::text,
    'org_name', 'Bench Pagamentos e Servicos Financeiros ' || ${nameExpr},
    'status', 'ACTIVE',
    'sandbox', true,
    'changed_fields', jsonb_build_array('org_name', 'official_name', 'document_number', 'responsible', 'timezone', 'country_code', 'currency_numeric_code'))`;

const FILL_SQL = `
  insert into event_outbox (${EVENT_COLUMNS})
  select $1, gen_random_uuid(), 'org', 'org-updated', 1, gen_random_uuid()::text, now(), ${eventData('$1', 'g')}
  from generate_series($2::int, $3::int) g`;

const INSERT_SQL = `
  insert into event_outbox (${EVENT_COLUMNS})
  select $1, e.id, 'org', 'org-updated', 1, e.id::text, now(), ${eventData('$1', 'e.n')}
  from unnest($2::uuid[], $3::int[]) as e(id, n)`;

/** Adds `n` events for the org; returns how many the org has now (creating it emitted a few). */
async function fill(db: pg.Pool, orgId: string, n: number): Promise<number> {
  for (let from = 1; from <= n; from += FILL_CHUNK) {
    await db.query(FILL_SQL, [orgId, from, Math.min(n, from + FILL_CHUNK - 1)]);
  }
  await db.query('analyze event_outbox');
  const { rows } = await db.query<{ n: string }>('select count(*) as n from event_outbox_events where org_id = $1', [orgId]);
  return Number(rows[0]!.n);
}

/** The org's events in replay order, each with its envelope's JSON as the relay builds it. */
async function envelopes(db: pg.Pool, orgId: string): Promise<Array<{ event_id: string; json: string }>> {
  const { rows } = await db.query<RawOutboxRow>(
    `select event_id, domain, event_type, schema_version, org_id, cid, occurred_at, business_date, data::text as data_json, tx_id::text as tx_id, seq
     from event_outbox_events v where org_id = $1 order by v.tx_id, v.row_seq, v.row_index`,
    [orgId],
  );
  return rows.map((r) => ({ event_id: r.event_id, json: envelopeJson(r) }));
}

// ---- statistics ----

function percentiles(samples: number[]): { p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number; mean_ms: number } {
  const s = Float64Array.from(samples).sort();
  const n = s.length;
  const pct = (p: number): number => (n ? round(s[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]!, 2) : 0);
  return {
    p50_ms: pct(50),
    p95_ms: pct(95),
    p99_ms: pct(99),
    max_ms: n ? round(s[n - 1]!, 2) : 0,
    mean_ms: n ? round(s.reduce((a, b) => a + b, 0) / n, 2) : 0,
  };
}

// ---- where the CPU goes: lastro, PostgreSQL (all its processes), nats-server, this process ----

function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

type CpuSnapshot = { at: number; lastro: number; postgres: Map<number, number>; nats: number; bench: number };

function cpuSnapshot(lastroPid: number): CpuSnapshot {
  const postgres = new Map<number, number>();
  for (const pid of pidsNamed('postgres')) postgres.set(pid, cpuSeconds(pid) ?? 0);
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    lastro: cpuSeconds(lastroPid) ?? 0,
    postgres,
    nats: pidsNamed('nats-server').reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0),
    bench: (usage.user + usage.system) / 1e6,
  };
}

/** Cores used by each process over the interval (1.0 = one core busy the whole time). */
function coresUsed(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const s = (b.at - a.at) / 1000;
  let pgCpu = 0;
  for (const [pid, cpu] of b.postgres) pgCpu += cpu - (a.postgres.get(pid) ?? 0);
  return {
    lastro: round((b.lastro - a.lastro) / s, 2),
    postgres: round(pgCpu / s, 2),
    nats_server: round((b.nats - a.nats) / s, 2),
    bench_process: round((b.bench - a.bench) / s, 2),
  };
}

/** Samples what lastro's database sessions are doing (pg_stat_activity), every 100 ms. */
function activitySampler(admin: pg.Pool, dbName: string) {
  const queries = new Map<string, number>();
  const waits = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await admin.query<{ w: string; q: string }>(
        `select coalesce(wait_event_type || ':' || wait_event, 'on CPU') as w, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) as q
         from pg_stat_activity
         where datname = $1 and state = 'active' and application_name <> 'lastro-bench' and pid <> pg_backend_pid()`,
        [dbName],
      );
      samples += 1;
      active += rows.length;
      for (const r of rows) {
        queries.set(r.q, (queries.get(r.q) ?? 0) + 1);
        waits.set(r.w, (waits.get(r.w) ?? 0) + 1);
      }
      await sleep(100);
    }
  })();
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, v]) => ({ what: k, share: round(v / Math.max(1, active), 2) }));
  return async () => {
    stopped = true;
    await loop;
    return { samples, avg_active_sessions: round(active / Math.max(1, samples), 2), top_queries: top(queries), top_waits: top(waits) };
  };
}

// ---- the lastro API ----

interface Api {
  base: string;
  adminToken: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<any>;
}

function api(base: string, adminToken: string): Api {
  return {
    base,
    adminToken,
    async call(method, path, body, token) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token ?? adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
  };
}

/** A new org (operator API) and an s2s token for it. */
async function newOrg(lastro: Api, label: string): Promise<{ orgId: string; token: string }> {
  const digits = String(Math.floor(Math.random() * 1e11)).padStart(11, '0');
  const created = await lastro.call('POST', '/lastro/v1/orgs', {
    official_name: `Bench ${label} Pagamentos Ltda`,
    org_name: `Bench ${label}`,
    document_number: `9${digits}`,
    responsible: `bench-${label}@example.com`,
    currency_numeric_code: '986',
    timezone: 'America/Sao_Paulo',
    country_code: 'BRA',
  });
  const res = await fetch(`${lastro.base}/passport/v2/s2s/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ server_key: created.credential.server_key, server_secret: created.credential.server_secret }),
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return { orgId: created.org.id as string, token };
}

// ---- phase 1: outbox → NATS JetStream ----

async function natsPhase(ctx: PhaseContext, nc: NatsConnection, filled: number, relayStreamExisted: boolean): Promise<Record<string, unknown>> {
  const { lastro, db } = ctx;
  const org = await newOrg(lastro, 'nats');
  say(`nats: filling the outbox with ${filled} events for ${org.orgId}…`);
  const n = await fill(db, org.orgId, filled);
  const jsm = await nc.jetstreamManager();
  const subjects = `lastro.${org.orgId}.>`;
  const stored = async (stream: string, filter: string): Promise<number> => {
    try {
      const info = await jsm.streams.info(stream, { subjects_filter: filter });
      return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
    } catch {
      return 0; // the relay creates its stream on first use
    }
  };

  say('nats: subscription with start_after=earliest; timing until every event is in JetStream…');
  const cpu0 = cpuSnapshot(ctx.lastroPid);
  const activity = activitySampler(ctx.admin, ctx.dbName);
  const t0 = performance.now();
  const sub = await lastro.call('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'nats' }, start_after: 'earliest' }, org.token);
  let count = 0;
  let lastLog = t0;
  const deadline = t0 + Math.max(120_000, n * 2);
  while ((count = await stored(RELAY_STREAM, subjects)) < n) {
    if (performance.now() > deadline) throw new Error(`nats: only ${count} of ${n} events in JetStream after ${round((deadline - t0) / 1000, 0)} s`);
    if (performance.now() - lastLog > 2000) {
      lastLog = performance.now();
      say(`  ${count} / ${n}`);
    }
    await sleep(20);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cores = coresUsed(cpu0, cpuSnapshot(ctx.lastroPid));
  const pgActivity = await activity();
  const relayRate = round(n / seconds, 0);
  say(`  ${relayRate} events/s (${round(seconds, 2)} s)`);
  const detail = await lastro.call('GET', `/lastro/v1/event-subscriptions/${sub.id}`, undefined, org.token);
  await lastro.call('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`, undefined, org.token);

  say('nats baseline: this process publishes the same envelopes, batches of 1000, msgID set…');
  const list = await envelopes(db, org.orgId);
  const envelopeBytes = list.reduce((sum, e) => sum + Buffer.byteLength(e.json), 0);
  const tag = randomBytes(4).toString('hex');
  const stream = `LASTRO_BENCH_${tag}`;
  await jsm.streams.add({ name: stream, subjects: [`lastro_bench_${tag}.>`], duplicate_window: nanos(120_000) });
  let bare: number;
  try {
    const js = nc.jetstream();
    const subject = `lastro_bench_${tag}.${org.orgId}.org.org-updated`;
    const b0 = performance.now();
    for (let i = 0; i < list.length; i += PUBLISH_BATCH) {
      await Promise.all(list.slice(i, i + PUBLISH_BATCH).map((e) => js.publish(subject, sc.encode(e.json), { msgID: e.event_id })));
    }
    const bs = (performance.now() - b0) / 1000;
    const baselineStored = await stored(stream, `lastro_bench_${tag}.>`);
    if (baselineStored !== n) throw new Error(`nats baseline: ${baselineStored} of ${n} messages stored`);
    bare = round(n / bs, 0);
    say(`  ${bare} events/s (${round(bs, 2)} s)`);
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    // The relay's stream: remove what this run put there (or the stream, if this run made it).
    if (relayStreamExisted) await jsm.streams.purge(RELAY_STREAM, { filter: subjects }).catch(() => undefined);
    else await jsm.streams.delete(RELAY_STREAM).catch(() => false);
  }
  return {
    events: n,
    avg_envelope_bytes: round(envelopeBytes / n, 0),
    seconds: round(seconds, 2),
    events_per_s: relayRate,
    in_jetstream: count,
    subscription_position_at_end: detail.position ?? null,
    cores_used: cores,
    pg_activity: pgActivity,
    baseline_direct_publish_events_per_s: bare,
    ratio_to_baseline: bare ? round(relayRate / bare, 3) : null,
  };
}

// ---- phase 2: outbox → webhook at a steady rate ----

interface Receiver {
  url: string;
  /** id (webhook-id header) → when its clock started (performance.now()). */
  expect: Map<string, number>;
  latencies: number[];
  /** Only these ids' latencies are sampled (warm-up ones are delivered, not measured). */
  measured: Set<string>;
  arrived: Set<string>;
  /**
   * Ids that arrived before the bench heard its insert commit (the relay can deliver an event
   * before the inserting client's answer is read): counted as arrived once expected, with no latency.
   */
  early: Set<string>;
  duplicates: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'close'> = { expect: new Map(), latencies: [], measured: new Set(), arrived: new Set(), early: new Set(), duplicates: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      const at = performance.now();
      const id = String(req.headers['webhook-id'] ?? '');
      const started = r.expect.get(id);
      if (started === undefined) {
        if (r.early.has(id)) r.duplicates += 1;
        else r.early.add(id);
      } else if (r.arrived.has(id)) r.duplicates += 1;
      else {
        r.arrived.add(id);
        if (r.measured.has(id)) r.latencies.push(at - started);
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/**
 * Calls `send(count)` every 10 ms with however many events keep the rate exact since the start
 * (no drift), for `ms`. Sends are not awaited by the schedule; returns once all have settled.
 */
async function steady(rate: number, ms: number, send: (count: number, elapsedMs: number) => Promise<void>): Promise<{ issued: number; seconds: number }> {
  const t0 = performance.now();
  const pending = new Set<Promise<void>>();
  let issued = 0;
  for (let tick = 1; ; tick++) {
    const now = performance.now();
    const elapsed = now - t0;
    if (elapsed >= ms) break;
    const due = Math.floor((rate * elapsed) / 1000) - issued;
    if (due > 0) {
      issued += due;
      const p = send(due, elapsed).finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(Math.max(0, t0 + tick * 10 - performance.now()));
  }
  await Promise.all(pending);
  return { issued, seconds: (performance.now() - t0) / 1000 };
}

async function webhookPhase(ctx: PhaseContext, rate: number, seconds: number): Promise<Record<string, unknown>> {
  const { lastro, db } = ctx;
  const org = await newOrg(lastro, 'webhook');
  const receiver = await startReceiver();
  try {
    const sub = await lastro.call('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'webhook', url: receiver.url } }, org.token);
    const total = WARMUP_MS + seconds * 1000;
    say(`webhook: ${rate} events/s for ${seconds} s (after ${WARMUP_MS / 1000} s of warm-up), 10 ms insert ticks, one transaction each…`);
    let seq = 0;
    let insertErrors = 0;
    const commitMs: number[] = [];
    const cpu0 = { at: 0 } as CpuSnapshot;
    let activity: (() => Promise<Record<string, unknown>>) | undefined;
    let inserted = 0;
    let lastLog = performance.now();
    let measureFrom = { at: 0, delivered: 0 };
    const run = await steady(rate, total, async (count, elapsed) => {
      if (performance.now() - lastLog >= 2000) {
        lastLog = performance.now();
        say(`  ${round(elapsed / 1000, 0)} s: inserted ${inserted}, delivered ${receiver.arrived.size}`);
      }
      if (elapsed >= WARMUP_MS && !activity) {
        measureFrom = { at: performance.now(), delivered: receiver.arrived.size };
        Object.assign(cpu0, cpuSnapshot(ctx.lastroPid));
        activity = activitySampler(ctx.admin, ctx.dbName);
      }
      const ids = Array.from({ length: count }, () => randomUUID());
      const ns = ids.map(() => ++seq);
      const sent = performance.now();
      try {
        await db.query(INSERT_SQL, [org.orgId, ids, ns]);
      } catch (err) {
        insertErrors += 1;
        if (insertErrors === 1) say(`  insert failed: ${(err as Error).message}`);
        return;
      }
      const committed = performance.now();
      commitMs.push(committed - sent);
      inserted += count;
      for (const id of ids) {
        receiver.expect.set(id, committed);
        if (receiver.early.delete(id)) receiver.arrived.add(id);
        else if (elapsed >= WARMUP_MS) receiver.measured.add(id);
      }
    });
    const cpu1 = cpuSnapshot(ctx.lastroPid);
    // Delivery rate over the measured load: the rate the relay sustains if it falls behind.
    const deliveredRate = round((receiver.arrived.size - measureFrom.delivered) / ((cpu1.at - measureFrom.at) / 1000), 0);
    const pgActivity = activity ? await activity() : undefined;
    say(`  inserted ${inserted} (${round(inserted / run.seconds, 0)}/s); draining…`);
    const drain0 = performance.now();
    while (receiver.arrived.size < inserted && performance.now() - drain0 < DRAIN_TIMEOUT_MS) await sleep(20);
    const drainMs = performance.now() - drain0;
    const relay = { samples: receiver.latencies.length, stats: percentiles(receiver.latencies) };
    const delivered = receiver.arrived.size;
    const { duplicates } = receiver;
    // Requests for ids never inserted (arrived early and never expected).
    const unknown = receiver.early.size;
    say(`  delivered ${delivered} / ${inserted}; latency p50 ${relay.stats.p50_ms} ms, p99 ${relay.stats.p99_ms} ms, max ${relay.stats.max_ms} ms`);
    await sleep(500); // the last attempts' records
    const { rows: statuses } = await ctx.db.query<{ status: string; attempts: number; n: string }>(
      `select status, attempts, count(*) as n from event_deliveries where subscription_id = $1 group by 1, 2 order by 1, 2`,
      [sub.id],
    );
    await lastro.call('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`, undefined, org.token);

    say(`webhook baseline: this process POSTs to the same receiver at ${rate}/s over keep-alive HTTP…`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const [sample] = await envelopes(db, org.orgId).then((l) => l.slice(0, 1));
    const body = sample?.json ?? '{}';
    receiver.expect.clear();
    receiver.arrived.clear();
    receiver.measured.clear();
    receiver.latencies = [];
    receiver.early.clear();
    receiver.duplicates = 0;
    let baselineErrors = 0;
    const post = (id: string) =>
      new Promise<void>((resolve) => {
        receiver.expect.set(id, performance.now());
        const req = http.request(receiver.url, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'webhook-id': id },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', () => {
          baselineErrors += 1;
          resolve();
        });
        req.end(body);
      });
    const bRun = await steady(rate, total, async (count, elapsed) => {
      const ids = Array.from({ length: count }, () => randomUUID());
      if (elapsed >= WARMUP_MS) for (const id of ids) receiver.measured.add(id);
      await Promise.all(ids.map(post));
    });
    agent.destroy();
    const bare = { samples: receiver.latencies.length, stats: percentiles(receiver.latencies) };
    say(`  p50 ${bare.stats.p50_ms} ms, p99 ${bare.stats.p99_ms} ms, max ${bare.stats.max_ms} ms`);

    return {
      rate_per_s: rate,
      seconds,
      warmup_s: WARMUP_MS / 1000,
      inserted,
      insert_transactions_failed: insertErrors,
      achieved_insert_rate_per_s: round(inserted / run.seconds, 0),
      insert_commit_ms: percentiles(commitMs),
      delivered,
      delivered_per_s_during_load: deliveredRate,
      duplicates,
      unexpected_requests: unknown,
      latency_from_commit: { samples: relay.samples, ...relay.stats },
      drain_ms_after_last_insert: round(drainMs, 0),
      delivery_log: statuses.map((s) => ({ status: s.status, attempts: s.attempts, count: Number(s.n) })),
      cores_used: coresUsed(cpu0, cpu1),
      pg_activity: pgActivity,
      baseline_direct_http: { requests: bRun.issued, errors: baselineErrors, samples: bare.samples, ...bare.stats },
      added_p99_ms: round(relay.stats.p99_ms - bare.stats.p99_ms, 2),
    };
  } finally {
    await receiver.close();
  }
}

// ---- phase 3: outbox → batch files ----

async function filePhase(ctx: PhaseContext, filled: number): Promise<Record<string, unknown>> {
  const { lastro, db } = ctx;
  const org = await newOrg(lastro, 'files');
  say(`files: filling the outbox with ${filled} events for ${org.orgId}…`);
  const n = await fill(db, org.orgId, filled);
  say(`files: subscription with start_after=earliest, roll_bytes ${ROLL_BYTES}, roll_seconds 1; timing until every event is in a listed file…`);
  const cpu0 = cpuSnapshot(ctx.lastroPid);
  const wall0 = Date.now();
  const t0 = performance.now();
  const sub = await lastro.call(
    'POST',
    '/lastro/v1/event-subscriptions',
    { sink: { type: 'file', roll_seconds: 1, roll_bytes: ROLL_BYTES }, start_after: 'earliest' },
    org.token,
  );
  type FileRow = { count: number; bytes: number; created_at: string; name: string };
  let files: FileRow[] = [];
  const deadline = t0 + Math.max(120_000, n * 2);
  for (;;) {
    const page = await lastro.call('GET', `/lastro/v1/event-files?subscription_id=${sub.id}&limit=1000`, undefined, org.token);
    files = page.items as FileRow[];
    if (files.reduce((s, f) => s + f.count, 0) >= n) break;
    if (performance.now() > deadline) throw new Error(`files: only ${files.reduce((s, f) => s + f.count, 0)} of ${n} events in files`);
    await sleep(50);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cores = coresUsed(cpu0, cpuSnapshot(ctx.lastroPid));
  const written = files.reduce((s, f) => s + f.count, 0);
  const compressed = files.reduce((s, f) => s + f.bytes, 0);
  // The last file closes by time (roll_seconds) after the last event: the writer is idle then.
  // The steady rate counts the events in every file but the last, up to the close of the one
  // before it (the server's clock; same machine).
  const sorted = [...files].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  const beforeLast = sorted.at(-2);
  const steadyRate = beforeLast ? round((written - sorted.at(-1)!.count) / ((Date.parse(beforeLast.created_at) - wall0) / 1000), 0) : null;
  await lastro.call('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`, undefined, org.token);

  const lines = (await envelopes(db, org.orgId)).map((e) => `${e.json}\n`);
  const ndjsonBytes = lines.reduce((s, l) => s + Buffer.byteLength(l), 0);
  const mbps = (bytes: number, s: number) => round(bytes / s / 1e6, 1);
  say(`  ${round(written / seconds, 0)} events/s to the last file listed (${round(seconds, 2)} s, ${files.length} files); steady ${steadyRate ?? '–'} events/s`);

  say('files baseline: this process gzip-writes the same NDJSON lines, same roll size, fsync + rename per file…');
  const dir = makeTempDir('lastro-bench-files-');
  const b0 = performance.now();
  let baselineCompressed = 0;
  let index = 0;
  for (let i = 0; i < lines.length; ) {
    const part = join(dir, `${index++}.ndjson.gz.part`);
    const gzip = createGzip();
    const hash = createHash('sha256');
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        baselineCompressed += chunk.length;
        done(null, chunk);
      },
    });
    const writtenP = pipeline(gzip, counter, createWriteStream(part));
    let bytes = 0;
    while (i < lines.length && bytes < ROLL_BYTES) {
      const line = lines[i++]!;
      bytes += Buffer.byteLength(line);
      if (!gzip.write(line)) await new Promise<void>((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await writtenP;
    const handle = await open(part, 'r+');
    await handle.sync();
    await handle.close();
    await rename(part, part.slice(0, -'.part'.length));
    hash.digest('hex');
  }
  const bs = (performance.now() - b0) / 1000;
  removeTempDir(dir);
  const bare = round(n / bs, 0);
  say(`  ${bare} events/s (${round(bs, 2)} s)`);
  const headline = steadyRate ?? round(written / seconds, 0);
  return {
    events: n,
    files: files.length,
    events_in_files: written,
    ndjson_bytes: ndjsonBytes,
    compressed_bytes: compressed,
    compression_ratio: compressed ? round(ndjsonBytes / compressed, 1) : null,
    seconds_to_last_file_listed: round(seconds, 2),
    events_per_s_to_last_file_listed: round(written / seconds, 0),
    steady_events_per_s: steadyRate,
    steady_ndjson_mb_per_s: steadyRate ? round((steadyRate * ndjsonBytes) / n / 1e6, 1) : null,
    cores_used: cores,
    baseline_gzip_write: {
      events_per_s: bare,
      ndjson_mb_per_s: mbps(ndjsonBytes, bs),
      compressed_bytes: baselineCompressed,
      seconds: round(bs, 2),
    },
    ratio_to_baseline: bare ? round(headline / bare, 3) : null,
  };
}

// ---- context ----

interface PhaseContext {
  lastro: Api;
  /** The bench's own pool on the throwaway database (superuser: row-level security does not apply). */
  db: pg.Pool;
  /** On the server's maintenance database, for pg_stat_activity and dropping the database. */
  admin: pg.Pool;
  dbName: string;
  lastroPid: number;
}

function pgbench(url: string): Promise<{ tps: number | null; note?: string }> {
  const runIt = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('pgbench', args, { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
    );
  return (async () => {
    try {
      await runIt(['-i', '-q', '-s', '2', url]);
      const out = await runIt(['-c', '4', '-j', '2', '-T', '5', '-n', url]);
      const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
      return { tps: m ? round(Number(m[1]), 0) : null };
    } catch (err) {
      return { tps: null, note: (err as Error).message.split('\n')[0] ?? 'pgbench failed' };
    }
  })();
}

async function natsProbe(url: string): Promise<{ nc?: NatsConnection; skipped?: string }> {
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ servers: url, name: 'lastro-bench', timeout: 2000, maxReconnectAttempts: 0 });
    const jsm = await nc.jetstreamManager();
    await jsm.getAccountInfo();
    return { nc };
  } catch (err) {
    await nc?.close().catch(() => {});
    return { skipped: `NATS with JetStream not reachable at ${url}: ${(err as Error).message}` };
  }
}

async function run(args: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(args, { events: 100_000, seconds: 20, rate: 1000 });
  for (const name of ['events', 'rate']) if (!Number.isInteger(opts[name])) throw new UsageError(`--${name} must be a whole number`);
  const n = opts.events!;
  const seconds = opts.seconds!;
  const rate = opts.rate!;
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > 0.5) say(`load average is ${loadAtStart.toFixed(2)}: other work on this machine may skew the figures`);

  const admin = new pg.Pool({ connectionString: serverUrl, max: 2, application_name: 'lastro-bench' });
  let pgVersion: string;
  try {
    pgVersion = (await admin.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
  } catch (err) {
    await admin.end().catch(() => {});
    throw new Error(
      `the events benchmark needs PostgreSQL 15+, and ${serverUrl.replace(/\/\/[^@]*@/, '//…@')} did not answer (${(err as Error).message}). ` +
        'Set DATABASE_URL to a server where this user may create databases.',
    );
  }
  const dbName = `lastro_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = (() => {
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  await admin.query(`create database ${dbName}`);
  say(`PostgreSQL ${pgVersion}; throwaway database ${dbName}`);
  const db = new pg.Pool({ connectionString: dbUrl, max: 4, application_name: 'lastro-bench' });
  const nats = await natsProbe(natsUrl);
  if (nats.skipped) say(`nats: skipped (${nats.skipped})`);
  const tmp = makeTempDir('lastro-bench-events-');
  let server: Child | undefined;
  try {
    let pgbenchResult: Awaited<ReturnType<typeof pgbench>> | { skipped: string };
    if (await new Promise<boolean>((resolve) => execFile('pgbench', ['--version'], (err) => resolve(!err)))) {
      say('pgbench: 5 s, 4 clients, scale 2 (general PostgreSQL baseline on this machine)…');
      pgbenchResult = await pgbench(dbUrl);
      await db.query('drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers');
      say(`  ${pgbenchResult.tps ?? '–'} tps`);
    } else pgbenchResult = { skipped: 'pgbench is not installed' };

    let relayStreamExisted = false;
    if (nats.nc) {
      const jsm = await nats.nc.jetstreamManager();
      relayStreamExisted = await jsm.streams.info(RELAY_STREAM).then(
        () => true,
        () => false,
      );
    }

    const port = await freePort();
    const adminToken = `bench-${randomBytes(16).toString('hex')}`;
    server = spawnNode('lastro', [...lastroNodeArgs(), 'bin/lastro.mjs', 'start'], {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      LASTRO_DATA_DIR: join(tmp, 'data'),
      LASTRO_EVENTS_DIR: join(tmp, 'events'),
      LASTRO_ADMIN_TOKEN: adminToken,
      LASTRO_WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'warn',
      ...(nats.nc ? { NATS_URL: natsUrl } : { NATS_URL: '' }),
    });
    const base = `http://127.0.0.1:${port}`;
    say(`starting lastro on ${dbName} (migrations)…`);
    await waitFor200(server, `${base}/ready`);
    const ctx: PhaseContext = { lastro: api(base, adminToken), db, admin, dbName, lastroPid: server.pid };

    const natsResult = nats.nc ? await natsPhase(ctx, nats.nc, n, relayStreamExisted) : { skipped: nats.skipped };
    const webhook = await webhookPhase(ctx, rate, seconds);
    const files = await filePhase(ctx, n);
    const rss = rssMb(server.pid, 'VmHWM');
    const exit = await stopChild(server);
    if (exit !== 0) say(`lastro exited with ${exit} after SIGTERM (expected 0)`);

    const natsRate = 'events_per_s' in natsResult ? (natsResult.events_per_s as number) : undefined;
    const p99 = (webhook.latency_from_commit as { p99_ms: number }).p99_ms;
    const met = {
      nats_events_per_s: natsRate === undefined ? null : natsRate >= TARGETS.nats_events_per_s,
      webhook_p99_ms: p99 < TARGETS.webhook_p99_ms,
      webhook_all_delivered: webhook.delivered === webhook.inserted,
    };
    return {
      benchmark: 'events',
      engine: 'postgres',
      postgres: pgVersion,
      node: process.version,
      cpus: cpus().length,
      load_avg_1m_at_start: round(loadAtStart, 2),
      pgbench: pgbenchResult,
      nats: natsResult,
      webhook,
      files,
      lastro_rss_peak_mb: rss,
      lastro_sigterm_exit: exit,
      targets: TARGETS,
      met: { ...met, all: Object.values(met).every((v) => v !== false) },
    };
  } finally {
    if (server) await stopChild(server);
    await nats.nc?.close().catch(() => {});
    await db.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch((err: unknown) => say(`could not drop ${dbName}: ${(err as Error).message}`));
    await admin.end().catch(() => {});
    removeTempDir(tmp);
  }
}

export const eventsBenchmark: Benchmark = {
  summary: 'event relay on PostgreSQL: outbox → NATS JetStream, webhooks at a steady rate (latency), batch files',
  options: [
    '--events N    events pre-filled for the NATS and batch-file runs (default 100000)',
    '--seconds N   seconds of steady webhook load, after 2 s of warm-up (default 20)',
    '--rate N      webhook events per second (default 1000)',
  ],
  run,
};
