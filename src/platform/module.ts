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
import type { AccountLookup } from './auth/accounts.js';
import type { Sealer } from './auth/sealed.js';
import type { SubjectStateCache } from './auth/subjects.js';
import type { PermissionGroups } from './auth/permissions.js';
import type { TokenService } from './auth/tokens.js';
import type { EventDefinition } from './outbox.js';
import type { BackgroundService } from './service.js';

export type { BackgroundService };
import type { BusinessDateSource, TenantRunner, TenantTx } from './tenant.js';
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
  /** `accounts`: which accounts each org has (for account tokens), from the module that owns them. */
  auth: { tokens: TokenService; subjects: SubjectStateCache; groups: PermissionGroups; accounts: AccountLookup };
  /** Encrypts secrets Lastro must read back (LASTRO_ENCRYPTION_KEY). */
  sealer: Sealer;
  /** Every event type any module declares. */
  catalog: EventDefinition[];
  /** Business dates per org (and program), in their IANA time zones. */
  dates: BusinessDateSource;
  /** Opens a tenant transaction: the one way routes and jobs start tenant work. */
  tenant: TenantRunner;
  /** Every module's per-org setup, in module order (run when an org is created, and back-filled). */
  orgSetups: NamedOrgSetup[];
  /** End-of-day processing and sandbox test clocks. */
  days: DayCloser;
}

/**
 * The defaults a module seeds into every org (the ledger's processing codes and internal
 * accounts). They are seeded in the transaction that creates the org, and at the start of a
 * `start` or `worker` process for every org set up at a lower `version` or not at all (orgs
 * created before the module or before its defaults changed). Each (org, module, version) runs once.
 */
export interface OrgSetup {
  /** Raise it when the defaults change: orgs set up at a lower version get `apply` again. */
  version: number;
  /**
   * Seeds the module's defaults for `t.orgId`, inside `t`; throwing rolls back the org's creation
   * (or stops the back-fill). `previous` is the version applied before for this org, if any: a
   * later version adds what is missing rather than seeding twice.
   */
  apply(t: TenantTx, previous: number | undefined): Promise<void>;
}

export interface NamedOrgSetup {
  /** The module's name, as recorded in `org_setups`. */
  module: string;
  setup: OrgSetup;
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
  /** The defaults the module seeds into every org (see OrgSetup). */
  orgSetup?: (platform: Platform) => OrgSetup;
  /** The module that owns accounts says which exist (platform.auth.accounts); at most one module does. */
  accountLookup?: (platform: Platform) => AccountLookup;
}

