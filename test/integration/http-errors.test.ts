// Every error the platform answers, through the real HTTP stack on a real database: one body
// { code, message, details?, cid }, the right status, and nothing internal leaking out.
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAuth } from '../../src/platform/auth/guard.js';
import { AppError } from '../../src/platform/errors.js';
import type { LastroModule } from '../../src/platform/module.js';
import { testApp, type TestApp } from '../helpers/app.js';

// A module that exists only in this test, to exercise the platform's request handling.
const probe: LastroModule = {
  name: 'probe',
  routes(app, platform) {
    app.post(
      '/probe/items',
      {
        config: { auth: routeAuth.public() },
        schema: {
          querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1 })) }),
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 10 }),
              kind: Type.Union([Type.Literal('A'), Type.Literal('B')]),
              lines: Type.Optional(Type.Array(Type.Object({ day: Type.Integer({ minimum: 1, maximum: 28 }) }))),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ name: Type.String() }) },
        },
      },
      async (req, reply) => reply.status(201).send({ name: req.body.name }),
    );
    // A body the route may go without, as rotate-secret's.
    app.post(
      '/probe/optional',
      {
        config: { auth: routeAuth.public() },
        schema: {
          body: Type.Optional(Type.Object({ note: Type.Optional(Type.String()) }, { additionalProperties: false })),
          response: { 200: Type.Object({ note: Type.String() }) },
        },
      },
      async (req) => ({ note: req.body?.note ?? '(none)' }),
    );
    app.get('/probe/boom', { config: { auth: routeAuth.public() }, schema: { response: { 200: Type.Object({}) } } }, async () => {
      // A driver error carrying SQL text and a stack: none of it may reach the client.
      await sql`select * from table_that_does_not_exist`.execute(platform.db.kysely);
      return {};
    });
    app.get('/probe/db-full', { config: { auth: routeAuth.public() }, schema: { response: { 200: Type.Object({}) } } }, async () => {
      // The database's own error for "out of connections" (SQLSTATE 53300), raised by the engine.
      await sql`do $$ begin raise exception using errcode = '53300', message = 'sorry, too many clients already'; end $$`.execute(platform.db.kysely);
      return {};
    });
    app.get('/probe/coded', { config: { auth: routeAuth.public() }, schema: { response: { 200: Type.Object({}) } } }, async () => {
      throw new AppError('unprocessable', 'PROBE_RULE', 'A business rule said no');
    });
    app.get('/probe/log-secret', { config: { auth: routeAuth.public() }, schema: { response: { 200: Type.Object({}) } } }, async (req) => {
      req.log.info({ body: { server_secret: 'shh-1', token: 'shh-2' }, authorization: 'Bearer shh-3' }, 'probe');
      return {};
    });
  },
};

let app: TestApp;
beforeAll(async () => {
  app = await testApp({ modules: [probe], env: { LASTRO_BODY_LIMIT: '2048' } });
});
afterAll(async () => app?.close());

const post = (payload: unknown, headers: Record<string, string> = {}, url = '/probe/items') =>
  app.http.inject({ method: 'POST', url, payload: payload as string, headers: { 'content-type': 'application/json', ...headers } });

function expectErrorBody(res: { json: () => any; headers: Record<string, unknown> }, code: string): any {
  const body = res.json();
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.cid).toBe(res.headers['x-cid']);
  expect(Object.keys(body).every((k) => ['code', 'message', 'details', 'cid'].includes(k))).toBe(true);
  return body;
}

describe('validation → 400 naming every field', () => {
  it('lists each missing, mistyped and extra field with its path', async () => {
    const res = await post(JSON.stringify({ name: '', kind: 'C', lines: [{ day: 29 }, { day: 'x' }], extra: 1 }));
    expect(res.statusCode).toBe(400);
    const body = expectErrorBody(res, 'VALIDATION_ERROR');
    const fields = body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.extra', 'body.kind', 'body.lines[0].day', 'body.lines[1].day', 'body.name'].sort());
    for (const d of body.details) expect(d.reason.length).toBeGreaterThan(0);
    expect(body.details.find((d: { field: string }) => d.field === 'body.kind').reason).toBe('must be one of "A", "B"');
    expect(body.details.find((d: { field: string }) => d.field === 'body.extra').reason).toBe('is not allowed');
  });

  it('names a missing required field', async () => {
    const res = await post(JSON.stringify({ kind: 'A' }));
    expect(res.statusCode).toBe(400);
    expect(expectErrorBody(res, 'VALIDATION_ERROR').details).toEqual([{ field: 'body.name', reason: 'is required' }]);
  });

  it('names a bad query parameter', async () => {
    const res = await post(JSON.stringify({ name: 'a', kind: 'A' }), {}, '/probe/items?page=0');
    expect(res.statusCode).toBe(400);
    expect(expectErrorBody(res, 'VALIDATION_ERROR').details[0].field).toBe('query.page');
  });

  it('accepts a valid request', async () => {
    const res = await post(JSON.stringify({ name: 'ok', kind: 'B', lines: [{ day: 28 }] }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'ok' });
  });
});

describe('malformed and unacceptable bodies', () => {
  it('malformed JSON → 400 MALFORMED_JSON, never 500', async () => {
    const res = await post('{"name": "a",');
    expect(res.statusCode).toBe(400);
    const body = expectErrorBody(res, 'MALFORMED_JSON');
    expect(body.message).not.toContain('"name"'); // the input is not echoed back
  });

  // A zero-length body is no body, whatever the content type says (docs/compatibility.md).
  it('empty body with a JSON content type, where the route requires one → 400 naming body', async () => {
    const res = await post('');
    expect(res.statusCode).toBe(400);
    expect(expectErrorBody(res, 'VALIDATION_ERROR').details).toEqual([{ field: 'body', reason: 'is required' }]);
  });

  it('no body and no content type, where the route requires one → the same 400', async () => {
    const res = await app.http.inject({ method: 'POST', url: '/probe/items' });
    expect(res.statusCode).toBe(400);
    expect(expectErrorBody(res, 'VALIDATION_ERROR').details).toEqual([{ field: 'body', reason: 'is required' }]);
  });

  it.each([
    ['an empty body with a JSON content type', { 'content-type': 'application/json' }],
    ['an empty body with a JSON content type and charset', { 'content-type': 'application/json; charset=utf-8' }],
    ['no body and no content type', {}],
  ])('%s, where the body is optional → as without one', async (_label, headers) => {
    const res = await app.http.inject({ method: 'POST', url: '/probe/optional', headers, payload: '' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ note: '(none)' });
  });

  it('a body that is only whitespace is still malformed JSON', async () => {
    const res = await post(' ');
    expect(res.statusCode).toBe(400);
    expectErrorBody(res, 'MALFORMED_JSON');
  });

  it('an optional body, when sent, is validated', async () => {
    const res = await post(JSON.stringify({ note: 1 }), {}, '/probe/optional');
    expect(res.statusCode).toBe(400);
    expect(expectErrorBody(res, 'VALIDATION_ERROR').details).toEqual([{ field: 'body.note', reason: 'must be string' }]);
  });

  it('body over the limit → 413', async () => {
    const res = await post(JSON.stringify({ name: 'x'.repeat(5000), kind: 'A' }));
    expect(res.statusCode).toBe(413);
    expect(expectErrorBody(res, 'PAYLOAD_TOO_LARGE').message).toContain('2048');
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])('content type %s → 415', async (type) => {
    const res = await post('name=a', { 'content-type': type });
    expect(res.statusCode).toBe(415);
    expect(expectErrorBody(res, 'UNSUPPORTED_MEDIA_TYPE').message).toContain(`"${type}"`);
  });
});

describe('routing', () => {
  it('unknown route → 404', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/no/such/thing' });
    expect(res.statusCode).toBe(404);
    expectErrorBody(res, 'NOT_FOUND');
  });

  it('wrong method on a known route → 405 with Allow', async () => {
    const res = await app.http.inject({ method: 'DELETE', url: '/probe/items' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expectErrorBody(res, 'METHOD_NOT_ALLOWED');
  });

  it('405 on a GET route lists GET and HEAD', async () => {
    const res = await app.http.inject({ method: 'PUT', url: '/health' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('unexpected errors', () => {
  it('the database out of connections → 503 SERVICE_UNAVAILABLE with Retry-After, no driver text', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/probe/db-full', headers: { 'x-cid': 'full-1' } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    const body = expectErrorBody(res, 'SERVICE_UNAVAILABLE');
    expect(body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: 'The database cannot take this request now; retry shortly', cid: 'full-1' });
    expect(res.body).not.toMatch(/too many clients/);
    const line = app.logs.find((l) => l.cid === 'full-1' && l.msg === 'request failed');
    expect(JSON.stringify(line)).toContain('too many clients');
  });

  it('→ 500 INTERNAL_ERROR with a cid and no SQL, driver text or stack', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/probe/boom', headers: { 'x-cid': 'boom-1' } });
    expect(res.statusCode).toBe(500);
    const body = expectErrorBody(res, 'INTERNAL_ERROR');
    expect(body).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error', cid: 'boom-1' });
    expect(res.body).not.toMatch(/table_that_does_not_exist|select|relation|at .*\.ts/i);
    // …but the operator's log has the real error, under the same cid.
    const line = app.logs.find((l) => l.cid === 'boom-1' && l.msg === 'request failed');
    expect(JSON.stringify(line)).toContain('table_that_does_not_exist');
  });

  it('a coded domain error keeps its status and code', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/probe/coded' });
    expect(res.statusCode).toBe(422);
    expect(expectErrorBody(res, 'PROBE_RULE').message).toBe('A business rule said no');
  });
});

describe('correlation id and logs', () => {
  it('echoes a given x-cid in the header, the error body and every log line', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/no/where', headers: { 'x-cid': 'trace-abc-123' } });
    expect(res.headers['x-cid']).toBe('trace-abc-123');
    expect(res.json().cid).toBe('trace-abc-123');
    const lines = app.logs.filter((l) => l.cid === 'trace-abc-123');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ status: 404, path: '/no/where' });
  });

  it('generates a uuid x-cid when none (or an unsafe one) is given', async () => {
    for (const headers of [{}, { 'x-cid': 'bad cid with spaces\u0007' }]) {
      const res = await app.http.inject({ method: 'GET', url: '/health', headers });
      expect(res.headers['x-cid']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('redacts secrets in logged objects', async () => {
    await app.http.inject({ method: 'GET', url: '/probe/log-secret', headers: { 'x-cid': 'secret-log' } });
    const line = app.logs.find((l) => l.cid === 'secret-log' && l.msg === 'probe');
    expect(line).toBeDefined();
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/shh-1|shh-2|shh-3/);
    expect(text).toContain('[REDACTED]');
  });
});
