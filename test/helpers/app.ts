// Builds the whole app in-process on a fresh database, for tests through app.inject.
import { Writable } from 'node:stream';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { ADMIN_TOKEN } from './auth.js';
import { freshDatabase, type TestDatabase } from './db.js';

export interface TestApp extends App {
  http: NonNullable<App['http']>;
  clock: ManualClock;
  testDb: TestDatabase;
  /** Every JSON log line the app wrote. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function testApp(
  opts: { env?: Record<string, string>; mode?: AppOptions['mode']; modules?: AppOptions['modules']; start?: boolean } = {},
): Promise<TestApp> {
  const testDb = await freshDatabase();
  const config: Config = loadConfig({
    LOG_LEVEL: 'info',
    LASTRO_JOB_POLL_SECONDS: '0.5',
    LASTRO_SHUTDOWN_TIMEOUT_MS: '2000',
    PORT: '0',
    LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
    ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    ...opts.env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const clock = new ManualClock('2026-11-23T12:00:00.000Z');
  const app = await createApp({
    config,
    mode: opts.mode ?? 'all',
    clock,
    logger: createLogger(config.logLevel, sink),
    pglite: testDb.pglite,
    modules: opts.modules,
  });
  if (opts.start) await app.start();
  if (!app.http) throw new Error('testApp needs an HTTP mode');
  return Object.assign(app, {
    http: app.http,
    clock,
    testDb,
    logs,
    async close() {
      await app.stop();
      await testDb.drop();
    },
  });
}
