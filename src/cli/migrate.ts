// `lastro migrate`: applies the migrations and exits, without loading the app.
import { openDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { describeDatabase, fail, readConfig, say } from './common.js';

export async function runMigrate(): Promise<void> {
  const config = readConfig();
  let db;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  } catch (err) {
    fail(err);
  }
  try {
    const result = await migrate(db.pool, { onApply: (name) => say(`  applied ${name}`) });
    say(`lastro: ${result.applied.length} migration(s) applied, ${result.total} in total — ${describeDatabase(config)}`);
  } finally {
    await db.close();
  }
}
