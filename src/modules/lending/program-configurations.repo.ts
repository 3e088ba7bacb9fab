// SQL for program configurations (one row per program of the org).
import type { Insertable, Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';

export interface NotificationConfigRow {
  enabled: boolean;
  type: string;
  number_of_days: number;
}

export interface ProgramConfigurationsTable {
  org_id: string;
  program_id: bigint;
  configs: Json<NotificationConfigRow[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_program_configurations: ProgramConfigurationsTable;
  }
}

export type ProgramConfigurationRow = Selectable<ProgramConfigurationsTable>;

export const findConfiguration = (tx: Tx, orgId: string, programId: bigint) =>
  tx.selectFrom('lending_program_configurations').selectAll().where('org_id', '=', orgId).where('program_id', '=', programId).executeTakeFirst();

/** Writes the program's configuration, replacing the one before (created_at kept). */
export const upsertConfiguration = (tx: Tx, row: Insertable<ProgramConfigurationsTable>) =>
  tx
    .insertInto('lending_program_configurations')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'program_id']).doUpdateSet((eb) => ({ configs: eb.ref('excluded.configs'), updated_at: eb.ref('excluded.updated_at') })))
    .returningAll()
    .executeTakeFirstOrThrow();
