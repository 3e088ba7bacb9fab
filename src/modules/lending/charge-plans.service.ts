// Charge plans: fees, taxes and charges a loan product collects (deducted from the disbursement,
// upfront, amortised over the installments, or debited). Create here; get, list, enable, disable
// and delete are the shared plan operations.
import type { RequestContext } from '../../platform/context.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import type { ChargePlanEventData } from './lending.events.js';
import { LendingEvents } from './lending.events.js';
import { LendingErrors } from './lending.errors.js';
import { once } from './lending.http.js';
import { currencyOf, fromMinor, rateNumber, rateText, toMinor } from './lending.money.js';
import { planOperations } from './lending.plans.js';
import * as repo from './charge-plans.repo.js';
import type { ChargePlan, CreateChargePlanBody } from './charge-plans.schemas.js';

export const CHARGE_PLANS_BASE = '/lending/v1/charge-plans';

export function toChargePlan(r: repo.ChargePlanRow): ChargePlan {
  const cur = r.currency_numeric_code;
  return {
    name: r.name,
    code: r.code,
    type: r.type,
    currency: Number(cur),
    ...(r.fixed_amount_minor !== null ? { fixed_amount: { value: fromMinor(r.fixed_amount_minor, cur) } } : {}),
    ...(r.percentage !== null
      ? {
          percentage: {
            value: rateNumber(r.percentage),
            ...(r.min_charged_minor !== null ? { min_charged_amount: fromMinor(r.min_charged_minor, cur) } : {}),
            ...(r.max_charged_minor !== null ? { max_charged_amount: fromMinor(r.max_charged_minor, cur) } : {}),
          },
        }
      : {}),
    collection_method: r.collection_method,
    collectionMethod: r.collection_method,
    status: r.status,
  };
}

const toEvent = (r: repo.ChargePlanRow, previous?: ChargePlanEventData['status']): ChargePlanEventData => ({
  org_id: r.org_id,
  code: r.code,
  name: r.name,
  type: r.type,
  collection_method: r.collection_method,
  currency: Number(r.currency_numeric_code),
  status: r.status,
  ...(previous ? { previous_status: previous } : {}),
});

export type ChargePlansService = ReturnType<typeof createChargePlansService>;

export function createChargePlansService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  const ops = planOperations(deps, {
    table: 'lending_charge_plans',
    label: 'Charge plan',
    toResponse: toChargePlan,
    toEvent,
    events: LendingEvents.chargePlan,
    base: CHARGE_PLANS_BASE,
    dupCode: 'WLND0001',
  });

  return {
    ...ops,
    async create(t: TenantTx, body: CreateChargePlanBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<ChargePlan> {
      if (body.fixed_amount && body.percentage) throw LendingErrors.rule('ELND0202', 'body.percentage', 'cannot be passed with fixed_amount');
      if (!body.fixed_amount && !body.percentage) throw LendingErrors.rule('ELND0208', 'body.fixed_amount', 'or percentage is required');
      const currency = currencyOf('body.currency', body.currency, 'ELND0211');
      const p = body.percentage;
      const min = p?.min_charged_amount !== undefined ? toMinor('body.percentage.min_charged_amount', p.min_charged_amount, currency) : null;
      const max = p?.max_charged_amount !== undefined ? toMinor('body.percentage.max_charged_amount', p.max_charged_amount, currency) : null;
      if (min !== null && max !== null && max <= min) {
        throw LendingErrors.rule('ELND0207', 'body.percentage.max_charged_amount', 'must be higher than percentage.min_charged_amount');
      }
      const fixed = body.fixed_amount ? toMinor('body.fixed_amount.value', body.fixed_amount.value, currency) : null;
      const res = await once(t, clock, ctx, `POST ${CHARGE_PLANS_BASE}`, body, 'WLND0001', async () => {
        const now = clock.now();
        const row = await repo.insertChargePlan(t.db, {
          org_id: t.orgId,
          code: body.code,
          name: body.name,
          type: body.type,
          collection_method: body.collection_method,
          currency_numeric_code: currency.numeric,
          fixed_amount_minor: fixed,
          percentage: p ? rateText(p.value) : null,
          min_charged_minor: min,
          max_charged_minor: max,
          status: 'ENABLED',
          created_at: now,
          updated_at: now,
        });
        if (!row) throw LendingErrors.exists(`Charge plan ${body.code}`, 'body.code');
        await recordEvent(t.db, events, LendingEvents.chargePlan.created, { orgId: t.orgId, cid: t.cid, data: toEvent(row) });
        return { status: 201, body: toChargePlan(row) };
      });
      return res.body;
    },
  };
}
