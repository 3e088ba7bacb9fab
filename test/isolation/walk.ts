// The isolation walk: every route of the OpenAPI document is called by org B with org A's real
// ids, and must answer "not found" (or the route's documented refusal), never 2xx, never 403,
// never with anything of A; org A's data must be unchanged afterwards.
//
// Each module contributes an `IsolationSeed` (test/isolation/seeds/): it creates real objects
// in an org through the public API and says which of their ids fill which route template's path
// parameters. The walk seeds A and B alike, so rules can name B's own objects where a valid body
// must (copy B's program, add a holiday to B's calendar). A route whose path parameters no seed
// fills is a failure, so a new route cannot be walked with ids that do not exist.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LastroModule } from '../../src/platform/module.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { type TestOrg } from '../helpers/auth.js';
import { addTenant, NO_RATE_LIMITS } from '../helpers/fixture.js';
import { startReceiver } from '../helpers/receiver.js';
import { buildValue, UnbuildableValue, type JsonSchema } from './bodies.js';
import { changedTables, fingerprint, settleDayClosing, tenantTables } from './fingerprint.js';

/** What a seed is given: one org, a way to call the API as it, and distinctive strings. */
export interface SeedContext {
  app: TestApp;
  org: TestOrg;
  token: string;
  /** bearer token and x-tenant of this org. */
  headers: Record<string, string>;
  /** A string no other org's data contains, e.g. mark('calendar') → `Aa1b2c3-calendar`. */
  mark(label: string): string;
  /** Calls the API as this org; throws unless the answer is 2xx (or `status`). Returns the JSON body. */
  call(method: Method, url: string, body?: unknown, status?: number): Promise<any>;
  /** A value an earlier seed of this org returned (seeds run in the order given). */
  value(name: string): string;
  /** An address that accepts webhook deliveries (answers 200). */
  webhookUrl: string;
}

/** What a seed made in one org. */
export interface Seeded {
  /**
   * Path-parameter values by route template, exactly as the OpenAPI document spells it:
   * `{ '/programs/v1/programs/{id}': [{ id: '812' }] }`. Every template with parameters needs one.
   */
  params: Record<string, Record<string, string>[]>;
  /** Named values for rules and later seeds (ids, keys, cursors), e.g. `{ program: '812' }`. */
  values?: Record<string, string>;
  /**
   * Strings of this org's objects that no other org may ever read: names, descriptions, external
   * ids, uuid and other string ids (numbers are too short to search for in a body). Each must be
   * visible in this org's `snapshot`.
   */
  markers: string[];
  /** GET paths (called as this org) whose answers must not change while the other org walks. */
  snapshot: string[];
}

export interface IsolationSeed {
  /** The module whose routes and objects this seed covers. */
  module: string;
  seed(ctx: SeedContext): Promise<Seeded>;
  /** How the walk calls some of the module's routes, keyed `METHOD /template`. */
  routes?: Record<string, RouteRule>;
}

/** An org as rules see it: its values from every seed. */
export interface OrgView {
  org: TestOrg;
  token: string;
  headers: Record<string, string>;
  value(name: string): string;
}

export interface RuleContext {
  app: TestApp;
  a: OrgView;
  b: OrgView;
  /** The body built from the route's request schema. */
  generated: unknown;
}

export type Status = number | '2xx';

/** The answer a case must get, and why (a rule states the reason when it is not the default). */
export interface Expectation {
  status: Status | Status[];
  /** The error code the answer must carry. */
  code?: string;
  /**
   * With code VALIDATION_ERROR: the one field the error must name. Some routes answer a reference
   * to another org's object (a calendar named in a body) as an invalid field, after looking it up.
   */
  field?: string;
  /** Tables of A's rows the request may change, and why (e.g. a failed login counts against the credential named). */
  changes?: { tables: string[]; reason: string };
  reason: string;
}

export interface WalkCase {
  label: string;
  /** Path parameters (default: A's from the seeds). */
  params?: Record<string, string>;
  /** Query string without `?`. */
  query?: string;
  body?: unknown;
  /** Headers over B's (bearer token and x-tenant), e.g. an account token of B. */
  headers?: Record<string, string>;
  expect: Expectation;
  /** Further checks on the answer: returns a problem, or undefined. */
  check?: (answer: Answer) => string | undefined;
}

export interface RouteRule {
  /** The body of the route's default case(s) instead of the generated one. */
  body?: (w: RuleContext) => unknown;
  /** The query string of the default case(s). */
  query?: (w: RuleContext) => string;
  /** Headers of the default case(s) over B's bearer token and x-tenant (e.g. an account token of B). */
  headers?: (w: RuleContext) => Record<string, string> | Promise<Record<string, string>>;
  /** Expected answer of the default case(s) when not the default (401 operator, 404 with ids, 2xx without). */
  expect?: Expectation;
  /** Further checks on the default case's answer: returns a problem, or undefined. */
  check?: (answer: Answer) => string | undefined;
  /** More cases: B's request naming A's objects in a body or query, filters, … */
  cases?: (w: RuleContext) => WalkCase[] | Promise<WalkCase[]>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json(): any;
}

export interface WalkFailure {
  route: string;
  case: string;
  problem: string;
}

export interface WalkReport {
  failures: WalkFailure[];
  /** Every `METHOD /template` of the document the walk called. */
  walked: string[];
  calls: number;
  a: OrgView;
  b: OrgView;
  /** A's markers (what B must never read). */
  markersOfA: string[];
}

const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Env of an app the walk can seed: a relay that delivers webhooks to loopback and writes files. */
export async function isolationApp(opts: { modules?: LastroModule[] } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'lastro-isolation-'));
  const app = await testApp({
    start: true,
    modules: opts.modules,
    env: { ...NO_RATE_LIMITS, LASTRO_WEBHOOK_ALLOW_PRIVATE: 'true', LASTRO_RELAY_POLL_MS: '20', LASTRO_EVENTS_DIR: dir },
  });
  const close = app.close.bind(app);
  return Object.assign(app, {
    async close() {
      try {
        await close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}

/** Formats failures one per line, for an assertion message. */
export const describeFailures = (failures: WalkFailure[]): string =>
  failures.map((f) => `${f.route} [${f.case}]: ${f.problem}`).join('\n');

/**
 * Seeds orgs A and B with `seeds`, then calls every route of `app`'s OpenAPI document as B with A's
 * ids, and reports every answer that is not the expected refusal, that carries A's markers, or
 * after which A's data differ. `only` narrows the routes walked (by `METHOD /template`).
 */
export async function walkIsolation(opts: {
  app: TestApp;
  seeds: IsolationSeed[];
  only?: (route: string) => boolean;
  /** How long a streaming answer (server-sent events) is read before it is dropped. */
  streamMs?: number;
}): Promise<WalkReport> {
  const { app } = opts;
  const failures: WalkFailure[] = [];
  const fail = (route: string, label: string, problem: string) => failures.push({ route, case: label, problem });
  const receiver = await startReceiver();
  try {
    const tagA = `A${randomBytes(3).toString('hex')}`;
    const tagB = `B${randomBytes(3).toString('hex')}`;
    // Sandbox orgs, so the test-clock routes act too (a production org is refused before any lookup).
    const orgA = await addTenant(app, { sandbox: true });
    const orgB = await addTenant(app, { sandbox: true });

    const A = await seedOrg(app, orgA, tagA, opts.seeds, receiver.url);
    const B = await seedOrg(app, orgB, tagB, opts.seeds, receiver.url);
    const a = A.view;
    const b = B.view;

    const rules = new Map<string, { rule: RouteRule; module: string }>();
    for (const s of opts.seeds) {
      for (const [key, rule] of Object.entries(s.routes ?? {})) {
        const other = rules.get(key);
        if (other) fail(key, 'rules', `both the ${other.module} and the ${s.module} seeds have a rule for it`);
        else rules.set(key, { rule, module: s.module });
      }
    }

    const doc = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Partial<Record<Lowercase<Method>, Operation>>>;
    }>();
    const routes: { key: string; method: Method; template: string; op: Operation }[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = ops[method.toLowerCase() as Lowercase<Method>];
        if (op) routes.push({ key: `${method} ${template}`, method, template, op });
      }
    }
    for (const key of rules.keys()) {
      if (!routes.some((r) => r.key === key)) fail(key, 'rules', 'a seed has a rule for a route the OpenAPI document does not have');
    }
    for (const template of Object.keys(A.params)) {
      if (!(template in doc.paths)) fail(template, 'seed', 'a seed fills the parameters of a template the OpenAPI document does not have');
    }

    // The worker's follow-up of the seeds ends before A's rows are fingerprinted.
    await settleDayClosing(app, [orgA.org.orgId, orgB.org.orgId]);

    // A's data as A sees it, before the walk: every snapshot answers, every marker shows.
    const snapshotOfA = await snapshot(app, a, A.snapshot);
    for (const [url, s] of snapshotOfA) if (s.status !== 200) fail(`GET ${url}`, 'snapshot of A', `answers A with ${s.status}: ${s.body.slice(0, 300)}`);
    const seenByA = [...snapshotOfA.values()].map((s) => s.body).join('\n');
    for (const m of A.markers) if (!seenByA.includes(m)) fail('seeds', 'snapshot of A', `marker "${m}" shows in none of A's snapshot answers: list a GET that shows it`);

    const cases: { route: (typeof routes)[number]; c: WalkCase }[] = [];
    for (const route of routes) {
      if (opts.only && !opts.only(route.key)) continue;
      const rule = rules.get(route.key)?.rule;
      const names = [...route.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const schema = route.op.requestBody?.content?.['application/json']?.schema;
      let generated: unknown;
      try {
        generated = schema ? buildValue(schema) : undefined;
      } catch (err) {
        if (!(err instanceof UnbuildableValue) || !rule?.body) {
          fail(route.key, 'body', `${String(err)}: give the route a rule with a body`);
          continue;
        }
      }
      const w: RuleContext = { app, a, b, generated };
      let body: unknown;
      let query: string | undefined;
      let headers: Record<string, string> | undefined;
      let extra: WalkCase[];
      try {
        body = rule?.body ? await rule.body(w) : generated;
        query = rule?.query?.(w);
        headers = await rule?.headers?.(w);
        extra = (await rule?.cases?.(w)) ?? [];
      } catch (err) {
        fail(route.key, 'rule', String(err));
        continue;
      }
      const expectation: Expectation =
        rule?.expect ??
        (route.op.security?.length
          ? { status: 401, reason: 'operator route: a tenant token is not the operator token' }
          : names.length
            ? { status: 404, reason: "another org's object is not found" }
            : { status: '2xx', reason: "acts on the caller's own org" });
      if (names.length) {
        const setsOfA = A.params[route.template];
        const setsOfB = B.params[route.template] ?? [];
        if (!setsOfA?.length) {
          fail(route.key, 'params', `no seed fills ${names.map((n) => `{${n}}`).join(', ')}: add '${route.template}' to the params its module's seed returns (test/isolation/seeds/)`);
          continue;
        }
        const incomplete = setsOfA.find((set) => names.some((n) => !set[n]));
        if (incomplete) {
          fail(route.key, 'params', `a seed fills ${JSON.stringify(incomplete)}, not every one of ${names.join(', ')}`);
          continue;
        }
        const refusal = !statuses(expectation).some((s) => s === '2xx' || (s >= 200 && s < 300));
        for (const set of setsOfA) {
          if (refusal && setsOfB.some((other) => names.every((n) => other[n] === set[n]))) {
            fail(route.key, 'params', `A's and B's ids coincide (${JSON.stringify(set)}): the walk could not tell a leak from B's own object`);
            continue;
          }
          cases.push({ route, c: { label: `A's ${names.join(', ')}`, params: set, query, body, headers, expect: expectation, check: rule?.check } });
          // With several parameters, B's own ids but one of A's: a route must check each object's org.
          if (names.length > 1 && setsOfB[0] && refusal) {
            for (const n of names) {
              cases.push({ route, c: { label: `B's ids but A's ${n}`, params: { ...setsOfB[0], [n]: set[n]! }, query, body, headers, expect: expectation } });
            }
          }
        }
      } else {
        cases.push({ route, c: { label: 'no ids', query, body, headers, expect: expectation, check: rule?.check } });
      }
      for (const c of extra) cases.push({ route, c: { ...c, params: c.params ?? A.params[route.template]?.[0] } });
    }

    // Reads first, then writes, deletes last: a leaking delete must not hide what the others show.
    const rank = (m: Method) => METHODS.indexOf(m);
    cases.sort((x, y) => rank(x.route.method) - rank(y.route.method));

    const walked = new Set<string>();
    let calls = 0;
    const tables = await tenantTables(app);
    let rowsOfA = await fingerprint(app, a.org.orgId, tables);
    for (const { route, c } of cases) {
      walked.add(route.key);
      const url = fill(route.template, c.params ?? {}) + (c.query ? `?${c.query}` : '');
      const answer = await call(app, { method: route.method, url, headers: { ...b.headers, ...c.headers }, body: c.body, streamMs: opts.streamMs ?? 400 });
      calls += 1;
      if (process.env.ISOLATION_WALK_LOG) console.log(`WALK ${route.method} ${url} [${c.label}] → ${answer.status} ${answer.body.slice(0, 140)}`);
      const sent = `${decodeURIComponent(url)}\n${c.body === undefined ? '' : JSON.stringify(c.body)}`;
      for (const problem of judge(answer, c, A.markers, sent)) fail(route.key, c.label, problem);
      const now = await fingerprint(app, a.org.orgId, tables);
      const changed = changedTables(rowsOfA, now).filter((t) => !c.expect.changes?.tables.includes(t));
      if (changed.length) fail(route.key, c.label, `org A's rows changed in ${changed.join(', ')} (answered ${answer.status} ${answer.body.slice(0, 200)})`);
      rowsOfA = now;
    }
    // And as A sees it through the API.
    const after = await snapshot(app, a, A.snapshot);
    for (const [path, s] of after) {
      if (s.body !== snapshotOfA.get(path)?.body) {
        fail(`GET ${path}`, 'snapshot of A', `answered A differently after the walk:\n  before ${snapshotOfA.get(path)?.body.slice(0, 400)}\n  after  ${s.body.slice(0, 400)}`);
      }
    }
    return { failures, walked: [...walked].sort(), calls, a, b, markersOfA: A.markers };
  } finally {
    await receiver.close();
  }
}

export interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const statuses = (e: Expectation): Status[] => (Array.isArray(e.status) ? e.status : [e.status]);

function judge(answer: Answer, c: WalkCase, markersOfA: string[], sent: string): string[] {
  const problems: string[] = [];
  const shown = `${answer.status} ${answer.body.slice(0, 400)}`;
  const ok = statuses(c.expect).some((s) => (s === '2xx' ? answer.status >= 200 && answer.status < 300 : answer.status === s));
  let error: { code?: unknown; details?: { field?: string }[] } | undefined;
  try {
    error = answer.json();
  } catch {
    error = undefined;
  }
  const fields = Array.isArray(error?.details) ? error.details.map((d) => d.field) : [];
  if (answer.status === 403) problems.push(`answered 403: another org's object must look absent (404), not forbidden: ${shown}`);
  else if (answer.status === 400 && error?.code === 'VALIDATION_ERROR' && !(c.expect.code === 'VALIDATION_ERROR' && fields.length === 1 && fields[0] === c.expect.field)) {
    problems.push(`the request failed validation, so the answer proves nothing about isolation; give the route a rule with a valid body: ${shown}`);
  } else if (!ok) {
    problems.push(`expected ${statuses(c.expect).join(' or ')} (${c.expect.reason}), got ${shown}`);
  } else if (c.expect.code !== undefined && answer.status >= 400 && error?.code !== c.expect.code) {
    problems.push(`expected the code ${c.expect.code} (${c.expect.reason}), got ${shown}`);
  }
  // A string B sent itself (an id in the path, a name in a filter) may come back in a message.
  const leaked = markersOfA.filter((m) => answer.body.includes(m) && !sent.includes(m));
  if (leaked.length) problems.push(`answered org B with org A's ${leaked.map((m) => `"${m}"`).join(', ')}: ${shown}`);
  const extra = c.check?.(answer);
  if (extra) problems.push(extra);
  return problems;
}

export interface SeededOrg {
  view: OrgView;
  params: Record<string, Record<string, string>[]>;
  markers: string[];
  snapshot: string[];
}

/** Seeds one org with every seed, in order (the walk seeds two; the API fuzz test one). */
export async function seedOrg(
  app: TestApp,
  tenant: { org: TestOrg; token: string; headers: Record<string, string> },
  tag: string,
  seeds: IsolationSeed[],
  webhookUrl: string,
): Promise<SeededOrg> {
  const values: Record<string, string> = {
    orgId: tenant.org.orgId,
    serverKey: tenant.org.serverKey,
    serverSecret: tenant.org.serverSecret,
    credentialId: tenant.org.credentialId,
  };
  const value = (name: string): string => {
    const v = values[name];
    if (v === undefined) throw new Error(`no seed returns a value named "${name}" (have: ${Object.keys(values).join(', ')})`);
    return v;
  };
  const params: Record<string, Record<string, string>[]> = {};
  const markers: string[] = [];
  const snapshot: string[] = [];
  for (const s of seeds) {
    const ctx: SeedContext = {
      app,
      ...tenant,
      webhookUrl,
      mark: (label) => `${tag}-${label}`,
      value,
      async call(method, url, body, status) {
        const res = await app.http.inject({ method, url, headers: tenant.headers, ...(body === undefined ? {} : { payload: body as object }) });
        const good = status === undefined ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === status;
        if (!good) throw new Error(`${s.module} seed: ${method} ${url} → ${res.statusCode} ${res.body}`);
        return res.body ? res.json() : undefined;
      },
    };
    const made = await s.seed(ctx);
    for (const [template, sets] of Object.entries(made.params)) {
      if (params[template]) throw new Error(`${s.module} seed: another seed already fills ${template}`);
      params[template] = sets;
    }
    for (const [name, v] of Object.entries(made.values ?? {})) {
      if (name in values) throw new Error(`${s.module} seed: another seed already returns a value named "${name}"`);
      values[name] = v;
    }
    markers.push(...made.markers);
    snapshot.push(...made.snapshot);
  }
  return { view: { ...tenant, value }, params, markers: [...new Set(markers)], snapshot };
}

async function snapshot(app: TestApp, org: OrgView, urls: string[]): Promise<Map<string, { status: number; body: string }>> {
  const out = new Map<string, { status: number; body: string }>();
  for (const url of urls) {
    const res = await app.http.inject({ method: 'GET', url, headers: org.headers });
    out.set(url, { status: res.statusCode, body: res.body });
  }
  return out;
}

export const fill = (template: string, params: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(params[n] ?? `{${n}}`));

/**
 * One request, its answer read as a stream: most routes end at once; a live stream (server-sent
 * events) is read for `streamMs` and then dropped, so the walk covers it without hanging.
 */
export async function call(
  app: TestApp,
  req: { method: Method; url: string; headers: Record<string, string>; body?: unknown; streamMs: number },
): Promise<Answer> {
  const res = await app.http.inject({
    method: req.method,
    url: req.url,
    headers: req.headers,
    ...(req.body === undefined ? {} : { payload: req.body as object }),
    payloadAsStream: true,
  } as never);
  const stream = (res as unknown as { stream: () => NodeJS.ReadableStream & { destroy(): void } }).stream();
  let body = '';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, req.streamMs);
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    for (const e of ['end', 'error', 'close']) {
      stream.on(e, () => {
        clearTimeout(timer);
        resolve();
      });
    }
  });
  const r = res as unknown as { statusCode: number; headers: Record<string, unknown> };
  return { status: r.statusCode, headers: r.headers, body, json: () => JSON.parse(body) };
}
