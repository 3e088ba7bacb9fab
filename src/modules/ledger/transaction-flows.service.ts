// Transaction flows (Pismo's Transactions API): which transaction type a processing code posts,
// and with which amount (key). A code has at most one flow per amount type, never both PRINCIPAL
// and CONTRACT, and its types go the way its balance impact says (credit for 1, debit for -1).
// A code's flows change one request at a time (the code's row is locked).
import type { RequestContext } from '../../platform/context.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { pageRequestFromOffset } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import * as codes from './processing-codes.repo.js';
import { TransactionFlowErrors } from './transaction-flows.errors.js';
import * as repo from './transaction-flows.repo.js';
import type { TransactionFlow, TransactionFlowListQuery, TransactionFlowPage, TransactionFlowPatch, TransactionFlowPost } from './transaction-flows.schemas.js';
import * as types from './transaction-types.repo.js';

/** Flows per page of the list (Pismo's list takes pageOffset only). */
export const FLOW_PAGE_SIZE = 100;

const toFlow = (r: repo.FlowRow): TransactionFlow => ({
  transaction_type_id: Number(r.transaction_type_id),
  processing_code: r.processing_code,
  key: r.key,
  ...(r.custom_key !== null ? { custom_key: r.custom_key } : {}),
});

/** Pismo's rules on custom_key: required and not empty with key OTHER, absent otherwise. */
function checkKey(key: repo.FlowKey, customKey: string | undefined): string | null {
  if (key !== 'OTHER') {
    if (customKey !== undefined) throw TransactionFlowErrors.customKeyNotAllowed();
    return null;
  }
  if (customKey === undefined) throw TransactionFlowErrors.customKeyMissing();
  if (customKey.trim() === '') throw TransactionFlowErrors.customKeyEmpty();
  return customKey;
}

/** The amount-type rules against the code's other flows. */
function checkAmountType(others: repo.FlowRow[], key: repo.FlowKey, customKey: string | null): void {
  if (others.some((f) => f.key === key && (key !== 'OTHER' || f.custom_key === customKey))) {
    throw TransactionFlowErrors.amountTypeConfigured(key === 'OTHER' ? `OTHER ${customKey}` : key);
  }
  const clash = { PRINCIPAL: 'CONTRACT', CONTRACT: 'PRINCIPAL' }[key as string];
  if (clash && others.some((f) => f.key === clash)) throw TransactionFlowErrors.principalOrContract();
}

export type TransactionFlowsService = ReturnType<typeof createTransactionFlowsService>;

export function createTransactionFlowsService(deps: Pick<Platform, 'clock'>) {
  const { clock } = deps;

  return {
    /** POST /transactions-core/v1/transaction-flow: links a processing code to a transaction type. */
    async create(t: TenantTx, body: TransactionFlowPost, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<TransactionFlow> {
      const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /transactions-core/v1/transaction-flow', payload: body };
      const res = await maybeIdempotent(t.db, clock, once, async () => {
        const customKey = checkKey(body.key, body.custom_key);
        const code = await codes.findCode(t.db, t.orgId, body.processing_code);
        if (!code) throw TransactionFlowErrors.codeMissing('body.processing_code');
        const type = await types.findType(t.db, t.orgId, BigInt(body.transaction_type_id));
        if (!type) throw TransactionFlowErrors.typeMissing('body.transaction_type_id');
        if (type.standard) throw TransactionFlowErrors.reserved(body.transaction_type_id);
        if ((code.balance_impact === 1 && !type.credit) || (code.balance_impact === -1 && type.credit)) {
          throw TransactionFlowErrors.creditMismatch(type.credit, code.balance_impact);
        }
        await codes.lockCode(t.db, t.orgId, code.processing_code);
        const flows = await repo.lockFlowsOfCode(t.db, t.orgId, code.processing_code);
        if (flows.some((f) => f.transaction_type_id === type.transaction_type_id)) throw TransactionFlowErrors.exists();
        checkAmountType(flows, body.key, customKey);
        const now = clock.now();
        const row = await repo.insertFlow(t.db, {
          org_id: t.orgId,
          processing_code: code.processing_code,
          transaction_type_id: type.transaction_type_id,
          key: body.key,
          custom_key: customKey,
          created_at: now,
          updated_at: now,
        });
        return { status: 201, body: toFlow(row) };
      });
      return res.body;
    },

    /** GET /transactions-core/v1/transaction-flow: filtered by code and type, by offset. */
    async list(t: TenantTx, q: TransactionFlowListQuery): Promise<TransactionFlowPage> {
      const page = pageRequestFromOffset(q.pageOffset, FLOW_PAGE_SIZE, FLOW_PAGE_SIZE);
      const filter = {
        ...(q.processingCode !== undefined ? { processingCode: q.processingCode } : {}),
        ...(q.transactionTypeId !== undefined ? { typeId: BigInt(q.transactionTypeId) } : {}),
      };
      const { rows, total } = await repo.listFlows(t.db, t.orgId, filter, page);
      return { has_next: page.offset + rows.length < total, items: rows.map(toFlow) };
    },

    /** PATCH …/transaction-flow/processing-code/{processingCode}/transaction-type/{transactionTypeId}: a new key or custom_key. */
    async patch(t: TenantTx, processingCode: string, rawTypeId: string, body: TransactionFlowPatch): Promise<TransactionFlow> {
      const customKey = checkKey(body.key, body.custom_key);
      const typeId = int8Id(rawTypeId);
      const type = typeId === undefined ? undefined : await types.findType(t.db, t.orgId, typeId);
      if (!type) throw TransactionFlowErrors.typeMissing('path.transactionTypeId');
      if (!(await codes.lockCode(t.db, t.orgId, processingCode))) throw TransactionFlowErrors.flowMissing();
      const flows = await repo.lockFlowsOfCode(t.db, t.orgId, processingCode);
      const flow = flows.find((f) => f.transaction_type_id === type.transaction_type_id);
      if (!flow) throw TransactionFlowErrors.flowMissing();
      if (type.standard) throw TransactionFlowErrors.reserved(rawTypeId);
      checkAmountType(
        flows.filter((f) => f !== flow),
        body.key,
        customKey,
      );
      const updated = await repo.updateFlow(t.db, t.orgId, processingCode, type.transaction_type_id, {
        key: body.key,
        custom_key: customKey,
        updated_at: clock.now(),
      });
      if (!updated) throw TransactionFlowErrors.flowMissing();
      return toFlow(updated);
    },
  };
}
