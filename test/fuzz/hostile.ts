// The API fuzz: every route of the OpenAPI document gets hostile values — a NUL character, lone
// UTF-16 surrogates (escaped, and as bytes that are not UTF-8), numbers too large, too precise or
// not finite — in one place at a time: one field of a valid body (built from the route's schema,
// as the isolation walk builds it), one query parameter, one path parameter. Every answer must be
// Lastro's error body with a cid, never a 5xx; text no query may carry and numbers no field can
// keep must be a 400 naming the field; and a refused request must write nothing.
import type { TestApp } from '../helpers/app.js';
import { adminHeaders } from '../helpers/auth.js';
import { addTenant, type Tenant } from '../helpers/fixture.js';
import { startReceiver } from '../helpers/receiver.js';
import { buildValue, type JsonSchema } from '../isolation/bodies.js';
import { changedTables, fingerprint, tenantTables } from '../isolation/fingerprint.js';
import type { IsolationSeed, Method, Operation, RuleContext, SeededOrg } from '../isolation/walk.js';
import { call, seedOrg } from '../isolation/walk.js';

/** A value sent in place of a valid one: the JSON text (or bytes) for a body, the raw text for a URL. */
export interface Poison {
  label: string;
  /** In a body: the JSON value as sent, e.g. `"x\u0000y"` (escaped) or raw bytes. */
  json: string | Buffer;
  /** In a path or query parameter: the text as it appears in the URL (already percent-encoded). */
  url: string;
  /**
   * `refuse`: a 400 VALIDATION_ERROR naming the field wherever it is sent. `number`: refused where
   * a number is declared (400 naming it), harmless text elsewhere. `any`: some fields accept it;
   * the answer must only be well formed (no 5xx).
   */
  expect: 'refuse' | 'number' | 'any';
}

const raw = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

export const POISONS: Poison[] = [
  { label: 'NUL', json: '"fuzz\\u0000nul"', url: 'fuzz%00nul', expect: 'refuse' },
  { label: 'only NUL', json: '"\\u0000"', url: '%00', expect: 'refuse' },
  { label: 'lone high surrogate', json: '"fuzz\\ud800high"', url: 'fuzz%ED%A0%80high', expect: 'refuse' },
  { label: 'lone low surrogate', json: '"fuzz\\udfffz"', url: 'fuzz%ED%BF%BFz', expect: 'refuse' },
  { label: 'surrogate as UTF-8 bytes', json: raw('"fuzz', [0xed, 0xa0, 0x80], '"'), url: '%ED%A0%80', expect: 'refuse' },
  { label: 'overlong UTF-8', json: raw('"fuzz', [0xc0, 0xae], '"'), url: '%C0%AE', expect: 'refuse' },
  { label: 'byte FF', json: raw('"fuzz', [0xff], '"'), url: 'fuzz%FF', expect: 'refuse' },
  { label: 'high surrogate before a stray byte', json: raw('"fuzz\\ud800', [0x80], '"'), url: '%F0%9F', expect: 'refuse' },
  { label: '20 digits', json: '99999999999999999999', url: '99999999999999999999', expect: 'number' },
  { label: '2^53 + 1', json: '9007199254740993', url: '9007199254740993', expect: 'number' },
  { label: '1e309', json: '1e309', url: '1e309', expect: 'number' },
  { label: '-1e309', json: '-1e309', url: '-1e309', expect: 'number' },
  { label: '1e-400', json: '1e-400', url: '1e-400', expect: 'number' },
  { label: 'Infinity', json: '"Infinity"', url: 'Infinity', expect: 'number' },
  { label: 'hex', json: '"0x10"', url: '0x10', expect: 'number' },
  { label: '-0', json: '-0', url: '-0', expect: 'any' },
  { label: '1.5', json: '1.5', url: '1.5', expect: 'any' },
  { label: '-1', json: '-1', url: '-1', expect: 'any' },
  { label: '2^31', json: '2147483648', url: '2147483648', expect: 'any' },
  { label: '2^53 - 1', json: '9007199254740991', url: '9007199254740991', expect: 'any' },
  { label: '2^63', json: '9223372036854775808', url: '9223372036854775808', expect: 'any' },
  { label: 'date past 9999', json: '"10000-01-01"', url: '10000-01-01', expect: 'any' },
  { label: 'year 0000', json: '"0000-01-01"', url: '0000-01-01', expect: 'any' },
];

/** A poisoned property name (`{"fuzz\u0000": 1}`) in an object of the body: the object is named. */
const KEY_POISONS = [
  { label: 'NUL in a property name', key: '"fuzz\\u0000"' },
  { label: 'lone surrogate in a property name', key: '"fuzz\\udc00"' },
];

export interface FuzzFailure {
  route: string;
  case: string;
  problem: string;
}

export interface FuzzReport {
  failures: FuzzFailure[];
  /** Every `METHOD /template` fuzzed. */
  fuzzed: string[];
  calls: number;
  /** Calls checked for writes (a fingerprint of the org's rows before and after). */
  writeChecks: number;
}

type Segment = string | number;

interface Planned {
  key: string;
  method: Method;
  headers: Record<string, string>;
  refused: Case[];
  others: Case[];
}

interface Case {
  label: string;
  url: string;
  body?: Buffer;
  /** The field a refusal must name (`body.name`, `query.page`, `path.id`), or `path` for a whole path. */
  field: string | string[];
  expect: Poison['expect'];
  /** Whether the poisoned place declares a number (then a `number` poison must be refused). */
  numeric: boolean;
}

/**
 * Seeds one org, then sends every poison to every route of `app`'s OpenAPI document, in the body,
 * the query string and the path. `rules` are the isolation seeds' route rules (valid bodies for
 * routes the generated body cannot serve).
 */
export async function fuzzApi(opts: { app: TestApp; seeds: IsolationSeed[] }): Promise<FuzzReport> {
  const { app } = opts;
  // A sandbox org, as the isolation walk's: it has a test clock to seed.
  const tenant = await addTenant(app, { sandbox: true });
  const receiver = await startReceiver();
  try {
    return await fuzzOrg(app, tenant, await seedOrg(app, tenant, `F${Date.now().toString(36)}`, opts.seeds, receiver.url), opts.seeds);
  } finally {
    await receiver.close();
  }
}

async function fuzzOrg(app: TestApp, tenant: Tenant, seeded: SeededOrg, seeds: IsolationSeed[]): Promise<FuzzReport> {
  const failures: FuzzFailure[] = [];
  const fail = (route: string, label: string, problem: string) => failures.push({ route, case: label, problem });
  const view = seeded.view;
  const rules = new Map(seeds.flatMap((s) => Object.entries(s.routes ?? {})));

  const doc = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Partial<Record<string, Operation>>> }>();
  const tables = await tenantTables(app);
  const fuzzed = new Set<string>();
  let calls = 0;
  let writeChecks = 0;
  const planned: Planned[] = [];

  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as Method[]) {
      const op = ops[method.toLowerCase()];
      if (!op) continue;
      const key = `${method} ${template}`;
      fuzzed.add(key);
      const rule = rules.get(key);
      const params = seeded.params[template]?.[0] ?? {};
      const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      if (names.some((n) => params[n] === undefined)) {
        fail(key, 'params', 'no seed fills its path parameters');
        continue;
      }
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const w: RuleContext = { app, a: view, b: view, generated: undefined };
      let body: unknown;
      try {
        try {
          w.generated = schema ? buildValue(schema) : undefined;
        } catch (err) {
          if (!rule?.body) throw err; // the seed's rule builds the body itself
        }
        body = rule?.body ? await rule.body(w) : w.generated;
      } catch (err) {
        fail(key, 'body', `cannot build a valid body: ${String(err)}`);
        continue;
      }
      const baseQuery = rule?.query?.(w);
      // The seed's headers too (an account-scoped route needs the account: an account token or x-account-id).
      const headers = { ...(op.security?.length ? adminHeaders : view.headers), ...(await rule?.headers?.(w)) };
      const url = (poisoned?: { name: string; text: string }) =>
        template.replace(/\{(\w+)\}/g, (_, n: string) => (poisoned?.name === n ? poisoned.text : encodeURIComponent(params[n]!)));

      const cases: Case[] = [];
      // The path: one parameter at a time.
      for (const p of op.parameters?.filter((x) => x.in === 'path') ?? []) {
        for (const poison of POISONS) {
          cases.push({
            label: `path ${p.name} = ${poison.label}`,
            url: url({ name: p.name, text: poison.url }) + (baseQuery ? `?${baseQuery}` : ''),
            body: bodyText(body),
            field: [`path.${p.name}`, 'path'],
            expect: poison.expect,
            numeric: isNumeric(p.schema),
          });
        }
      }
      // The query string: one declared parameter at a time, the others as a valid request has them.
      for (const p of op.parameters?.filter((x) => x.in === 'query') ?? []) {
        const others = (baseQuery ?? '')
          .split('&')
          .filter((kv) => kv && kv.split('=')[0] !== p.name)
          .join('&');
        for (const poison of POISONS) {
          cases.push({
            label: `query ${p.name} = ${poison.label}`,
            url: `${url()}?${others ? `${others}&` : ''}${p.name}=${poison.url}`,
            body: bodyText(body),
            field: `query.${p.name}`,
            expect: poison.expect,
            numeric: isNumeric(p.schema) || (p.schema?.type === 'array' && isNumeric(p.schema.items)),
          });
        }
      }
      // The body: every leaf of the valid body, and every property its schema declares.
      if (schema && body !== undefined) {
        for (const target of targets(schema, body)) {
          for (const poison of POISONS) {
            cases.push({
              label: `body ${fieldName(target.path)} = ${poison.label}`,
              url: url() + (baseQuery ? `?${baseQuery}` : ''),
              body: withPoison(body, target.path, poison.json),
              field: fieldName(target.path),
              expect: poison.expect,
              numeric: target.numeric,
            });
          }
        }
        for (const path of objectsIn(body)) {
          for (const poison of KEY_POISONS) {
            cases.push({
              label: `body ${fieldName(path)} with ${poison.label}`,
              url: url() + (baseQuery ? `?${baseQuery}` : ''),
              body: withKey(body, path, poison.key),
              field: fieldName(path),
              expect: 'refuse',
              numeric: false,
            });
          }
        }
      }

      const mustRefuse = (c: Case) => c.expect === 'refuse' || (c.expect === 'number' && c.numeric);
      planned.push({ key, method, headers, refused: cases.filter(mustRefuse), others: cases.filter((c) => !mustRefuse(c)) });
    }
  }

  const send = async (route: Planned, c: Case, mustRefuse: boolean) => {
    const answer = await call(app, {
      method: route.method,
      url: c.url,
      headers: { ...route.headers, ...(c.body ? { 'content-type': 'application/json' } : {}) },
      body: c.body,
      streamMs: 300,
    });
    calls += 1;
    if (process.env.API_FUZZ_LOG) console.log(`FUZZ ${route.method} ${c.url.slice(0, 160)} [${c.label}] → ${answer.status} ${answer.body.slice(0, 160)}`);
    for (const problem of judge(answer, c, mustRefuse)) fail(route.key, c.label, problem);
  };
  // Every request that must be refused first, with the org's rows compared around each route's
  // (nothing accepted yet, so no job or relay of the fuzz's own is writing meanwhile); then the
  // values some fields accept, whose answers only have to be well formed.
  for (const route of planned) {
    const before = route.method === 'GET' || !route.refused.length ? undefined : await fingerprint(app, tenant.org.orgId, tables);
    for (const c of route.refused) await send(route, c, true);
    if (before) {
      writeChecks += route.refused.length;
      const changed = changedTables(before, await fingerprint(app, tenant.org.orgId, tables));
      if (changed.length) fail(route.key, 'refused requests', `the org's rows changed in ${changed.join(', ')} although every request was refused`);
    }
  }
  for (const route of planned) for (const c of route.others) await send(route, c, false);
  return { failures, fuzzed: [...fuzzed].sort(), calls, writeChecks };
}

function judge(answer: { status: number; headers: Record<string, unknown>; body: string }, c: Case, mustRefuse: boolean): string[] {
  const shown = `${answer.status} ${answer.body.slice(0, 300)}`;
  if (answer.status >= 500) return [`answered ${shown}`];
  if (answer.status < 400) return mustRefuse ? [`accepted it: ${shown}`] : [];
  let error: { code?: unknown; message?: unknown; cid?: unknown; details?: { field?: string }[] };
  try {
    error = JSON.parse(answer.body);
  } catch {
    return [`the error is not JSON: ${shown}`];
  }
  const problems: string[] = [];
  if (typeof error.code !== 'string' || typeof error.message !== 'string') problems.push(`the error body lacks code or message: ${shown}`);
  if (typeof error.cid !== 'string' || error.cid !== answer.headers['x-cid']) problems.push(`the error body's cid is not the x-cid header (${String(answer.headers['x-cid'])}): ${shown}`);
  if (mustRefuse) {
    const fields = Array.isArray(error.details) ? error.details.map((d) => d.field) : [];
    const wanted = Array.isArray(c.field) ? c.field : [c.field];
    // VALIDATION_ERROR, or the route's own word for a refused request (RFC 6749's invalid_request).
    if (answer.status !== 400) problems.push(`expected 400 naming ${wanted.join(' or ')}, got ${shown}`);
    else if (!fields.some((f) => f !== undefined && wanted.includes(f))) problems.push(`the 400 does not name ${wanted.join(' or ')}: ${shown}`);
  }
  return problems;
}

function isNumeric(s: JsonSchema | undefined): boolean {
  if (!s) return false;
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('integer') || types.includes('number')) return true;
  return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(isNumeric);
}

interface Target {
  path: Segment[];
  numeric: boolean;
}

/** Where to put a poison: every leaf of `value`, and every property `schema` declares on an object present in it. */
function targets(schema: JsonSchema, value: unknown, path: Segment[] = []): Target[] {
  const out: Target[] = [];
  const s = firstBranch(schema);
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...targets(s.items ?? {}, item, [...path, i])));
    if (value.length === 0) out.push({ path, numeric: false });
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const props = s.properties ?? {};
    const names = new Set([...Object.keys(value), ...Object.keys(props)]);
    for (const name of names) {
      const sub = props[name] ?? {};
      const child = (value as Record<string, unknown>)[name];
      if (child === undefined) out.push({ path: [...path, name], numeric: isNumeric(sub) });
      else out.push(...targets(sub, child, [...path, name]));
    }
    return out;
  }
  return [{ path, numeric: isNumeric(s) }];
}

const firstBranch = (s: JsonSchema): JsonSchema => {
  const branches = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  return branches.find((b) => b.properties || b.items) ?? s;
};

function objectsIn(value: unknown, path: Segment[] = []): Segment[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectsIn(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return [path, ...Object.entries(value).flatMap(([k, v]) => objectsIn(v, [...path, k]))];
}

const MARK = '"@@fuzz-poison@@"';

/** The body's JSON bytes with `path` set to the raw JSON text (or bytes) `poison`. */
function withPoison(body: unknown, path: Segment[], poison: string | Buffer): Buffer {
  const copy = structuredClone(body);
  if (path.length === 0) return typeof poison === 'string' ? Buffer.from(poison) : poison;
  let node = copy as Record<Segment, unknown>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<Segment, unknown>;
  node[path.at(-1)!] = MARK.slice(1, -1);
  const json = JSON.stringify(copy);
  const at = json.indexOf(MARK);
  return Buffer.concat([Buffer.from(json.slice(0, at)), typeof poison === 'string' ? Buffer.from(poison) : poison, Buffer.from(json.slice(at + MARK.length))]);
}

/** The body's JSON with a property named by the raw JSON string `key` added to the object at `path`. */
function withKey(body: unknown, path: Segment[], key: string): Buffer {
  const copy = structuredClone(body);
  let node = copy as Record<Segment, unknown>;
  for (const seg of path) node = node[seg] as Record<Segment, unknown>;
  node['@@fuzz-key@@'] = 1;
  return Buffer.from(JSON.stringify(copy).replace('"@@fuzz-key@@"', key));
}

const bodyText = (body: unknown): Buffer | undefined => (body === undefined ? undefined : Buffer.from(JSON.stringify(body)));

/** `['due_dates', 0, 'day']` → `body.due_dates[0].day`. */
export const fieldName = (path: Segment[]): string => path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : `${acc}.${seg}`), 'body');
