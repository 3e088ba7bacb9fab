// A fresh, migrated database for one test file (or one test), on the engine of the project that
// runs it: PGlite loaded from the run's snapshot, or a PostgreSQL database copied from the
// run's template and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.js';

export const engine = (): 'pglite' | 'postgres' =>
  process.env.LASTRO_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase {
  /** What to pass to createApp / openDatabase. */
  pglite?: PGlite;
  databaseUrl?: string;
  /** Opens a Database on it (tests that do not need the whole app). */
  open(): Promise<Database>;
  /** Removes it. */
  drop(): Promise<void>;
}

let pgliteSnapshot: Blob | undefined;

/**
 * A database for one test file. `empty: true` gives one with nothing applied (migration tests);
 * otherwise it is migrated and has pg-boss's schema, as after a first start.
 * `dataDir` (PGlite only) makes it file-backed so a test can close and reopen it.
 */
export async function freshDatabase(opts: { empty?: boolean; dataDir?: string } = {}): Promise<TestDatabase> {
  if (engine() === 'postgres') {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `lastro_t_${inject('pgRunId')}_${randomBytes(4).toString('hex')}`;
    await admin.query(opts.empty ? `create database ${name}` : `create database ${name} template ${inject('pgTemplate')}`);
    await admin.end();
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    return {
      databaseUrl,
      open: () => openDatabase({ databaseUrl, poolSize: 5 }),
      async drop() {
        const c = new pg.Client({ connectionString: inject('pgAdminUrl') });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  pgliteSnapshot ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  const pglite = opts.empty
    ? await PGlite.create(opts.dataDir ?? 'memory://')
    : await PGlite.create(opts.dataDir ?? 'memory://', { loadDataDir: pgliteSnapshot });
  return {
    pglite,
    open: () => openDatabase({ pglite }),
    drop: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}
