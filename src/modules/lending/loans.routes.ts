// HTTP routes of Pismo's loan lifecycle (Lending v1): simulations, booking, cancellation, loans,
// disbursement and repayment. Permission group: `lending`.
import { requestContext } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { DuplicateKey, NoHeaders, WriteHeaders, lendingConfig, tenantOf } from './lending.http.js';
import { SimulationAnswer, SimulationBody, SimulationIdParams } from './loans.schemas.js';
import { SIMULATIONS_BASE, type SimulationsService } from './simulations.service.js';

/** The codes Pismo's createSimulation documents for its fields. */
const SIMULATION_FIELDS: FieldCode[] = [
  { field: 'body.simulation_id', invalid: 'ELND0110' },
  { field: 'body.product_id', missing: 'ELND0101' },
  { field: 'body.start_date', missing: 'ELND0102' },
  { field: 'body.loan_amount', missing: 'ELND0104', invalid: 'ELND0105' },
  { field: 'body.stages', missing: 'ELND0106', invalid: 'ELND0107' },
  { field: 'body.disbursement', missing: 'ELND0108', invalid: 'ELND0109' },
  { field: /^body\.disbursement\[\d+\]\.due_date$/, missing: 'ELND0111' },
  { field: /^body\.stages\[\d+\]\.interest_rate$/, missing: 'ELND0113' },
  { field: /^body\.stages\[\d+\]\.period$/, missing: 'ELND0114' },
  { field: /^body\.stages\[\d+\]\.interest_rate\.value$/, missing: 'ELND0115', invalid: 'ELND0116' },
  { field: /^body\.stages\[\d+\]\.interest_rate\.unit$/, missing: 'ELND0117' },
  { field: /^body\.stages\[\d+\]\.period\.value$/, missing: 'ELND0118', invalid: 'ELND0119' },
  { field: 'body.external_id', invalid: 'ELND0124' },
];

export function loansRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, simulations: SimulationsService): void {
  const tenant = tenantOf(platform);
  const tags = ['lending'];
  app.post(
    SIMULATIONS_BASE,
    {
      ...lendingConfig(SIMULATION_FIELDS),
      schema: {
        tags,
        summary: 'Simulate loan booking; emits Loan simulation created',
        headers: WriteHeaders,
        body: SimulationBody,
        response: { 201: SimulationAnswer, 202: DuplicateKey },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => simulations.create(t, req.body, ctx)));
    },
  );
  app.get(
    `${SIMULATIONS_BASE}/:loanSimulationId`,
    { ...lendingConfig(), schema: { tags, summary: 'Get loan simulation', headers: NoHeaders, params: SimulationIdParams, response: { 200: SimulationAnswer } } },
    async (req) => tenant(req, (t) => simulations.get(t, req.params.loanSimulationId)),
  );
}
