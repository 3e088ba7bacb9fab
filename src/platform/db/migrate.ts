// Plain SQL migrations from db/migrations, applied in file order, each in its own transaction,
// recorded with a checksum. A session advisory lock makes concurrent starters wait for each
// other instead of racing; an edited, already-applied migration stops start-up.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = migrationsDir(new URL('./', import.meta.url));

/**
 * The project's db/migrations, found upwards from this module: it runs from src/platform/db, from
 * dist/platform/db, or bundled into a file elsewhere under dist/.
 */
function migrationsDir(from: URL): string {
  for (let dir = from; ; dir = new URL('../', dir)) {
    const candidate = new URL('db/migrations/', dir);
    if (existsSync(candidate) && existsSync(new URL('../../package.json', candidate))) return fileURLToPath(candidate);
    if (dir.pathname === '/') throw new Error(`no db/migrations directory above ${fileURLToPath(from)}`);
  }
}

// Arbitrary but fixed: "LASTRO" in ASCII. Only migrations take this lock.
const MIGRATION_LOCK_KEY = '83919925834319';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return files.map((file, i) => {
    const version = Number(file.slice(0, 4));
    if (version !== i + 1) throw new Error(`migration ${file}: expected version ${i + 1}; versions must be contiguous`);
    const text = readFileSync(dir + file, 'utf8');
    return {
      version,
      name: file.replace(/\.sql$/, ''),
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  });
}

export class MigrationChecksumError extends Error {
  constructor(name: string) {
    super(`migration ${name} was changed after it was applied; add a new migration instead of editing an old one`);
    this.name = 'MigrationChecksumError';
  }
}

export interface MigrateResult {
  applied: string[];
  total: number;
}

export async function migrate(
  pool: pg.Pool,
  opts: { migrations?: Migration[]; onApply?: (name: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = opts.migrations ?? loadMigrations();
  const client = await pool.connect();
  try {
    // The usual start: everything is applied already. One read says so, without the lock or the
    // DDL below (on a database where the table does not exist yet, the read fails and the full
    // path runs). Anything missing or different takes the full path, under the lock.
    const recorded = await client
      .query<{ version: number; checksum: string }>('select version, checksum from lastro_schema_migrations')
      .then((r) => new Map(r.rows.map((row) => [row.version, row.checksum])))
      .catch(() => undefined);
    if (recorded && migrations.every((m) => recorded.get(m.version) === m.checksum)) return { applied: [], total: migrations.length };
    await client.query(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await client.query(`create table if not exists lastro_schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'select version, name, checksum from lastro_schema_migrations order by version',
      );
      const done = new Map(rows.map((r) => [r.version, r]));
      const applied: string[] = [];
      for (const m of migrations) {
        const prior = done.get(m.version);
        if (prior) {
          if (prior.checksum !== m.checksum) throw new MigrationChecksumError(m.name);
          continue;
        }
        await client.query('begin');
        try {
          await client.query(m.sql);
          await client.query('insert into lastro_schema_migrations (version, name, checksum) values ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.name);
        opts.onApply?.(m.name);
      }
      return { applied, total: migrations.length };
    } finally {
      await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    client.release();
  }
}

/** True when every bundled migration is recorded as applied. */
export async function migrationsApplied(pool: pg.Pool, expected = loadMigrations().length): Promise<boolean> {
  try {
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from lastro_schema_migrations');
    // ">=": during a rolling deploy a newer release may already have added migrations.
    return (rows[0]?.n ?? 0) >= expected;
  } catch {
    return false; // table missing: nothing applied yet
  }
}
