// NATS JetStream sink against a real NATS server (NATS_URL; skipped without it): subjects
// <prefix>.lastro.<org_id>.<domain>.<event_type> (a prefix of the run's own), Nats-Msg-Id = event_id, commit order, stream created.
import { AckPolicy, connect, DeliverPolicy, StringCodec, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsNames } from '../../src/modules/events/sinks/nats.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, type TestOrg } from '../helpers/auth.js';
import { setupTenant } from '../helpers/fixture.js';

const NATS_URL = process.env.NATS_URL;
// This run's own stream and subjects: other deployments (and parallel runs) share the NATS server.
const NATS_PREFIX = `t${process.pid}${Math.random().toString(36).slice(2, 8)}`;
const { stream: NATS_STREAM, root: NATS_ROOT } = natsNames(NATS_PREFIX);
const sc = StringCodec();

describe.skipIf(!NATS_URL)('NATS JetStream sink', () => {
  let app: TestApp;
  let org: TestOrg;
  let token: string;
  let nc: NatsConnection;

  beforeAll(async () => {
    ({ app, org, token } = await setupTenant({ start: true, env: { LASTRO_RELAY_POLL_MS: '20', NATS_URL: NATS_URL!, LASTRO_NATS_PREFIX: NATS_PREFIX } }));
    nc = await connect({ servers: NATS_URL! });
  });
  afterAll(async () => {
    await app?.close();
    // The run's own stream goes with it: a shared NATS server keeps no leftovers.
    await (await nc?.jetstreamManager())?.streams.delete(NATS_STREAM).catch(() => false);
    await nc?.close();
  });

  it('publishes every event of the filter, in commit order, with Nats-Msg-Id = event_id', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/event-subscriptions',
      headers: bearer(token),
      payload: { sink: { type: 'nats' }, filter: { domains: ['org'] }, start_after: 'earliest' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().sink.subject_prefix).toBe(`${NATS_ROOT}.${org.orgId}`);
    for (const name of ['N1', 'N2']) {
      const r = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { org_name: name } });
      expect(r.statusCode).toBe(200);
    }
    const expected = (await app.http.inject({ method: 'GET', url: '/lastro/v1/events?domain=org', headers: bearer(token) })).json().items;
    expect(expected).toHaveLength(4); // org-created, credential-created, org-updated ×2

    // The relay created the stream; read this org's subjects from it.
    const jsm = await nc.jetstreamManager();
    const deadline = performance.now() + 10_000;
    let got: Array<{ subject: string; id: string | undefined; body: any }> = [];
    while (got.length < expected.length && performance.now() < deadline) {
      const info = await jsm.streams.info(NATS_STREAM).catch(() => undefined);
      if (info) {
        const consumer = await jsm.consumers.add(NATS_STREAM, {
          filter_subject: `${NATS_ROOT}.${org.orgId}.>`,
          ack_policy: AckPolicy.None,
          deliver_policy: DeliverPolicy.All,
        });
        const c = await nc.jetstream().consumers.get(NATS_STREAM, consumer.name);
        const batch = await c.fetch({ max_messages: 100, expires: 1000 });
        got = [];
        for await (const m of batch) got.push({ subject: m.subject, id: m.headers?.get('Nats-Msg-Id'), body: JSON.parse(sc.decode(m.data)) });
        await jsm.consumers.delete(NATS_STREAM, consumer.name);
      }
      if (got.length < expected.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(got.map((m) => m.body.event_id)).toEqual(expected.map((e: any) => e.event_id));
    for (const m of got) {
      expect(m.subject).toBe(`${NATS_ROOT}.${org.orgId}.org.${m.body.event_type}`);
      expect(m.id).toBe(m.body.event_id);
    }
    expect(got[0]!.body).toEqual(expected[0]);
  });
});
