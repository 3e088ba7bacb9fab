// SQL of the relay's leader session: a session advisory lock (one relay per database) and LISTEN
// for commits of other processes.
import type pg from 'pg';
import { OUTBOX_CHANNEL } from '../../platform/db/outbox.repo.js';

/** Takes the session advisory lock `key` on `client`; false when another session holds it. */
export async function tryLeaderLock(client: pg.Client, key: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [key]);
  return rows[0]?.ok === true;
}

/** Subscribes `client` to the outbox's commit notifications (NOTIFY lastro_events). */
export async function listenForEvents(client: pg.Client): Promise<void> {
  await client.query(`listen ${OUTBOX_CHANNEL}`);
}
