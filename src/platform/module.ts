// What a module gives the composition root: its routes and its jobs. Modules get the platform
// services they need as arguments and reach other modules only through their index.ts.
import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { IdGenerator } from './ids.js';
import type { JobDefinition, JobRunner } from './jobs.js';
import type { Logger } from './logger.js';
import type { Sealer } from './auth/sealed.js';
import type { SubjectStateCache } from './auth/subjects.js';
import type { TokenService } from './auth/tokens.js';
import type { EventDefinition } from './outbox.js';
import type { BusinessDateSource, TenantRunner } from './tenant.js';
import type { DayCloser, DayHandler } from './day-close.js';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface Platform {
  config: Config;
  db: Database;
  jobs: JobRunner;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  auth: { tokens: TokenService; subjects: SubjectStateCache };
  /** Encrypts secrets Lastro must read back (LASTRO_ENCRYPTION_KEY). */
  sealer: Sealer;
  /** Every event type any module declares. */
  catalog: EventDefinition[];
  /** Business dates per org (and program), in their IANA time zones. */
  dates: BusinessDateSource;
  /** Opens a tenant transaction: the one way routes and jobs start tenant work. */
  tenant: TenantRunner;
  /** End-of-day processing and sandbox test clocks. */
  days: DayCloser;
}

export interface LastroModule {
  name: string;
  /** Registers the module's routes. Called once per HTTP app. */
  routes?: (app: HttpApp, platform: Platform) => void | Promise<void>;
  /** Job definitions the worker runs. */
  jobs?: (platform: Platform) => JobDefinition[];
  /** The data events the module emits. */
  events?: EventDefinition[];
  /** End-of-day handlers (`onBusinessDay`), run for every closed business day in this order. */
  dayHandlers?: (platform: Platform) => DayHandler[];
  /** Long-running loops the worker runs beside the jobs (e.g. the event relay). */
  services?: (platform: Platform) => BackgroundService[];
  /** Registers the module's Prometheus metrics (served at /metrics). */
  metrics?: (registry: Registry, platform: Platform) => void;
}

export interface BackgroundService {
  name: string;
  start(): Promise<void>;
  /** Stops taking new work and finishes or abandons in-flight work within `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}
