// When PostgreSQL cannot take a request (out of connections, shutting down, unreachable, no pool
// connection in time) a client gets 503 SERVICE_UNAVAILABLE with Retry-After, not 500: a load
// past max_connections answered 500 INTERNAL_ERROR. The errors here are the driver's own, raised
// by a real server; toAppError is the one mapper every route's errors go through.
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { statusOf, toAppError } from '../../src/platform/http/errors.js';

const adminUrl = inject('pgAdminUrl');
const role = `lastro_unavailable_${process.pid}`;
let admin: pg.Client;

const asAnswer = (err: unknown) => {
  const e = toAppError(err, 1024);
  return { status: statusOf(e), code: e.code, retryAfter: e.headers?.['retry-after'] };
};
const unavailable = { status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '1' };
const urlAs = (user: string) => {
  const url = new URL(adminUrl);
  url.username = user;
  return url.toString();
};
const failureOf = async (fn: () => Promise<unknown>): Promise<unknown> => {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

beforeAll(async () => {
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create role ${role} login connection limit 0`);
});

afterAll(async () => {
  await admin.query(`drop role if exists ${role}`);
  await admin.end();
});

describe('the database cannot take the request: 503 with Retry-After', () => {
  it('out of connections (SQLSTATE 53300)', async () => {
    const client = new pg.Client({ connectionString: urlAs(role) });
    const err = await failureOf(() => client.connect());
    expect((err as { code?: string }).code).toBe('53300');
    expect(asAnswer(err)).toEqual(unavailable);
  });

  it('its connection terminated by the server (SQLSTATE 57P01, a restart or failover)', async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    client.on('error', () => {}); // the server closes the connection after its error
    await client.connect();
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const err = await failureOf(() => Promise.all([client.query('select pg_sleep(5)'), admin.query('select pg_terminate_backend($1)', [pid])]));
    expect((err as { code?: string }).code).toBe('57P01');
    expect(asAnswer(err)).toEqual(unavailable);
    await client.end().catch(() => {});
  });

  it('the server unreachable (connection refused)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    const url = new URL(adminUrl);
    url.host = `127.0.0.1:${closed}`;
    const err = await failureOf(() => new pg.Client({ connectionString: url.toString() }).connect());
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(asAnswer(err)).toEqual(unavailable);
  });

  it('no pool connection within the pool’s timeout', async () => {
    const pool = new pg.Pool({ connectionString: adminUrl, max: 1, connectionTimeoutMillis: 50 });
    const held = await pool.connect();
    try {
      const err = await failureOf(() => pool.connect());
      expect(asAnswer(err)).toEqual(unavailable);
    } finally {
      held.release();
      await pool.end();
    }
  });
});

describe('other database errors stay internal', () => {
  it('a statement that fails (division by zero, 22012; a syntax error, 42601): 500 INTERNAL_ERROR', async () => {
    const division = await failureOf(() => admin.query('select 1 from (values (1)) v(x) where x = 1 / 0'));
    expect((division as { code?: string }).code).toBe('22012');
    expect(asAnswer(division)).toEqual({ status: 500, code: 'INTERNAL_ERROR', retryAfter: undefined });
    const syntax = await failureOf(() => admin.query('selec 1'));
    expect((syntax as { code?: string }).code).toBe('42601');
    expect(asAnswer(syntax)).toEqual({ status: 500, code: 'INTERNAL_ERROR', retryAfter: undefined });
  });

  it('a protocol violation (08P01) is a fault, not an outage', () => {
    const err = Object.assign(new Error('invalid message format'), { code: '08P01' });
    expect(asAnswer(err)).toEqual({ status: 500, code: 'INTERNAL_ERROR', retryAfter: undefined });
  });
});
