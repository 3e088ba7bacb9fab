// Hold funds (Pismo's /payments/v1/payments/hold-funds/…): a block moves an amount of the
// account's available funds to its held funds (checked against balance or limit like a debit);
// an unblock gives it back; a transfer moves held funds out of the account (to the settlement
// internal account); a transfer cancel holds them again. A block names its hold by tracking_id;
// the others name that block. Holds not released by the end of their last business day are
// released by the end-of-day handler.
import { Temporal } from 'temporal-polyfill';
import type { RequestContext } from '../../platform/context.js';
import { readTogether, type Read } from '../../platform/db/database.js';
import { readAmount } from '../../platform/http/amount.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { currencyByCode, Money } from '../../platform/money.js';
import { recordEvents } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { isoSeconds } from '../../platform/wire.js';
import { onBusinessDay, type DayHandler } from '../../platform/day-close.js';
import { accountFactsRead, type AccountFacts } from '../accounts/index.js';
import * as holdsRepo from './holds.repo.js';
import { createJournalService } from './journal.service.js';
import { hold, release, reversal, transferHeld } from './ledger.postings.js';
import { PaymentErrors } from './payments.errors.js';
import * as repo from './payments.repo.js';
import type { CancelTransferRequest, HoldFundsAuthorizationResponse, HoldFundsRequest } from './payments.schemas.js';
import { APPROVED, canDebit, createPaymentsService, spendableOf, type SpendState } from './payments.service.js';

/** Business days a hold lasts after the day it was made, unless released or transferred before. */
export const HOLD_DAYS = 7;

const addDays = (date: string, days: number): string => Temporal.PlainDate.from(date).add({ days }).toString();

export type HoldsService = ReturnType<typeof createHoldsService>;

export function createHoldsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const journal = createJournalService(deps);
  const payments = createPaymentsService(deps);

  function moneyOf(text: string, account: AccountFacts): Money {
    const currency = currencyByCode(account.currency);
    const read = readAmount(text, { string: true }, currency);
    if (!read.ok) throw /decimal/.test(read.reason) ? PaymentErrors.decimalPlaces(currency.exponent) : PaymentErrors.invalidPayload(`Invalid payload: amount ${read.reason}`);
    return Money.fromDecimal(read.text, currency);
  }

  /** An authorization of a hold operation, with the id and the entry id taken for it. */
  const authRow = (
    t: TenantTx,
    taken: repo.TakenIds,
    operation: string,
    trackingId: string | null,
    account: AccountFacts,
    money: Money,
    original: bigint | null,
    body: unknown,
  ): repo.AuthorizationWithId => {
    const now = clock.now();
    return {
      org_id: t.orgId,
      authorization_id: taken.authorizationIds[0]!,
      operation,
      tracking_id: trackingId,
      status: 'APPROVED' as const,
      response_code: APPROVED,
      reason: null,
      account_id: BigInt(account.accountId),
      currency: money.currency.code,
      amount_minor: money.minor,
      entry_id: taken.entryId,
      cancel_entry_id: null,
      original_authorization_id: original,
      request: JSON.stringify(body),
      response: null,
      cid: t.cid ?? null,
      created_at: now,
      updated_at: now,
    };
  };

  const answer = (row: Pick<repo.AuthorizationRow, 'authorization_id' | 'created_at'>, trackingId: string): HoldFundsAuthorizationResponse => ({
    authorization_id: Number(row.authorization_id),
    event_date: isoSeconds(row.created_at),
    tracking_id: trackingId,
  });

  /**
   * What a hold operation reads, in one round trip: the account (FOR SHARE), its balance and
   * limits rows (FOR UPDATE), the operation's own read (`also`, after those locks), the org's
   * business days, and the ids of the authorization and entry it writes.
   */
  async function lockForHold<T>(t: TenantTx, accountId: string, also?: Read<T>): Promise<{ state: SpendState; also: T | undefined; taken: repo.TakenIds }> {
    const [facts, locked, value, , taken] = await readTogether(t.db, [
      accountFactsRead(t, [accountId], { share: true }),
      journal.lockWithLimitsRead(t, [accountId]),
      also,
      t.dates.readAhead(),
      repo.takeIds(t.db, { authorizations: 1, transactions: 0 }),
    ]);
    return { state: await payments.spendStateOf(t, [accountId], facts, locked), also: value, taken };
  }

  /**
   * Writes one authorization, posts its entry and records their events: every statement travels
   * with the transaction's next statement or COMMIT.
   */
  async function postFor(t: TenantTx, kind: string, row: repo.AuthorizationWithId, account: AccountFacts, code: string, postings: ReturnType<typeof hold>, state: SpendState, reverses?: bigint) {
    await payments.insertAuthorizationsWithNext(t, [row]);
    const posted = await journal.post(t, { kind, postings, authorizationId: row.authorization_id, reversesEntryId: reverses ?? null, entryId: row.entry_id! });
    await recordEvents(t.db, { clock, ids: deps.ids }, [payments.authorizationEvent(t, row, account, code, clock.now()), ...payments.balanceEvents(t, posted, state)]);
    return posted;
  }

  /** The block of `trackingId` on the account (read locked: lockHoldByTrackingRead); 404 when there is none. */
  function blockOf(h: holdsRepo.HoldRow | undefined, trackingId: string, accountId: string): holdsRepo.HoldRow {
    if (!h || String(h.account_id) !== accountId) throw PaymentErrors.holdNotFound(trackingId);
    return h;
  }

  const once = <T>(t: TenantTx, ctx: RequestContext, operation: string, body: unknown, fn: () => Promise<T>) =>
    maybeIdempotent(t.db, clock, { orgId: t.orgId, key: ctx.idempotencyKey, operation, payload: body }, async () => ({ status: 201, body: await fn() })).then((r) => r.body);

  /** POST …/hold-funds/block. A tracking id already blocked answers that block again. */
  async function block(t: TenantTx, body: HoldFundsRequest, ctx: RequestContext): Promise<HoldFundsAuthorizationResponse> {
    return once(t, ctx, 'POST /payments/v1/payments/hold-funds/block', body, async () => {
      const rule = await payments.ruleOf(t, body.processing_code, 'body');
      const accountId = String(body.account_id);
      const { state, also, taken } = await lockForHold(t, accountId, repo.authorizationsByTrackingRead(t.db, t.orgId, body.tracking_id, ['HOLD_BLOCK']));
      const previous = also!;
      if (previous.length) {
        if (String(previous[0]!.account_id) !== accountId) throw PaymentErrors.trackingInUse();
        return answer(previous[0]!, body.tracking_id);
      }
      const account = state.facts.get(accountId)!;
      const money = moneyOf(body.amount, account);
      if (!body.skip_status_account_validation && !canDebit(account)) throw PaymentErrors.noDebitStatus();
      if (!body.skip_balance_validation) {
        const left = spendableOf(state, account);
        if (money.minor > left) throw PaymentErrors.noLimit(money.toDecimalString(), Money.ofMinor(left < 0n ? 0n : left, money.currency).toDecimalString());
      }
      const row = authRow(t, taken, 'HOLD_BLOCK', body.tracking_id, account, money, null, body);
      const posted = await postFor(t, 'HOLD', row, account, rule.code, hold(accountId, money.currency.code, money.minor, rule.code), state);
      const now = clock.now();
      await holdsRepo.insertHoldWithNext(t.db, {
        org_id: t.orgId,
        account_id: BigInt(accountId),
        currency: money.currency.code,
        amount_minor: money.minor,
        status: 'BLOCKED',
        tracking_id: body.tracking_id,
        authorization_id: row.authorization_id,
        entry_id: posted.entryId,
        release_entry_id: null,
        expires_on: addDays(posted.businessDate, HOLD_DAYS),
        created_at: now,
        updated_at: now,
      });
      return answer(row, body.tracking_id);
    });
  }

  /** POST …/hold-funds/unblock and …/transfer: part or all of the block of tracking_id. */
  async function releaseOrTransfer(t: TenantTx, body: HoldFundsRequest, ctx: RequestContext, op: 'unblock' | 'transfer'): Promise<HoldFundsAuthorizationResponse> {
    return once(t, ctx, `POST /payments/v1/payments/hold-funds/${op}`, body, async () => {
      const rule = await payments.ruleOf(t, body.processing_code, 'body');
      const accountId = String(body.account_id);
      const { state, also, taken } = await lockForHold(t, accountId, holdsRepo.lockHoldByTrackingRead(t.db, t.orgId, body.tracking_id));
      const h = blockOf(also, body.tracking_id, accountId);
      const account = state.facts.get(accountId)!;
      const money = moneyOf(body.amount, account);
      if (h.status !== 'BLOCKED' || money.minor > h.amount_minor) {
        throw PaymentErrors.invalidPayload(`Invalid payload: the amount exceeds the held amount of ${body.tracking_id}`);
      }
      const row = authRow(t, taken, op === 'unblock' ? 'HOLD_UNBLOCK' : 'HOLD_TRANSFER', null, account, money, h.authorization_id, body);
      const postings =
        op === 'unblock'
          ? release(accountId, money.currency.code, money.minor, rule.code)
          : transferHeld({ accountId, currency: money.currency.code, amount: money.minor, code: rule.code }, undefined, 'SETTLEMENT');
      const posted = await postFor(t, op === 'unblock' ? 'UNBLOCK' : 'HOLD_TRANSFER', row, account, rule.code, postings, state);
      const left = h.amount_minor - money.minor;
      await holdsRepo.updateHoldWithNext(t.db, t.orgId, h.hold_id, {
        amount_minor: left > 0n ? left : h.amount_minor,
        status: left > 0n ? 'BLOCKED' : op === 'unblock' ? 'UNBLOCKED' : 'TRANSFERRED',
        release_entry_id: posted.entryId,
        updated_at: clock.now(),
      });
      return answer(row, body.tracking_id);
    });
  }

  /** POST …/hold-funds/transfer/cancel: the transferred amount is held on the account again. */
  async function cancelTransfer(t: TenantTx, body: CancelTransferRequest, ctx: RequestContext): Promise<HoldFundsAuthorizationResponse> {
    return once(t, ctx, 'POST /payments/v1/payments/hold-funds/transfer/cancel', body, async () => {
      const rule = await payments.ruleOf(t, body.processing_code, 'body');
      const accountId = String(body.account_id);
      const { state, also, taken } = await lockForHold(t, accountId, holdsRepo.lockHoldByTrackingRead(t.db, t.orgId, body.original_tracking_id));
      const h = blockOf(also, body.original_tracking_id, accountId);
      const account = state.facts.get(accountId)!;
      const money = moneyOf(body.amount, account);
      const transfers = await holdsRepo.transfersOf(t.db, t.orgId, h.authorization_id);
      const transfer = transfers.find((a) => a.status === 'APPROVED' && a.amount_minor === money.minor && a.entry_id !== null);
      if (!transfer) throw PaymentErrors.holdNotFound(body.original_tracking_id);
      const row = authRow(t, taken, 'HOLD_TRANSFER_CANCEL', body.tracking_id, account, money, transfer.authorization_id, body);
      const original = await journal.postingsOf(t, transfer.entry_id!);
      const posted = await postFor(t, 'REVERSAL', row, account, rule.code, reversal(original, () => rule.code), state, transfer.entry_id!);
      await repo.markCancelledWithNext(t.db, t.orgId, [transfer.authorization_id], posted.entryId, clock.now());
      await holdsRepo.updateHoldWithNext(t.db, t.orgId, h.hold_id, {
        amount_minor: h.status === 'BLOCKED' ? h.amount_minor + money.minor : money.minor,
        status: 'BLOCKED',
        updated_at: clock.now(),
      });
      return answer(row, body.tracking_id);
    });
  }

  /** End of day: holds whose last day was `date` (or earlier) go back to available funds. */
  async function expire(t: TenantTx, date: string): Promise<number> {
    const due = await holdsRepo.lockExpiring(t.db, t.orgId, date);
    for (const h of due) {
      const accountId = String(h.account_id);
      const { state, taken } = await lockForHold(t, accountId);
      const account = state.facts.get(accountId)!;
      const money = Money.ofMinor(h.amount_minor, h.currency);
      const row = authRow(t, taken, 'HOLD_EXPIRY', null, account, money, h.authorization_id, { hold_id: String(h.hold_id) });
      const posted = await postFor(t, 'HOLD_EXPIRY', row, account, 'HOLD_EXPIRY', release(accountId, h.currency, h.amount_minor), state);
      await holdsRepo.updateHoldWithNext(t.db, t.orgId, h.hold_id, { status: 'EXPIRED', release_entry_id: posted.entryId, updated_at: clock.now() });
    }
    return due.length;
  }

  const dayHandler = (): DayHandler => onBusinessDay('ledger.expire-holds', async ({ t, date, programId }) => {
    // Holds follow the org's day; a program with a day of its own has nothing extra to do.
    if (programId === null) await expire(t, date);
  });

  return {
    block,
    unblock: (t: TenantTx, body: HoldFundsRequest, ctx: RequestContext) => releaseOrTransfer(t, body, ctx, 'unblock'),
    transfer: (t: TenantTx, body: HoldFundsRequest, ctx: RequestContext) => releaseOrTransfer(t, body, ctx, 'transfer'),
    cancelTransfer,
    expire,
    dayHandler,
  };
}
