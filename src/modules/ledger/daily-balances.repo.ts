// SQL of daily balances: the buckets of each account as each business day closed.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { Timestamp } from '../../platform/db/tables.js';

export interface LedgerDailyBalancesTable {
  org_id: string;
  account_id: bigint;
  currency: string;
  ref_date: string;
  available_minor: bigint;
  held_minor: bigint;
  current_minor: bigint;
  credit_used_minor: bigint;
  created_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    ledger_daily_balances: LedgerDailyBalancesTable;
  }
}

/** Records the balances of the accounts of these programs as of `date` (once per account and day). */
export async function snapshot(tx: Tx, orgId: string, programIds: bigint[], date: string, now: Date): Promise<number> {
  if (!programIds.length) return 0;
  const res = await sql`
    insert into ledger_daily_balances (org_id, account_id, currency, ref_date, available_minor, held_minor, current_minor, credit_used_minor, created_at)
    select b.org_id, b.account_id, b.currency, ${date}, b.available_minor, b.held_minor, b.current_minor, b.credit_used_minor, ${now}
    from ledger_account_balances b
    join ledger_account_limits l on l.org_id = b.org_id and l.account_id = b.account_id
    where b.org_id = ${orgId} and l.program_id in (${sql.join(programIds)})
    on conflict do nothing`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}

export async function page(tx: Tx, orgId: string, accountId: bigint, from: string, to: string, limit: number, offset: number) {
  const base = tx
    .selectFrom('ledger_daily_balances')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('ref_date', '>=', from)
    .where('ref_date', '<=', to);
  const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('ref_date', 'desc').orderBy('currency').limit(limit).offset(offset).execute();
  return { total: Number(total.n), rows };
}
