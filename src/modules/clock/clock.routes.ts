// Lastro-only routes: the org's business date and, for sandbox orgs, the test clock.
// Permission group `clock`.
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import { idempotencyHeaders } from '../../platform/http/headers.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { Advance, AdvanceBody, AdvanceParams, Clock, ClockQuery } from './clock.schemas.js';
import type { ClockService } from './clock.service.js';

const auth = { auth: routeAuth.tenant('clock') };
const tags = ['clock'];
const IdempotencyHeaders = idempotencyHeaders('A retry with the same key and body answers with the same advance (its state now) for 24 h.');

export function clockRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, clock: ClockService): void {
  app.get(
    '/lastro/v1/clock',
    {
      config: auth,
      schema: {
        tags,
        summary: "The org's business date, wall time and last closed day",
        description:
          "The business date is reckoned in the org's time zone and cycle closing, or a program's with program_id. " +
          'For a sandbox org it is the test clock: never earlier than the day after the last closed day.',
        querystring: ClockQuery,
        response: { 200: Clock },
      },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => clock.view(t, req.query.program_id)),
  );

  app.post(
    '/lastro/v1/clock/advance',
    {
      config: auth,
      schema: {
        tags,
        summary: "Advance a sandbox org's test clock, closing every passed business day in order",
        description:
          'Give exactly one of to (a date) and days. Up to LASTRO_CLOCK_SYNC_DAYS days (default 31) answer 200 once the ' +
          'days are closed; a longer advance answers 202 with the advance to poll. Production orgs answer 409 ' +
          'TEST_CLOCK_NOT_SANDBOX.',
        headers: IdempotencyHeaders,
        body: AdvanceBody,
        response: { 200: Advance, 202: Advance },
      },
    },
    async (req, reply) => {
      const result = await clock.advance(tenantScope(req), req.body, requestContext(req));
      if (result.status === 202) void reply.header('location', `/lastro/v1/clock/advances/${result.body.id}`);
      return reply.code(result.status).send(result.body);
    },
  );

  app.get(
    '/lastro/v1/clock/advances/:id',
    { config: auth, schema: { tags, summary: 'One test clock advance and its progress', params: AdvanceParams, response: { 200: Advance } } },
    async (req) => platform.tenant(tenantScope(req), (t) => clock.getAdvance(t, req.params.id)),
  );
}
