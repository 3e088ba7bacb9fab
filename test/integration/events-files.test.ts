// Batch file sink: gzip NDJSON files rolled by time and by size, each with a manifest whose
// count, first/last event and SHA-256 match the bytes served by the download route.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let org: TestOrg;
let token: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lastro-event-files-'));
  ({ app, org, token } = await setupTenant({ start: true, env: { LASTRO_RELAY_POLL_MS: '20', LASTRO_EVENTS_DIR: dir } }));
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, tok = token) =>
  app.http.inject({ method, url, headers: bearer(tok), ...(payload ? { payload } : {}) });

const rename = async (name: string) => {
  const res = await app.http.inject({ method: 'PATCH', url: '/orgs-core/v1/orgs', headers: bearer(token, org.orgId), payload: { org_name: name } });
  expect(res.statusCode, res.body).toBe(200);
};

/** Moves time on by `stepMs` at a time (closing open files) until the subscription's files hold `count` events (or number `minFiles`). */
async function filesHolding(subscriptionId: string, count: number, stepMs: number, minFiles = 0): Promise<any[]> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const res = await api('GET', `/lastro/v1/event-files?subscription_id=${subscriptionId}`);
    expect(res.statusCode, res.body).toBe(200);
    const files = res.json().items;
    const total = files.reduce((n: number, f: any) => n + f.count, 0);
    if (total >= count && files.length >= minFiles) return files;
    if (performance.now() > deadline) throw new Error(`files hold ${total} events, expected ${count}`);
    app.clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (gz: Buffer) =>
  gunzipSync(gz)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('batch event files', () => {
  it('writes every event, in commit order, into gzip NDJSON files whose manifests match their bytes', async () => {
    const sub = (await api('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'file', roll_seconds: 60 }, start_after: 'earliest' })).json();
    for (const n of ['F1', 'F2', 'F3']) await rename(n);
    const stored = (await api('GET', '/lastro/v1/events?limit=1000')).json().items.map((e: any) => e.event_id);
    expect(stored.length).toBe(5); // org-created, credential-created, three org-updated

    const files = await filesHolding(sub.id, 5, 61_000);
    const seen: any[] = [];
    for (const f of files) {
      expect(f.name).toMatch(/^\d{8}T\d{6}Z_\d+-\d+\.ndjson\.gz$/);
      const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/event-files/${f.id}/content`, headers: bearer(token) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/gzip');
      const bytes = res.rawPayload;
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(sha).toBe(f.sha256);
      expect(res.headers['x-content-sha256']).toBe(f.sha256);
      expect(bytes.length).toBe(f.bytes);
      const events = lines(bytes);
      expect(events.length).toBe(f.count);
      expect(events[0].event_id).toBe(f.first_event_id);
      expect(events.at(-1).event_id).toBe(f.last_event_id);
      expect(events[0].timestamp).toBe(f.first_timestamp);
      // The manifest beside the file on disk says the same.
      const onDisk = JSON.parse(readFileSync(join(dir, org.orgId, sub.id, `${f.name}.manifest.json`), 'utf8'));
      expect(onDisk).toMatchObject({ name: f.name, count: f.count, sha256: f.sha256, first_event_id: f.first_event_id, last_event_id: f.last_event_id });
      const manifest = (await api('GET', `/lastro/v1/event-files/${f.id}`)).json();
      expect(manifest).toEqual(f);
      seen.push(...events);
    }
    expect(seen.map((e) => e.event_id)).toEqual(stored);
    expect(seen.map((e) => e.event_type)).toEqual(['org-created', 'credential-created', 'org-updated', 'org-updated', 'org-updated']);
    expect(seen[2]).toMatchObject({ domain: 'org', org_id: org.orgId, schema_version: 1, data: { org_name: 'F1' } });
    // The subscription's position is past the last event written.
    const after = (await api('GET', `/lastro/v1/event-subscriptions/${sub.id}`)).json();
    expect(after.position).toBeDefined();
    const rest = (await api('GET', `/lastro/v1/events?after=${after.position}`)).json();
    expect(rest.items).toEqual([]);
  });

  it('closes a file once its NDJSON reaches roll_bytes', async () => {
    const sub = (await api('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'file', roll_bytes: 1024, roll_seconds: 86400 } })).json();
    for (let i = 0; i < 12; i++) await rename(`Size roll ${i} ${'x'.repeat(20)}`);
    // No time passes: only size closes files (the last, still open, is not listed).
    const files = await filesHolding(sub.id, 1, 0, 2);
    for (const f of files) {
      const res = await app.http.inject({ method: 'GET', url: `/lastro/v1/event-files/${f.id}/content`, headers: bearer(token) });
      const ndjson = gunzipSync(res.rawPayload).toString('utf8');
      const sizes = ndjson.split('\n').filter(Boolean).map((l) => Buffer.byteLength(l) + 1);
      const total = sizes.reduce((a, b) => a + b, 0);
      // Rolled at the first line that reached the limit, not before.
      expect(total).toBeGreaterThanOrEqual(1024);
      expect(total - sizes.at(-1)!).toBeLessThan(1024);
    }
  });

  it('pages the list, keeps other orgs out, and answers 410 when a listed file is gone from disk', async () => {
    const page = (await api('GET', '/lastro/v1/event-files?limit=1')).json();
    expect(page.items).toHaveLength(1);
    expect(page.has_next).toBe(true);
    const next = (await api('GET', `/lastro/v1/event-files?limit=1&after=${page.next_cursor}`)).json();
    expect(next.items[0].id).not.toBe(page.items[0].id);
    // The last page still carries a cursor: a consumer keeps its place and later gets only the
    // files made since (the relay may still be closing files of the size-roll test meanwhile).
    const all = (await api('GET', '/lastro/v1/event-files?limit=1000')).json();
    expect(all.has_next).toBe(false);
    expect(all.next_cursor).toBeDefined();
    const seen = new Set(all.items.map((f: { id: string }) => f.id));
    const since = (await api('GET', `/lastro/v1/event-files?after=${all.next_cursor}`)).json();
    expect(since.items.filter((f: { id: string }) => seen.has(f.id))).toEqual([]);
    expect(since.next_cursor).toBeDefined();
    if (since.items.length === 0) expect(since.next_cursor).toBe(all.next_cursor);
    expect((await api('GET', '/lastro/v1/event-files?after=bm90LWEtY3Vyc29y')).statusCode).toBe(400);

    const f = page.items[0];
    const other = await createOrg(app);
    const otherToken = await tokenFor(app, other);
    expect((await api('GET', '/lastro/v1/event-files', undefined, otherToken)).json().items).toEqual([]);
    expect((await api('GET', `/lastro/v1/event-files/${f.id}`, undefined, otherToken)).statusCode).toBe(404);
    expect((await api('GET', `/lastro/v1/event-files/${f.id}/content`, undefined, otherToken)).statusCode).toBe(404);

    const path = join(dir, org.orgId, f.subscription_id, f.name);
    expect(existsSync(path)).toBe(true);
    unlinkSync(path);
    const gone = await api('GET', `/lastro/v1/event-files/${f.id}/content`);
    expectError(gone, 410, 'EVENT_FILE_GONE');
  });

  it('deletes a subscription’s files with it', async () => {
    const sub = (await api('POST', '/lastro/v1/event-subscriptions', { sink: { type: 'file', roll_seconds: 1 }, start_after: 'earliest' })).json();
    await filesHolding(sub.id, 1, 2_000);
    expect(existsSync(join(dir, org.orgId, sub.id))).toBe(true);
    expect((await api('DELETE', `/lastro/v1/event-subscriptions/${sub.id}`)).statusCode).toBe(204);
    expect(existsSync(join(dir, org.orgId, sub.id))).toBe(false);
    expect((await api('GET', `/lastro/v1/event-files?subscription_id=${sub.id}`)).json().items).toEqual([]);
  });
});
