// What charge plans, penalty plans and repayment hierarchies share: a code chosen by the client,
// status ENABLED | DISABLED | DELETED, and the same routes — create, list (cursor, `status`
// filter), get, enable, disable, delete. DELETE marks the plan DELETED (it cannot be enabled
// again, and its code stays taken); a plan a loan product names cannot be deleted.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { RequestContext } from '../../platform/context.js';
import { requestContext } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { recordEvent, type EventDefinition } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { LendingErrors, type FieldCode } from './lending.errors.js';
import { CursorQuery, DuplicateKey, NoContent, NoHeaders, WriteHeaders, afterCursor, cursorPage, lendingConfig, once, tenantOf } from './lending.http.js';
import * as plans from './lending.plans.repo.js';

export const PlanStatus = Type.Union([Type.Literal('ENABLED'), Type.Literal('DISABLED'), Type.Literal('DELETED')], {
  description: 'ENABLED (usable by new products), DISABLED, or DELETED (cannot be recovered).',
});

export const PlanCodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 200, description: 'Plan code.' }) });

/** `status` is checked by the service, so a bad one answers the spec's ELND0916. */
export const PlanListQuery = Type.Object({
  ...CursorQuery,
  status: Type.Optional(Type.String({ maxLength: 20, description: 'ENABLED or DISABLED; by default every plan not DELETED.' })),
});
export type PlanListQuery = Static<typeof PlanListQuery>;

export interface PlanRow {
  org_id: string;
  code: string;
  seq: bigint;
  status: plans.PlanStatus;
  updated_at: Date;
}

export interface PlanKind<R extends PlanRow, Out, Ev> {
  table: plans.PlanTable;
  /** `Charge plan`, for messages. */
  label: string;
  toResponse: (row: R) => Out;
  toEvent: (row: R, previous?: plans.PlanStatus) => Ev;
  events: { created: EventDefinition; statusChanged: EventDefinition; deleted: EventDefinition };
  /** The route prefix, e.g. `/lending/v1/charge-plans`. */
  base: string;
  /** Pismo's code for a repeated idempotency key on this API. */
  dupCode: 'ELND1501' | 'WLND0001';
}

/** Get, list, enable, disable and delete over one plan table. */
export function planOperations<R extends PlanRow, Out, Ev>(deps: Pick<Platform, 'clock' | 'ids'>, kind: PlanKind<R, Out, Ev>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  async function mustFind(t: TenantTx, code: string, lock = false): Promise<R> {
    const row = await plans.findPlan<R>(t.db, kind.table, t.orgId, code, lock);
    if (!row) throw LendingErrors.notFound(kind.label);
    return row;
  }

  async function setStatus(t: TenantTx, code: string, status: 'ENABLED' | 'DISABLED', ctx: Pick<RequestContext, 'idempotencyKey'>) {
    const op = `PUT ${kind.base}/{code}/${status === 'ENABLED' ? 'enable' : 'disable'}`;
    const res = await once(t, clock, ctx, op, { code }, kind.dupCode, async () => {
      const row = await mustFind(t, code, true);
      // DELETED cannot be recovered: Pismo's 404 for a plan that is no longer there to change.
      if (row.status === 'DELETED') throw LendingErrors.notFound(kind.label);
      if (row.status !== status) {
        const updated = await plans.setPlanStatus<R>(t.db, kind.table, t.orgId, code, status, clock.now());
        await recordEvent(t.db, events, kind.events.statusChanged, { orgId: t.orgId, cid: t.cid, data: kind.toEvent(updated, row.status) });
      }
      return { status: 200, body: {} };
    });
    return res.body;
  }

  return {
    mustFind,
    async get(t: TenantTx, code: string): Promise<Out> {
      return kind.toResponse(await mustFind(t, code));
    },
    async list(t: TenantTx, q: PlanListQuery) {
      if (q.status !== undefined && q.status !== 'ENABLED' && q.status !== 'DISABLED') {
        throw LendingErrors.rule('ELND0916', 'query.status', 'must be one of ENABLED, DISABLED');
      }
      const limit = q.limit ?? 10;
      const rows = await plans.listPlans<R>(t.db, kind.table, t.orgId, afterCursor(q.next_cursor), limit + 1, q.status);
      const page = cursorPage(rows, limit);
      // Pismo's list declares next_cursor required: the last page answers "".
      return { next_cursor: page.next ?? '', has_next: page.hasNext, items: page.items.map(kind.toResponse) };
    },
    enable: (t: TenantTx, code: string, ctx: Pick<RequestContext, 'idempotencyKey'>) => setStatus(t, code, 'ENABLED', ctx),
    disable: (t: TenantTx, code: string, ctx: Pick<RequestContext, 'idempotencyKey'>) => setStatus(t, code, 'DISABLED', ctx),
    async remove(t: TenantTx, code: string, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      await once(t, clock, ctx, `DELETE ${kind.base}/{code}`, { code }, kind.dupCode, async () => {
        const row = await mustFind(t, code, true);
        if (row.status !== 'DELETED') {
          const users = await plans.productsUsing(t.db, kind.table, t.orgId, code);
          if (users.length) throw LendingErrors.inUse(`${kind.label} ${code}`, `loan product${users.length > 1 ? 's' : ''} ${users.join(', ')}`);
          const updated = await plans.setPlanStatus<R>(t.db, kind.table, t.orgId, code, 'DELETED', clock.now());
          await recordEvent(t.db, events, kind.events.deleted, { orgId: t.orgId, cid: t.cid, data: kind.toEvent(updated, row.status) });
        }
        return { status: 204, body: null };
      });
    },
  };
}

export type PlanOperations = ReturnType<typeof planOperations>;

export interface PlanRouteSpec<B extends TSchema, O extends TSchema> {
  base: string;
  tag: string;
  /** `charge plan`, for summaries. */
  noun: string;
  plural: string;
  body: B;
  created: O;
  item: O;
  page: TSchema;
  /** The spec's codes for the create body's fields. */
  fields: FieldCode[];
  create: (t: TenantTx, body: Static<B>, ctx: RequestContext) => Promise<Static<O>>;
  ops: Pick<ReturnType<typeof planOperations>, 'get' | 'list' | 'enable' | 'disable' | 'remove'>;
}

/** The six routes of a plan kind. */
export function planRoutes<B extends TSchema, O extends TSchema>(http: HttpApp, platform: Pick<Platform, 'tenant'>, s: PlanRouteSpec<B, O>): void {
  // Generic over the plan's schemas, so the handlers are typed by hand rather than by the provider.
  const app = http as unknown as FastifyInstance;
  const opts = (o: RouteShorthandOptions) => o;
  const tenant = tenantOf(platform);
  const tags = [s.tag];
  const item = `${s.base}/:code`;
  const ok = { 202: DuplicateKey };
  // Pismo answers 404 for an unknown plan on get, enable and disable; DELETE declares none (Lastro
  // answers 404 there too, and 409 for a plan in use: docs/compatibility.md).
  app.post(
    s.base,
    opts({
      ...lendingConfig(s.fields),
      schema: { tags, summary: `Create ${s.noun}`, headers: WriteHeaders, body: s.body, response: { 201: s.created, ...ok } },
    }),
    async (req: FastifyRequest, reply: FastifyReply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => s.create(t, req.body as Static<B>, ctx)));
    },
  );
  app.get(
    s.base,
    opts({ ...lendingConfig(), schema: { tags, summary: `List ${s.plural}`, headers: NoHeaders, querystring: PlanListQuery, response: { 200: s.page } } }),
    async (req: FastifyRequest) => tenant(req, (t) => s.ops.list(t, req.query as PlanListQuery)),
  );
  app.get(
    item,
    opts({ ...lendingConfig(), schema: { tags, summary: `Get ${s.noun}`, headers: NoHeaders, params: PlanCodeParams, response: { 200: s.item } } }),
    async (req: FastifyRequest, reply: FastifyReply) => reply.send(await tenant(req, (t) => s.ops.get(t, (req.params as { code: string }).code))),
  );
  for (const action of ['enable', 'disable'] as const) {
    app.put(
      `${item}/${action}`,
      opts({
        ...lendingConfig(),
        schema: {
          tags,
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} ${s.noun}`,
          headers: WriteHeaders,
          params: PlanCodeParams,
          response: { 200: Type.Object({}), ...ok },
        },
      }),
      async (req: FastifyRequest) => {
        const ctx = requestContext(req);
        return tenant(req, (t) => s.ops[action](t, (req.params as { code: string }).code, ctx));
      },
    );
  }
  app.delete(
    item,
    opts({
      ...lendingConfig(),
      schema: {
        tags,
        summary: `Delete ${s.noun} (status DELETED; refused while a loan product names it)`,
        headers: WriteHeaders,
        params: PlanCodeParams,
        response: { 204: NoContent, ...ok },
      },
    }),
    async (req: FastifyRequest, reply: FastifyReply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => s.ops.remove(t, (req.params as { code: string }).code, ctx));
      return reply.status(204).send(null);
    },
  );
}
