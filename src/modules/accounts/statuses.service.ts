// Account statuses and status reasons: the built-in NORMAL, BLOCKED, DEBIT_ONLY and CANCELLED
// every org gets (org setup), the org's own (POST /accounts/v4/statuses), and the lists.
import { violates } from '../../platform/db/database.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { OrgSetup, Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { decodeCursor, encodeCursor, pageRequest } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import type { RequestContext } from '../../platform/context.js';
import { programTypeOfId, type ProgramType } from '../programs/index.js';
import { AccountErrors } from './accounts.errors.js';
import { AccountEvents } from './accounts.events.js';
import * as repo from './accounts.repo.js';
import type { Status, StatusCreate, StatusListQuery, StatusPage } from './accounts.schemas.js';

export const BUILT_IN_STATUS = { NORMAL: 'NORMAL', BLOCKED: 'BLOCKED', DEBIT_ONLY: 'DEBIT_ONLY', CANCELLED: 'CANCELLED' } as const;

/** Pismo's pre-defined statuses, with the descriptions and operations its examples give them. */
const BUILT_INS: { name: string; description: string; allowed_operations: repo.AllowedOps; is_final: boolean }[] = [
  { name: 'NORMAL', description: 'Active account with full operations available.', allowed_operations: 'ALL_OPERATIONS', is_final: false },
  { name: 'BLOCKED', description: 'Blocked account that can only receive credit operations.', allowed_operations: 'CREDIT_ONLY', is_final: false },
  { name: 'DEBIT_ONLY', description: 'Account that can only make debit operations.', allowed_operations: 'DEBIT_ONLY', is_final: false },
  { name: 'CANCELLED', description: 'Cancelled account with no operations available.', allowed_operations: 'NO_OPERATIONS', is_final: true },
];

export const typeOfProgramId = (typeId: number): ProgramType => programTypeOfId(typeId);

/** Every org's built-in statuses (version 1). */
export const accountsOrgSetup = (deps: Pick<Platform, 'clock'>): OrgSetup => ({
  version: 1,
  async apply(t) {
    const now = deps.clock.now();
    await repo.insertMissingStatuses(
      t.db,
      BUILT_INS.map((s) => ({ org_id: t.orgId, ...s, state: 'ACTIVE' as const, built_in: true, created_at: now })),
    );
  },
});

export const statusBody = (r: repo.StatusRow): Status => ({
  status_id: Number(r.status_id),
  name: r.name,
  ...(r.description !== null ? { description: r.description } : {}),
  state: r.state,
  is_final: r.is_final,
  allowed_operations: r.allowed_operations,
});

/** A page of a cursor-or-page list: the cursor holds the next page number and its size. */
function listPage(q: { nextCursor?: string; maxItems?: number; page?: number; perPage?: number }) {
  if (q.nextCursor !== undefined) {
    let key: readonly bigint[];
    try {
      key = decodeCursor(q.nextCursor, 2, 'query.nextCursor');
    } catch {
      throw AccountErrors.invalidCursor();
    }
    const [page, size] = key.map(Number) as [number, number];
    if (page < 1 || size < 1 || size > 200) throw AccountErrors.invalidCursor();
    return pageRequest(page, size);
  }
  return pageRequest(q.page, q.maxItems ?? q.perPage, 10);
}

function cursorBody<T>(req: ReturnType<typeof pageRequest>, total: number, items: T[]) {
  const pages = Math.ceil(total / req.size);
  const hasNext = req.page < pages;
  return {
    ...(hasNext ? { next_cursor: encodeCursor([BigInt(req.page + 1), BigInt(req.size)]) } : {}),
    has_next: hasNext,
    count: items.length,
    current_page: req.page,
    per_page: req.size,
    pages,
    total_items: total,
    items,
  };
}

export type StatusesService = ReturnType<typeof createStatusesService>;

export function createStatusesService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  /** Creates an org status (ACTIVE); a name the org has (built-ins included) is 409 EACC0018. */
  async function createStatus(t: TenantTx, body: StatusCreate, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<Status> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /accounts/v4/statuses', payload: body };
    const res = await maybeIdempotent(t.db, clock, once, async () => {
      if (await repo.findStatusByName(t.db, t.orgId, body.name)) throw AccountErrors.statusExists(body.name);
      const row = await repo
        .insertStatus(t.db, {
          org_id: t.orgId,
          name: body.name,
          description: body.description ?? null,
          allowed_operations: body.allowed_operations,
          is_final: body.is_final ?? false,
          state: 'ACTIVE',
          built_in: false,
          created_at: clock.now(),
        })
        .catch((err: unknown) => {
          throw violates(err, 'account_statuses_org_id_name_key') ? AccountErrors.statusExists(body.name) : err;
        });
      await recordEvent(t.db, events, AccountEvents.statusCreated, {
        orgId: t.orgId,
        cid: t.cid,
        data: { org_id: t.orgId, ...statusBody(row), description: row.description },
      });
      return { status: 201, body: statusBody(row) };
    });
    return res.body;
  }

  async function listStatuses(t: TenantTx, q: StatusListQuery): Promise<StatusPage> {
    const page = listPage(q);
    const states = q.state?.length ? [...new Set(q.state)] : (['ACTIVE'] as const);
    const { rows, total } = await repo.listStatuses(t.db, t.orgId, { ...(q.name !== undefined ? { name: q.name } : {}), states: [...states] }, page);
    return cursorBody(page, total, rows.map(statusBody));
  }

  return { createStatus, listStatuses, cursorBody, listPage };
}

