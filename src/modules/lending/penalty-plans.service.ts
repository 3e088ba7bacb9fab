// Penalty plans: a late fee or penalty interest on installments past due or partially paid.
// Create here; get, list, enable, disable and delete are the shared plan operations.
import type { RequestContext } from '../../platform/context.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { LendingEvents, type PenaltyPlanEventData } from './lending.events.js';
import { LendingErrors } from './lending.errors.js';
import { once } from './lending.http.js';
import { currencyOf, fromMinor, rateNumber, rateText, toMinor } from './lending.money.js';
import { planOperations } from './lending.plans.js';
import * as repo from './penalty-plans.repo.js';
import type { CreatePenaltyPlanBody, PenaltyPlan } from './penalty-plans.schemas.js';

export const PENALTY_PLANS_BASE = '/lending/v1/penalty-plans';

export function toPenaltyPlan(r: repo.PenaltyPlanRow): PenaltyPlan {
  const cur = r.currency_numeric_code;
  return {
    code: r.code,
    name: r.name,
    apply_when: r.apply_when,
    currency: Number(cur),
    ...(r.grace_days !== null ? { grace_days: r.grace_days } : {}),
    ...(r.fixed_amount_minor !== null ? { fixed_amount: fromMinor(r.fixed_amount_minor, cur) } : {}),
    ...(r.percentage !== null
      ? {
          percentage: {
            value: rateNumber(r.percentage),
            apply_concerning: r.apply_concerning ?? [],
            accrual_frequency: r.accrual_frequency ?? 'DAILY',
            ...(r.minimum_penalty_minor !== null ? { minimum_penalty_amount: fromMinor(r.minimum_penalty_minor, cur) } : {}),
            ...(r.maximum_penalty_minor !== null ? { maximum_penalty_amount: fromMinor(r.maximum_penalty_minor, cur) } : {}),
          },
        }
      : {}),
    status: r.status,
  };
}

const toEvent = (r: repo.PenaltyPlanRow, previous?: PenaltyPlanEventData['status']): PenaltyPlanEventData => ({
  org_id: r.org_id,
  code: r.code,
  name: r.name,
  apply_when: r.apply_when,
  currency: Number(r.currency_numeric_code),
  status: r.status,
  ...(previous ? { previous_status: previous } : {}),
});

export type PenaltyPlansService = ReturnType<typeof createPenaltyPlansService>;

export function createPenaltyPlansService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  const ops = planOperations(deps, {
    table: 'lending_penalty_plans',
    label: 'Penalty plan',
    toResponse: toPenaltyPlan,
    toEvent,
    events: LendingEvents.penaltyPlan,
    base: PENALTY_PLANS_BASE,
    dupCode: 'WLND0001',
  });

  return {
    ...ops,
    async create(t: TenantTx, body: CreatePenaltyPlanBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<PenaltyPlan> {
      if (body.fixed_amount === undefined && !body.percentage) throw LendingErrors.rule('ELND0910', 'body.fixed_amount', 'or percentage is required');
      if (body.fixed_amount !== undefined && body.percentage) throw LendingErrors.invalid('body.percentage', 'cannot be passed with fixed_amount');
      if (body.grace_days !== undefined && !body.apply_when.includes('PAST_DUE')) {
        throw LendingErrors.rule('ELND0915', 'body.grace_days', 'applies only when apply_when contains PAST_DUE');
      }
      const currency = currencyOf('body.currency', body.currency, 'ELND0917');
      const p = body.percentage;
      const min = p?.minimum_penalty_amount !== undefined ? toMinor('body.percentage.minimum_penalty_amount', p.minimum_penalty_amount, currency) : null;
      const max = p?.maximum_penalty_amount !== undefined ? toMinor('body.percentage.maximum_penalty_amount', p.maximum_penalty_amount, currency) : null;
      if (min !== null && max !== null && max <= min) {
        throw LendingErrors.rule('ELND0913', 'body.percentage.maximum_penalty_amount', 'must be greater than minimum_penalty_amount');
      }
      const fixed = body.fixed_amount !== undefined ? toMinor('body.fixed_amount', body.fixed_amount, currency) : null;
      const res = await once(t, clock, ctx, `POST ${PENALTY_PLANS_BASE}`, body, 'WLND0001', async () => {
        const now = clock.now();
        const row = await repo.insertPenaltyPlan(t.db, {
          org_id: t.orgId,
          code: body.code,
          name: body.name,
          apply_when: body.apply_when,
          currency_numeric_code: currency.numeric,
          grace_days: body.grace_days ?? null,
          fixed_amount_minor: fixed,
          percentage: p ? rateText(p.value) : null,
          apply_concerning: p ? p.apply_concerning : null,
          minimum_penalty_minor: min,
          maximum_penalty_minor: max,
          accrual_frequency: p ? p.accrual_frequency : null,
          status: 'ENABLED',
          created_at: now,
          updated_at: now,
        });
        if (!row) throw LendingErrors.exists(`Penalty plan ${body.code}`, 'body.code');
        await recordEvent(t.db, events, LendingEvents.penaltyPlan.created, { orgId: t.orgId, cid: t.cid, data: toEvent(row) });
        return { status: 201, body: toPenaltyPlan(row) };
      });
      return res.body;
    },
  };
}
