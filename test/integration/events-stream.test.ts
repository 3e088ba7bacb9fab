// The live event stream (server-sent events) over a real socket: delivery, resume, shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let org: TestOrg;
let token: string;
let base: string;
beforeAll(async () => {
  ({ app, org, token } = await setupTenant({ start: true }));
  const address = app.http.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => app?.close());

interface Message {
  id: string;
  event: string;
  data: any;
}

/** Opens the stream and collects messages until `count` arrived (or the stream ends). */
async function listen(headers: Record<string, string>, query = '', at = base) {
  const controller = new AbortController();
  const res = await fetch(`${at}/lastro/v1/events/stream${query}`, { headers, signal: controller.signal });
  const messages: Message[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':') && l.includes(': '))
              .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
          );
          if (fields.id) messages.push({ id: fields.id, event: fields.event ?? '', data: JSON.parse(fields.data ?? 'null') });
        }
      }
    } catch {
      // aborted
    }
  })();
  const until = async (count: number) => {
    const end = performance.now() + 10_000;
    while (messages.length < count && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    return messages;
  };
  return { res, messages, until, close: () => controller.abort(), done: pump };
}

const rename = (name: string) =>
  app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { org_name: name } });

describe('GET /lastro/v1/events/stream', () => {
  it('delivers new events live, and resumes after the last one seen', async () => {
    const first = await listen(bearer(token));
    expect(first.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await rename('Live One');
    const got = await first.until(1);
    expect(got).toHaveLength(1); // only events from now on, not the org's history
    expect(got[0]).toMatchObject({ event: 'org-updated', data: { org_id: org.orgId, data: { org_name: 'Live One' } } });
    first.close();

    await rename('While Away');
    const resumed = await listen({ ...bearer(token), 'last-event-id': got[0]!.id });
    const again = await resumed.until(1);
    expect(again.map((m) => m.data.data.org_name)).toEqual(['While Away']);
    resumed.close();
  });

  it('needs a token, and shows only the caller’s org', async () => {
    const anon = await fetch(`${base}/lastro/v1/events/stream`);
    expect(anon.status).toBe(401);
    const other = await createOrg(app);
    const theirs = await listen(bearer(await tokenFor(app, other)));
    await rename('Not Theirs');
    await new Promise((r) => setTimeout(r, 700));
    expect(theirs.messages).toEqual([]);
    theirs.close();
  });

  it('does not hold up shutdown', async () => {
    // With a shutdown budget longer than the test's own timeout, an open stream that held up
    // shutdown would fail the test by timing out; no clock reading is needed.
    const own = await testApp({ start: true, env: { LASTRO_SHUTDOWN_TIMEOUT_MS: '600000' } });
    const o = await createOrg(own);
    const address = own.http.server.address();
    const at = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const open = await listen(bearer(await tokenFor(own, o)), '', at);
    expect(open.res.status).toBe(200);
    await own.close();
    await open.done;
  });
});
