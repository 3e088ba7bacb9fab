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
import type {
  Reason,
  ReasonCreate,
  ReasonListQuery,
  ReasonPage,
  Status,
  StatusChange,
  StatusCreate,
  StatusListQuery,
  StatusPage,
  StatusRollback,
} from './accounts.schemas.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';

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

  /** Creates a status reason (ACTIVE); a name the org has is 409 EACC0018. */
  async function createReason(t: TenantTx, body: ReasonCreate, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<Reason> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /accounts/v4/reasons', payload: body };
    const res = await maybeIdempotent(t.db, clock, once, async () => {
      if (await repo.findReasonByName(t.db, t.orgId, body.name)) throw AccountErrors.reasonExists(body.name);
      const row = await repo
        .insertReason(t.db, {
          org_id: t.orgId,
          name: body.name,
          description: body.description ?? null,
          allowed_operations: body.allowed_operations ?? null,
          external_id: body.external_id ?? null,
          state: 'ACTIVE',
          created_at: clock.now(),
        })
        .catch((err: unknown) => {
          throw violates(err, 'account_status_reasons_org_id_name_key') ? AccountErrors.reasonExists(body.name) : err;
        });
      await recordEvent(t.db, events, AccountEvents.reasonCreated, {
        orgId: t.orgId,
        cid: t.cid,
        data: {
          org_id: t.orgId,
          reason_id: Number(row.reason_id),
          name: row.name,
          description: row.description,
          state: row.state,
          allowed_operations: row.allowed_operations,
          external_id: row.external_id,
        },
      });
      return { status: 201, body: reasonBody(row) };
    });
    return res.body;
  }

  async function listReasons(t: TenantTx, q: ReasonListQuery): Promise<ReasonPage> {
    const page = listPage(q);
    const states = q.state?.length ? [...new Set(q.state)] : (['ACTIVE'] as const);
    const { rows, total } = await repo.listReasons(t.db, t.orgId, { ...(q.name !== undefined ? { name: q.name } : {}), states: [...states] }, page);
    return cursorBody(page, total, rows.map(reasonBody));
  }

  /** Sets `target` on each account (all locked FOR UPDATE), with history and one event each. */
  async function apply(
    t: TenantTx,
    accounts: repo.AccountRow[],
    target: repo.StatusRow,
    reason: repo.ReasonRow | undefined,
    kind: 'CHANGE' | 'ROLLBACK',
  ): Promise<void> {
    const now = clock.now();
    for (const acc of accounts) {
      const previous = await repo.findStatus(t.db, t.orgId, acc.status_id);
      await repo.updateAccount(t.db, t.orgId, acc.account_id, {
        status_id: target.status_id,
        status_reason_id: reason?.reason_id ?? null,
        status_description: reason?.description ?? null,
        status_changed_at: now,
        updated_at: now,
      });
      await repo.insertHistory(t.db, {
        org_id: t.orgId,
        account_id: acc.account_id,
        status_id: target.status_id,
        reason_id: reason?.reason_id ?? null,
        description: reason?.description ?? null,
        kind,
        undoes: null,
        actor: t.actor,
        changed_at: now,
      });
      await recordEvent(t.db, events, AccountEvents.statusChanged, {
        orgId: t.orgId,
        cid: t.cid,
        data: {
          org_id: t.orgId,
          account_id: Number(acc.account_id),
          program_id: Number(acc.program_id),
          previous_status: previous?.name ?? '',
          status: target.name,
          allowed_operations: target.allowed_operations,
          is_final: target.is_final,
          reason_id: reason === undefined ? null : Number(reason.reason_id),
          description: reason?.description ?? reason?.name ?? null,
          rollback: kind === 'ROLLBACK',
          changed_at: isoSeconds(now),
        },
      });
    }
  }

  async function activeReason(t: TenantTx, reasonId: number | undefined): Promise<repo.ReasonRow | undefined> {
    if (reasonId === undefined) return undefined;
    const reason = await repo.findReason(t.db, t.orgId, BigInt(reasonId));
    if (!reason || reason.state !== 'ACTIVE') throw AccountErrors.reasonNotFound(reasonId);
    return reason;
  }

  /**
   * Update status: the account (and with update_children its descendants) takes the status, under
   * FOR UPDATE row locks, so no money movement holding the account FOR SHARE interleaves. An
   * account in a final status cannot leave it (409; a rollback can); a child in one is left as it is.
   */
  async function changeStatus(t: TenantTx, accountId: string, body: StatusChange, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<void> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'PATCH /accounts/v2/accounts/{accountId}/status', payload: { accountId, body } };
    await maybeIdempotent(t.db, clock, once, async () => {
      const id = int8Id(accountId);
      const acc = id === undefined ? undefined : await repo.lockAccount(t.db, t.orgId, id);
      if (!acc || id === undefined) throw AccountErrors.accountNotFound(accountId);
      const target = await repo.findStatusByName(t.db, t.orgId, body.status);
      if (!target || target.state !== 'ACTIVE') throw AccountErrors.statusNotFound(body.status);
      const reason = await activeReason(t, body.reason_id);
      const current = await repo.findStatus(t.db, t.orgId, acc.status_id);
      if (current?.is_final) throw AccountErrors.finalStatus(current.name);
      const targets = [acc];
      if (body.update_children === true) {
        const children = await repo.lockAccounts(t.db, t.orgId, await repo.descendants(t.db, t.orgId, id));
        for (const child of children) {
          const status = await repo.findStatus(t.db, t.orgId, child.status_id);
          if (!status?.is_final) targets.push(child);
        }
      }
      await apply(t, targets, target, reason, 'CHANGE');
      return { status: 204, body: null };
    });
  }

  /** Roll back status: the account returns to NORMAL (or the status sent), whatever it is in, a final one included. */
  async function rollbackStatus(t: TenantTx, accountId: string, body: StatusRollback, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<void> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'PATCH /accounts/v2/accounts/{accountId}/status/rollback', payload: { accountId, body } };
    await maybeIdempotent(t.db, clock, once, async () => {
      const id = int8Id(accountId);
      const acc = id === undefined ? undefined : await repo.lockAccount(t.db, t.orgId, id);
      if (!acc || id === undefined) throw AccountErrors.rollbackNotFound(`account ${accountId}`);
      const name = body.status ?? BUILT_IN_STATUS.NORMAL;
      const target = await repo.findStatusByName(t.db, t.orgId, name);
      if (!target || target.state !== 'ACTIVE') throw AccountErrors.rollbackNotFound(`status ${name}`);
      const reason = await activeReason(t, body.reason_id);
      await apply(t, [acc], target, reason, 'ROLLBACK');
      return { status: 204, body: null };
    });
  }

  return { createStatus, listStatuses, createReason, listReasons, changeStatus, rollbackStatus };
}

export const reasonBody = (r: repo.ReasonRow): Reason => ({
  reason_id: Number(r.reason_id),
  name: r.name,
  ...(r.description !== null ? { description: r.description } : {}),
  ...(r.allowed_operations !== null ? { allowed_operations: r.allowed_operations } : {}),
  state: r.state,
  ...(r.external_id !== null ? { external_id: r.external_id } : {}),
});

