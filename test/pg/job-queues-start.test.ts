// Processes starting together on a database whose job queues do not exist yet (a fresh deploy of
// api and worker processes at once) each create the queues; pg-boss's create_queue deadlocks
// when two of them do it at the same time, so the queue changes are serialized.
import { Type } from 'typebox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createJobRunner, defineJob, type JobRunner } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

const QUEUES = 12;
const PROCESSES = 4;
const defs = Array.from({ length: QUEUES }, (_, i) =>
  defineJob({ name: `race.q${i}`, schema: Type.Object({}), async handler() {} }),
);

let tdb: TestDatabase;
const dbs: Database[] = [];
const runners: JobRunner[] = [];

beforeAll(async () => {
  tdb = await freshDatabase({ empty: true });
  const first = await openDatabase({ databaseUrl: tdb.databaseUrl!, poolSize: 4 });
  dbs.push(first);
  await migrate(first.pool);
  for (let i = 1; i < PROCESSES; i++) dbs.push(await openDatabase({ databaseUrl: tdb.databaseUrl!, poolSize: 4 }));
});
afterAll(async () => {
  for (const r of runners) await r.stop(1000);
  for (const db of dbs) await db.close();
  await tdb?.drop();
});

it('four job runners starting at once on a fresh database all start, and create every queue once', async () => {
  const log = createLogger('silent');
  for (const db of dbs) {
    const runner = createJobRunner({ db, log, pollSeconds: 1 });
    for (const def of defs) runner.define(def);
    runners.push(runner);
  }
  const results = await Promise.allSettled(runners.map((r, i) => r.start({ work: i === 0 })));
  expect(results.filter((r) => r.status === 'rejected').map((r) => String((r).reason))).toEqual([]);
  const { rows } = await dbs[0]!.pool.query<{ name: string }>("select name from pgboss.queue where name like 'race.%' order by name");
  expect(rows.map((r) => r.name).sort()).toEqual(defs.flatMap((d) => [d.name, `${d.name}.dead`]).sort());
});
