// At-least-once delivery under failure, on PostgreSQL with the real process: during a burst of
// committed and rolled-back changes, the webhook receiver is killed and restarted and Lastro
// itself is killed with SIGKILL and started again. Afterwards every committed event has reached
// every sink (webhook, NATS JetStream when NATS_URL is set, batch files), and no event of a
// rolled-back transaction has reached any.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AckPolicy, connect, DeliverPolicy, StringCodec } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { natsNames } from '../../src/modules/events/sinks/nats.js';
import { ADMIN_TOKEN } from '../helpers/auth.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { httpCall } from '../helpers/http.js';
import { runLastro, type LastroProcess } from '../helpers/process.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const NATS_URL = process.env.NATS_URL;
// This run's own stream and subjects: other deployments (and parallel runs) share the NATS server.
const NATS_PREFIX = `t${process.pid}${Math.random().toString(36).slice(2, 8)}`;
const { stream: NATS_STREAM, root: NATS_ROOT } = natsNames(NATS_PREFIX);
let db: TestDatabase;
let pool: pg.Pool;
let eventsDir: string;
const running: LastroProcess[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.databaseUrl, max: 4 });
  eventsDir = mkdtempSync(join(tmpdir(), 'lastro-reliability-'));
});
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  await pool?.end();
  await db?.drop();
  rmSync(eventsDir, { recursive: true, force: true });
  if (NATS_URL) {
    // The run's own stream goes with it: a shared NATS server keeps no leftovers.
    const nc = await connect({ servers: NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(NATS_STREAM).catch(() => false);
    await nc.close();
  }
});

async function startLastro(): Promise<string> {
  const p = runLastro(['start'], {
    DATABASE_URL: db.databaseUrl,
    LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
    LASTRO_EVENTS_DIR: eventsDir,
    LASTRO_WEBHOOK_ALLOW_PRIVATE: 'true',
    LASTRO_WEBHOOK_RETRY_BASE_MS: '200',
    LASTRO_WEBHOOK_TIMEOUT_MS: '1000',
    LASTRO_RELAY_POLL_MS: '50',
    LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0',
    LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '0',
    ...(NATS_URL ? { NATS_URL, LASTRO_NATS_PREFIX: NATS_PREFIX } : {}),
  });
  running.push(p);
  return p.started();
}

/** Through node:http, so a request cut short by the kill fails its own promise (helpers/http.ts). */
const call = (base: string, method: string, path: string, body?: unknown, token?: string) =>
  httpCall(base, method, path, body, { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });

/** `n` renames through the API, 6 at a time; requests that fail (the process was killed) are ignored. */
async function apiBurst(base: () => string, token: string, orgId: string, n: number, label: string): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      await httpCall(base(), 'PATCH', '/orgs-core/v1/orgs', { org_name: `${label} ${i}` }, { authorization: `Bearer ${token}`, 'x-tenant': orgId }).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
}

/** `n` transactions writing one event each straight into the outbox; every other one rolls back. */
async function sqlBurst(orgId: string, n: number, rolledBack: Set<string>): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const c = await pool.connect();
    try {
      await c.query('begin');
      await c.query(
        `insert into event_outbox (org_id, event_id, domain, event_type, schema_version, cid, occurred_at, data)
         values ($1, $2, 'org', 'org-updated', 1, null, now(), $3)`,
        [orgId, id, JSON.stringify({ org_id: orgId, org_name: `sql ${i}`, status: 'ACTIVE', sandbox: false })],
      );
      if (i % 2 === 0) {
        await c.query('rollback');
        rolledBack.add(id);
      } else await c.query('commit');
    } finally {
      c.release();
    }
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('delivers every committed event to every sink, and nothing rolled back, through a dead receiver and kill -9', async () => {
  // The receiver restarts on the same port: take one below the ephemeral range (32768+), so that
  // no socket other tests bind to port 0 can take it while the receiver is down.
  let receiver: Receiver | undefined;
  for (let tries = 0; !receiver; tries++) {
    receiver = await startReceiver(20_000 + Math.floor(Math.random() * 10_000)).catch((err: unknown) => {
      if (tries > 20) throw err;
      return undefined;
    });
  }
  const port = receiver.port;
  const webhookIds = new Set<string>();
  let webhookRequests = 0;
  const collect = (r: Receiver) => {
    r.respond = (_n, req) => {
      webhookRequests += 1;
      webhookIds.add(String(req.headers['webhook-id']));
      return 200;
    };
  };
  collect(receiver);

  let base = await startLastro();
  const created = await call(base, 'POST', '/lastro/v1/orgs', {
    official_name: 'Reliability Ltda',
    org_name: 'Reliability',
    document_number: '12345678000199',
    responsible: 'ops@example.com',
    currency_numeric_code: '986',
    timezone: 'America/Sao_Paulo',
    country_code: 'BRA',
  }, ADMIN_TOKEN);
  expect(created.status).toBe(201);
  const orgId: string = created.json.org.id;
  const tok = await call(base, 'POST', '/passport/v2/s2s/access-token', {
    server_key: created.json.credential.server_key,
    server_secret: created.json.credential.server_secret,
  });
  const token: string = tok.json.token;
  const sinks: object[] = [{ type: 'webhook', url: receiver.url }, { type: 'file', roll_seconds: 1 }];
  if (NATS_URL) sinks.push({ type: 'nats' });
  const subs: Record<string, string> = {};
  for (const sink of sinks) {
    const res = await call(base, 'POST', '/lastro/v1/event-subscriptions', { sink, start_after: 'earliest' }, token);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    subs[(sink as { type: string }).type] = res.json.id;
  }

  // Phase 1: a burst; the receiver dies and comes back; Lastro is killed with SIGKILL mid-burst.
  const rolledBack = new Set<string>();
  const burst1 = Promise.all([apiBurst(() => base, token, orgId, 200, 'burst1'), sqlBurst(orgId, 200, rolledBack)]);
  await new Promise((r) => setTimeout(r, 300));
  await receiver.close(); // the sink dies mid-delivery
  await new Promise((r) => setTimeout(r, 700));
  running[0]!.proc.kill('SIGKILL');
  await running[0]!.exited;
  await new Promise((r) => setTimeout(r, 500));
  receiver = await startReceiver(port);
  collect(receiver);
  await burst1;

  // Phase 2: Lastro again on the same database; more changes.
  base = await startLastro();
  await Promise.all([apiBurst(() => base, token, orgId, 100, 'burst2'), sqlBurst(orgId, 100, rolledBack)]);

  const { rows } = await pool.query<{ event_id: string }>('select event_id from event_outbox_events where org_id = $1', [orgId]);
  const committed = new Set(rows.map((r) => r.event_id));
  expect(committed.size).toBeGreaterThan(150);
  for (const id of rolledBack) expect(committed.has(id)).toBe(false);

  const missing = (got: Set<string>) => [...committed].filter((id) => !got.has(id));

  await waitUntil('every committed event at the webhook receiver', async () => missing(webhookIds).length === 0);

  const fileIds = new Set<string>();
  await waitUntil('every committed event in a batch file', async () => {
    const list = await call(base, 'GET', `/lastro/v1/event-files?subscription_id=${subs.file}&limit=1000`, undefined, token);
    fileIds.clear();
    for (const f of list.json.items) {
      const res = await fetch(`${base}/lastro/v1/event-files/${f.id}/content`, { headers: { authorization: `Bearer ${token}` } });
      const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) fileIds.add(JSON.parse(line).event_id);
    }
    return missing(fileIds).length === 0;
  });

  const natsIds = new Set<string>();
  if (NATS_URL) {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      await waitUntil('every committed event in JetStream', async () => {
        const consumer = await jsm.consumers.add(NATS_STREAM, {
          filter_subject: `${NATS_ROOT}.${orgId}.>`,
          ack_policy: AckPolicy.None,
          deliver_policy: DeliverPolicy.All,
        });
        const c = await nc.jetstream().consumers.get(NATS_STREAM, consumer.name);
        const sc = StringCodec();
        for (;;) {
          const batch = await c.fetch({ max_messages: 1000, expires: 1000 });
          let n = 0;
          for await (const m of batch) {
            n += 1;
            natsIds.add(JSON.parse(sc.decode(m.data)).event_id);
          }
          if (n === 0) break;
        }
        await jsm.consumers.delete(NATS_STREAM, consumer.name);
        return missing(natsIds).length === 0;
      });
    } finally {
      await nc.close();
    }
  }

  for (const [sink, ids] of [['webhook', webhookIds], ['file', fileIds], ...(NATS_URL ? [['nats', natsIds] as const] : [])] as const) {
    expect(missing(ids), `${sink}: missing committed events`).toEqual([]);
    expect([...ids].filter((id) => rolledBack.has(id)), `${sink}: rolled-back events`).toEqual([]);
    expect([...ids].filter((id) => !committed.has(id)), `${sink}: events that were never committed`).toEqual([]);
  }
  // The failures really happened: attempts failed while the receiver was down, and changes
  // committed both before the kill and after the restart.
  const failed = await pool.query<{ n: string }>('select count(*) as n from event_delivery_attempts where org_id = $1 and error is not null', [orgId]);
  expect(Number(failed.rows[0]!.n)).toBeGreaterThan(0);
  const names = await pool.query<{ label: string; n: string }>(
    `select split_part(data->>'org_name', ' ', 1) as label, count(*) as n from event_outbox_events where org_id = $1 group by 1`,
    [orgId],
  );
  const byLabel = Object.fromEntries(names.rows.map((r) => [r.label, Number(r.n)]));
  expect(byLabel.burst1).toBeGreaterThan(0);
  expect(byLabel.burst2).toBe(100);
  // At least once: a few events may have arrived twice (the receiver or the process died
  // between sending and recording); each carried the same webhook-id.
  expect(webhookRequests).toBeGreaterThanOrEqual(committed.size);
  await receiver.close();
}, 180_000);
