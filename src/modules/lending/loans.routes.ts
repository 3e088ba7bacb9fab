// HTTP routes of Pismo's loan lifecycle (Lending v1): simulations, booking, cancellation, loans,
// disbursement and repayment. Permission group: `lending`.
import { Type } from 'typebox';
import { requestContext } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { DuplicateKey, NoHeaders, WriteHeaders, lendingConfig, tenantOf } from './lending.http.js';
import {
  BookingBody,
  DisburseAnswer,
  DisburseBody,
  Loan,
  LoanIdAnswer,
  LoanIdParams,
  LoanListQuery,
  LoanPage,
  LoanQuery,
  RepaymentAnswer,
  RepaymentBody,
  EfsParams,
  PrepaymentParams,
  PrepaymentQuote,
  PrepaymentRegistered,
  PrepaymentSimulationBody,
  SettlementQuote,
  SettlementRegistered,
  SettlementSimulationBody,
  SimulationAnswer,
  SimulationBody,
  SimulationIdParams,
} from './loans.schemas.js';
import { LOANS_BASE, type LoansService } from './loans.service.js';
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

export function simulationsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, simulations: SimulationsService): void {
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

/**
 * The file answers WLND0001 both for a repeated idempotency key (202) and for a simulation already
 * booked (409): the status follows the error's kind, not its code.
 */
const keyOr409 = (fields: FieldCode[] = []) => lendingConfig(fields, { WLND0001: undefined, unprocessable: 202 });

/** The codes Pismo's registerRepayment and disburseLoan use for their fields. */
const REPAYMENT_FIELDS: FieldCode[] = [{ field: 'body.external_id', invalid: 'ELND0124' }];

/** The codes Pismo's simulatePrepayment documents for its fields. */
const PREPAYMENT_FIELDS: FieldCode[] = [
  { field: 'body.amount_paid', missing: 'ELND0504', invalid: 'ELND0505' },
  { field: 'body.waive_penalty', missing: 'ELND0506' },
  { field: 'body.reason', invalid: 'ELND0507' },
];

export function loanRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, loans: LoansService): void {
  const tenant = tenantOf(platform);
  const tags = ['lending'];
  app.post(
    LOANS_BASE,
    {
      ...keyOr409([{ field: 'body.external_id', invalid: 'ELND0124' }]),
      schema: { tags, summary: 'Create loan booking; emits Loan booked', headers: WriteHeaders, body: BookingBody, response: { 202: Type.Union([LoanIdAnswer, DuplicateKey]), 409: DuplicateKey } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(202).send(await tenant(req, (t) => loans.book(t, req.body, ctx)));
    },
  );
  app.get(
    LOANS_BASE,
    { ...lendingConfig([{ field: 'query.limit', invalid: 'ELND0701' }]), schema: { tags, summary: 'List loans', headers: NoHeaders, querystring: LoanListQuery, response: { 200: LoanPage } } },
    async (req) => tenant(req, (t) => loans.list(t, req.query)),
  );
  app.get(
    `${LOANS_BASE}/:loanId`,
    { ...lendingConfig(), schema: { tags, summary: 'Get loan details', headers: NoHeaders, params: LoanIdParams, querystring: LoanQuery, response: { 200: Loan } } },
    async (req) => tenant(req, (t) => loans.get(t, req.params.loanId, req.query.expand ?? false)),
  );
  app.delete(
    `${LOANS_BASE}/:loanId`,
    { ...lendingConfig(), schema: { tags, summary: 'Cancel loan (before disbursement, or a BNPL return after it); emits Loan status changed', headers: WriteHeaders, params: LoanIdParams, response: { 202: Type.Union([LoanIdAnswer, DuplicateKey]) } } },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(202).send(await tenant(req, (t) => loans.cancel(t, req.params.loanId, ctx)));
    },
  );
  app.post(
    `${LOANS_BASE}/:loanId/disburse`,
    {
      ...lendingConfig(),
      schema: { tags, summary: 'Disburse loan; emits Loan disbursement status changed and Loan status changed', headers: WriteHeaders, params: LoanIdParams, body: DisburseBody, response: { 202: Type.Union([DisburseAnswer, DuplicateKey]) } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(202).send(await tenant(req, (t) => loans.disburse(t, req.params.loanId, req.body, ctx)));
    },
  );
  app.post(
    `${LOANS_BASE}/:loanId/repayment`,
    {
      ...keyOr409(REPAYMENT_FIELDS),
      schema: { tags, summary: 'Register repayment; emits Loan status changed when it settles the loan', headers: WriteHeaders, params: LoanIdParams, body: RepaymentBody, response: { 202: Type.Union([RepaymentAnswer, DuplicateKey]) } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(202).send(await tenant(req, (t) => loans.repay(t, req.params.loanId, req.body, ctx)));
    },
  );
  app.post(
    `${LOANS_BASE}/:loanId/early-settlement/simulate`,
    {
      ...lendingConfig([{ field: 'body.reference_date', invalid: 'ELND0405' }]),
      schema: { tags, summary: 'Register simulation for EFS (early final settlement)', headers: WriteHeaders, params: LoanIdParams, body: Type.Optional(SettlementSimulationBody), response: { 201: SettlementQuote } },
    },
    async (req, reply) => reply.status(201).send(await tenant(req, (t) => loans.simulateSettlement(t, req.params.loanId, req.body ?? {}))),
  );
  app.post(
    `${LOANS_BASE}/:loanId/early-settlement/:efsId/register`,
    {
      ...lendingConfig(),
      schema: { tags, summary: 'Apply EFS simulation; emits Loan status changed (SETTLED)', headers: WriteHeaders, params: EfsParams, response: { 202: Type.Union([SettlementRegistered, DuplicateKey]) } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(202).send(await tenant(req, (t) => loans.registerSettlement(t, req.params.loanId, req.params.efsId, ctx)));
    },
  );
  app.post(
    `${LOANS_BASE}/:loanId/prepayment/simulate`,
    {
      ...lendingConfig(PREPAYMENT_FIELDS),
      schema: { tags, summary: 'Simulate prepayment', headers: WriteHeaders, params: LoanIdParams, body: PrepaymentSimulationBody, response: { 201: PrepaymentQuote, 202: DuplicateKey } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => loans.simulatePrepayment(t, req.params.loanId, req.body, ctx)));
    },
  );
  app.post(
    `${LOANS_BASE}/:loanId/prepayment/:prepaymentId/register`,
    {
      ...lendingConfig(),
      schema: { tags, summary: 'Apply prepayment simulation', headers: WriteHeaders, params: PrepaymentParams, response: { 202: Type.Union([PrepaymentRegistered, DuplicateKey]) } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(202).send(await tenant(req, (t) => loans.registerPrepayment(t, req.params.loanId, req.params.prepaymentId, ctx)));
    },
  );
}
