// HTTP routes of Pismo's repayment hierarchies (Lending v1). Permission group: `lending`.
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { planRoutes } from './lending.plans.js';
import { CreateRepaymentHierarchyBody, RepaymentHierarchy, RepaymentHierarchyPage } from './repayment-hierarchies.schemas.js';
import { HIERARCHIES_BASE, type RepaymentHierarchiesService } from './repayment-hierarchies.service.js';

/** The codes Pismo's createRepaymentHierarchy documents for its fields. */
const FIELDS: FieldCode[] = [
  { field: 'body.code', missing: 'ELND0601', invalid: 'ELND0602' },
  { field: 'body.hierarchy', missing: 'ELND0603', invalid: 'ELND0604' },
  { field: /^body\.hierarchy\[\d+\]$/, invalid: 'ELND0600' },
];

export function repaymentHierarchiesRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: RepaymentHierarchiesService): void {
  planRoutes(app, platform, {
    base: HIERARCHIES_BASE,
    tag: 'lending',
    noun: 'repayment hierarchy',
    plural: 'repayment hierarchies',
    body: CreateRepaymentHierarchyBody,
    created: RepaymentHierarchy,
    item: RepaymentHierarchy,
    page: RepaymentHierarchyPage,
    fields: FIELDS,
    create: (t, body, ctx) => service.create(t, body, ctx),
    ops: service,
  });
}
