// Per-org setup: the defaults each module seeds into every org (LastroModule.orgSetup). A new
// org gets them in the transaction that creates it; an org created before a module's setup
// existed, or before its version was raised, gets it at the next start of a `start` or `worker`
// process. `org_setups` records which version each org has had, so each one runs once, and the
// claim on that row keeps two processes starting together from both running it.
import type { NamedOrgSetup, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import * as repo from './orgs.repo.js';

/** Who the back-fill's tenant transactions act as. */
const ACTOR = 'org-setup';

/** A module's setup failed for an org at start-up; the process does not start (as with a failed migration). */
export class OrgSetupError extends Error {
  constructor(
    readonly orgId: string,
    readonly module: string,
    cause: unknown,
  ) {
    super(`org setup of module ${module} failed for org ${orgId}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'OrgSetupError';
  }
}

/** Seeds every module's defaults into a new org, inside its creation transaction, in module order. */
export async function applyOrgSetups(t: TenantTx, setups: NamedOrgSetup[], now: Date): Promise<void> {
  for (const { module, setup } of setups) {
    await repo.claimOrgSetup(t.db, t.orgId, module, setup.version, now);
    await setup.apply(t, undefined);
  }
}

/**
 * Applies every module's setup to the orgs that have not had its current version, oldest org
 * first, one tenant transaction per org (its modules in module order). Returns how many
 * (org, module) setups ran here. Throws OrgSetupError when one fails; the orgs done before it stay done.
 */
export async function backfillOrgSetups(deps: Pick<Platform, 'db' | 'tenant' | 'clock' | 'log' | 'orgSetups'>): Promise<number> {
  const setups = deps.orgSetups;
  if (setups.length === 0) return 0;
  const pending = await deps.db.transaction(async (tx) => {
    const orgs = new Map<string, Date>();
    for (const { module, setup } of setups) {
      for (const row of await repo.orgsMissingSetup(tx, module, setup.version)) orgs.set(row.org_id, row.created_at);
    }
    return [...orgs].sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || (a < b ? -1 : 1)).map(([orgId]) => orgId);
  }, { system: true });

  let applied = 0;
  for (const orgId of pending) {
    applied += await deps.tenant({ orgId, cid: undefined, actor: ACTOR }, async (t) => {
      let ran = 0;
      for (const { module, setup } of setups) {
        const before = await repo.findOrgSetup(t.db, t.orgId, module);
        if (before && before.version >= setup.version) continue;
        // Another process may be applying it right now: the claim waits for it, then finds it done.
        if (!(await repo.claimOrgSetup(t.db, t.orgId, module, setup.version, deps.clock.now()))) continue;
        try {
          await setup.apply(t, before?.version);
        } catch (err) {
          throw new OrgSetupError(orgId, module, err);
        }
        deps.log.info({ org: orgId, module, version: setup.version, previous: before?.version }, 'org setup applied');
        ran += 1;
      }
      return ran;
    });
  }
  return applied;
}
