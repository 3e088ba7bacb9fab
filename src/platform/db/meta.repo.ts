// The installation's own facts (lastro_meta): its id, recorded once by the first worker.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from './database.js';

export async function ensureInstallationId(db: Database): Promise<string> {
  // Recorded on the first start; later starts only read it.
  const recorded = await readInstallationId(db);
  if (recorded !== 'unknown') return recorded;
  await sql`insert into lastro_meta (key, value) values ('installation_id', ${randomUUID()})
            on conflict (key) do nothing`.execute(db.kysely);
  return readInstallationId(db);
}

export async function readInstallationId(db: Database): Promise<string> {
  const row = await db.kysely
    .selectFrom('lastro_meta')
    .select('value')
    .where('key', '=', 'installation_id')
    .executeTakeFirst()
    .catch(() => undefined);
  return row?.value ?? 'unknown';
}
