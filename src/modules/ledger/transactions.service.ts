// Pismo's transactions of an account (the account of the token): one per account leg of an
// approved authorization. Dates are the program's business dates (its time zone); a query over
// dates spans at most 90 days, as Pismo allows.
import { Temporal } from 'temporal-polyfill';
import { AppError } from '../../platform/errors.js';
import { Money } from '../../platform/money.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';
import { accountFacts, isCustomerOfAccount } from '../accounts/index.js';
import { programDayFacts } from '../programs/index.js';
import * as repo from './payments.repo.js';
import { processingCodeRule, type ProcessingCodeRule } from './processing-codes.service.js';
import type { Transaction, TransactionListQuery, TransactionPage } from './transactions.schemas.js';

export const MAX_DAYS = 90;

export const TransactionErrors = {
  invalidFilter: (message: string, field?: string) => new AppError('invalid', 'WTRC00001', message, field ? [{ field, reason: message }] : undefined),
  invalidParameters: (message: string) => new AppError('invalid', 'WTRC00003', `Invalid request parameters: ${message}`),
  notFound: () => new AppError('not_found', 'WTRC01001', 'Transaction not found'),
};

/** A date or date-time of a query as the program's date. */
export function programDate(text: string, timezone: string, field: string): string {
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Temporal.PlainDate.from(text).toString();
    return Temporal.Instant.from(text).toZonedDateTimeISO(timezone).toPlainDate().toString();
  } catch {
    throw TransactionErrors.invalidFilter(`${field} must be a date (YYYY-MM-DD) or a date-time with its offset`);
  }
}

/** The date range of a query: both ends, at most MAX_DAYS apart. */
export function dateRange(start: string | undefined, end: string | undefined, required: boolean): { from?: string; to?: string } {
  if (start === undefined && end === undefined) {
    if (required) throw TransactionErrors.invalidParameters('eventDateStart is required unless id, ids, authorizationId, authorizationIds, authorizationTrackingId, statementId or numberOfLatestTransactions is given');
    return {};
  }
  const from = start ?? Temporal.PlainDate.from(end!).subtract({ days: MAX_DAYS }).toString();
  const to = end ?? Temporal.PlainDate.from(from).add({ days: MAX_DAYS }).toString();
  const days = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: 'days' }).days;
  if (days < 0) throw TransactionErrors.invalidFilter('eventDateEnd must not be before eventDateStart');
  if (days > MAX_DAYS) throw TransactionErrors.invalidFilter(`the period between eventDateStart and eventDateEnd must not exceed ${MAX_DAYS} days`);
  return { from, to };
}

type Row = Awaited<ReturnType<typeof repo.listTransactions>>[number];

export function createTransactionsService() {
  async function toTransactions(t: TenantTx, rows: Row[]): Promise<Transaction[]> {
    const rules = new Map<string, ProcessingCodeRule | undefined>();
    for (const code of new Set(rows.map((r) => r.processing_code))) rules.set(code, await processingCodeRule(t, code));
    return rows.map((r) => {
      const rule = rules.get(r.processing_code);
      return {
        id: Number(r.transaction_id),
        program_id: Number(r.program_id),
        account_id: Number(r.account_id),
        processing_code: r.processing_code,
        ...(r.processing_description !== null ? { processing_description: r.processing_description } : {}),
        amount: [{ type: 'PRINCIPAL' as const, currency: r.currency, value: Money.ofMinor(r.amount_minor, r.currency).toApiNumber() }],
        event_date: `${r.event_date}T00:00:00Z`,
        event_datetime: isoSeconds(r.event_datetime),
        created_at: isoSeconds(r.created_at),
        transaction_type: { ...(rule?.transactionTypeId !== undefined ? { id: rule.transactionTypeId } : {}), ...(rule ? { description: rule.description } : {}), credit: r.credit },
        ...(r.authorization_id !== null
          ? { authorization: { id: Number(r.authorization_id), type: 'PLATFORM' as const, ...(r.tracking_id ? { tracking_id: r.tracking_id } : {}) } }
          : {}),
      };
    });
  }

  /** An int64 id of the query, or 400 WTRC00001 naming it. */
  const int64Of = (text: string, field: string): bigint => {
    const id = int8Id(text);
    if (id === undefined) throw TransactionErrors.invalidFilter(`${field} must be an int64`, `query.${field}`);
    return id;
  };
  /** Ids of a list filter: repeated, or separated by commas. */
  const idList = (values: string[] | undefined, field: string): bigint[] | undefined =>
    values === undefined ? undefined : values.flatMap((v) => v.split(',')).map((v) => int64Of(v, field));

  /** GET /transactions-core/v2/transactions for the token's account. */
  async function list(t: TenantTx, accountId: string, q: TransactionListQuery): Promise<TransactionPage> {
    const latest = q.numberOfLatestTransactions;
    let size = q.pageSize ?? 100;
    let offset = q.pageOffset ?? 0;
    if (size < 1) throw TransactionErrors.invalidFilter('pageSize must be greater than 0');
    if (size > 1000) throw TransactionErrors.invalidFilter('pageSize must not exceed 1000');
    if (offset < 0) throw TransactionErrors.invalidFilter('pageOffset must not be negative');
    if (offset > 5000) throw TransactionErrors.invalidFilter('pageOffset must not exceed 5000');
    if (q.authorizationType !== undefined && q.authorizationType !== 'PLATFORM' && q.authorizationType !== 'NETWORK') {
      throw TransactionErrors.invalidFilter('authorization type should be PLATFORM or NETWORK', 'query.authorizationType');
    }
    const transactionIds = q.ids !== undefined ? idList(q.ids, 'ids') : q.id !== undefined ? [int64Of(q.id, 'id')] : undefined;
    if (q.ids !== undefined && transactionIds!.length > 100) throw TransactionErrors.invalidFilter('ids must name at most 100 transactions', 'query.ids');
    if (latest !== undefined) {
      if (latest < 1 || latest > 500) throw TransactionErrors.invalidFilter('numberOfLatestTransactions should be between 1 and 500', 'query.numberOfLatestTransactions');
      const others = Object.entries(q).filter(([k, v]) => v !== undefined && !['numberOfLatestTransactions', 'order', 'pageSize', 'pageOffset'].includes(k));
      if (others.length) throw TransactionErrors.invalidFilter('numberOfLatestTransactions should not have another filters associate', `query.${others[0]![0]}`);
      // The latest N by event date, whatever the page parameters say.
      size = latest;
      offset = 0;
    }
    const account = (await accountFacts(t, [accountId])).get(accountId);
    if (!account) return { has_next: false, items: [] };
    const program = await programDayFacts(t.db, t.orgId, BigInt(account.programId));
    const tz = program?.timezone ?? 'UTC';
    let authorizationIds = idList(q.authorizationIds, 'authorizationIds');
    if (q.authorizationId !== undefined) {
      const one = int64Of(q.authorizationId, 'authorizationId');
      authorizationIds = authorizationIds ? authorizationIds.filter((id) => id === one) : [one];
    }
    if (q.authorizationTrackingId !== undefined) {
      const byTracking = await repo.authorizationIdsByTracking(t.db, t.orgId, q.authorizationTrackingId);
      authorizationIds = authorizationIds ? authorizationIds.filter((id) => byTracking.includes(id)) : byTracking;
    }
    // A filter on what only the transaction's processing code knows (its type, whether it is posted on statements).
    let processingCodes: string[] | undefined;
    if (q.transactionTypeId !== undefined) int64Of(q.transactionTypeId, 'transactionTypeId');
    if (q.transactionTypeId !== undefined || q.statementPost !== undefined) {
      processingCodes = [];
      for (const code of await repo.processingCodesOf(t.db, t.orgId, BigInt(accountId))) {
        const rule = await processingCodeRule(t, code);
        if (q.transactionTypeId !== undefined && String(rule?.transactionTypeId) !== q.transactionTypeId) continue;
        if (q.statementPost !== undefined && (rule?.postedTransaction ?? true) !== q.statementPost) continue;
        processingCodes.push(code);
      }
    }
    // What Lastro's transactions never have: a statement (none yet), a network authorization, a
    // user category, a payment method; and another account's customer.
    const none =
      (q.statementId !== undefined && int64Of(q.statementId, 'statementId') >= 0n) ||
      q.authorizationType === 'NETWORK' ||
      q.userCategory !== undefined ||
      q.paymentMethodId !== undefined ||
      (q.customerId !== undefined && !(await isCustomerOfAccount(t, accountId, String(int64Of(q.customerId, 'customerId')))));
    const keyed = authorizationIds !== undefined || transactionIds !== undefined || q.statementId !== undefined || latest !== undefined;
    const range = dateRange(
      q.eventDateStart === undefined ? undefined : programDate(q.eventDateStart, tz, 'eventDateStart'),
      q.eventDateEnd === undefined ? undefined : programDate(q.eventDateEnd, tz, 'eventDateEnd'),
      !keyed,
    );
    if (none) return { has_next: false, items: [] };
    const rows = await repo.listTransactions(t.db, t.orgId, {
      accountId: BigInt(accountId),
      processingCode: q.processingCode,
      credit: q.credit,
      authorizationIds,
      processingCodes,
      transactionIds,
      withAuthorization: q.authorizationType === 'PLATFORM',
      ...range,
      order: latest !== undefined ? 'desc' : (q.order ?? 'desc'),
      limit: size + 1,
      offset: offset * size,
    });
    return { has_next: latest === undefined && rows.length > size, items: await toTransactions(t, rows.slice(0, size)) };
  }

  /** GET /transactions-core/v2/transactions/{transactionId}, of the token's account. */
  async function get(t: TenantTx, accountId: string, transactionId: string): Promise<Transaction> {
    const id = int8Id(transactionId);
    if (id === undefined) throw TransactionErrors.invalidParameters('transactionId must be an int64');
    const row = await repo.findTransaction(t.db, t.orgId, BigInt(accountId), id);
    if (!row) throw TransactionErrors.notFound();
    return (await toTransactions(t, [row]))[0]!;
  }

  return { list, get };
}

export type TransactionsService = ReturnType<typeof createTransactionsService>;
