// The typed shape of every table. Each module adds its own tables to `Tables` by declaration
// merging in its repo file, so the platform does not need to know the modules' tables:
//
//   declare module '../../platform/db/tables.js' { interface Tables { orgs: OrgsTable } }
import type { ColumnType, Generated } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface IdempotencyKeysTable {
  org_id: string;
  key: string;
  /** `METHOD path-template`: a key is scoped to one operation. */
  operation: string;
  fingerprint: string;
  status_code: number;
  response_body: Json | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface MetaTable {
  key: string;
  value: string;
  updated_at: Generated<Date>;
}

 
export interface Tables {
  idempotency_keys: IdempotencyKeysTable;
  lastro_meta: MetaTable;
}
