// Migrations, idempotency keys and durable jobs, on the engine of the running project.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { openDatabase, type Database } from '../../src/platform/db/database.js';
import { loadMigrations, migrate, migrationsApplied, MigrationChecksumError } from '../../src/platform/db/migrate.js';
import { runIdempotent } from '../../src/platform/idempotency.js';
import { grantJobTablesToApp } from '../../src/platform/db/jobs.repo.js';
import { createJobRunner, defineJob, NonRetryableJobError, type JobRunner } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import { engine, freshDatabase, type TestDatabase } from '../helpers/db.js';

const until = async (check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('migrations', () => {
  let tdb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    tdb = await freshDatabase({ empty: true });
    db = await tdb.open();
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('apply in order once, record checksums, and report readiness', async () => {
    expect(await migrationsApplied(db.pool)).toBe(false);
    const first = await migrate(db.pool);
    expect(first.applied).toEqual(loadMigrations().map((m) => m.name));
    expect(await migrationsApplied(db.pool)).toBe(true);
    const again = await migrate(db.pool);
    expect(again.applied).toEqual([]);
    const { rows } = await db.pool.query('select version, checksum from lastro_schema_migrations order by version');
    expect(rows.map((r: { version: number }) => r.version)).toEqual(loadMigrations().map((m) => m.version));
  });

  it('two migrators starting together do not race (advisory lock)', async () => {
    // On PostgreSQL, two pools (two processes). PGlite has one connection: the two queue on it.
    const other = engine() === 'postgres' ? await tdb.open() : undefined;
    const second = other ?? db;
    const extra = [
      ...loadMigrations(),
      { version: loadMigrations().length + 1, name: 'race_probe', sql: 'create table race_probe (id int)', checksum: 'x' },
    ];
    const results = await Promise.all([migrate(db.pool, { migrations: extra }), migrate(second.pool, { migrations: extra })]);
    expect(results.flatMap((r) => r.applied)).toEqual(['race_probe']);
    await other?.close();
  });

  it.skipIf(engine() !== 'postgres')('with everything applied, a start only reads: it does not wait for the migration lock', async () => {
    // Another process holds the lock (as a migrator would): a start with nothing to apply must
    // not queue behind it. PGlite has one connection, so there is no other process to hold it.
    const holder = await tdb.open();
    const client = await holder.pool.connect();
    try {
      await client.query('select pg_advisory_lock(83919925834319)');
      expect(await migrate(db.pool)).toEqual({ applied: [], total: loadMigrations().length });
      // An edited migration is still refused (the full path, once the lock is free).
      await client.query('select pg_advisory_unlock(83919925834319)');
      const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await expect(migrate(db.pool, { migrations: edited })).rejects.toThrow(MigrationChecksumError);
    } finally {
      client.release();
      await holder.close();
    }
  });

  it('refuse to start when an applied migration was edited', async () => {
    const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await expect(migrate(db.pool, { migrations: edited })).rejects.toThrow(MigrationChecksumError);
  });

  it('roll back a failing migration entirely', async () => {
    const bad = [
      ...loadMigrations(),
      { version: 99, name: 'race_probe', sql: 'select 1', checksum: 'x' }, // already applied above, same checksum
      { version: 100, name: 'broken', sql: 'create table half_done (id int); select * from missing_table;', checksum: 'y' },
    ];
    await expect(migrate(db.pool, { migrations: bad.filter((m) => m.version !== 99) })).rejects.toThrow(/broken failed/);
    const { rows } = await db.pool.query("select to_regclass('half_done') as t");
    expect(rows[0].t).toBeNull();
  });
});

describe('idempotency keys', () => {
  let tdb: TestDatabase;
  let db: Database;
  const clock = new ManualClock('2026-11-23T00:00:00Z');
  beforeAll(async () => {
    tdb = await freshDatabase();
    db = await tdb.open();
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  let effects = 0;
  const call = (orgId: string, key: string, payload: unknown, operation = 'POST /things') =>
    db.transaction((tx) =>
      runIdempotent(tx, clock, { orgId, key, operation, payload }, async () => {
        effects += 1;
        await sql`insert into lastro_meta (key, value) values (${`effect-${effects}`}, ${orgId})`.execute(tx);
        return { status: 201, body: { n: effects } };
      }),
    );

  it('same key and same request → the stored response, effect once', async () => {
    const a = await call('TN-a', 'k1', { amount: 10, note: 'x' });
    const b = await call('TN-a', 'k1', { note: 'x', amount: 10 }); // key order does not matter
    expect(a).toEqual({ status: 201, body: { n: 1 }, replayed: false });
    expect(b).toEqual({ status: 201, body: { n: 1 }, replayed: true });
    expect(effects).toBe(1);
  });

  it('same key with a different request or operation → 422', async () => {
    await expect(call('TN-a', 'k1', { amount: 11, note: 'x' })).rejects.toMatchObject({ kind: 'unprocessable', code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(call('TN-a', 'k1', { amount: 10, note: 'x' }, 'POST /other')).rejects.toMatchObject({ kind: 'unprocessable' });
    expect(effects).toBe(1);
  });

  it('keys are per org', async () => {
    const other = await call('TN-b', 'k1', { amount: 99 });
    expect(other.replayed).toBe(false);
    expect(effects).toBe(2);
  });

  it('a failed effect stores nothing, so the same request can be retried', async () => {
    await expect(
      db.transaction((tx) =>
        runIdempotent(tx, clock, { orgId: 'TN-a', key: 'k-fail', operation: 'POST /x', payload: {} }, async () => {
          await sql`insert into lastro_meta (key, value) values ('half', 'written')`.execute(tx);
          throw new Error('downstream failed');
        }),
      ),
    ).rejects.toThrow('downstream failed');
    const { rows } = await db.pool.query("select count(*)::int as n from lastro_meta where key = 'half'");
    expect(rows[0].n).toBe(0);
    const retry = await call('TN-a', 'k-fail', {}, 'POST /x');
    expect(retry.replayed).toBe(false);
  });

  it('an expired key is forgotten', async () => {
    const before = effects;
    await call('TN-a', 'k-exp', { v: 1 });
    clock.advance(25 * 60 * 60 * 1000);
    const again = await call('TN-a', 'k-exp', { v: 2 });
    expect(again.replayed).toBe(false);
    expect(effects).toBe(before + 2);
  });

  it.skipIf(engine() === 'pglite')('a concurrent request with the same key → 409 while the first is in flight', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = db.transaction((tx) =>
      runIdempotent(tx, clock, { orgId: 'TN-c', key: 'k-conc', operation: 'POST /x', payload: {} }, async () => {
        entered();
        await held;
        return { status: 201, body: { ok: true } };
      }),
    );
    await inside;
    await expect(
      db.transaction((tx) => runIdempotent(tx, clock, { orgId: 'TN-c', key: 'k-conc', operation: 'POST /x', payload: {} }, async () => ({ status: 201, body: {} }))),
    ).rejects.toMatchObject({ kind: 'conflict', code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' });
    release();
    await first;
    const replay = await db.transaction((tx) =>
      runIdempotent(tx, clock, { orgId: 'TN-c', key: 'k-conc', operation: 'POST /x', payload: {} }, async () => ({ status: 500, body: {} })),
    );
    expect(replay).toEqual({ status: 201, body: { ok: true }, replayed: true });
  });
});

describe('durable jobs', () => {
  const seen: { value: number; attempt: number }[] = [];
  let failOnce = true;
  const echo = defineJob({
    name: 'test.echo',
    schema: Type.Object({ value: Type.Integer() }),
    retryDelaySeconds: 1,
    async handler(data, ctx) {
      if (data.value === 7 && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
      if (data.value === 13) throw new NonRetryableJobError('never works');
      seen.push({ value: data.value, attempt: ctx.attempt });
    },
  });

  let tdb: TestDatabase;
  let db: Database;
  let runner: JobRunner;
  const dataDir = engine() === 'pglite' ? join(mkdtempSync(join(tmpdir(), 'lastro-jobs-')), 'data') : undefined;
  const log = createLogger('silent');

  const open = async (): Promise<Database> =>
    tdb.databaseUrl ? openDatabase({ databaseUrl: tdb.databaseUrl, poolSize: 3 }) : openDatabase({ dataDir });

  beforeAll(async () => {
    tdb = await freshDatabase({ empty: true, dataDir });
    if (tdb.pglite) await tdb.pglite.close(); // reopened below through the data dir, as a real start would
    db = await open();
    await migrate(db.pool);
  });
  afterAll(async () => {
    await runner?.stop(1000);
    await db?.close();
    await tdb?.drop();
  });

  it('a job sent before a restart runs after it', async () => {
    runner = createJobRunner({ db, log, pollSeconds: 0.5 });
    runner.define(echo);
    await runner.start({ work: false }); // an api-only process: sends, does not work
    await runner.send(echo, { value: 1 });
    expect((await runner.queueDepth())['test.echo']).toBe(1);
    await runner.stop(1000);
    await db.close();

    db = await open(); // the "restart"
    runner = createJobRunner({ db, log, pollSeconds: 0.5 });
    runner.define(echo);
    await runner.start({ work: true });
    await until(() => seen.some((s) => s.value === 1));
  });

  it('a job sent in a transaction that rolls back never exists', async () => {
    await db
      .transaction(async (tx) => {
        await runner.send(echo, { value: 2 }, { tx });
        throw new Error('rollback');
      })
      .catch(() => {});
    await db.transaction(async (tx) => {
      await runner.send(echo, { value: 3 }, { tx });
    });
    await until(() => seen.some((s) => s.value === 3));
    expect(seen.some((s) => s.value === 2)).toBe(false);
  });

  it('a failing job is retried', async () => {
    await runner.send(echo, { value: 7 });
    await until(() => seen.some((s) => s.value === 7));
    expect(seen.find((s) => s.value === 7)?.attempt).toBe(2);
  });

  it('data that does not match the schema, and non-retryable failures, go to the dead letter queue', async () => {
    await runner.send(echo, { value: 'not a number' } as never);
    await runner.send(echo, { value: 13 });
    await until(async () => {
      const { rows } = await db.pool.query("select count(*)::int as n from pgboss.job where name = 'test.echo.dead'");
      return rows[0].n === 2;
    });
    expect(seen.some((s) => (s.value as unknown) === 'not a number' || s.value === 13)).toBe(false);
  });

  it('the application role may send jobs, granted once: a start that finds the grants skips them, one that misses any grants again', async () => {
    const rights = async () =>
      (
        await db.pool.query<{ usage: boolean; insert: boolean }>(
          "select has_schema_privilege('lastro_app', 'pgboss', 'usage') as usage, has_table_privilege('lastro_app', 'pgboss.job', 'insert') as insert",
        )
      ).rows[0];
    expect(await rights()).toEqual({ usage: true, insert: true });
    await db.pool.query('revoke insert on pgboss.job from lastro_app');
    expect(await rights()).toEqual({ usage: true, insert: false });
    await grantJobTablesToApp(db); // a start that finds one right missing
    expect(await rights()).toEqual({ usage: true, insert: true });
    // A tenant transaction (role lastro_app) sends a job.
    await db.transaction(async (tx) => runner.send(echo, { value: 21 }, { tx }), { orgId: 'TN-grants' });
    await until(() => seen.some((s) => s.value === 21));
  });

  it('sends from start() on; works, and writes the cron schedules, from work() on: a job sent in between waits and then runs', async () => {
    await runner.stop(1000);
    const ticking = defineJob({ name: 'test.ticking', schema: Type.Object({}), cron: '0 0 1 1 *', async handler() {} });
    const scheduled = async () =>
      (await db.pool.query<{ n: number }>("select count(*)::int as n from pgboss.schedule where name = 'test.ticking'")).rows[0]!.n;
    runner = createJobRunner({ db, log, pollSeconds: 0.5 });
    runner.define(echo);
    runner.define(ticking);
    await runner.start({ work: false });
    await runner.send(echo, { value: 31 });
    expect((await runner.queueDepth())['test.echo']).toBe(1);
    expect(await scheduled()).toBe(0);
    await runner.work();
    await until(() => seen.some((s) => s.value === 31));
    expect(await scheduled()).toBe(1);
    await expect(runner.work()).rejects.toThrow(/working already/);
  });

  it('a stop while work() is still starting waits for it, then stops', async () => {
    await runner.stop(1000);
    runner = createJobRunner({ db, log, pollSeconds: 0.5 });
    runner.define(echo);
    await runner.start({ work: false });
    const working = runner.work();
    await runner.stop(1000);
    await working;
    await expect(runner.send(echo, { value: 41 })).rejects.toThrow(/not started/);
    runner = createJobRunner({ db, log, pollSeconds: 0.5 });
    runner.define(echo);
    await runner.start({ work: true });
    await runner.send(echo, { value: 41 });
    await until(() => seen.some((s) => s.value === 41));
  });
});
