// Durable background jobs on pg-boss, through the same pg pool as everything else, so they work
// on PostgreSQL and on PGlite alike. A job sent inside a transaction commits or rolls back with it.
// Job data is re-validated against its schema when the job runs: a job written by an older
// release, or by hand, cannot reach a handler in a shape it does not expect.
import PgBoss from 'pg-boss';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Database, Tx } from './db/database.js';
import { grantJobTablesToApp, poolExecutor, renewJobLease, txExecutor, withQueueLock } from './db/jobs.repo.js';
import type { Logger } from './logger.js';

/** Thrown by a handler when retrying cannot help (bad data, a resource that is gone). */
export class NonRetryableJobError extends Error {
  override name = 'NonRetryableJobError';
}

export interface JobContext {
  id: string;
  /** Attempt number, starting at 1. */
  attempt: number;
  log: Logger;
}

export interface JobDefinition<S extends TSchema = TSchema> {
  name: string;
  schema: S;
  handler: (data: Static<S>, ctx: JobContext) => Promise<void>;
  /** Retries after the first attempt (default 5), with exponential backoff. */
  retryLimit?: number;
  /** Seconds before the first retry (default 5). */
  retryDelaySeconds?: number;
  /** How many jobs of this queue one worker runs at once (default 1). */
  concurrency?: number;
  /** Cron expression (UTC): workers enqueue the job on this schedule, once per tick cluster-wide. */
  cron?: string;
}

/**
 * A running job holds a lease: pg-boss expires an active job `LEASE_SECONDS` after its last
 * renewal, and the worker running it renews it every `RENEW_SECONDS`. When the worker dies
 * (kill -9, a lost machine) its jobs stop being renewed, expire, and are retried by a surviving or
 * restarted worker: within lease + maintenance interval + first retry delay + polling, under a
 * minute, whatever the job kind. A job is therefore written to be safe to run twice.
 */
export const LEASE_SECONDS = 20;
const RENEW_SECONDS = 5;
/** How often a worker expires jobs whose lease lapsed (pg-boss maintenance, one worker at a time). */
const MAINTENANCE_SECONDS = 5;
const SCHEMA = 'pgboss';

export const defineJob = <S extends TSchema>(def: JobDefinition<S>): JobDefinition<S> => def;

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Tx;
  /** A second job with the same key is not created while the first is queued or active. */
  singletonKey?: string;
  startAfter?: Date;
}

export interface JobRunner {
  define(def: JobDefinition<TSchema>): void;
  /**
   * Checks pg-boss's schema (installing or migrating it) and the queues (creating what is
   * missing): from then on jobs can be sent. With `work`, then also `work()`.
   */
  start(opts: { work: boolean }): Promise<void>;
  /**
   * After `start`: starts polling for jobs, the cron schedules and pg-boss's maintenance. Jobs sent
   * before it wait in their queues and run once it has started.
   */
  work(): Promise<void>;
  send<S extends TSchema>(def: JobDefinition<S>, data: Static<S>, opts?: SendOptions): Promise<string | null>;
  /** Jobs waiting per queue (created or retry state). */
  queueDepth(): Promise<Record<string, number>>;
  /** Stops taking jobs; waits up to `timeoutMs` for running ones. */
  stop(timeoutMs: number): Promise<void>;
}

export function createJobRunner(deps: { db: Database; log: Logger; pollSeconds: number }): JobRunner {
  const { db, log } = deps;
  const defs = new Map<string, JobDefinition<TSchema>>();
  // Sends and works jobs; keeper, once work() has run, does pg-boss's maintenance and cron.
  let boss: PgBoss | undefined;
  let keeper: PgBoss | undefined;
  // work() started (settles when it has finished starting, whether or not it succeeded).
  let working: Promise<void> | undefined;
  let started = false;
  // Handlers running now. pg-boss marks a job completed or failed after its handler settles
  // without awaiting it: the pool must still be open then, so stop waits for these.
  const inFlight = new Set<Promise<unknown>>();
  const running = (): PgBoss => {
    if (!boss || !started) throw new Error('the job runner is not started');
    return boss;
  };

  const runner: JobRunner = {
    define(def) {
      if (started) throw new Error(`define job ${def.name} before start`);
      if (defs.has(def.name)) throw new Error(`job ${def.name} is defined twice`);
      defs.set(def.name, def);
    },

    async start({ work }) {
      // Sending and working need no timers: this instance neither supervises nor schedules.
      // Maintenance and cron belong to a second instance over the same pool, which work() starts
      // last (see there).
      const b = new PgBoss({ db: poolExecutor(db), schema: SCHEMA, supervise: false, schedule: false });
      b.on('error', (err) => log.error({ err }, 'job runner error'));
      // pg-boss installs its schema on the first start: processes starting together on a fresh
      // database would race to create it (duplicate schema), so they take turns.
      await withQueueLock(db, () => b.start());
      boss = b;
      started = true;
      await grantJobTablesToApp(db).catch((err: unknown) => log.warn({ err }, 'could not grant job tables to lastro_app'));
      // One read of the queues, then only what is missing or changed: a start with nothing to
      // change costs one query here, not three statements per queue. Changes are made under a
      // lock (processes starting together would deadlock) after reading the queues again.
      const queues = [...defs.values()].map((def) => ({
        name: def.name,
        retryLimit: def.retryLimit ?? 5,
        retryDelay: def.retryDelaySeconds ?? 5,
        retryBackoff: true,
        expireInSeconds: LEASE_SECONDS,
        deadLetter: `${def.name}.dead`,
      }));
      const changes = async () => {
        const existing = new Map((await b.getQueues()).map((q) => [q.name, q]));
        return queues.filter((q) => !existing.has(q.deadLetter) || !existing.has(q.name) || !sameSettings(existing.get(q.name)!, q));
      };
      if ((await changes()).length) {
        await withQueueLock(db, async () => {
          const existing = new Map((await b.getQueues()).map((q) => [q.name, q]));
          for (const queue of queues) {
            if (!existing.has(queue.deadLetter)) await b.createQueue(queue.deadLetter);
            const have = existing.get(queue.name);
            if (!have) await b.createQueue(queue.name, queue);
            else if (!sameSettings(have, queue)) await b.updateQueue(queue.name, queue); // a queue made by an older release takes today's settings
          }
        });
      }
      if (work) await runner.work();
    },

    async work() {
      const b = boss;
      if (!b || !started) throw new Error('start the job runner before working jobs');
      if (working) throw new Error('the job runner is working already');
      const starting = (async () => {
        for (const def of defs.values()) {
          // Compiled when the first job of the queue runs, not at start-up.
          let compiled: ReturnType<typeof Compile> | undefined;
          const checker = (): ReturnType<typeof Compile> => (compiled ??= Compile(def.schema));
          const handle = async (job: PgBoss.JobWithMetadata<unknown>): Promise<void> => {
            const jobLog = log.child({ job: def.name, jobId: job.id });
            const check = checker();
            if (!check.Check(job.data)) {
              const problems = [...check.Errors(job.data)].map((e) => `${e.instancePath || '/'} ${e.message}`);
              jobLog.error({ problems }, 'job data does not match its schema; moved to dead letter');
              await b.send(`${def.name}.dead`, { data: job.data, reason: 'invalid data', problems });
              return;
            }
            const renew = setInterval(() => {
              renewJobLease(db, job.id).catch((err: unknown) => jobLog.warn({ err }, 'could not renew the job lease'));
            }, RENEW_SECONDS * 1000);
            try {
              await def.handler(job.data, { id: job.id, attempt: job.retryCount + 1, log: jobLog });
            } catch (err) {
              if (err instanceof NonRetryableJobError) {
                jobLog.error({ err }, 'job failed permanently; moved to dead letter');
                await b.send(`${def.name}.dead`, { data: job.data, reason: err.message });
                return;
              }
              jobLog.warn({ err }, 'job failed; will retry');
              throw err;
            } finally {
              clearInterval(renew);
            }
          };
          const concurrency = def.concurrency ?? 1;
          for (let i = 0; i < concurrency; i++) {
            await nextTurn();
            const options = { pollingIntervalSeconds: deps.pollSeconds, batchSize: 1, includeMetadata: true as const };
            await b.work<unknown>(def.name, options, ([job]) => {
              if (!job) return Promise.resolve();
              // A job whose fetch was still on its way when stop began is not started, and not
              // settled: pg-boss would mark it done or failed without awaiting it, on a pool the
              // caller may have closed by then. It stays active until its lease runs out, and a
              // running worker takes it, as after a crash.
              if (!started) return new Promise<never>(() => {});
              const run = handle(job);
              inFlight.add(run);
              return run.finally(() => inFlight.delete(run));
            });
          }
        }
        // Last, the instance that expires lapsed leases, archives and runs the cron schedules: the
        // dearest step of a start (its first statements load PL/pgSQL and its cron parser sets up
        // Intl), and the least urgent (a cron tick is caught up to a minute late; leases last
        // LEASE_SECONDS). The schema was installed or migrated by start(): it only checks it.
        await nextTurn();
        const k = new PgBoss({
          db: poolExecutor(db),
          schema: SCHEMA,
          migrate: false,
          supervise: true,
          schedule: true,
          maintenanceIntervalSeconds: MAINTENANCE_SECONDS,
        });
        k.on('error', (err) => log.error({ err }, 'job runner error'));
        keeper = k;
        // Its start creates pg-boss's own cron queue: under the lock, as every queue change.
        await withQueueLock(db, () => k.start());
        for (const def of defs.values()) {
          if (!def.cron) continue;
          await nextTurn();
          await k.schedule(def.name, def.cron, {}, { tz: 'UTC' });
        }
      })();
      working = starting.catch(() => {});
      await starting;
    },

    async send(def, data, opts = {}) {
      const options: PgBoss.SendOptions & { db?: ReturnType<typeof txExecutor> } = {};
      if (opts.singletonKey) options.singletonKey = opts.singletonKey;
      if (opts.startAfter) options.startAfter = opts.startAfter;
      if (opts.tx) options.db = txExecutor(opts.tx);
      return running().send(def.name, data as object, options);
    },

    async queueDepth() {
      const out: Record<string, number> = {};
      if (!started) return out;
      for (const name of defs.keys()) out[name] = await running().getQueueSize(name);
      return out;
    },

    async stop(timeoutMs) {
      if (!boss || !started) return;
      started = false;
      const deadline = performance.now() + Math.max(timeoutMs, 1000);
      // A work() still starting finishes first: stopping pg-boss halfway through its start
      // would leave its timers running on a pool the caller is about to close.
      await working;
      const stopOptions = { graceful: true, timeout: Math.max(timeoutMs, 1000), wait: true, close: false };
      if (keeper) await keeper.stop(stopOptions);
      await boss.stop(stopOptions);
      // pg-boss stops waiting at its timeout, and marks a job done without awaiting it: handlers
      // still running are waited for (within the budget), then one turn lets pg-boss send its
      // complete or fail before the caller closes the pool.
      if (inFlight.size) {
        let timer: NodeJS.Timeout | undefined;
        const left = Math.max(0, deadline - performance.now());
        await Promise.race([Promise.allSettled([...inFlight]), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
        clearTimeout(timer);
      }
      await nextTurn();
    },
  };
  return runner;
}

/**
 * One turn of the event loop. On PGlite a statement runs on this thread and resolves without
 * I/O, so a chain of them would hold off every request until it ends: starting the workers (after
 * the API listens) gives way between steps.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type QueueSettings = Pick<PgBoss.Queue, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds' | 'deadLetter'>;

/** Whether a stored queue already has the settings Lastro gives it. */
function sameSettings(have: QueueSettings, want: QueueSettings): boolean {
  return (['retryLimit', 'retryDelay', 'retryBackoff', 'expireInSeconds', 'deadLetter'] as const).every((k) => have[k] === want[k]);
}
