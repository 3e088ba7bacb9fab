// HTTP routes of Pismo's Payments API: Transfer funds, Cancel transfer funds and hold funds.
// Permission group `payments`. Transfer funds acts on the account of the token (or, with an
// org-wide token, of x-account-id), as Pismo's "requires an account-specific access token".
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody } from '../../platform/http/errors.js';
import { accountOf, requestContext, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { HoldsService } from './holds.service.js';
import { PaymentErrors } from './payments.errors.js';
import {
  CancelModel,
  CancelResponse,
  CancelTransferRequest,
  HoldFundsAuthorizationResponse,
  HoldFundsRequest,
  PaymentHeaders,
  PaymentsModel,
  PaymentsResponse,
  TrackingIdAlreadyInUse,
} from './payments.schemas.js';
import type { PaymentsService } from './payments.service.js';
import type { TransferGroups } from './transfer-groups.js';

const tags = ['payments'];
const errors = { accountMismatch: () => PaymentErrors.otherAccount(), accountRequired: () => PaymentErrors.invalidPayload('An account token (or x-account-id) is required') };
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'A retry with the same key and body answers as the first request for 24 h.' })),
  'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
});

export function paymentsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, payments: PaymentsService, holds: HoldsService, groups: TransferGroups): void {
  app.post(
    '/payments/v1/payments',
    {
      config: { auth: routeAuth.tenant('payments', { tenantHeader: 'required', account: 'token', accountHeader: true, errors }) },
      schema: {
        tags,
        summary: 'Transfer funds',
        description:
          'P2P (account to account), cash-in (custom_info to account) and cash-out (account to custom_info), as in the ' +
          "spec's examples. The debited account's balance (credit accounts: its credit limit; others: balance plus " +
          'overdraft) is checked and spent atomically. A reused tracking_id answers 409 WP2P0010 (208 with x-alt-conflict: true). ' +
          'Emits Authorization created, Transaction created and Account balance changed.',
        headers: PaymentHeaders,
        body: PaymentsModel,
        response: { 201: PaymentsResponse, 208: TrackingIdAlreadyInUse, 409: TrackingIdAlreadyInUse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      try {
        // Concurrent transfers with a tracking_id are committed together (transfer-groups.ts).
        const body = await groups.transfer(tenantScope(req), req.body, accountOf(req), ctx);
        return await reply.code(201).send(body);
      } catch (err) {
        // Pismo: "If true, the HTTP response status code returned is 208 (already reported) and not 409".
        if (err instanceof AppError && err.code === 'WP2P0010' && req.headers['x-alt-conflict'] === 'true') {
          return reply.code(208).send({ ...err.extra, code: err.code, message: err.message, cid: req.id });
        }
        throw err;
      }
    },
  );

  app.post(
    '/payments/v2/cancel',
    {
      config: { auth: routeAuth.tenant('payments', { tenantHeader: 'required' }) },
      schema: {
        tags,
        summary: 'Cancel transfer funds',
        description:
          'Reverses a whole transfer named by original_tracking_id or one of its authorization ids, with the reversal codes of ' +
          'its processing codes (or those given). Already cancelled: 208 AMON0004.',
        headers: Type.Object({ ...PaymentHeaders.properties }),
        body: CancelModel,
        response: { 200: CancelResponse, 208: ErrorBody },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const res = await platform.tenant(tenantScope(req), (t) => payments.cancel(t, req.body, ctx));
      if (res.status === 208) return reply.code(208).send({ ...res.body, cid: req.id });
      return reply.code(200).send(res.body);
    },
  );

  const hold = (path: string, summary: string, description: string, op: 'block' | 'unblock' | 'transfer') =>
    app.post(
      path,
      {
        config: { auth: routeAuth.tenant('payments') },
        schema: { tags, summary, description, headers: IdempotencyHeaders, body: HoldFundsRequest, response: { 201: HoldFundsAuthorizationResponse } },
      },
      async (req, reply) => {
        const ctx = requestContext(req);
        return reply.code(201).send(await platform.tenant(tenantScope(req), (t) => holds[op](t, req.body, ctx)));
      },
    );
  hold(
    '/payments/v1/payments/hold-funds/block',
    'Block amount',
    "Holds the amount: it leaves the account's available funds for its held funds (checked against balance or limit). " +
      'The hold lasts until unblocked or transferred, or until the end of the business day after LASTRO_HOLD_DAYS days.',
    'block',
  );
  hold('/payments/v1/payments/hold-funds/unblock', 'Unblock held amount', 'Gives a held amount (the block of tracking_id) back to available funds.', 'unblock');
  hold(
    '/payments/v1/payments/hold-funds/transfer',
    'Transfer held amount',
    'Moves a held amount (the block of tracking_id) out of the account, to the settlement internal account.',
    'transfer',
  );
  app.post(
    '/payments/v1/payments/hold-funds/transfer/cancel',
    {
      config: { auth: routeAuth.tenant('payments') },
      schema: {
        tags,
        summary: 'Cancel transfer of held amount',
        description: 'Undoes the transfer of original_tracking_id: the amount is held on the account again.',
        headers: IdempotencyHeaders,
        body: CancelTransferRequest,
        response: { 201: HoldFundsAuthorizationResponse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.code(201).send(await platform.tenant(tenantScope(req), (t) => holds.cancelTransfer(t, req.body, ctx)));
    },
  );
}
