// HTTP routes of Pismo's loan products (Lending v1). Permission group: `lending`.
import { requestContext } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { DuplicateKey, NoHeaders, WriteHeaders, lendingConfig, tenantOf } from './lending.http.js';
import { CreateLoanProductBody, LoanProduct, LoanProductCreated, LoanProductListQuery, LoanProductPage, ProductIdParams } from './loan-products.schemas.js';
import { LOAN_PRODUCTS_BASE, type LoanProductsService } from './loan-products.service.js';

/** The codes Pismo's createLoanProduct documents for its fields. */
const FIELDS: FieldCode[] = [
  { field: 'body.repayment_due', invalid: 'ELND0121' },
  { field: 'body.stages', invalid: 'ELND0300', missing: 'ELND0300' },
  { field: 'body.early_final_settlement.penalty', missing: 'ELND0302' },
  { field: 'body.early_final_settlement.penalty.value', invalid: 'ELND0303', missing: 'ELND0302' },
  { field: 'body.early_final_settlement.number_of_periods', invalid: 'ELND0304' },
  { field: 'body.early_final_settlement.lock_in_period', invalid: 'ELND0305' },
  { field: 'body.prepayment.penalty', missing: 'ELND0306' },
  { field: 'body.prepayment.penalty.value', invalid: 'ELND0307', missing: 'ELND0306' },
  { field: 'body.prepayment.number_of_periods', invalid: 'ELND0308' },
  { field: 'body.prepayment.lock_in_period', invalid: 'ELND0309' },
  { field: 'body.prepayment.reduce_option', missing: 'ELND0310' },
  { field: 'body.charge_plan_codes', invalid: 'ELND0311' },
  { field: 'body.repayment_hierarchy_code', invalid: 'ELND0312' },
  { field: 'body.penalty_plan_codes', invalid: 'ELND0313' },
  { field: 'body.loan_activation_method', invalid: 'ELND0314' },
  // processing_codes (Pismo's v2 product): a code of 2 to 6 characters per list, at most 20 a list.
  { field: /^body\.processing_codes\.booking\[\d+\]$/, invalid: 'ELND0352' },
  { field: /^body\.processing_codes\.repayment\[\d+\]$/, invalid: 'ELND0354' },
  { field: /^body\.processing_codes\.present_value_discount\[\d+\]$/, invalid: 'ELND0355' },
  { field: /^body\.processing_codes\.penalty_accruals\[\d+\]$/, invalid: 'ELND0356' },
  { field: /^body\.processing_codes\.penalty_waiver\[\d+\]$/, invalid: 'ELND0357' },
  { field: /^body\.processing_codes\.insurance\.booking\[\d+\]$/, invalid: 'ELND0358' },
  { field: /^body\.processing_codes\.insurance\.repayment\[\d+\]$/, invalid: 'ELND0359' },
  { field: /^body\.processing_codes\.[a-z_.]+$/, invalid: 'ELND0369' },
];

/** The codes Pismo's getLoanProducts documents for its query. */
const LIST_FIELDS: FieldCode[] = [{ field: 'query.limit', invalid: 'ELND0701' }];

export function loanProductsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: LoanProductsService): void {
  const tenant = tenantOf(platform);
  const tags = ['lending'];
  app.post(
    LOAN_PRODUCTS_BASE,
    {
      // A plan or program the product names that is not there to use: the spec's 400 ELND0005.
      ...lendingConfig(FIELDS),
      schema: {
        tags,
        summary: 'Create loan product; emits Loan product created',
        headers: WriteHeaders,
        body: CreateLoanProductBody,
        response: { 201: LoanProductCreated, 202: DuplicateKey },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => service.create(t, req.body, ctx)));
    },
  );
  app.get(
    LOAN_PRODUCTS_BASE,
    { ...lendingConfig(LIST_FIELDS), schema: { tags, summary: 'List loan products', headers: NoHeaders, querystring: LoanProductListQuery, response: { 200: LoanProductPage } } },
    async (req) => tenant(req, (t) => service.list(t, req.query)),
  );
  app.get(
    `${LOAN_PRODUCTS_BASE}/:productId`,
    { ...lendingConfig(), schema: { tags, summary: 'Get loan product', headers: NoHeaders, params: ProductIdParams, response: { 200: LoanProduct } } },
    async (req) => tenant(req, (t) => service.get(t, req.params.productId)),
  );
}
