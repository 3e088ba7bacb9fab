// HTTP routes of Pismo's charge plans (Lending v1). Permission group: `lending`.
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { planRoutes } from './lending.plans.js';
import { ChargePlan, ChargePlanPage, CreateChargePlanBody } from './charge-plans.schemas.js';
import { CHARGE_PLANS_BASE, type ChargePlansService } from './charge-plans.service.js';

/** The codes Pismo's createChargePlan documents for its fields. */
const FIELDS: FieldCode[] = [
  { field: 'body.collection_method', missing: 'ELND0200', invalid: 'ELND0201' },
  { field: 'body.percentage.value', missing: 'ELND0203', invalid: 'ELND0204' },
  { field: 'body.percentage.min_charged_amount', invalid: 'ELND0205' },
  { field: 'body.percentage.max_charged_amount', invalid: 'ELND0206' },
  { field: 'body.fixed_amount.value', invalid: 'ELND0209' },
  { field: 'body.name', invalid: 'ELND0210' },
  { field: 'body.currency', invalid: 'ELND0211' },
];

export function chargePlansRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: ChargePlansService): void {
  planRoutes(app, platform, {
    base: CHARGE_PLANS_BASE,
    tag: 'lending',
    noun: 'charge plan',
    plural: 'charge plans',
    body: CreateChargePlanBody,
    created: ChargePlan,
    item: ChargePlan,
    page: ChargePlanPage,
    fields: FIELDS,
    create: (t, body, ctx) => service.create(t, body, ctx),
    ops: service,
  });
}
