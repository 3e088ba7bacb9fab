// Repayment hierarchies: the order a repayment pays penalties, fees, charges, taxes, interest
// and principal. Create here; get, list, enable, disable and delete are the shared plan operations.
import type { RequestContext } from '../../platform/context.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { isoSeconds } from '../../platform/wire.js';
import { LendingEvents, type HierarchyEventData } from './lending.events.js';
import { LendingErrors } from './lending.errors.js';
import { once } from './lending.http.js';
import { planOperations } from './lending.plans.js';
import * as repo from './repayment-hierarchies.repo.js';
import type { CreateRepaymentHierarchyBody, RepaymentHierarchy } from './repayment-hierarchies.schemas.js';

export const HIERARCHIES_BASE = '/lending/v1/repayment-hierarchies';

export const toHierarchy = (r: repo.RepaymentHierarchyRow): RepaymentHierarchy => ({
  code: r.code,
  hierarchy: r.hierarchy,
  status: r.status,
  created_at: isoSeconds(r.created_at),
  updated_at: isoSeconds(r.updated_at),
});

const toEvent = (r: repo.RepaymentHierarchyRow, previous?: HierarchyEventData['status']): HierarchyEventData => ({
  org_id: r.org_id,
  code: r.code,
  hierarchy: r.hierarchy,
  status: r.status,
  ...(previous ? { previous_status: previous } : {}),
});

export type RepaymentHierarchiesService = ReturnType<typeof createRepaymentHierarchiesService>;

export function createRepaymentHierarchiesService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  const ops = planOperations(deps, {
    table: 'lending_repayment_hierarchies',
    label: 'Repayment hierarchy',
    toResponse: toHierarchy,
    toEvent,
    events: LendingEvents.repaymentHierarchy,
    base: HIERARCHIES_BASE,
    dupCode: 'WLND0001',
  });

  return {
    ...ops,
    async create(t: TenantTx, body: CreateRepaymentHierarchyBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<RepaymentHierarchy> {
      const dup = body.hierarchy.findIndex((item, i) => body.hierarchy.indexOf(item) !== i);
      if (dup >= 0) throw LendingErrors.rule('ELND0600', `body.hierarchy[${dup}]`, `repeats ${body.hierarchy[dup]}: each of the six items once`);
      const res = await once(t, clock, ctx, `POST ${HIERARCHIES_BASE}`, body, 'WLND0001', async () => {
        const now = clock.now();
        const row = await repo.insertHierarchy(t.db, {
          org_id: t.orgId,
          code: body.code,
          hierarchy: body.hierarchy,
          status: 'ENABLED',
          created_at: now,
          updated_at: now,
        });
        if (!row) throw LendingErrors.exists(`Repayment hierarchy ${body.code}`, 'body.code');
        await recordEvent(t.db, events, LendingEvents.repaymentHierarchy.created, { orgId: t.orgId, cid: t.cid, data: toEvent(row) });
        return { status: 201, body: toHierarchy(row) };
      });
      return res.body;
    },
  };
}
