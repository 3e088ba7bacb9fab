// Isolation seed of the events module: a webhook subscription with a delivery that succeeded, a
// file subscription with a closed batch file, and a replay cursor; and the replay, stream and
// catalog routes.
import type { IsolationSeed, SeedContext } from '../walk.js';

const SUBS = '/lastro/v1/event-subscriptions';

/** Polls `read` until it returns something, moving the test clock on (file sinks roll by time). */
async function until<T>(s: SeedContext, what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`events seed: timed out waiting for ${what}`);
    s.app.clock.advance(2_000);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const eventsSeed: IsolationSeed = {
  module: 'events',
  async seed(s) {
    const hook = await s.call('POST', SUBS, {
      description: s.mark('webhook-subscription'),
      filter: { domains: ['org'] },
      sink: { type: 'webhook', url: s.webhookUrl },
      start_after: 'earliest',
    });
    const file = await s.call('POST', SUBS, { description: s.mark('file-subscription'), sink: { type: 'file', roll_seconds: 1 }, start_after: 'earliest' });
    const delivery = await until(s, 'a webhook delivery', async () => {
      const items = (await s.call('GET', `${SUBS}/${hook.id}/deliveries`)).items as { id: string; status: string }[];
      return items.length > 0 && items.every((d) => d.status === 'succeeded') ? items[0]!.id : undefined;
    });
    const batch = await until(s, 'a batch file', async () => {
      const items = (await s.call('GET', `/lastro/v1/event-files?subscription_id=${file.id}`)).items as { id: string }[];
      return items[0]?.id;
    });
    // A cursor just after the org's first event (replay serves an event once its transaction is
    // older than every open one, so on a busy PostgreSQL it may take a moment).
    const eventCursor = await until(s, 'a replay cursor', async () => (await s.call('GET', '/lastro/v1/events?limit=1')).next_cursor as string | undefined);
    return {
      params: {
        [`${SUBS}/{id}`]: [{ id: hook.id }, { id: file.id }],
        [`${SUBS}/{id}/rotate-secret`]: [{ id: hook.id }],
        [`${SUBS}/{id}/deliveries`]: [{ id: hook.id }],
        [`${SUBS}/{id}/deliveries/{delivery_id}`]: [{ id: hook.id, delivery_id: delivery }],
        [`${SUBS}/{id}/deliveries/{delivery_id}/redeliver`]: [{ id: hook.id, delivery_id: delivery }],
        [`${SUBS}/{id}/redeliver-failed`]: [{ id: hook.id }],
        '/lastro/v1/event-files/{id}': [{ id: batch }],
        '/lastro/v1/event-files/{id}/content': [{ id: batch }],
        // The catalog is the same for every org: a real entry, expected to answer (rule below).
        '/lastro/v1/events/catalog/{domain}/{event_type}/{version}': [{ domain: 'org', event_type: 'org-updated', version: '1' }],
      },
      values: { subscription: hook.id, fileSubscription: file.id, delivery, eventFile: batch, eventCursor },
      markers: [hook.id, file.id, s.mark('webhook-subscription'), s.mark('file-subscription'), delivery, batch],
      snapshot: [
        `${SUBS}?limit=100`,
        `${SUBS}/${hook.id}`,
        `${SUBS}/${file.id}`,
        `${SUBS}/${hook.id}/deliveries?limit=100`,
        `${SUBS}/${hook.id}/deliveries/${delivery}`,
        `/lastro/v1/event-files?limit=1000`,
        `/lastro/v1/event-files/${batch}`,
        '/lastro/v1/events?limit=1000',
      ],
    };
  },
  routes: {
    'GET /lastro/v1/events/catalog/{domain}/{event_type}/{version}': {
      expect: { status: 200, reason: 'the event catalog is the same for every org' },
    },
    [`POST ${SUBS}`]: {
      // The generated body's first sink (webhook) needs a reachable URL; a file sink needs nothing.
      body: () => ({ description: 'walk', sink: { type: 'file' } }),
    },
    'GET /lastro/v1/events': {
      query: () => 'limit=1000',
      cases: ({ a }) => [
        { label: "after A's cursor", query: `after=${a.value('eventCursor')}&limit=1000`, expect: { status: 200, reason: 'a cursor is a position in the log, not an object' } },
      ],
    },
    'GET /lastro/v1/events/stream': {
      // From B's first event, so the stream replays what B may read (and nothing of A's).
      query: ({ b }) => `after=${b.value('eventCursor')}`,
      check: (res) => (res.body.includes('\nid: ') ? undefined : `expected B's own events in the stream, got ${JSON.stringify(res.body.slice(0, 200))}`),
      cases: ({ a }) => [{ label: "after A's cursor", query: `after=${a.value('eventCursor')}`, expect: { status: 200, reason: 'a cursor is a position in the log, not an object' } }],
    },
    'GET /lastro/v1/event-files': {
      cases: ({ a }) => [
        {
          label: "A's subscription",
          query: `subscription_id=${a.value('fileSubscription')}`,
          expect: { status: [200, 404], reason: "a filter on another org's subscription matches nothing" },
          check: (res) => (res.status !== 200 || res.json().items.length === 0 ? undefined : `expected no files, got ${res.body.slice(0, 300)}`),
        },
      ],
    },
  },
};
