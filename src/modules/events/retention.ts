// Retention: events older than LASTRO_EVENT_RETENTION_DAYS leave the outbox (replay, stream and
// new subscriptions no longer see them), except those a webhook delivery still waits to send;
// finished deliveries and their attempt log, and batch files, go after the same time. System
// work across orgs, in batches of its own transactions.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from 'typebox';
import { defineJob, type JobDefinition } from '../../platform/jobs.js';
import type { Platform } from '../../platform/module.js';
import { deleteFinishedDeliveries } from './deliveries.repo.js';
import { deleteExpiredEvents } from './events.repo.js';
import { deleteFile, expiredFiles } from './files.repo.js';
import { fileDir } from './sinks/files.js';

const BATCH = 5_000;

type RetentionDeps = Pick<Platform, 'db' | 'clock' | 'config'>;

export async function purgeExpiredEvents(deps: RetentionDeps): Promise<{ events: number; deliveries: number; files: number }> {
  const { db, clock, config } = deps;
  const cutoff = new Date(clock.now().getTime() - config.eventRetentionDays * 86_400_000);
  const system = <T>(fn: Parameters<typeof db.transaction<T>>[0]) => db.transaction(fn, { system: true });
  const counts = { events: 0, deliveries: 0, files: 0 };
  for (;;) {
    const n = await system((tx) => deleteExpiredEvents(tx, cutoff, BATCH));
    counts.events += n;
    if (n < BATCH) break;
  }
  for (;;) {
    const n = await system((tx) => deleteFinishedDeliveries(tx, cutoff, BATCH));
    counts.deliveries += n;
    if (n < BATCH) break;
  }
  for (const f of await system((tx) => expiredFiles(tx, cutoff))) {
    const dir = fileDir(config.eventsDir, f.org_id, f.subscription_id);
    await rm(join(dir, f.name), { force: true });
    await rm(join(dir, `${f.name}.manifest.json`), { force: true });
    await system((tx) => deleteFile(tx, f.org_id, f.id));
    counts.files += 1;
  }
  return counts;
}

/** Hourly, on one worker. */
export const purgeExpiredEventsJob = (deps: RetentionDeps): JobDefinition =>
  defineJob({
    name: 'events.purge-expired',
    schema: Type.Object({}),
    cron: '23 * * * *',
    retryLimit: 2,
    async handler(_data, ctx) {
      const counts = await purgeExpiredEvents(deps);
      if (counts.events || counts.deliveries || counts.files) ctx.log.info(counts, 'expired events purged');
    },
  });
