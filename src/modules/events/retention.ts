// Retention: events older than LASTRO_EVENT_RETENTION_DAYS leave the outbox (replay, stream and
// new subscriptions no longer see them), except those a webhook delivery still waits to send;
// finished deliveries and their attempt log, and batch files, go after the same time.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { defineJob, type JobDefinition } from '../../platform/jobs.js';
import type { Platform } from '../../platform/module.js';
import { fileDir } from './subscriptions.service.js';

const BATCH = 5_000;

export async function purgeExpiredEvents(platform: Platform): Promise<{ events: number; deliveries: number; files: number }> {
  const { db, clock, config } = platform;
  const cutoff = new Date(clock.now().getTime() - config.eventRetentionDays * 86_400_000);
  const counts = { events: 0, deliveries: 0, files: 0 };
  for (;;) {
    const n = await db.transaction(
      async (tx) => {
        const r = await sql`
          delete from event_outbox o using (
            select org_id, seq from event_outbox e
            where e.occurred_at < ${cutoff}
              and not exists (select 1 from event_deliveries d where d.event_id = e.event_id and d.status = 'pending')
            limit ${BATCH}
          ) old
          where o.org_id = old.org_id and o.seq = old.seq`.execute(tx);
        return Number(r.numAffectedRows ?? 0n);
      },
      { system: true },
    );
    counts.events += n;
    if (n < BATCH) break;
  }
  for (;;) {
    const n = await db.transaction(
      async (tx) => {
        const r = await sql`
          delete from event_deliveries where id in (
            select id from event_deliveries where status <> 'pending' and updated_at < ${cutoff} limit ${BATCH})`.execute(tx);
        return Number(r.numAffectedRows ?? 0n);
      },
      { system: true },
    );
    counts.deliveries += n;
    if (n < BATCH) break;
  }
  const files = await db.transaction(
    (tx) => tx.selectFrom('event_files').select(['id', 'org_id', 'subscription_id', 'name']).where('created_at', '<', cutoff).execute(),
    { system: true },
  );
  for (const f of files) {
    const dir = fileDir(config.eventsDir, f.org_id, f.subscription_id);
    await rm(join(dir, f.name), { force: true });
    await rm(join(dir, `${f.name}.manifest.json`), { force: true });
    await db.transaction((tx) => tx.deleteFrom('event_files').where('id', '=', f.id).execute(), { system: true });
    counts.files += 1;
  }
  return counts;
}

/** Hourly, on one worker. */
export const purgeExpiredEventsJob = (platform: Platform): JobDefinition =>
  defineJob({
    name: 'events.purge-expired',
    schema: Type.Object({}),
    cron: '23 * * * *',
    retryLimit: 2,
    async handler(_data, ctx) {
      const counts = await purgeExpiredEvents(platform);
      if (counts.events || counts.deliveries || counts.files) ctx.log.info(counts, 'expired events purged');
    },
  });
