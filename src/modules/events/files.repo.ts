// The listing of batch event files written for file sinks (the files themselves are on disk).
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Timestamp } from '../../platform/db/tables.js';

export interface EventFilesTable {
  id: string;
  seq: Generated<bigint>;
  org_id: string;
  subscription_id: string;
  name: string;
  event_count: number;
  bytes: bigint;
  sha256: string;
  first_event_id: string;
  last_event_id: string;
  first_timestamp: Timestamp;
  last_timestamp: Timestamp;
  created_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    event_files: EventFilesTable;
  }
}

export type EventFileRow = Selectable<EventFilesTable>;

/** The org's files after `afterSeq`, in the order they were listed. */
export async function listFiles(tx: Tx, orgId: string, filter: { subscriptionId?: string | undefined; afterSeq?: bigint | undefined }, limit: number): Promise<EventFileRow[]> {
  let q = tx.selectFrom('event_files').selectAll().where('org_id', '=', orgId);
  if (filter.subscriptionId) q = q.where('subscription_id', '=', filter.subscriptionId);
  if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
  return q.orderBy('seq').limit(limit).execute();
}

export async function findFile(tx: Tx, orgId: string, id: string): Promise<EventFileRow | undefined> {
  return tx.selectFrom('event_files').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** Lists a closed file (a rewrite after a crash has the same name and is not listed twice). */
export async function insertFile(tx: Tx, row: Insertable<EventFilesTable>): Promise<void> {
  await tx
    .insertInto('event_files')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'subscription_id', 'name']).doNothing())
    .execute();
}

/** Files created before `cutoff`, across orgs (system transaction). */
export async function expiredFiles(tx: Tx, cutoff: Date): Promise<Array<Pick<EventFileRow, 'id' | 'org_id' | 'subscription_id' | 'name'>>> {
  return tx.selectFrom('event_files').select(['id', 'org_id', 'subscription_id', 'name']).where('created_at', '<', cutoff).execute();
}

export async function deleteFile(tx: Tx, orgId: string, id: string): Promise<void> {
  await tx.deleteFrom('event_files').where('org_id', '=', orgId).where('id', '=', id).execute();
}
