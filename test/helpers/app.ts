// Builds the whole app in-process on a fresh database, for tests through app.inject.
import { Writable } from 'node:stream';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { eventDataProblems } from '../../src/platform/outbox.js';
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

async function emittedEventProblems(app: App): Promise<string[]> {
  const rows = await app.platform.db.kysely.selectFrom('event_outbox_events').selectAll().execute();
  const problems: string[] = [];
  for (const r of rows) {
    const def = app.platform.catalog.find((d) => d.domain === r.domain && d.eventType === r.event_type && d.version === r.schema_version);
    if (!def) problems.push(`${r.domain}/${r.event_type} v${r.schema_version} is not in the catalog`);
    else for (const p of eventDataProblems(def, r.data)) problems.push(`${r.domain}/${r.event_type} ${r.event_id}: ${p}`);
  }
  return problems;
}

export async function testApp(
  opts: {
    env?: Record<string, string>;
    mode?: AppOptions['mode'];
    modules?: AppOptions['modules'];
    start?: boolean;
    /** Where the manual clock starts (default 2026-11-23T12:00:00Z); `new Date()` for tests that meet real time. */
    clockStart?: Date | string;
  } = {},
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
  const clock = new ManualClock(opts.clockStart ?? '2026-11-23T12:00:00.000Z');
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
      // Every event this app emitted must be in the catalog and match its schema: so any
      // integration suite that makes events also proves their schemas.
      const problems = await emittedEventProblems(app).catch((err: unknown) => [`could not read the outbox: ${String(err)}`]);
      await app.stop();
      await testDb.drop();
      if (problems.length) throw new Error(`emitted events that do not match the catalog:\n${problems.join('\n')}`);
    },
  });
}
