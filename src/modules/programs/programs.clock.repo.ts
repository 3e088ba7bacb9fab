// What business dates and day closing need to know about programs: time zone and cycle closing
// (wired into the platform's DayDirectory in app.ts).
import type { ProgramDayFacts } from '../../platform/business-date.js';
import type { Tx } from '../../platform/db/database.js';

const facts = (r: { org_id: string; program_id: bigint; timezone: string; cycle_closing: string | null }): ProgramDayFacts => ({
  orgId: r.org_id,
  programId: r.program_id,
  timezone: r.timezone,
  cycleClosing: r.cycle_closing,
});

const COLUMNS = ['org_id', 'program_id', 'timezone', 'cycle_closing'] as const;

/** One program of the org. */
export async function programDayFacts(tx: Tx, orgId: string, programId: bigint): Promise<ProgramDayFacts | undefined> {
  const row = await tx.selectFrom('programs').select(COLUMNS).where('org_id', '=', orgId).where('program_id', '=', programId).executeTakeFirst();
  return row && facts(row);
}

/** Every program of the org, by id. */
export async function programsDayFacts(tx: Tx, orgId: string): Promise<ProgramDayFacts[]> {
  const rows = await tx.selectFrom('programs').select(COLUMNS).where('org_id', '=', orgId).orderBy('program_id').execute();
  return rows.map(facts);
}

/** Every program of every org, in a system transaction. */
export async function allProgramDayFacts(tx: Tx): Promise<ProgramDayFacts[]> {
  const rows = await tx.selectFrom('programs').select(COLUMNS).orderBy('org_id').orderBy('program_id').execute();
  return rows.map(facts);
}
