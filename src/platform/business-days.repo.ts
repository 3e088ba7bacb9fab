// SQL for business days: closing scopes (business_day_scopes) and test-clock advances
// (test_clock_advances), db/migrations/0008_business_days.sql. Tenant functions take the org id
// and filter on it; the cross-org ones (enrolment, due orgs) run in system transactions.
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from './db/database.js';
import type { Timestamp } from './db/tables.js';

export interface BusinessDayScopesTable {
  org_id: string;
  /** 0: the org's own day. */
  program_id: bigint;
  time_zone: string;
  cycle_closing: string | null;
  last_closed: string;
  day_in_progress: string | null;
  handlers_done: string[];
  next_due_at: Timestamp | null;
  failures: number;
  retry_at: Timestamp | null;
  last_error: string | null;
  advance_id: string | null;
  advance_to: string | null;
  advance_cid: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TestClockAdvancesTable {
  org_id: string;
  advance_id: string;
  from_date: string;
  to_date: string;
  days: number;
  status: 'RUNNING' | 'DONE';
  cid: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

declare module './db/tables.js' {
  interface Tables {
    business_day_scopes: BusinessDayScopesTable;
    test_clock_advances: TestClockAdvancesTable;
  }
}

export type ScopeRow = Selectable<BusinessDayScopesTable>;
export type AdvanceRow = Selectable<TestClockAdvancesTable>;
export const ORG_SCOPE = 0n;

/** The last closed day of the scope that governs `programId` (its own, else the org's). */
export async function lastClosedFor(tx: Tx, orgId: string, programId: bigint | undefined): Promise<string | undefined> {
  const rows = await tx
    .selectFrom('business_day_scopes')
    .select(['program_id', 'last_closed'])
    .where('org_id', '=', orgId)
    .where('program_id', 'in', programId === undefined ? [ORG_SCOPE] : [ORG_SCOPE, programId])
    .execute();
  return governingLastClosed(rows, programId);
}

/**
 * The last closed day of every scope of the org, by program id (0: the org's own): one row per
 * program whose zone or closing time differs from the org's, so few.
 */
export const lastClosedOfOrg = (tx: Tx, orgId: string) =>
  tx.selectFrom('business_day_scopes').select(['program_id', 'last_closed']).where('org_id', '=', orgId).compile();

/** The last closed day that governs `programId` among an org's scopes (lastClosedOfOrg's rows). */
export function governingLastClosed(rows: readonly { program_id: bigint; last_closed: string }[], programId: bigint | undefined): string | undefined {
  const own = programId === undefined ? undefined : rows.find((r) => r.program_id === programId && programId !== ORG_SCOPE);
  return (own ?? rows.find((r) => r.program_id === ORG_SCOPE))?.last_closed;
}

/**
 * The org's scopes, org row first, with the org row locked for this transaction. `skipLocked`:
 * null when another transaction holds it (another worker is closing this org's day).
 *
 * Two statements on purpose: under READ COMMITTED a statement reads with the snapshot it started
 * with, and only the row it locks is brought up to date. Reading the scopes in the same statement
 * as the lock could return what another worker had before its commit, and close its days again;
 * a second statement starts after the lock is held, so it sees that worker's last commit.
 */
export async function lockOrgScopes(tx: Tx, orgId: string, opts: { skipLocked: boolean }): Promise<ScopeRow[] | null> {
  const { rows: locked } = await sql<{ org_id: string }>`
    select org_id from business_day_scopes where org_id = ${orgId} and program_id = 0
    for update ${opts.skipLocked ? sql`skip locked` : sql``}`.execute(tx);
  if (!locked.length) {
    if (!opts.skipLocked) return [];
    const enrolled = await tx.selectFrom('business_day_scopes').select('org_id').where('org_id', '=', orgId).where('program_id', '=', ORG_SCOPE).executeTakeFirst();
    return enrolled ? null : [];
  }
  return orgScopes(tx, orgId);
}

/** The org's scopes without locking (reads). */
export const orgScopes = (tx: Tx, orgId: string): Promise<ScopeRow[]> =>
  tx.selectFrom('business_day_scopes').selectAll().where('org_id', '=', orgId).orderBy('program_id').execute();

/** Every scope of every org (system transaction): what enrolment compares with. */
export const allScopes = (tx: Tx): Promise<ScopeRow[]> => tx.selectFrom('business_day_scopes').selectAll().orderBy('org_id').orderBy('program_id').execute();

export async function insertScopes(tx: Tx, rows: Insertable<BusinessDayScopesTable>[]): Promise<void> {
  if (rows.length) await tx.insertInto('business_day_scopes').values(rows).execute();
}

/** The row, unless another transaction inserted it first. */
export async function insertScopeIfMissing(tx: Tx, row: Insertable<BusinessDayScopesTable>): Promise<void> {
  await tx.insertInto('business_day_scopes').values(row).onConflict((oc) => oc.columns(['org_id', 'program_id']).doNothing()).execute();
}

export async function updateScope(tx: Tx, orgId: string, programId: bigint, changes: Updateable<BusinessDayScopesTable>): Promise<void> {
  await tx.updateTable('business_day_scopes').set(changes).where('org_id', '=', orgId).where('program_id', '=', programId).execute();
}

/** Orgs with a day due at `now` and not waiting out a failure, soonest first (system transaction). */
export async function dueOrgs(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ org_id: string }>`
    select s.org_id
    from business_day_scopes s
    join business_day_scopes o on o.org_id = s.org_id and o.program_id = 0
    where s.next_due_at <= ${now} and (o.retry_at is null or o.retry_at <= ${now})
    group by s.org_id
    order by min(s.next_due_at), s.org_id
    limit ${limit}`.execute(tx);
  return rows.map((r) => r.org_id);
}

export async function insertAdvance(tx: Tx, row: Insertable<TestClockAdvancesTable>): Promise<void> {
  await tx.insertInto('test_clock_advances').values(row).execute();
}

export const findAdvance = (tx: Tx, orgId: string, advanceId: string): Promise<AdvanceRow | undefined> =>
  tx.selectFrom('test_clock_advances').selectAll().where('org_id', '=', orgId).where('advance_id', '=', advanceId).executeTakeFirst();

export const runningAdvance = (tx: Tx, orgId: string): Promise<AdvanceRow | undefined> =>
  tx.selectFrom('test_clock_advances').selectAll().where('org_id', '=', orgId).where('status', '=', 'RUNNING').executeTakeFirst();

export async function finishAdvance(tx: Tx, orgId: string, advanceId: string, at: Date): Promise<void> {
  await tx
    .updateTable('test_clock_advances')
    .set({ status: 'DONE', finished_at: at })
    .where('org_id', '=', orgId)
    .where('advance_id', '=', advanceId)
    .execute();
}
