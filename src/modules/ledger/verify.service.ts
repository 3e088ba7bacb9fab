// `lastro ledger verify` and GET /lastro/v1/ledger/verify: the ledger's two invariants, checked
// from the postings themselves — every entry sums to zero per currency, and every stored balance
// (each customer bucket, each internal sub-balance) equals the sum of its postings. Work goes in
// batches (entry id ranges, account pages); each query reads one snapshot, so a balance row and
// its postings are compared as of the same commit even while money moves.
import type { Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import * as repo from './journal.repo.js';

export type Difference =
  | { kind: 'UNBALANCED_ENTRY'; entry_id: string; currency: string; sum_minor: string }
  | { kind: 'EMPTY_ENTRY'; entry_id: string }
  | { kind: 'BALANCE_MISMATCH'; account_id: string; currency: string; bucket: repo.BalanceDifference['bucket']; stored_minor: string; posted_minor: string }
  | { kind: 'BALANCE_MISSING'; account_id: string; currency: string; posted_minor: string }
  | { kind: 'INTERNAL_BALANCE_MISMATCH'; internal_account: string; currency: string; shard: number; stored_minor: string; posted_minor: string };

export interface VerifyReport {
  org_id: string;
  ok: boolean;
  entries_checked: number;
  accounts_checked: number;
  /** Differences found (at most MAX_LISTED; `truncated` says when there were more). */
  differences: Difference[];
  truncated: boolean;
}

export interface VerifyProgress {
  phase: 'entries' | 'balances' | 'internal';
  done: number;
  total: number;
}

/** Rows a batch covers; one batch is one short statement, so a large ledger reports progress. */
export const VERIFY_BATCH = 5000;
const MAX_LISTED = 1000;

/** A verification in steps: each `step(t)` runs one batch in the transaction it is given. */
export function ledgerVerification(orgId: string, opts: { batch?: number } = {}) {
  const batch = opts.batch ?? VERIFY_BATCH;
  const report: VerifyReport = { org_id: orgId, ok: true, entries_checked: 0, accounts_checked: 0, differences: [], truncated: false };
  const add = (d: Difference) => {
    report.ok = false;
    if (report.differences.length < MAX_LISTED) report.differences.push(d);
    else report.truncated = true;
  };
  let plan: { entries: number; bounds: bigint[]; accounts: number } | undefined;
  let boundIndex = 0;
  let entryCursor = 0n;
  let accountCursor = 0n;
  let phase: VerifyProgress['phase'] | 'done' = 'entries';

  return {
    report,
    /** Runs the next batch; returns the progress after it, or undefined when verification is done. */
    async step(t: TenantTx): Promise<VerifyProgress | undefined> {
      if (!plan) {
        const range = await repo.entryIdRange(t.db, orgId);
        const bounds = await repo.entryBounds(t.db, orgId, batch);
        if (!bounds.length || bounds[bounds.length - 1]! < range.last) bounds.push(range.last);
        plan = { entries: range.count, bounds, accounts: await repo.countBalanceAccounts(t.db, orgId) };
      }
      if (phase === 'entries') {
        const upTo = plan.bounds[boundIndex];
        if (upTo === undefined || plan.entries === 0) {
          phase = 'balances';
        } else {
          for (const u of await repo.unbalancedEntries(t.db, orgId, entryCursor, upTo)) {
            add({ kind: 'UNBALANCED_ENTRY', entry_id: String(u.entry_id), currency: u.currency, sum_minor: String(u.total) });
          }
          for (const id of await repo.emptyEntries(t.db, orgId, entryCursor, upTo)) add({ kind: 'EMPTY_ENTRY', entry_id: String(id) });
          boundIndex += 1;
          entryCursor = upTo;
          report.entries_checked = Math.min(plan.entries, boundIndex * batch);
          return { phase: 'entries', done: report.entries_checked, total: plan.entries };
        }
      }
      if (phase === 'balances') {
        const page = await repo.balanceDifferences(t.db, orgId, accountCursor, batch);
        if (page.last === null) {
          phase = 'internal';
        } else {
          for (const d of page.differences) {
            add({ kind: 'BALANCE_MISMATCH', account_id: String(d.account_id), currency: d.currency, bucket: d.bucket, stored_minor: String(d.stored), posted_minor: String(d.posted) });
          }
          accountCursor = page.last;
          report.accounts_checked += page.rows;
          return { phase: 'balances', done: report.accounts_checked, total: Math.max(plan.accounts, report.accounts_checked) };
        }
      }
      if (phase === 'internal') {
        for (const m of await repo.postingsWithoutBalance(t.db, orgId)) {
          add({ kind: 'BALANCE_MISSING', account_id: String(m.account_id), currency: m.currency, posted_minor: String(m.posted) });
        }
        for (const d of await repo.internalDifferences(t.db, orgId)) {
          add({ kind: 'INTERNAL_BALANCE_MISMATCH', internal_account: d.code, currency: d.currency, shard: d.shard, stored_minor: String(d.stored), posted_minor: String(d.posted) });
        }
        phase = 'done';
        return { phase: 'internal', done: 1, total: 1 };
      }
      return undefined;
    },
  };
}

/** The whole verification in one transaction (the HTTP route). */
export async function verifyLedger(t: TenantTx): Promise<VerifyReport> {
  const v = ledgerVerification(t.orgId);
  while (await v.step(t));
  return v.report;
}

/**
 * Verifies each org (all of them, or `orgIds`), one batch per tenant transaction so a large
 * ledger neither holds one long transaction nor stays silent: `onProgress` hears of every batch.
 */
export async function verifyOrgs(
  platform: Pick<Platform, 'tenant' | 'db'>,
  opts: { orgIds?: string[]; onProgress?: (orgId: string, p: VerifyProgress) => void },
): Promise<VerifyReport[]> {
  const orgIds = opts.orgIds ?? (await platform.db.transaction((tx) => repo.orgIds(tx), { system: true }));
  const reports: VerifyReport[] = [];
  for (const orgId of orgIds) {
    const v = ledgerVerification(orgId);
    for (;;) {
      const progress = await platform.tenant({ orgId, cid: undefined, actor: 'cli:ledger-verify' }, (t) => v.step(t));
      if (!progress) break;
      opts.onProgress?.(orgId, progress);
    }
    reports.push(v.report);
  }
  return reports;
}
