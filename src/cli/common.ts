// What every `lastro` command shares: reading the configuration, saying why it stops.
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { DataDirLockedError } from '../platform/db/dir-lock.js';

export const say = (line = ''): void => void process.stderr.write(`${line}\n`);

export function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      say(`lastro: configuration error — ${err.message}`);
      say('See the configuration table in README.md.');
      process.exit(2);
    }
    throw err;
  }
}

export function fail(err: unknown): never {
  if (err instanceof DataDirLockedError) {
    say(`lastro: ${err.message}`);
    process.exit(1);
  }
  say(`lastro: could not start — ${(err as Error).message}`);
  process.exit(1);
}

export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `PGlite (embedded) at ${config.dataDir}`;
  const u = new URL(config.databaseUrl);
  return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
