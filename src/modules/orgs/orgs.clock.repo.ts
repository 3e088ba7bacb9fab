// What business dates and day closing need to know about orgs: time zone, cycle closing, sandbox
// flag, status and creation time (wired into the platform's DayDirectory in app.ts).
import type { OrgDayFacts } from '../../platform/business-date.js';
import type { Tx } from '../../platform/db/database.js';

const facts = (r: { org_id: string; timezone: string; cycle_closing: string | null; sandbox: boolean; status: string; created_at: Date }): OrgDayFacts => ({
  orgId: r.org_id,
  timezone: r.timezone,
  cycleClosing: r.cycle_closing,
  sandbox: r.sandbox,
  active: r.status === 'ACTIVE',
  createdAt: r.created_at,
});

const COLUMNS = ['org_id', 'timezone', 'cycle_closing', 'sandbox', 'status', 'created_at'] as const;

/** One org, in its tenant transaction. */
export async function orgDayFacts(tx: Tx, orgId: string): Promise<OrgDayFacts | undefined> {
  const row = await tx
    .selectFrom('orgs')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row && facts(row);
}

/** Every org, in a system transaction. */
export async function allOrgDayFacts(tx: Tx): Promise<OrgDayFacts[]> {
  const rows = await tx.selectFrom('orgs').select(COLUMNS).orderBy('org_id').execute();
  return rows.map(facts);
}
