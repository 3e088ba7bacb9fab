// Webhook subscriptions end to end: signed deliveries a Standard Webhooks library accepts,
// filters, retries with backoff, dead letter and redelivery, the attempt log, auto-disable with
// its event, the outbound address policy, and the subscription API's rules.
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusal, createWebhookSender, retryDelayMs, webhookSignature } from '../../src/modules/events/sinks/webhook-http.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant } from '../helpers/fixture.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

let app: TestApp;
let org: TestOrg;
let token: string;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  ({ app, org, token } = await setupTenant({
    start: true,
    clockStart: new Date(),
    env: {
      LASTRO_WEBHOOK_ALLOW_PRIVATE: 'true',
      LASTRO_RELAY_POLL_MS: '20',
      LASTRO_WEBHOOK_RETRY_BASE_MS: '1000',
      LASTRO_WEBHOOK_RETRY_WINDOW_SECONDS: '10',
      LASTRO_WEBHOOK_DISABLE_AFTER: '5',
      LASTRO_WEBHOOK_DISABLE_AFTER_SECONDS: '0',
      // Long enough for the local receiver on a loaded machine; the timeout tests set their own.
      LASTRO_WEBHOOK_TIMEOUT_MS: '5000',
    },
  }));
});
// Each test starts with no subscription, whatever the one before left.
afterEach(async () => {
  const list = (await api('GET', '/lastro/v1/event-subscriptions?limit=100')).json();
  for (const s of list.items) await api('DELETE', `/lastro/v1/event-subscriptions/${s.id}`);
  receiver.respond = () => 200;
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, tok = token) =>
  app.http.inject({ method, url, headers: bearer(tok), ...(payload ? { payload } : {}) });

/** Renames the org: one org-updated event. */
const rename = async (name: string) => {
  const res = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: { ...bearer(token, org.orgId), 'x-cid': `cid-${name.replace(/\W/g, '-')}` }, payload: { org_name: name } });
  expect(res.statusCode, res.body).toBe(200);
};

const subscribe = async (body: object) => {
  const res = await api('POST', '/lastro/v1/event-subscriptions', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
};

const eventOf = (r: { body: string }) => JSON.parse(r.body);

/** Polls the delivery log until `pred` holds. */
async function until<T>(read: () => Promise<T>, pred: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (pred(v)) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const deliveries = async (subId: string, q = '') => (await api('GET', `/lastro/v1/event-subscriptions/${subId}/deliveries${q}`)).json();

describe('webhook delivery', () => {
  it('delivers each event as a signed POST that the Standard Webhooks library verifies', async () => {
    receiver.respond = () => 200;
    const sub = await subscribe({ description: 'all org events', filter: { domains: ['org'] }, sink: { type: 'webhook', url: receiver.url } });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(sub.status).toBe('active');
    const fetched = (await api('GET', `/lastro/v1/event-subscriptions/${sub.id}`)).json();
    expect(fetched.secret).toBeUndefined();
    expect(fetched.sink).toEqual({ type: 'webhook', url: receiver.url });

    await rename('Hooked 1');
    await rename('Hooked 2');
    const got = await receiver.waitFor(2, (r) => eventOf(r).data?.org_name?.startsWith('Hooked'));
    const wh = new Webhook(sub.secret);
    for (const r of got) {
      const verified = wh.verify(r.body, r.headers as Record<string, string>) as { event_id: string };
      expect(r.headers['webhook-id']).toBe(verified.event_id);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // Commit order, Pismo's envelope, the cid of the request.
    expect(got.map((r) => eventOf(r).data.org_name)).toEqual(['Hooked 1', 'Hooked 2']);
    expect(Object.keys(eventOf(got[0]!)).sort()).toEqual(['cid', 'data', 'domain', 'event_id', 'event_type', 'org_id', 'schema_version', 'timestamp']);
    expect(eventOf(got[0]!).cid).toBe('cid-Hooked-1');

    // A tampered body fails verification.
    expect(() => wh.verify(got[0]!.body.replace('Hooked', 'Hacked'), got[0]!.headers as Record<string, string>)).toThrow();

    const log = await until(() => deliveries(sub.id), (d) => d.items.length === 2 && d.items.every((i: any) => i.status === 'succeeded'), 'two successes');
    expect(log.items[0]).toMatchObject({ status: 'succeeded', attempts: 1, event_type: 'org-updated' });
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });

  it('sends only the events the filter names, and nothing from before the subscription', async () => {
    await rename('Before');
    const sub = await subscribe({ filter: { event_types: ['credential-created'] }, sink: { type: 'webhook', url: receiver.url } });
    const mark = receiver.received.length;
    await rename('Ignored');
    const cred = await api('POST', '/lastro/v1/credentials', { description: 'for the filter test' });
    expect(cred.statusCode, cred.body).toBe(201);
    const got = await receiver.waitFor(1, (r) => receiver.received.indexOf(r) >= mark);
    await new Promise((r) => setTimeout(r, 200));
    const after = receiver.received.slice(mark).map((r) => eventOf(r).event_type);
    expect(after).toEqual(['credential-created']);
    expect(eventOf(got[0]!).data.credential_id).toBe(cred.json().id);
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });

  it('retries a failing endpoint with backoff, logs every attempt, and stops at the first success', async () => {
    const sub = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: receiver.url } });
    const mark = receiver.received.length;
    receiver.respond = (n) => (n === mark ? 503 : 200);
    await rename('Retry me');
    await receiver.waitFor(1, (r) => receiver.received.indexOf(r) >= mark);
    const pending = await until(() => deliveries(sub.id), (d) => d.items[0]?.attempts === 1, 'first attempt recorded');
    expect(pending.items[0]).toMatchObject({ status: 'pending', last_status_code: 503, last_error: 'HTTP 503' });
    // The retry is scheduled 0.8–1.2 s after the failure (LASTRO_WEBHOOK_RETRY_BASE_MS=1000, ±20 %).
    const waitMs = Date.parse(pending.items[0].next_attempt_at) - Date.parse(pending.items[0].updated_at);
    expect(waitMs).toBeGreaterThanOrEqual(800);
    expect(waitMs).toBeLessThanOrEqual(1200);
    expect(receiver.received.length).toBe(mark + 1); // nothing before it is due
    // Operators see it in /metrics.
    const metrics = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^lastro_event_deliveries_pending 1$/m);
    expect(metrics).toMatch(/^lastro_event_subscriptions\{status="active",sink="webhook"\} 1$/m);
    expect(metrics).toMatch(/^lastro_event_subscription_lag_events\{sink="webhook"\} 0$/m);
    app.clock.advance(1300);
    const done = await until(() => deliveries(sub.id), (d) => d.items[0]?.status === 'succeeded', 'retry succeeded');
    expect(done.items[0].attempts).toBe(2);
    const detail = (await api('GET', `/lastro/v1/event-subscriptions/${sub.id}/deliveries/${done.items[0].id}`)).json();
    expect(detail.attempt_log.map((a: any) => a.status_code)).toEqual([503, 200]);
    expect(detail.attempt_log[1].response_body).toBe('ok');
    expect(detail.event.data.org_name).toBe('Retry me');
    // Both requests carried the same webhook-id: the receiver dedupes on it.
    const ids = receiver.received.slice(mark).map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });

  it('dead-letters a delivery when the retry window closes; redeliver sends it again', async () => {
    const sub = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: receiver.url } });
    receiver.respond = () => 500;
    await rename('Dead letter');
    // Retries after ~1 s, ~2 s, ~4 s (±20 %); the next (~8 s) would pass the 10 s window: failed.
    for (let i = 0; i < 3; i++) {
      await until(() => deliveries(sub.id), (d) => d.items[0]?.attempts === i + 1, `attempt ${i + 1}`);
      app.clock.advance(1250 * 2 ** i);
    }
    const dead = await until(() => deliveries(sub.id, '?status=failed'), (d) => d.items.length === 1, 'dead letter');
    expect(dead.items[0]).toMatchObject({ status: 'failed', attempts: 4, last_status_code: 500 });
    expect(dead.items[0].next_attempt_at).toBeUndefined();

    receiver.respond = () => 204;
    const again = await api('POST', `/lastro/v1/event-subscriptions/${sub.id}/deliveries/${dead.items[0].id}/redeliver`);
    expect(again.statusCode, again.body).toBe(202);
    const ok = await until(() => deliveries(sub.id), (d) => d.items[0]?.status === 'succeeded', 'redelivered');
    expect(ok.items[0].attempts).toBe(5);
    const twice = await api('POST', `/lastro/v1/event-subscriptions/${sub.id}/deliveries/${dead.items[0].id}/redeliver`);
    expect(twice.statusCode).toBe(202);
    await until(() => deliveries(sub.id), (d) => d.items[0]?.attempts === 6, 'redelivered again');
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });

  it('disables the subscription after N failed attempts in a row, emits an event, and resumes when re-enabled', async () => {
    receiver.respond = () => 'hang'; // every attempt times out (200 ms)
    const sub = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: receiver.url, timeout_ms: 200 } });
    for (let i = 0; i < 5; i++) await rename(`Timeout ${i}`);
    const disabled = await until(
      async () => (await api('GET', `/lastro/v1/event-subscriptions/${sub.id}`)).json(),
      (s) => s.status === 'disabled',
      'auto-disable',
    );
    expect(disabled.consecutive_failures).toBe(5);
    expect(disabled.disabled_reason).toMatch(/5 failed attempts in a row; last: timed out after 200 ms/);
    const events = (await api('GET', '/lastro/v1/events?event_type=event-subscription-disabled')).json();
    expect(events.items.at(-1).data).toMatchObject({ subscription_id: sub.id, consecutive_failures: 5, url: receiver.url });
    const attempts = (await deliveries(sub.id)).items[0];
    const detail = (await api('GET', `/lastro/v1/event-subscriptions/${sub.id}/deliveries/${attempts.id}`)).json();
    expect(detail.attempt_log[0].error).toBe('timed out after 200 ms');

    // Events while disabled wait at the cursor; re-enabling delivers them and the pending retries.
    await rename('While disabled');
    receiver.respond = () => 200;
    const mark = receiver.received.length;
    const enabled = await api('PATCH', `/lastro/v1/event-subscriptions/${sub.id}`, { status: 'active' });
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(enabled.json()).toMatchObject({ status: 'active', consecutive_failures: 0 });
    expect(enabled.json().disabled_reason).toBeUndefined();
    const got = await receiver.waitFor(6, (r) => receiver.received.indexOf(r) >= mark);
    const names = new Set(got.map((r) => eventOf(r).data.org_name));
    expect(names).toEqual(new Set(['Timeout 0', 'Timeout 1', 'Timeout 2', 'Timeout 3', 'Timeout 4', 'While disabled']));
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });
});

describe('secret rotation', () => {
  it('signs with the new and the previous secret during the grace period, then with the new one only', async () => {
    const sub = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: receiver.url } });
    const rotated = await api('POST', `/lastro/v1/event-subscriptions/${sub.id}/rotate-secret`, { grace_seconds: 60 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret, previous_secret_valid_until } = rotated.json();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(sub.secret);
    expect(Date.parse(previous_secret_valid_until) - app.clock.now().getTime()).toBe(60_000);

    const mark = receiver.received.length;
    await rename('Rotated');
    const [during] = await receiver.waitFor(1, (r) => receiver.received.indexOf(r) >= mark);
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // A receiver on either secret accepts it.
    for (const s of [secret, sub.secret]) expect(() => new Webhook(s).verify(during!.body, during!.headers as Record<string, string>)).not.toThrow();

    app.clock.advance(61_000);
    await rename('After grace');
    const [after] = await receiver.waitFor(1, (r) => receiver.received.indexOf(r) > receiver.received.indexOf(during!));
    expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(secret).verify(after!.body, after!.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(sub.secret).verify(after!.body, after!.headers as Record<string, string>)).toThrow();

    const file = await subscribe({ sink: { type: 'file' } });
    const refused = await api('POST', `/lastro/v1/event-subscriptions/${file.id}/rotate-secret`);
    expect(refused.statusCode).toBe(400);
    // Refused for its sink, not for the body it went without.
    expect(refused.json().details).toEqual([{ field: 'params.id', reason: 'is not a webhook subscription' }]);
  });

  // The body is optional: none, or a zero-length one sent with a JSON content type, takes the default grace.
  it.each([
    ['no body', {}],
    ['an empty body with content-type application/json', { 'content-type': 'application/json' }],
  ])('rotates with %s: a day of grace', async (_label, headers) => {
    const sub = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: receiver.url } });
    const url = `/lastro/v1/event-subscriptions/${sub.id}/rotate-secret`;
    const res = await app.http.inject({ method: 'POST', url, headers: { ...bearer(token), ...headers }, payload: '' });
    expect(res.statusCode, res.body).toBe(200);
    expect(Date.parse(res.json().previous_secret_valid_until) - app.clock.now().getTime()).toBe(86_400_000);
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });
});

describe('a subscription deleted while its request is in flight', () => {
  it('drops that result quietly and keeps recording the others', async () => {
    receiver.respond = (_n, req) => (req.path.endsWith('/slow') ? 'hang' : 200);
    const slow = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: `${receiver.url}/slow`, timeout_ms: 500 } });
    const fast = await subscribe({ filter: { event_types: ['org-updated'] }, sink: { type: 'webhook', url: `${receiver.url}/fast` } });
    const mark = receiver.received.length;
    await rename('In flight');
    await receiver.waitFor(1, (r) => receiver.received.indexOf(r) >= mark && r.path.endsWith('/slow'));
    expect((await api('DELETE', `/lastro/v1/event-subscriptions/${slow.id}`)).statusCode).toBe(204);
    await new Promise((r) => setTimeout(r, 700)); // the slow request times out after its subscription is gone
    await rename('After');
    const done = await until(() => deliveries(fast.id), (d) => d.items.length === 2 && d.items.every((i: any) => i.status === 'succeeded'), 'fast deliveries');
    expect(done.items.map((i: any) => i.attempts)).toEqual([1, 1]);
    expect(app.logs.filter((l) => String(l.msg).startsWith('could not record webhook attempts'))).toEqual([]);
  });
});

describe('the subscription API', () => {
  it('names every bad field in one 400 and creates nothing', async () => {
    const res = await api('POST', '/lastro/v1/event-subscriptions', {
      filter: { domains: ['nope'], event_types: ['org-updated', 'no-such-event'] },
      sink: { type: 'webhook', url: 'ftp://example.com/x' },
      start_after: 'not-a-cursor',
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.filter.domains[0]', 'body.filter.event_types[1]', 'body.sink.url', 'body.start_after']);
    const nats = await api('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'nats' } });
    if (!app.platform.config.natsUrl) {
      expect(nats.statusCode).toBe(400);
      expect(nats.json().details[0].field).toBe('body.sink.type');
    }
    const list = (await api('GET', '/lastro/v1/event-subscriptions')).json();
    expect(list.items.filter((s: any) => s.sink.type === 'webhook')).toEqual([]);
  });

  it('refuses settings of another sink type on PATCH, and an unknown subscription is 404', async () => {
    const sub = await subscribe({ sink: { type: 'file' } });
    const res = await api('PATCH', `/lastro/v1/event-subscriptions/${sub.id}`, { url: 'https://example.com/x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0]).toMatchObject({ field: 'body.url', reason: 'applies to webhook sinks only' });
    const missing = await api('GET', '/lastro/v1/event-subscriptions/3b0d7a1e-9f0c-4a56-8a35-6c1f3f1bb0d2');
    expectError(missing, 404, 'EVENT_SUBSCRIPTION_NOT_FOUND');
    expect((await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/lastro/v1/event-subscriptions/${sub.id}`)).statusCode).toBe(404);
  });

  it('replays the same answer, secret included, for a retried create with the same Idempotency-Key', async () => {
    const headers = { ...bearer(token), 'idempotency-key': 'sub-create-1' };
    const body = { sink: { type: 'webhook', url: receiver.url } };
    const a = await app.http.inject({ method: 'POST', url: '/lastro/v1/event-subscriptions', headers, payload: body });
    const b = await app.http.inject({ method: 'POST', url: '/lastro/v1/event-subscriptions', headers, payload: body });
    expect(a.statusCode).toBe(201);
    expect(b.json()).toEqual(a.json());
    const all = (await api('GET', '/lastro/v1/event-subscriptions?limit=100')).json();
    expect(all.items.filter((s: any) => s.id === a.json().id)).toHaveLength(1);
    await api('DELETE', `/lastro/v1/event-subscriptions/${a.json().id}`);
  });

  it('pages the list with next_cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await subscribe({ description: `page ${i}`, sink: { type: 'file' } })).id);
    const first = (await api('GET', '/lastro/v1/event-subscriptions?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.has_next).toBe(true);
    const second = (await api('GET', `/lastro/v1/event-subscriptions?limit=2&after=${first.next_cursor}`)).json();
    const seen = [...first.items, ...second.items].map((s: any) => s.id);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(second.has_next).toBe(false);
    for (const id of ids) await api('DELETE', `/lastro/v1/event-subscriptions/${id}`);
  });

  it("does not show one org's subscription to another org", async () => {
    const sub = await subscribe({ sink: { type: 'file' } });
    const other = await createOrg(app);
    const otherToken = await tokenFor(app, other);
    for (const [m, url] of [
      ['GET', `/lastro/v1/event-subscriptions/${sub.id}`],
      ['PATCH', `/lastro/v1/event-subscriptions/${sub.id}`],
      ['DELETE', `/lastro/v1/event-subscriptions/${sub.id}`],
      ['GET', `/lastro/v1/event-subscriptions/${sub.id}/deliveries`],
    ] as const) {
      const res = await api(m, url, m === 'PATCH' ? { description: 'x' } : undefined, otherToken);
      expect(res.statusCode, `${m} ${url}`).toBe(404);
    }
    expect((await api('GET', '/lastro/v1/event-subscriptions', undefined, otherToken)).json().items).toEqual([]);
    expect((await api('GET', `/lastro/v1/event-subscriptions/${sub.id}`)).statusCode).toBe(200);
    await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`);
  });
});

describe('outbound policy and signing', () => {
  it('refuses private, loopback, link-local and other non-public addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1']) {
      expect(addressRefusal(a), a).toBeDefined();
    }
    for (const a of ['8.8.8.8', '203.0.114.7', '2001:4860:4860::8888']) expect(addressRefusal(a), a).toBeUndefined();
  });

  it('refuses such URLs at registration unless LASTRO_WEBHOOK_ALLOW_PRIVATE is set', async () => {
    const strict = await testApp({});
    try {
      const o = await createOrg(strict);
      const t = await tokenFor(strict, o);
      for (const url of ['http://127.0.0.1:9/x', 'http://[::1]/x', 'http://localhost:8080/x', 'http://169.254.169.254/latest', 'https://user:pw@example.com/x']) {
        const res = await strict.http.inject({ method: 'POST', url: '/lastro/v1/event-subscriptions', headers: bearer(t), payload: { sink: { type: 'webhook', url } } });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().details[0].field).toBe('body.sink.url');
      }
      const ok = await strict.http.inject({ method: 'POST', url: '/lastro/v1/event-subscriptions', headers: bearer(t), payload: { sink: { type: 'webhook', url: 'https://hooks.example.com/lastro' } } });
      expect(ok.statusCode, ok.body).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it('refuses at connection time a host name that resolves to a loopback address', async () => {
    const sender = createWebhookSender({ allowPrivate: false, userAgent: 'test' });
    try {
      const before = receiver.received.length;
      const r = await sender.send({ url: `http://localhost:${receiver.port}/x`, id: 'msg_1', body: '{}', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], timeoutMs: 1000, timestampSeconds: 1 });
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
      expect(receiver.received.length).toBe(before);
    } finally {
      sender.close();
    }
  });

  it('signs as the Standard Webhooks reference implementation does', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const wh = new Webhook(secret);
    const at = new Date(1_614_265_330_000);
    const body = '{"test": 2432232314}';
    expect(webhookSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1_614_265_330, body)).toBe(wh.sign('msg_p5jXN8AQM9LWM0D4loKWxJek', at, body));
  });

  it('backs off exponentially with ±20 % jitter, at most an hour', () => {
    expect(retryDelayMs(1, 5000, 0.5)).toBe(5000);
    expect(retryDelayMs(2, 5000, 0.5)).toBe(10_000);
    expect(retryDelayMs(5, 5000, 0)).toBe(64_000);
    expect(retryDelayMs(5, 5000, 0.999_999)).toBe(96_000);
    expect(retryDelayMs(30, 5000, 0.5)).toBe(3_600_000);
  });
});
