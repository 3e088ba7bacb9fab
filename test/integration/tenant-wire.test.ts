// What a transaction sends, and that row-level security holds on every path of it: a first plain
// read sent without BEGIN (settings and read in one pipeline), named prepared statements shared
// by orgs on one connection (PostgreSQL), outbox rows sent with the next statement or COMMIT,
// statements sent together with each one's result, the outbox NOTIFY sent once after commit, and
// failures anywhere in a transaction writing nothing.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.js';
import { afterCommit, openDatabase, readTogether, sendLast, sendTogether, sendWithNext, txSlot, txState, type Database, type Read, type Tx } from '../../src/platform/db/database.js';
import { randomIds } from '../../src/platform/ids.js';
import { defineEvent, eventOf, eventStatements, recordEvent } from '../../src/platform/outbox.js';
import { createTenantRunner, NestedTenantTxError, withCid, type TenantRunner } from '../../src/platform/tenant.js';
import { REPLAN_FIRST_MS, wirePool } from '../../src/platform/db/wire.js';
import { engine, freshDatabase, type TestDatabase } from '../helpers/db.js';
import { countRoundTrips, counted } from '../helpers/round-trips.js';

declare module '../../src/platform/db/tables.js' {
  interface Tables {
    /** This test's own tenant table (created in beforeAll). */
    wire_probe: { org_id: string; n: number };
  }
}

const A = `TN-${randomUUID()}`;
const B = `TN-${randomUUID()}`;
const probeEvent = defineEvent({
  domain: 'test',
  eventType: 'wire-probe',
  version: 1,
  title: 'Wire probe',
  description: 'Written by the tenant wire test.',
  schema: Type.Object({ n: Type.Integer() }),
  example: { n: 1 },
});

let tdb: TestDatabase;
let db: Database;
let tenant: TenantRunner;

const noDates = { forTenant: () => ({ today: async () => '2026-01-01', readAhead: () => undefined, isSandbox: async () => false }), forget: () => {} };
const record = (tx: Tx, orgId: string, n: number) =>
  recordEvent(tx, { clock: systemClock, ids: randomIds }, probeEvent, { orgId, cid: undefined, data: { n } });
const scope = (orgId: string) => ({ orgId, cid: undefined, actor: 'test' });
/** Rows of the probe table and probe events, as the system sees them. */
const stored = async () => ({
  rows: (await sql<{ org_id: string; n: number }>`select org_id, n from wire_probe order by org_id, n`.execute(db.kysely)).rows,
  events: (
    await sql<{ org_id: string; n: number }>`
      select org_id, (data->>'n')::int as n from event_outbox_events where event_type = 'wire-probe' order by org_id, n`.execute(db.kysely)
  ).rows,
});

beforeAll(async () => {
  tdb = await freshDatabase();
  // One connection: every statement of the test shares it, so what a transaction leaves on its
  // connection (settings, role, prepared statements) would show in the next one.
  db = tdb.databaseUrl ? await openDatabase({ databaseUrl: tdb.databaseUrl, poolSize: 1 }) : await tdb.open();
  tenant = createTenantRunner({ db, dates: noDates });
  await db.pool.query(`
    create table wire_probe (org_id text not null, n integer not null, primary key (org_id, n));
    alter table wire_probe enable row level security;
    alter table wire_probe force row level security;
    create policy tenant on wire_probe
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on');
    grant select, insert, update, delete on wire_probe to lastro_app;
    -- A SELECT that writes: looks like a plain read to the wire, refused read-only, sent again under BEGIN.
    create function wire_probe_add(k integer) returns integer language sql as
      'insert into wire_probe (org_id, n) values (current_setting(''lastro.org_id''), k) returning n';
    grant execute on function wire_probe_add(integer) to lastro_app;
    -- What a statement did even when its transaction rolled back (a sequence is not transactional).
    create sequence wire_probe_seq;
    grant usage on sequence wire_probe_seq to lastro_app;
    insert into wire_probe values ('${A}', 1), ('${A}', 2), ('${B}', 1);`);
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

describe('a first plain read, sent without BEGIN', () => {
  it('runs as the application role with the org set, in the same round trip, and sees only its org', async () => {
    for (const org of [A, B, A]) {
      const seen = await tenant(scope(org), async (t) => {
        const { rows } = await sql<{ org: string; role: string; ro: string; orgs: string[] }>`
          select current_setting('lastro.org_id', true) as org, current_user as role,
                 current_setting('transaction_read_only') as ro,
                 array(select distinct org_id from wire_probe) as orgs`.execute(t.db);
        return rows[0]!;
      });
      expect(seen).toEqual({ org, role: 'lastro_app', ro: 'on', orgs: [org] });
    }
  });

  it('leaves nothing on the connection: the next statement outside a transaction has no org, role or read-only', async () => {
    await tenant(scope(A), (t) => sql`select n from wire_probe`.execute(t.db));
    const { rows } = await sql<{ org: string | null; role: string; ro: string }>`
      select current_setting('lastro.org_id', true) as org, current_user as role,
             current_setting('transaction_read_only') as ro`.execute(db.kysely);
    expect(rows[0]!.org ?? '').toBe('');
    expect(rows[0]!.role).not.toBe('lastro_app');
    expect(rows[0]!.ro).toBe('off');
  });

  it('cannot run without its settings: when they fail, the read does not run', async () => {
    // An org id PostgreSQL refuses as text (a NUL byte) makes the settings statement fail; the
    // read behind it in the pipeline is skipped, never run bare.
    await expect(tenant(scope('TN-\u0000'), (t) => sql`select count(*) from wire_probe`.execute(t.db))).rejects.toThrow();
    // The connection is still good and still isolated.
    const n = await tenant(scope(B), async (t) => (await sql<{ n: number }>`select count(*)::int as n from wire_probe`.execute(t.db)).rows[0]!.n);
    expect(n).toBe(1);
  });

  it('a SELECT that writes is refused read-only, sent again inside the transaction, and rolls back with it', async () => {
    await expect(
      tenant(scope(A), async (t) => {
        await sql`select wire_probe_add(10)`.execute(t.db);
        throw new Error('fails after the write');
      }),
    ).rejects.toThrow('fails after the write');
    await tenant(scope(A), (t) => sql`select wire_probe_add(11)`.execute(t.db));
    const { rows } = await stored();
    expect(rows.filter((r) => r.org_id === A).map((r) => r.n)).toEqual([1, 2, 11]);
    await db.transaction((tx) => sql`delete from wire_probe where n = 11`.execute(tx), { system: true });
  });

  it('a locking read (FOR UPDATE) and an advisory lock are sent inside the transaction, and hold until it ends', async () => {
    const locks = await tenant(scope(A), async (t) => {
      await sql`select pg_try_advisory_xact_lock(4242)`.execute(t.db);
      await sql`select n from wire_probe where n = 1 for update`.execute(t.db);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 4242 and pid = pg_backend_pid()`.execute(t.db);
      return rows[0]!.n;
    });
    expect(locks).toBe(1);
  });
});

describe('prepared statements', () => {
  it('one statement text serves orgs A and B on one connection, each seeing only its rows', async () => {
    const read = (org: string) =>
      tenant(scope(org), async (t) => (await t.db.selectFrom('wire_probe').select(['org_id', 'n']).where('n', '>', 0).orderBy('n').execute()).map((r) => r.org_id));
    for (let i = 0; i < 3; i++) {
      expect(await read(A)).toEqual([A, A]);
      expect(await read(B)).toEqual([B]);
    }
    // Inside a transaction that writes too (the statement follows BEGIN).
    const inTx = await tenant(scope(B), async (t) => {
      await t.db.insertInto('wire_probe').values({ org_id: B, n: 2 }).execute();
      return (await t.db.selectFrom('wire_probe').select(['org_id', 'n']).where('n', '>', 0).orderBy('n').execute()).map((r) => r.n);
    });
    expect(inTx).toEqual([1, 2]);
    if (engine() === 'postgres') {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like '%wire_probe%'`.execute(
        db.kysely,
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    }
  });

  // A statement is described (its result columns sent) only when a connection parses it; later
  // runs on that connection reuse what it said.
  it('rows keep their columns and types on later runs; a column added since the parse is answered, never rows under old names', async () => {
    const read = () =>
      tenant(scope(A), async (t) => (await sql<Record<string, unknown>>`select *, 10::int8 as big, now() as at from wire_probe where n = ${1}`.execute(t.db)).rows);
    for (let i = 0; i < 3; i++) {
      const rows = await read();
      expect(rows).toEqual([{ org_id: A, n: 1, big: 10n, at: expect.any(Date) }]);
    }
    await db.pool.query(`alter table wire_probe add column extra text not null default 'x'`);
    try {
      // PostgreSQL refuses a prepared statement whose result columns changed (0A000) once; the
      // statement is then parsed anew under another name and described again.
      const after = await read().catch((err: { code?: string }) => {
        expect(err.code).toBe('0A000');
        return read();
      });
      expect(after).toEqual([{ org_id: A, n: 1, extra: 'x', big: 10n, at: expect.any(Date) }]);
    } finally {
      await db.pool.query('alter table wire_probe drop column extra');
    }
    const again = await read().catch(() => read());
    expect(again).toEqual([{ org_id: A, n: 1, big: 10n, at: expect.any(Date) }]);
  });

  // A probe's generic plan is costed for more ids than it is sent; left to choose, PostgreSQL plans
  // it again at each execution. A transfer's transaction asks for the generic plans instead.
  it.skipIf(engine() !== 'postgres')("plans: 'generic' runs each statement's generic plan from its first run, for that transaction only", async () => {
    const run = (alias: string, opts?: { plans: 'generic' }) =>
      tenant(scope(A), async (t) => (await sql<{ n: number }>`select n as ${sql.ref(alias)} from wire_probe where n = any(${[1, 2]}::int[]) order by n`.execute(t.db)).rows, opts);
    const plans = async (alias: string) =>
      (
        await sql<{ generic_plans: string; custom_plans: string }>`
          select generic_plans::text, custom_plans::text from pg_prepared_statements where statement like ${`%as "${alias}"%`}`.execute(db.kysely)
      ).rows.map((r) => ({ generic: Number(r.generic_plans), custom: Number(r.custom_plans) }));
    for (let i = 0; i < 3; i++) {
      expect(await run('plan_probe_generic', { plans: 'generic' })).toHaveLength(2);
      expect(await run('plan_probe_auto')).toHaveLength(2);
    }
    expect(await plans('plan_probe_generic')).toEqual([{ generic: 3, custom: 0 }]);
    expect(await plans('plan_probe_auto')).toEqual([{ generic: 0, custom: 3 }]);
    // The setting ends with its transaction: the connection is back to PostgreSQL's default.
    const { rows } = await sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`.execute(db.kysely);
    expect(rows[0]!.mode).toBe('auto');
  });

  it('a prepared statement failing mid-pipeline leaves the connection usable', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(tenant(scope(A), (t) => t.db.insertInto('wire_probe').values({ org_id: A, n: 1 }).execute())).rejects.toThrow(/duplicate key/);
    }
    expect(await tenant(scope(A), async (t) => (await t.db.selectFrom('wire_probe').select('n').execute()).length)).toBe(2);
  });
});

describe('named statements parsed again after a while (PostgreSQL)', () => {
  // PostgreSQL keeps a prepared statement's generic plan until an ANALYZE (or DDL) invalidates it.
  // Planned while its table was nearly empty, a probe scans the table once per key, and on a
  // server where nothing analyzes (autovacuum off) it would keep doing so as the table grows.
  it.skipIf(engine() !== 'postgres')('a plan made on a nearly empty table does not outlive its growth', async () => {
    let ms = 0;
    const pool = new pg.Pool({ connectionString: tdb.databaseUrl!, max: 1 });
    const wire = await wirePool(pool, { named: true, now: () => ms }).connect();
    try {
      await wire.client.query(`
        create table wire_growth (org_id text not null, k text not null, primary key (org_id, k)) with (autovacuum_enabled = false);
        insert into wire_growth values ('${A}', 'k0');
        analyze wire_growth; -- (an index created on the empty table counts its rows as well)
        set plan_cache_mode = force_generic_plan`);
      const text = `select g.k from unnest($2::text[]) as ids(id)
        cross join lateral (select * from wire_growth g where g.org_id = $1 and g.k = ids.id offset 0) g`;
      const probe = async (keys: string[]) => {
        wire.begin({ settings: null, readSettings: { text: "select set_config('transaction_read_only', 'on', true)", values: [] } });
        const [res] = await wire.together([{ text, values: [A, keys] }]);
        await wire.commit();
        return res!.rows.map((r) => r.k);
      };
      const tick = () => new Promise((resolve) => setTimeout(resolve, 2));
      const plan = async () => {
        const { rows } = await wire.client.query<{ name: string; prepare_time: Date }>('select name, prepare_time from pg_prepared_statements where statement = $1', [text]);
        expect(rows).toHaveLength(1);
        const explained = await wire.client.query<{ 'QUERY PLAN': string }>(`explain execute ${rows[0]!.name}('${A}', '{k1}')`);
        return { at: rows[0]!.prepare_time.getTime(), scan: explained.rows.map((r) => r['QUERY PLAN']).join('\n') };
      };

      expect(await probe(['k0'])).toEqual(['k0']);
      const first = await plan();
      expect(first.scan).toMatch(/Seq Scan on wire_growth/);

      await wire.client.query(`insert into wire_growth select '${A}', 'k' || i from generate_series(1, 20000) i`);
      ms += REPLAN_FIRST_MS - 1;
      expect(await probe(['k1', 'k2'])).toEqual(['k1', 'k2']);
      const before = await plan();
      expect(before.at).toBe(first.at); // not yet: the plan of the empty table still stands
      expect(before.scan).toMatch(/Seq Scan on wire_growth/);

      ms += 1;
      await tick(); // prepare_time has millisecond precision: a parse in the same millisecond would look the same
      expect(await probe(['k3'])).toEqual(['k3']);
      const after = await plan();
      expect(after.at).toBeGreaterThan(first.at);
      expect(after.scan).toMatch(/Index (Only )?Scan using wire_growth_pkey/);

      // The next re-parse waits twice as long.
      ms += REPLAN_FIRST_MS * 2 - 1;
      await probe(['k4']);
      expect((await plan()).at).toBe(after.at);
      ms += 1;
      await tick();
      await probe(['k5']);
      expect((await plan()).at).toBeGreaterThan(after.at);
    } finally {
      await wire.client.query('drop table if exists wire_growth; reset plan_cache_mode').catch(() => {});
      wire.release();
      await pool.end();
    }
  });
});

describe('outbox rows sent with the next statement or COMMIT', () => {
  it('commit with the transaction: each org’s events are its own', async () => {
    await tenant(scope(A), (t) => record(t.db, A, 100));
    await tenant(scope(B), async (t) => {
      await record(t.db, B, 100);
      await record(t.db, B, 101);
      await t.db.insertInto('wire_probe').values({ org_id: B, n: 100 }).execute();
    });
    const { events } = await stored();
    expect(events).toEqual(
      [
        { org_id: A, n: 100 },
        { org_id: B, n: 100 },
        { org_id: B, n: 101 },
      ].sort((x, y) => (x.org_id === y.org_id ? x.n - y.n : x.org_id < y.org_id ? -1 : 1)),
    );
    // Org A's transaction sees none of B's.
    const seenByA = await tenant(scope(A), async (t) => (await sql<{ org_id: string }>`select org_id from event_outbox_events`.execute(t.db)).rows);
    expect(seenByA.every((r) => r.org_id === A)).toBe(true);
  });

  it('a statement after the event sees it (the event went first, in the same transaction)', async () => {
    const seen = await tenant(scope(A), async (t) => {
      await record(t.db, A, 200);
      return (await sql<{ n: number }>`select count(*)::int as n from event_outbox_events where (data->>'n')::int = 200`.execute(t.db)).rows[0]!.n;
    });
    expect(seen).toBe(1);
  });

  it('an event of another org fails with the transaction and writes nothing', async () => {
    const before = await stored();
    await expect(
      tenant(scope(A), async (t) => {
        await t.db.insertInto('wire_probe').values({ org_id: A, n: 300 }).execute();
        await record(t.db, B, 300); // RLS refuses it when it is sent, with COMMIT
      }),
    ).rejects.toThrow(/row-level security/);
    expect(await stored()).toEqual(before);
    // The connection was rolled back, not left in a failed transaction.
    expect(await tenant(scope(A), async (t) => (await t.db.selectFrom('wire_probe').select('n').execute()).length)).toBe(2);
  });
});

describe('a failure mid-transaction writes nothing', () => {
  it('rows, events and a SELECT that wrote, before a failing statement, all roll back', async () => {
    const before = await stored();
    await expect(
      tenant(scope(A), async (t) => {
        await sql`select wire_probe_add(400)`.execute(t.db);
        await t.db.insertInto('wire_probe').values({ org_id: A, n: 401 }).execute();
        await record(t.db, A, 400);
        await t.db.insertInto('wire_probe').values({ org_id: A, n: 1 }).execute(); // duplicate key
      }),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      tenant(scope(A), async (t) => {
        await t.db.insertInto('wire_probe').values({ org_id: A, n: 402 }).execute();
        await record(t.db, A, 402);
        throw new Error('the service gives up');
      }),
    ).rejects.toThrow('the service gives up');
    expect(await stored()).toEqual(before);
  });

  it('concurrent statements of one transaction keep its order and its settings', async () => {
    const got = await tenant(scope(B), async (t) => {
      const [x, y, z] = await Promise.all([
        sql<{ n: number }>`select count(*)::int as n from wire_probe`.execute(t.db),
        t.db.insertInto('wire_probe').values({ org_id: B, n: 500 }).execute(),
        sql<{ org: string }>`select current_setting('lastro.org_id') as org`.execute(t.db),
      ]);
      return [x.rows[0]!.n, Number(y[0]!.numInsertedOrUpdatedRows), z.rows[0]!.org];
    });
    expect(got).toEqual([3, 1, B]);
  });
});

describe('statements sent together (sendTogether, readTogether)', () => {
  class Mapped extends Error {
    constructor(cause: Error) {
      super(`mapped: ${cause.message}`, { cause });
    }
  }
  const mapError = (err: Error) => new Mapped(err);
  const seqCalls = async () => (await sql<{ v: string; called: boolean }>`select last_value::text as v, is_called as called from wire_probe_seq`.execute(db.kysely)).rows[0]!;
  const cleanUp = () => db.transaction((tx) => sql`delete from wire_probe where n >= 1000`.execute(tx), { system: true });
  afterAll(cleanUp);

  it('go in one round trip behind BEGIN, the settings and the deferred writes, each result in order', async () => {
    const stop = countRoundTrips();
    try {
      const { result, trips } = await counted(() =>
        tenant(scope(A), async (t) => {
          await record(t.db, A, 1000); // deferred: sent first, so the third statement sees it
          const results = await sendTogether(t.db, [
            sql`select current_setting('lastro.org_id') as org, current_user as role`.compile(t.db),
            t.db.insertInto('wire_probe').values([{ org_id: A, n: 1000 }, { org_id: A, n: 1001 }]).returning('n').compile(),
            sql`select count(*)::int as n from event_outbox_events where event_type = 'wire-probe' and (data->>'n')::int = 1000`.compile(t.db),
            t.db.updateTable('wire_probe').set({ n: sql`n + 1000` }).where('n', '>=', 1000).compile(),
            t.db.selectFrom('wire_probe').select('n').where('n', '<', 0).compile(),
            sql`select n from wire_probe where n >= 1000 order by n`.compile(t.db),
          ]);
          return results.map((r) => ({ rows: r.rows, affected: r.numAffectedRows }));
        }),
      );
      expect(result).toEqual([
        { rows: [{ org: A, role: 'lastro_app' }], affected: undefined },
        { rows: [{ n: 1000 }, { n: 1001 }], affected: 2n },
        { rows: [{ n: 1 }], affected: undefined },
        { rows: [], affected: 2n },
        { rows: [], affected: undefined },
        { rows: [{ n: 2000 }, { n: 2001 }], affected: undefined },
      ]);
      // The batch, then COMMIT.
      expect(trips).toBe(2);
    } finally {
      stop();
    }
    expect((await stored()).rows.filter((r) => r.n >= 1000)).toEqual([
      { org_id: A, n: 2000 },
      { org_id: A, n: 2001 },
    ]);
    await cleanUp();
  });

  it('sendLast: the whole transaction in one round trip, committed at once, with an event whose data PostgreSQL completes', async () => {
    const stop = countRoundTrips();
    let committed = false;
    try {
      const { result, trips } = await counted(() =>
        tenant(scope(A), async (t) => {
          afterCommit(t.db, () => (committed = true));
          const event = eventStatements(t.db, { clock: systemClock, ids: randomIds }, eventOf(probeEvent, { orgId: A, cid: undefined, data: { n: 0 } }), {
            field: 'n',
            sql: "currval('wire_probe_seq')",
          });
          const results = await sendLast(t.db, [
            sql`select current_setting('lastro.org_id') as org, current_user as role, nextval('wire_probe_seq') + 0 * 1300 as seq`.compile(t.db),
            t.db.insertInto('wire_probe').values({ org_id: A, n: 1300 }).returning('n').compile(),
            ...event,
          ]);
          // Nothing more can be sent: the transaction has committed.
          await expect(t.db.selectFrom('wire_probe').select('n').execute()).rejects.toThrow(/committed with its last statements/);
          return results.slice(0, 2).map((r) => r.rows);
        }),
      );
      const seq = (result[0]![0] as { seq: bigint }).seq;
      expect(result).toEqual([[{ org: A, role: 'lastro_app', seq }], [{ n: 1300 }]]);
      // Settings and statements in one pipeline: no BEGIN, no COMMIT.
      expect(trips).toBe(1);
      expect(committed).toBe(true);
      const after = await stored();
      expect(after.rows).toContainEqual({ org_id: A, n: 1300 });
      expect(after.events).toContainEqual({ org_id: A, n: Number(seq) });
    } finally {
      stop();
    }
    await cleanUp();
  });

  it('sendLast: a failing statement writes nothing; after an earlier statement it is sendTogether, and COMMIT follows', async () => {
    const before = await stored();
    await expect(
      tenant(scope(A), (t) =>
        sendLast(t.db, [
          t.db.insertInto('wire_probe').values({ org_id: A, n: 1400 }).compile(),
          t.db.insertInto('wire_probe').values({ org_id: A, n: 1 }).compile(), // duplicate key
        ]),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await stored()).toEqual(before);
    const stop = countRoundTrips();
    try {
      const { trips } = await counted(() =>
        tenant(scope(A), async (t) => {
          await t.db.selectFrom('wire_probe').select('n').forUpdate().execute();
          await sendLast(t.db, [t.db.insertInto('wire_probe').values({ org_id: A, n: 1401 }).compile()]);
          await t.db.insertInto('wire_probe').values({ org_id: A, n: 1402 }).execute();
        }),
      );
      expect(trips).toBe(4);
    } finally {
      stop();
    }
    expect((await stored()).rows.filter((r) => r.n >= 1400)).toEqual([
      { org_id: A, n: 1401 },
      { org_id: A, n: 1402 },
    ]);
    await cleanUp();
  });

  it('readTogether answers each read’s value, undefined for a slot left out', async () => {
    const count = (org: string): Read<number> => ({
      query: sql`select count(*)::int as n from wire_probe where org_id = ${org}`.compile(db.kysely),
      read: (rows) => rows[0]!.n as number,
    });
    const got = await tenant(scope(B), async (t) => {
      const [mine, skipped, theirs] = await readTogether(t.db, [count(B), undefined, count(A)]);
      return { mine, skipped, theirs };
    });
    // Row-level security: org B's transaction sees none of A's rows.
    expect(got).toEqual({ mine: (await stored()).rows.filter((r) => r.org_id === B).length, skipped: undefined, theirs: 0 });
  });

  it('a failing statement fails the call, nothing after it runs, and the transaction rolls back', async () => {
    const before = await stored();
    const calls = await seqCalls();
    await expect(
      tenant(scope(A), async (t) => {
        await t.db.insertInto('wire_probe').values({ org_id: A, n: 1100 }).execute();
        await sendTogether(t.db, [
          t.db.insertInto('wire_probe').values({ org_id: A, n: 1101 }).compile(),
          t.db.insertInto('wire_probe').values({ org_id: A, n: 1 }).compile(), // duplicate key
          sql`select nextval('wire_probe_seq')`.compile(t.db),
        ]);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await stored()).toEqual(before);
    expect(await seqCalls()).toEqual(calls); // the statement after the failing one never ran
    // The connection is usable and isolated.
    expect(await tenant(scope(A), async (t) => (await t.db.selectFrom('wire_probe').select('n').execute()).length)).toBe(before.rows.filter((r) => r.org_id === A).length);
  });

  it('outside a Lastro transaction they run one after another, with the same results', async () => {
    const queries = (tx: Tx) => [
      sql`select 1 as one`.compile(tx),
      tx.insertInto('wire_probe').values({ org_id: A, n: 1200 }).returning('n').compile(),
      tx.deleteFrom('wire_probe').where('n', '=', 1200).compile(),
    ];
    const inLastro = await db.transaction((tx) => sendTogether(tx, queries(tx)), { system: true });
    const inKysely = await db.kysely.transaction().execute(async (trx) => {
      await sql`select set_config('lastro.system', 'on', true)`.execute(trx);
      return sendTogether(trx, queries(trx));
    });
    expect(inKysely).toEqual(inLastro);
    expect(inLastro).toEqual([{ rows: [{ one: 1 }] }, { rows: [{ n: 1200 }], numAffectedRows: 1n }, { rows: [], numAffectedRows: 1n }]);
  });

  it('a deferred write that fails is answered with its sender’s mapping, whichever round trip carries it', async () => {
    const before = await stored();
    const duplicate = (t: { db: Tx }) => t.db.insertInto('wire_probe').values({ org_id: A, n: 1 }).compile();
    // With COMMIT.
    await expect(tenant(scope(A), (t) => sendWithNext(t.db, duplicate(t), { mapError }))).rejects.toBeInstanceOf(Mapped);
    // With a later batch, behind BEGIN.
    await expect(
      tenant(scope(A), async (t) => {
        await t.db.insertInto('wire_probe').values({ org_id: A, n: 1300 }).execute();
        await sendWithNext(t.db, duplicate(t), { mapError });
        await sendTogether(t.db, [sql`select nextval('wire_probe_seq')`.compile(t.db)]);
      }),
    ).rejects.toBeInstanceOf(Mapped);
    // Another statement's failure is not mapped by it.
    const other = tenant(scope(A), async (t) => {
      await sendWithNext(t.db, t.db.insertInto('wire_probe').values({ org_id: A, n: 1301 }).compile(), { mapError });
      await t.db.insertInto('wire_probe').values({ org_id: A, n: 2 }).execute(); // duplicate key
    });
    await expect(other).rejects.toThrow(/duplicate key/);
    await expect(other).rejects.not.toBeInstanceOf(Mapped);
    expect(await stored()).toEqual(before);
  });
});

describe('a tenant transaction opened inside another (the guard tests run with)', () => {
  it('is refused, and the outer one rolls back with what it wrote', async () => {
    const before = await stored();
    const nested = tenant(scope(A), async (t) => {
      await t.db.insertInto('wire_probe').values({ org_id: A, n: 900 }).execute();
      // A procedure that opens its own transaction instead of taking `t` would commit apart from it.
      return tenant(scope(A), async (inner) => inner.db.insertInto('wire_probe').values({ org_id: A, n: 901 }).execute());
    });
    await expect(nested).rejects.toBeInstanceOf(NestedTenantTxError);
    expect(await stored()).toEqual(before);
  });

  it('sees through timers and awaits: a nested call after a setTimeout is refused too', async () => {
    const nested = tenant(scope(B), async () => {
      await new Promise((r) => setTimeout(r, 5));
      return tenant(scope(B), async () => 1);
    });
    await expect(nested).rejects.toBeInstanceOf(NestedTenantTxError);
    // Side by side (not nested) is fine.
    expect(await Promise.all([tenant(scope(A), async () => 1), tenant(scope(B), async () => 2)])).toEqual([1, 2]);
  });
});

describe.runIf(engine() === 'postgres')('the outbox NOTIFY (PostgreSQL)', () => {
  let listener: pg.Client;
  const heard: number[] = [];
  beforeAll(async () => {
    listener = new pg.Client({ connectionString: tdb.databaseUrl });
    await listener.connect();
    listener.on('notification', (n) => {
      if (n.channel === 'lastro_events') heard.push(performance.now());
    });
    await listener.query('listen lastro_events');
  });
  afterAll(async () => listener?.end());

  const waitHeard = async (count: number, ms = 2000) => {
    const until = performance.now() + ms;
    while (heard.length < count && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
    return heard.length;
  };

  it('Lastro’s transactions notify once after commit, shared by the commits of a few ms', async () => {
    heard.length = 0;
    const committed = performance.now();
    await Promise.all([A, B].flatMap((org) => [1, 2, 3].map((k) => tenant(scope(org), (t) => record(t.db, org, 600 + k)))));
    expect(await waitHeard(1)).toBeGreaterThanOrEqual(1);
    expect(heard[0]! - committed).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.length).toBeLessThan(6); // coalesced: not one per commit
  });

  it('commits send no NOTIFY while a session of this process listens on the channel (the relay leader), and do again after', async () => {
    heard.length = 0;
    db.listeningHere('lastro_events', true);
    try {
      await Promise.all([1, 2, 3].map((k) => tenant(scope(A), (t) => record(t.db, A, 650 + k))));
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual([]);
    } finally {
      db.listeningHere('lastro_events', false);
    }
    await tenant(scope(B), (t) => record(t.db, B, 660));
    expect(await waitHeard(1)).toBe(1);
  });

  it('the settings silence the trigger: a transaction writing events sends no statement of its own for it, and a bare one still does', async () => {
    const quiet = (statements: string[]) => statements.filter((text) => text.includes("'lastro.outbox_notify'"));
    const stop = countRoundTrips();
    try {
      const tenantTx = await counted(() => tenant(scope(A), (t) => record(t.db, A, 620)));
      // The settings carry it (with the org), no statement of its own.
      expect(quiet(tenantTx.statements)).toHaveLength(1);
      expect(quiet(tenantTx.statements)[0]).toContain("set_config('lastro.org_id'");
      const bare = await counted(() => db.transaction((tx) => record(tx, A, 621)));
      expect(quiet(bare.statements)).toEqual(["select set_config('lastro.outbox_notify', 'off', true)"]);
    } finally {
      stop();
    }
    // Either way the trigger sent nothing at commit: only the one NOTIFY after it (none here, as
    // this process listens), once those of the two above have come.
    await new Promise((r) => setTimeout(r, 100));
    heard.length = 0;
    db.listeningHere('lastro_events', true);
    try {
      await tenant(scope(A), (t) => record(t.db, A, 622));
      await db.transaction((tx) => record(tx, A, 623), { system: true });
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual([]);
    } finally {
      db.listeningHere('lastro_events', false);
    }
  });

  it('a rolled-back transaction notifies nobody', async () => {
    heard.length = 0;
    await expect(
      tenant(scope(A), async (t) => {
        await record(t.db, A, 700);
        await sql`select 1/0`.execute(t.db);
      }),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
  });

  it('a write from another client (plain SQL, no Lastro) still notifies through the trigger', async () => {
    heard.length = 0;
    const other = new pg.Client({ connectionString: tdb.databaseUrl });
    await other.connect();
    try {
      await other.query(
        `insert into event_outbox (org_id, event_id, domain, event_type, schema_version, occurred_at, data)
         values ($1, gen_random_uuid(), 'test', 'wire-probe', 1, now(), '{"n": 800}')`,
        [A],
      );
    } finally {
      await other.end();
    }
    expect(await waitHeard(1)).toBe(1);
  });
});

describe('per-transaction state (txState)', () => {
  const slot = txSlot(() => ({ seen: [] as number[] }));

  it('is one value through a transaction and a new one in the next', async () => {
    const first = await tenant(scope(A), async (t) => {
      txState(t.db, slot).seen.push(1);
      txState(t.db, slot).seen.push(2);
      return txState(t.db, slot);
    });
    expect(first.seen).toEqual([1, 2]);
    const second = await tenant(scope(A), async (t) => txState(t.db, slot));
    expect(second).not.toBe(first);
    expect(second.seen).toEqual([]);
  });

  it('goes when its transaction ends, committed or rolled back: nothing keeps it after', async () => {
    let committed: Tx | undefined;
    await tenant(scope(A), async (t) => {
      committed = t.db;
      txState(t.db, slot).seen.push(1);
    });
    // Asked again with the ended transaction, it is made anew: the old value was let go.
    expect(txState(committed!, slot).seen).toEqual([]);

    let rolledBack: Tx | undefined;
    await expect(
      tenant(scope(A), async (t) => {
        rolledBack = t.db;
        txState(t.db, slot).seen.push(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(txState(rolledBack!, slot).seen).toEqual([]);
  });

  it('withCid: the same transaction and dates under another cid', async () => {
    await tenant({ orgId: A, cid: 'first', actor: 'test' }, async (t) => {
      const other = withCid(t, 'second');
      expect(other.cid).toBe('second');
      expect(t.cid).toBe('first');
      expect(other.db).toBe(t.db);
      expect(other.orgId).toBe(A);
      expect(other.actor).toBe('test');
      expect(other.dates).toBe(t.dates);
    });
  });
});
