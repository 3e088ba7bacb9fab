// HTTP routes of Pismo's penalty plans (Lending v1). Permission group: `lending`.
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { planRoutes } from './lending.plans.js';
import { CreatePenaltyPlanBody, PenaltyPlan, PenaltyPlanPage } from './penalty-plans.schemas.js';
import { PENALTY_PLANS_BASE, type PenaltyPlansService } from './penalty-plans.service.js';

/** The codes Pismo's createPenaltyPlan documents for its fields. */
const FIELDS: FieldCode[] = [
  { field: 'body.code', missing: 'ELND0900', invalid: 'ELND0901' },
  { field: 'body.name', missing: 'ELND0902', invalid: 'ELND0903' },
  { field: 'body.percentage.accrual_frequency', missing: 'ELND0904' },
  { field: 'body.apply_when', missing: 'ELND0905' },
  { field: 'body.grace_days', invalid: 'ELND0906' },
  { field: 'body.fixed_amount', invalid: 'ELND0907' },
  { field: 'body.percentage.value', missing: 'ELND0908', invalid: 'ELND0909' },
  { field: 'body.percentage.minimum_penalty_amount', invalid: 'ELND0911' },
  { field: 'body.percentage.maximum_penalty_amount', invalid: 'ELND0912' },
  { field: 'body.percentage.apply_concerning', missing: 'ELND0914' },
  { field: 'body.currency', invalid: 'ELND0917' },
];

export function penaltyPlansRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: PenaltyPlansService): void {
  planRoutes(app, platform, {
    base: PENALTY_PLANS_BASE,
    tag: 'lending',
    noun: 'penalty plan',
    plural: 'penalty plans',
    body: CreatePenaltyPlanBody,
    created: PenaltyPlan,
    item: PenaltyPlan,
    page: PenaltyPlanPage,
    fields: FIELDS,
    create: (t, body, ctx) => service.create(t, body, ctx),
    ops: service,
  });
}
