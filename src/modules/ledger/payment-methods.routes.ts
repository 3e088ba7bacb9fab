// HTTP routes of Pismo's Payment methods v2 payments: Create cash-in or cash-out, Confirm
// pre-authorized cash-in or cash-out, Cancel cash-in or cash-out. Permission group `payments`.
// They act on the account of the token (or, with an org-wide token, of x-account-id), as the
// Payments API does; the body's account_id must be that account (400 WONB0001).
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { ErrorBody } from '../../platform/http/errors.js';
import { accountOf, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { PaymentMethodErrors } from './payment-methods.errors.js';
import { PaymentMethodsFollowUp, PaymentMethodsRequest, PaymentMethodsResponse } from './payment-methods.schemas.js';
import type { PaymentMethodsService } from './payment-methods.service.js';

const tags = ['payments'];
const errors = {
  accountMismatch: () => PaymentMethodErrors.otherAccount(),
  accountRequired: () => PaymentMethodErrors.invalid([{ field: 'headers.x-account-id', reason: 'An account token (or x-account-id) is required.' }]),
};
const auth = routeAuth.tenant('payments', { account: 'token', accountHeader: true, errors });
const Headers = Type.Object({
  'x-tenant': Type.Optional(Type.String({ description: 'Org id; must match the token.' })),
  'x-account-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'The account acted on, with an org-wide token.' })),
});
const Conflict = ErrorBody;
/** Pismo's ErrorResponse: a WONP0001 names each field it refuses in `violations`. */
const Invalid = Type.Object(
  {
    ...ErrorBody.properties,
    violations: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Field-level validation failures, keyed by field.' })),
  },
  { title: 'PaymentMethodsError' },
);

export function paymentMethodsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: PaymentMethodsService): void {
  app.post(
    '/payment-methods/v2/payments',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'Create cash-in or cash-out',
        description:
          'A cash-in (credit processing code) or cash-out (debit code) of the account. The account status and, for a cash-out, its ' +
          'balance or limit are checked and spent atomically; a denial answers its response_code and denial_code and posts nothing. ' +
          'pre_authorization true: a cash-out holds the amount until confirmed or cancelled. The same tracking_id and body again ' +
          'answer 200 with the first answer; another body 409 WONP0003. Emits Platform authorization created, and Authorization ' +
          'created, Transaction created and Account balance changed for what it posts.',
        headers: Headers,
        body: PaymentMethodsRequest,
        response: { 200: PaymentMethodsResponse, 201: PaymentMethodsResponse, 400: Invalid, 409: Conflict },
      },
    },
    async (req, reply) => {
      const res = await platform.tenant(tenantScope(req), (t) => service.create(t, req.body, accountOf(req)));
      return reply.code(res.status).send(res.body);
    },
  );
  app.post(
    '/payment-methods/v2/payments/confirm',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'Confirm pre-authorized cash-in or cash-out',
        description:
          'Posts a pre-authorized cash-in or cash-out (original_tracking_id): the amount given (less, the same or more than authorized; ' +
          'more is checked against the balance or limit), else the authorized amount. Answered at once with 200. Not a pending ' +
          'pre-authorization: 400 WONP0010. Emits Platform authorization created (CONFIRMATION).',
        headers: Headers,
        body: PaymentMethodsFollowUp,
        response: { 200: PaymentMethodsResponse, 400: Invalid, 409: Conflict },
      },
    },
    async (req, reply) => {
      const res = await platform.tenant(tenantScope(req), (t) => service.confirm(t, req.body, accountOf(req)));
      return reply.code(200).send(res.body);
    },
  );
  app.post(
    '/payment-methods/v2/payments/cancel',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'Cancel cash-in or cash-out',
        description:
          'Cancels the amount given, else all that is left, of a cash-in or cash-out (original_tracking_id): a pending ' +
          "pre-authorization is released, a posted one reversed with its code's reversal code (partial reversal code for a part). " +
          'Nothing left to cancel: a denial (response_code 57, denial_code PRC). Emits Platform authorization created.',
        headers: Headers,
        body: PaymentMethodsFollowUp,
        response: { 200: PaymentMethodsResponse, 201: PaymentMethodsResponse, 400: Invalid, 409: Conflict },
      },
    },
    async (req, reply) => {
      const res = await platform.tenant(tenantScope(req), (t) => service.cancel(t, req.body, accountOf(req)));
      return reply.code(res.status).send(res.body);
    },
  );
}
