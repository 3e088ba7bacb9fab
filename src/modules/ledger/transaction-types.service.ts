// Transaction types (Pismo's Transactions API): how a posted transaction shows (description) and
// which way it goes (credit or debit). Standard types (ids 1 to 999) are Lastro's, seeded for
// every org; an org creates and renames its own.
import type { RequestContext } from '../../platform/context.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { pageRequestFromOffset } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import { MAX_RESERVED_TYPE_ID } from './ledger.setup.js';
import { TransactionTypeErrors } from './transaction-types.errors.js';
import { TransactionTypeEvents } from './transaction-types.events.js';
import * as repo from './transaction-types.repo.js';
import type {
  TransactionType,
  TransactionTypeListQuery,
  TransactionTypePage,
  TransactionTypePatch,
  TransactionTypeResult,
} from './transaction-types.schemas.js';

const toResult = (r: repo.TypeRow): TransactionTypeResult => ({
  transaction_type_id: Number(r.transaction_type_id),
  description: r.description,
  credit: r.credit,
  posted_transaction: r.posted_transaction,
});

export type TransactionTypesService = ReturnType<typeof createTransactionTypesService>;

export function createTransactionTypesService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  async function mustFind(t: TenantTx, rawId: string): Promise<repo.TypeRow> {
    const id = int8Id(rawId);
    const row = id === undefined ? undefined : await repo.findType(t.db, t.orgId, id);
    if (!row) throw TransactionTypeErrors.notFound(rawId);
    return row;
  }

  return {
    /** POST /transactions-core/v1/transaction-types: the org's own type; emits Transaction type created. */
    async create(t: TenantTx, body: TransactionTypeResult, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<TransactionTypeResult> {
      const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /transactions-core/v1/transaction-types', payload: body };
      const res = await maybeIdempotent(t.db, clock, once, async () => {
        if (body.transaction_type_id <= MAX_RESERVED_TYPE_ID) throw TransactionTypeErrors.reserved(body.transaction_type_id);
        const now = clock.now();
        const [row] = await repo.insertTypes(t.db, [
          {
            org_id: t.orgId,
            transaction_type_id: BigInt(body.transaction_type_id),
            description: body.description,
            credit: body.credit,
            posted_transaction: body.posted_transaction,
            category: null,
            standard: false,
            created_at: now,
            updated_at: now,
          },
        ]);
        if (!row) throw TransactionTypeErrors.exists(body.transaction_type_id);
        const result = toResult(row);
        await recordEvent(t.db, events, TransactionTypeEvents.created, { orgId: t.orgId, cid: t.cid, data: { org_id: t.orgId, ...result } });
        return { status: 201, body: result };
      });
      return res.body;
    },

    /** GET /transactions-core/v1/transaction-type/{transactionTypeId}. */
    async get(t: TenantTx, rawId: string): Promise<TransactionType> {
      const r = await mustFind(t, rawId);
      return {
        id: Number(r.transaction_type_id),
        description: r.description,
        credit: r.credit,
        posted_transaction: r.posted_transaction,
        ...(r.category !== null ? { category: r.category } : {}),
      };
    },

    /** GET /transactions-core/v1/transaction-types: filtered, by offset. */
    async list(t: TenantTx, q: TransactionTypeListQuery): Promise<TransactionTypePage> {
      const page = pageRequestFromOffset(q.pageOffset, q.pageSize, 100);
      const filter: repo.TypeFilter = {
        ...(q.transactionTypeId !== undefined ? { id: BigInt(q.transactionTypeId) } : {}),
        ...(q.description !== undefined ? { description: q.description } : {}),
        ...(q.credit !== undefined ? { credit: q.credit } : {}),
      };
      const { rows, total } = await repo.listTypes(t.db, t.orgId, filter, q.orderBy ?? 'transactionId', page);
      return { has_next: page.offset + rows.length < total, items: rows.map(toResult) };
    },

    /** PATCH /transactions-core/v1/transaction-types/{transactionTypeId}: a new description for one of the org's types. */
    async patch(t: TenantTx, rawId: string, body: TransactionTypePatch): Promise<TransactionTypeResult> {
      const row = await mustFind(t, rawId);
      if (row.standard) throw TransactionTypeErrors.reserved(rawId);
      const updated = await repo.updateType(t.db, t.orgId, row.transaction_type_id, { description: body.description, updated_at: clock.now() });
      if (!updated) throw TransactionTypeErrors.notFound(rawId);
      return toResult(updated);
    },
  };
}
