// Composition root: builds the platform services once and hands them to the modules.
import type { PGlite } from '@electric-sql/pglite';
import { modules as defaultModules } from './modules/index.js';
import { allOrgDayFacts, backfillOrgSetups, orgDayFacts, subjectLookup } from './modules/orgs/index.js';
import { allProgramDayFacts, programDayFacts, programsDayFacts } from './modules/programs/index.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { openDatabase } from './platform/db/database.js';
import { migrate, migrationsApplied } from './platform/db/migrate.js';
import { ensureInstallationId, readInstallationId } from './platform/db/meta.repo.js';
import { createSealer } from './platform/auth/sealed.js';
import { noAccounts } from './platform/auth/accounts.js';
import { PermissionGroups } from './platform/auth/permissions.js';
import { createSubjectState } from './platform/auth/subjects.js';
import { createTokenService } from './platform/auth/tokens.js';
import { buildServer } from './platform/http/server.js';
import { randomIds, type IdGenerator } from './platform/ids.js';
import { createJobRunner, nextTurn } from './platform/jobs.js';
import { purgeIdempotencyKeysJob } from './platform/idempotency.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics } from './platform/metrics.js';
import type { BackgroundService, HttpApp, LastroModule, Platform } from './platform/module.js';
import { createBusinessDates, type DayDirectory } from './platform/business-date.js';
import { createDayCloser, type DayHandler } from './platform/day-close.js';
import { createTenantRunner } from './platform/tenant.js';

export type RunMode = 'all' | 'api' | 'worker';

export interface AppOptions {
  config: Config;
  /** all: HTTP + jobs in one process; api: HTTP only; worker: jobs only. */
  mode: RunMode;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** An already-open PGlite (tests use a pre-migrated snapshot). */
  pglite?: PGlite;
  modules?: LastroModule[];
  /** Apply migrations at start. Default: yes, except in api mode (which only checks them). */
  migrate?: boolean;
}

export interface App {
  platform: Platform;
  http?: HttpApp;
  installationId: string;
  /**
   * Starts listening (all/api), then working jobs and the background services (all/worker).
   * Resolves with the listening URL once all of it has started; the API answers from the moment
   * it listens. Idempotent.
   */
  start(): Promise<{ url?: string }>;
  /** Drains in-flight requests and jobs, then closes the database (after a start under way). Idempotent. */
  stop(): Promise<void>;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config, mode } = opts;
  const log = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const ids = opts.ids ?? randomIds;
  const modules = opts.modules ?? defaultModules;

  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
    dataDir: config.dataDir,
    pglite: opts.pglite,
    applicationName: `lastro-${mode}`,
  });
  try {
    const migrated = opts.migrate ?? mode !== 'api';
    if (migrated) {
      await migrate(db.pool, { onApply: (name) => log.info({ migration: name }, 'migration applied') });
    }
    const installationId = mode === 'api' ? await readInstallationId(db) : await ensureInstallationId(db);
    const jobs = createJobRunner({ db, log: log.child({ component: 'jobs' }), pollSeconds: config.jobPollSeconds });
    const sealer = createSealer(config.encryptionKey);
    if (!sealer.encrypted && db.kind === 'postgres') {
      log.warn('LASTRO_ENCRYPTION_KEY is not set: token signing keys are stored unencrypted');
    }
    const tokens = createTokenService({
      db,
      clock,
      sealer,
      issuer: config.tokenIssuer,
      audience: config.tokenAudience,
      ttlSeconds: config.tokenTtlSeconds,
    });
    // An api process started before `lastro migrate` loads its keys on first use instead.
    // (After migrate() every migration is applied: no need to ask.)
    if (migrated || (await migrationsApplied(db.pool))) await tokens.init();
    const catalog = modules.flatMap((m) => m.events ?? []);
    // Business dates read orgs and programs through the modules' exports (the platform imports no module).
    const directory: DayDirectory = {
      org: orgDayFacts,
      program: programDayFacts,
      programs: programsDayFacts,
      allOrgs: allOrgDayFacts,
      allPrograms: allProgramDayFacts,
    };
    const dates = createBusinessDates({ clock, directory });
    const tenant = createTenantRunner({ db, dates });
    // Whether a token's org and credential are still active: the orgs module's tables answer.
    const auth = { tokens, subjects: createSubjectState(subjectLookup({ tenant })), groups: new PermissionGroups(), accounts: noAccounts };
    const dayHandlers: DayHandler[] = [];
    const days = createDayCloser({
      db,
      tenant,
      dates,
      clock,
      log: log.child({ component: 'days' }),
      directory,
      handlers: () => dayHandlers,
      // PGlite is one connection: one org at a time. On PostgreSQL, half the pool.
      lanes: db.kind === 'pglite' ? 1 : Math.max(1, Math.floor(config.databasePoolSize / 2)),
      pollMs: config.jobPollSeconds * 1000,
    });
    const platform: Platform = { config, db, jobs, clock, ids, log, auth, sealer, catalog, dates, tenant, days, orgSetups: [] };
    for (const mod of modules) if (mod.orgSetup) platform.orgSetups.push({ module: mod.name, setup: mod.orgSetup(platform) });
    const lookups = modules.filter((m) => m.accountLookup);
    if (lookups.length > 1) throw new Error(`modules ${lookups.map((m) => m.name).join(', ')} all provide accountLookup; one module owns accounts`);
    if (lookups[0]?.accountLookup) auth.accounts = lookups[0].accountLookup(platform);
    // Orgs created before a module's setup (or before its current version) get it now, once.
    if (mode !== 'api' && migrated) {
      const applied = await backfillOrgSetups(platform);
      if (applied) log.info({ applied }, 'org setups back-filled');
    }
    jobs.define(purgeIdempotencyKeysJob(db, clock));
    for (const mod of modules) for (const def of mod.jobs?.(platform) ?? []) jobs.define(def);
    for (const mod of modules) {
      for (const h of mod.dayHandlers?.(platform) ?? []) {
        if (dayHandlers.some((d) => d.name === h.name)) throw new Error(`day handler "${h.name}" is registered twice`);
        dayHandlers.push(h);
      }
    }
    const services = mode === 'api' ? [] : [...modules.flatMap((m) => m.services?.(platform) ?? []), days.service()];

    const metrics = createMetrics({ db, jobs });
    for (const mod of modules) mod.metrics?.(metrics.registry, platform);
    const http = mode === 'worker' ? undefined : await buildServer({ platform, metrics, modules, logger: log });
    return assemble({ platform, http, installationId, mode, services });
  } catch (err) {
    await db.close();
    throw err;
  }
}

function assemble(parts: {
  platform: Platform;
  http: HttpApp | undefined;
  installationId: string;
  mode: RunMode;
  services: BackgroundService[];
}): App {
  const { platform, http, mode, services } = parts;
  let starting: Promise<{ url?: string }> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    platform,
    http,
    installationId: parts.installationId,
    start() {
      starting ??= (async () => {
        // From here on jobs can be sent (pg-boss's schema and the queues are checked)…
        await platform.jobs.start({ work: false });
        let url: string | undefined;
        // …so the API listens, and answers (/ready too) while the workers and background services
        // start: jobs sent meanwhile wait in their queues for them. Each step of that gives way to
        // requests (nextTurn).
        if (http) url = await http.listen({ port: platform.config.port, host: platform.config.host });
        if (mode !== 'api') {
          await platform.jobs.work();
          for (const service of services) {
            await nextTurn();
            await service.start();
          }
        }
        return url === undefined ? {} : { url };
      })();
      return starting;
    },
    stop() {
      stopping ??= (async () => {
        // A start still under way finishes first (its workers and services would start after).
        await starting?.catch(() => {});
        const budget = platform.config.shutdownTimeoutMs;
        if (http) await drain(http, budget);
        await Promise.all(services.map((s) => s.stop(budget)));
        await platform.jobs.stop(budget);
        await platform.db.close();
      })();
      return stopping;
    },
  };
}

/** Stops accepting connections and waits for in-flight requests, at most `budgetMs`. */
async function drain(http: HttpApp, budgetMs: number): Promise<void> {
  const closed = http.close();
  const sweep = setInterval(() => http.server.closeIdleConnections(), 50);
  const force = setTimeout(() => http.server.closeAllConnections(), budgetMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
  }
}
