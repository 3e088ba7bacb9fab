// The clock of an org: its business date and, for a sandbox org, the test clock that moves it
// forward. The day closing itself is the platform's (platform/day-close.ts).
import type { RequestContext } from '../../platform/context.js';
import { MAX_ADVANCE_DAYS as MAX_DAYS, type AdvanceState } from '../../platform/day-close.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import type { TenantScope, TenantTx } from '../../platform/tenant.js';
import { ClockErrors } from './clock.errors.js';
import type { Advance, AdvanceBody } from './clock.schemas.js';

const INT8_MAX = 9_223_372_036_854_775_807n;

export const ADVANCE_OPERATION = 'POST /lastro/v1/clock/advance';

const toAdvance = (a: AdvanceState): Advance => ({
  id: a.id,
  status: a.status,
  from_date: a.from,
  to_date: a.to,
  days: a.days,
  days_closed: a.daysClosed,
  created_at: a.createdAt.toISOString(),
  ...(a.finishedAt ? { finished_at: a.finishedAt.toISOString() } : {}),
  ...(a.lastError ? { last_error: a.lastError } : {}),
});

export function createClockService(deps: Pick<Platform, 'days' | 'tenant' | 'clock' | 'ids' | 'config'>) {
  return {
    /** The org's clock, or a program's (its time zone and cycle closing). */
    async view(t: TenantTx, programId: string | undefined) {
      const id = programId === undefined ? undefined : BigInt(programId);
      const state = id === undefined || id <= INT8_MAX ? await deps.days.clock(t, id) : undefined;
      if (!state) throw ClockErrors.programNotFound();
      return {
        business_date: state.businessDate,
        wall_time: state.wallTime.toISOString(),
        time_zone: state.zone,
        ...(state.closing ? { cycle_closing: state.closing } : {}),
        closes_at: state.closesAt.toISOString(),
        ...(state.lastClosed ? { last_closed_date: state.lastClosed } : {}),
        sandbox: state.sandbox,
        ...(state.programId !== null ? { program_id: Number(state.programId) } : {}),
        ...(state.advance ? { advance: toAdvance(state.advance) } : {}),
      };
    },

    /**
     * Moves a sandbox org's business date forward and closes every passed day. A procedure of
     * many transactions, like a job: one records the advance (with the Idempotency-Key), then
     * each handler-day commits on its own. Up to LASTRO_CLOCK_SYNC_DAYS days close before it
     * answers (200); a longer advance is left to the worker and answers 202 with the advance to
     * poll, as does one whose handler fails (the worker retries it).
     */
    async advance(scope: TenantScope, body: AdvanceBody, ctx: RequestContext): Promise<{ status: 200 | 202; body: Advance }> {
      if (body.to !== undefined && body.days !== undefined) throw ClockErrors.oneOf('both');
      if (body.to === undefined && body.days === undefined) throw ClockErrors.oneOf('neither');
      const receipt = await deps.tenant(scope, (t) =>
        maybeIdempotent(t.db, deps.clock, { orgId: t.orgId, key: ctx.idempotencyKey, operation: ADVANCE_OPERATION, payload: body }, async () => {
          const started = await deps.days.startAdvance(t, { ...body, advanceId: deps.ids.uuid() });
          if (!started.ok) {
            switch (started.reason) {
              case 'not_sandbox':
                throw ClockErrors.notSandbox();
              case 'in_progress':
                throw ClockErrors.inProgress(started.advanceId);
              case 'before_today':
                throw ClockErrors.dateInPast(body.to ?? '', started.today);
              case 'too_far':
                throw ClockErrors.tooFar(body.to !== undefined ? 'body.to' : 'body.days', MAX_DAYS, started.today);
            }
          }
          const status: 200 | 202 = started.advance.days > deps.config.clockSyncDays ? 202 : 200;
          return { status, body: { advance_id: started.advance.id } };
        }),
      );
      const advanceId = receipt.body.advance_id;
      if (receipt.status === 200) await deps.days.closeDue(scope.orgId, { waitForLock: true });
      const state = await deps.tenant(scope, (t) => deps.days.advance(t, advanceId));
      if (!state) throw ClockErrors.advanceNotFound();
      return { status: receipt.status === 200 && state.status === 'DONE' ? 200 : 202, body: toAdvance(state) };
    },

    /** One advance of the org, with its progress. */
    async getAdvance(t: TenantTx, advanceId: string): Promise<Advance> {
      const state = await deps.days.advance(t, advanceId);
      if (!state) throw ClockErrors.advanceNotFound();
      return toAdvance(state);
    },
  };
}

export type ClockService = ReturnType<typeof createClockService>;
