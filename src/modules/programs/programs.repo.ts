// SQL for programs, their due dates and asynchronous creations. Every function takes the
// transaction and the org id, and filters on it.
import { CompiledQuery, sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Read, Tx } from '../../platform/db/database.js';
import { offsetPage } from '../../platform/db/paging.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import type { PageRequest } from '../../platform/paging.js';

export interface ProgramsTable {
  org_id: string;
  program_id: Generated<bigint>;
  name: string;
  type_id: number;
  status: 'ACTIVE' | 'PENDING';
  timezone: string;
  currency_numeric_code: string;
  country_code: string;
  language: string;
  cycle_closing: string | null;
  brand: string | null;
  bin_value: string | null;
  bin_start_range: string | null;
  bin_end_range: string | null;
  holiday_calendar_id: bigint | null;
  base_program_id: bigint | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProgramDueDatesTable {
  org_id: string;
  due_date_id: Generated<bigint>;
  program_id: bigint;
  day: number;
  active: boolean;
}

export interface ProgramImportsTable {
  org_id: string;
  program_import_id: Generated<bigint>;
  kind: 'TEMPLATE' | 'COPY';
  request: Json<Record<string, unknown>>;
  status: 'PENDING' | 'PROCESS' | 'SUCCESS' | 'ERROR';
  program_id: bigint | null;
  details: string | null;
  cid: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    programs: ProgramsTable;
    program_due_dates: ProgramDueDatesTable;
    program_imports: ProgramImportsTable;
  }
}

export type ProgramRow = Selectable<ProgramsTable>;
export type DueDateRow = Selectable<ProgramDueDatesTable>;
export type ImportRow = Selectable<ProgramImportsTable>;

/** A new program's columns, every one given (its id comes from the identity). */
export type NewProgram = Omit<ProgramRow, 'program_id'>;

const PROGRAM_COLUMNS = [
  'org_id',
  'name',
  'type_id',
  'status',
  'timezone',
  'currency_numeric_code',
  'country_code',
  'language',
  'cycle_closing',
  'brand',
  'bin_value',
  'bin_start_range',
  'bin_end_range',
  'holiday_calendar_id',
  'base_program_id',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof NewProgram)[];
const N = PROGRAM_COLUMNS.length;

// A program and its due dates in one statement (one round trip, the text written once rather than
// built by Kysely per create): the due dates are inserted in the order given (their ids follow it)
// and come back sorted by day. Their foreign key to the program is checked at the end of the
// statement, when the program's row is there. Only the ids come back: the other columns are the
// values sent (created_at a Date in milliseconds, which timestamptz keeps exactly).
const INSERT_PROGRAM_WITH_DUE_DATES = `with p as (
  insert into "programs" (${PROGRAM_COLUMNS.map((c) => `"${c}"`).join(', ')})
  values (${PROGRAM_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  returning "org_id", "program_id"
), d as (
  insert into "program_due_dates" ("org_id", "program_id", "day", "active")
  select p.org_id, p.program_id, x.day, x.active
  from p, unnest($${N + 1}::integer[], $${N + 2}::boolean[]) with ordinality as x (day, active, n)
  order by x.n
  returning "due_date_id", "day", "active"
)
select p.program_id,
  (select array_agg(d.due_date_id::text order by d.day) from d) as due_date_ids,
  (select array_agg(d.day order by d.day) from d) as due_date_days,
  (select array_agg(d.active order by d.day) from d) as due_date_actives
from p`;

/**
 * A program and its due dates (days unique: the rules checked them), as a statement the caller
 * sends with the program's event (sendLast); what it reads is both, due dates by day.
 */
export function insertProgramWithDueDates(
  row: NewProgram,
  dueDates: readonly { day: number; active: boolean }[],
): Read<{ program: ProgramRow; dueDates: Pick<DueDateRow, 'due_date_id' | 'day' | 'active'>[] }> {
  const values: unknown[] = PROGRAM_COLUMNS.map((c) => row[c]);
  values.push(
    dueDates.map((d) => d.day),
    dueDates.map((d) => d.active),
  );
  return {
    query: CompiledQuery.raw(INSERT_PROGRAM_WITH_DUE_DATES, values),
    read(rows) {
      const r = rows[0] as { program_id: bigint; due_date_ids: string[] | null; due_date_days: number[] | null; due_date_actives: boolean[] | null };
      const ids = r.due_date_ids ?? [];
      return {
        program: { ...row, program_id: r.program_id },
        dueDates: ids.map((id, i) => ({ due_date_id: BigInt(id), day: r.due_date_days![i]!, active: r.due_date_actives![i]! })),
      };
    },
  };
}

/**
 * The id the insert above took, for a statement sent after it in the same pipeline (the Program
 * created event's program_id): the session's last value of the programs identity, which that
 * insert's one row took.
 */
export const NEW_PROGRAM_ID_SQL = "currval(pg_get_serial_sequence('programs', 'program_id'))";

/** Every program id of the org, oldest first. */
export const programIdsOf = async (tx: Tx, orgId: string): Promise<number[]> =>
  (await tx.selectFrom('programs').select('program_id').where('org_id', '=', orgId).orderBy('program_id').execute()).map((r) =>
    Number(r.program_id),
  );

export const findProgram = (tx: Tx, orgId: string, programId: bigint) =>
  tx.selectFrom('programs').selectAll().where('org_id', '=', orgId).where('program_id', '=', programId).executeTakeFirst();

/** The program, locked until the transaction ends (concurrent patches apply one after another). */
export const lockProgram = (tx: Tx, orgId: string, programId: bigint) =>
  tx.selectFrom('programs').selectAll().where('org_id', '=', orgId).where('program_id', '=', programId).forUpdate().executeTakeFirst();

export const updateProgram = (tx: Tx, orgId: string, programId: bigint, changes: Updateable<ProgramsTable>) =>
  tx.updateTable('programs').set(changes).where('org_id', '=', orgId).where('program_id', '=', programId).returningAll().executeTakeFirstOrThrow();

export interface ProgramFilter {
  id?: bigint;
  name?: string;
  typeId?: number;
  binValue?: string;
}

export async function listPrograms(
  tx: Tx,
  orgId: string,
  filter: ProgramFilter,
  sort: { by: 'ID' | 'NAME'; order: 'ASC' | 'DESC' },
  page: PageRequest,
): Promise<{ rows: ProgramRow[]; total: number }> {
  let q = tx.selectFrom('programs').where('org_id', '=', orgId);
  if (filter.id !== undefined) q = q.where('program_id', '=', filter.id);
  if (filter.name !== undefined) q = q.where('name', 'ilike', `%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filter.typeId !== undefined) q = q.where('type_id', '=', filter.typeId);
  if (filter.binValue !== undefined) q = q.where('bin_value', '=', filter.binValue);
  const dir = sort.order === 'DESC' ? 'desc' : 'asc';
  let rows = q.selectAll();
  if (sort.by === 'NAME') rows = rows.orderBy(sql`lower(name)`, dir);
  return offsetPage(q, rows.orderBy('program_id', dir), page);
}

export const insertDueDates = (tx: Tx, rows: Insertable<ProgramDueDatesTable>[]) =>
  rows.length ? tx.insertInto('program_due_dates').values(rows).returningAll().execute() : Promise.resolve([] as DueDateRow[]);

export const listDueDates = (tx: Tx, orgId: string, programId: bigint) =>
  tx.selectFrom('program_due_dates').selectAll().where('org_id', '=', orgId).where('program_id', '=', programId).orderBy('day').execute();

export const setDueDateActive = (tx: Tx, orgId: string, dueDateId: bigint, active: boolean) =>
  tx.updateTable('program_due_dates').set({ active }).where('org_id', '=', orgId).where('due_date_id', '=', dueDateId).execute();

export const insertImport = (tx: Tx, row: Insertable<ProgramImportsTable>) =>
  tx.insertInto('program_imports').values(row).returningAll().executeTakeFirstOrThrow();

export const findImport = (tx: Tx, orgId: string, importId: bigint) =>
  tx.selectFrom('program_imports').selectAll().where('org_id', '=', orgId).where('program_import_id', '=', importId).executeTakeFirst();

/** The import, locked: the job that creates its program runs once even if delivered twice. */
export const lockImport = (tx: Tx, orgId: string, importId: bigint) =>
  tx
    .selectFrom('program_imports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('program_import_id', '=', importId)
    .forUpdate()
    .executeTakeFirst();

export const findImportOfProgram = (tx: Tx, orgId: string, programId: bigint) =>
  tx.selectFrom('program_imports').selectAll().where('org_id', '=', orgId).where('program_id', '=', programId).executeTakeFirst();

export const updateImport = (tx: Tx, orgId: string, importId: bigint, changes: Updateable<ProgramImportsTable>) =>
  tx.updateTable('program_imports').set(changes).where('org_id', '=', orgId).where('program_import_id', '=', importId).execute();

/** Does any program of the org use this calendar? */
export const calendarUsedByProgram = async (tx: Tx, orgId: string, calendarId: bigint): Promise<boolean> =>
  (
    await sql<{ used: boolean }>`select exists (select 1 from programs where org_id = ${orgId} and holiday_calendar_id = ${calendarId}) as used`.execute(
      tx,
    )
  ).rows[0]?.used === true;

/** The program's holiday_calendar_id (null: none), or undefined when the org has no such program. */
export const programCalendarId = async (tx: Tx, orgId: string, programId: bigint): Promise<bigint | null | undefined> =>
  (await tx.selectFrom('programs').select('holiday_calendar_id').where('org_id', '=', orgId).where('program_id', '=', programId).executeTakeFirst())
    ?.holiday_calendar_id;

/**
 * The program, locked FOR KEY SHARE until the transaction ends (an account is being opened in
 * it), with its due dates.
 */
export async function programWithDueDates(tx: Tx, orgId: string, programId: bigint) {
  const program = await tx
    .selectFrom('programs')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('program_id', '=', programId)
    .forKeyShare()
    .executeTakeFirst();
  if (!program) return undefined;
  return { program, dueDates: await listDueDates(tx, orgId, programId) };
}

/** Names and types of programs, by id. */
export const programNames = (tx: Tx, orgId: string, programIds: bigint[]) =>
  programIds.length
    ? tx.selectFrom('programs').select(['program_id', 'name', 'type_id']).where('org_id', '=', orgId).where('program_id', 'in', programIds).execute()
    : Promise.resolve([]);
/** A program's type, currency and time zone, for modules that hang configuration on a program (lending). */
export const programFacts = (tx: Tx, orgId: string, programId: bigint) =>
  tx
    .selectFrom('programs')
    .select(['program_id', 'type_id', 'currency_numeric_code', 'timezone'])
    .where('org_id', '=', orgId)
    .where('program_id', '=', programId)
    .executeTakeFirst();
