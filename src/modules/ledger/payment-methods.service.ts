// Pismo's Payment methods v2 payments: a cash-in (credit processing code) or cash-out (debit
// code) of one account, optionally pre-authorized and then confirmed, and cancelled wholly or in
// part. Each runs in the caller's one transaction and decides as the Payments API does: the
// account's row FOR SHARE (a status change waits) and its balance row FOR UPDATE, so concurrent
// requests on one account are decided one after another. A denial is an answer, not an error: it
// carries Pismo's response and denial codes, is recorded (a repeat of its tracking id answers it
// again) and posts nothing. The tracking id is Pismo's idempotency key on these routes: a repeat
// of the same request answers 200 with the first answer; another request with it is 409 WONP0003.
import { Temporal } from 'temporal-polyfill';
import { violates } from '../../platform/db/database.js';
import { readAmount } from '../../platform/http/amount.js';
import type { Platform } from '../../platform/module.js';
import { currencyByCode, currencyByNumeric, Money, type Currency } from '../../platform/money.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { isoSeconds } from '../../platform/wire.js';
import type { AccountFacts } from '../accounts/index.js';
import { HOLD_DAYS } from './holds.service.js';
import * as holdsRepo from './holds.repo.js';
import { createJournalService } from './journal.service.js';
import { hold, movement, release, type Posting } from './ledger.postings.js';
import { PaymentMethodErrors } from './payment-methods.errors.js';
import type { PaymentMethodsFollowUp, PaymentMethodsRequest, PaymentMethodsResponse, ValidationResult } from './payment-methods.schemas.js';
import { LedgerEvents } from './payments.events.js';
import * as repo from './payments.repo.js';
import { APPROVED, canCredit, canDebit, createPaymentsService, spendableOf, type SpendState } from './payments.service.js';
import { processingCodeRule, type ProcessingCodeRule } from './processing-codes.service.js';

export const PM_AUTHORIZATION = 'PM_AUTHORIZATION';
export const PM_CONFIRMATION = 'PM_CONFIRMATION';
export const PM_CANCELLATION = 'PM_CANCELLATION';
const PM_OPERATIONS = [PM_AUTHORIZATION, PM_CONFIRMATION, PM_CANCELLATION];

/** An answer and its status: 201 a new authorization, 200 a repeat (or a confirmation, answered at once). */
export interface PaymentMethodsResult {
  status: 200 | 201;
  body: PaymentMethodsResponse;
}

type Rules = PaymentMethodsRequest['validation_rules'];

/** A denial: the rule that denied, why, and the codes answered (Pismo's defaults, or the request's validation_rules). */
interface Denial {
  rule: string;
  reason: string;
  description: string;
  responseCode: string;
  denialCode: string;
  data?: Record<string, unknown>;
}

const addDays = (date: string, days: number): string => Temporal.PlainDate.from(date).add({ days }).toString();

/** A JSON value with its object keys sorted: two requests are the same when these are equal. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
        : v;
  return JSON.stringify(sort(JSON.parse(JSON.stringify(value ?? null))));
}

/** The six-character authorization code of an authorization id (base 36, zero-padded). */
const authorizationCode = (id: bigint): string => (id % 36n ** 6n).toString(36).toUpperCase().padStart(6, '0');

export type PaymentMethodsService = ReturnType<typeof createPaymentMethodsService>;

export function createPaymentMethodsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  const journal = createJournalService(deps);
  const payments = createPaymentsService(deps);

  const denial = (rules: Rules, d: Omit<Denial, 'responseCode' | 'denialCode'> & { responseCode: string; denialCode: string }): Denial => {
    const configured = rules?.[d.rule]?.denial_reasons?.[d.reason];
    return { ...d, responseCode: configured?.response_code ?? d.responseCode, denialCode: configured?.denial_code ?? d.denialCode };
  };
  const ok = (name: string, reason: string, description: string, data?: Record<string, unknown>): ValidationResult => ({
    name,
    status: 'APPROVED',
    reason,
    description,
    ...(data ? { additional_data: data } : {}),
  });
  const skipped = (name: string, reason: string, cause: string): ValidationResult => ({
    name,
    status: 'SKIPPED',
    reason,
    description: `${name.charAt(0)}${name.slice(1).replace(/_/g, ' ').toLowerCase()} validation was skipped.`,
    additional_data: { cause },
  });
  const rejected = (d: Denial): ValidationResult => ({
    name: d.rule,
    status: 'REJECTED',
    reason: d.reason,
    description: d.description,
    additional_data: { ...d.data, denial_code: d.denialCode, response_code: d.responseCode },
  });

  /** An amount in the account's currency, or Pismo's 400 naming the field. */
  function moneyOf(text: string, currency: Currency): Money {
    const read = readAmount(text, { string: true }, currency);
    if (!read.ok) {
      throw PaymentMethodErrors.invalid([
        { field: 'body.amount', reason: `A maximum of 20 digits, including ${currency.exponent} decimals, is allowed for the amount field.` },
      ]);
    }
    const money = Money.fromDecimal(read.text, currency);
    if (money.minor <= 0n) throw PaymentMethodErrors.invalid([{ field: 'body.amount', reason: 'amount must be greater than 0.' }]);
    return money;
  }

  /**
   * A tracking id already used by one of these operations: the same request of the same operation
   * answers what it was answered (200); anything else is 409 WONP0003.
   */
  async function repeated(t: TenantTx, trackingId: string, operation: string, body: unknown): Promise<PaymentMethodsResult | undefined> {
    const used = await repo.authorizationsByTracking(t.db, t.orgId, trackingId, PM_OPERATIONS);
    if (!used.length) return undefined;
    const first = used[0]!;
    if (first.operation !== operation || first.response === null || canonical(first.request) !== canonical(body)) throw PaymentMethodErrors.trackingUsed();
    return { status: 200, body: first.response as unknown as PaymentMethodsResponse };
  }

  /** Inserts an authorization; a tracking id taken meanwhile by a concurrent request is 409 WONP0004. */
  async function insert(t: TenantTx, row: Parameters<typeof repo.insertAuthorization>[1]): Promise<repo.AuthorizationRow> {
    try {
      return await repo.insertAuthorization(t.db, row);
    } catch (err) {
      if (violates(err, 'ledger_authorizations_tracking')) throw PaymentMethodErrors.trackingInProgress();
      throw err;
    }
  }

  const row = (
    t: TenantTx,
    operation: string,
    trackingId: string,
    accountId: bigint,
    money: Money,
    body: unknown,
    outcome: { denial?: Denial; original?: bigint },
  ): Parameters<typeof repo.insertAuthorization>[1] => {
    const now = clock.now();
    return {
      org_id: t.orgId,
      operation,
      tracking_id: trackingId,
      status: outcome.denial ? 'DECLINED' : 'APPROVED',
      response_code: outcome.denial ? outcome.denial.responseCode : APPROVED,
      reason: outcome.denial ? outcome.denial.reason : null,
      account_id: accountId,
      currency: money.currency.code,
      amount_minor: money.minor,
      entry_id: null,
      cancel_entry_id: null,
      original_authorization_id: outcome.original ?? null,
      request: JSON.stringify(body),
      response: null,
      cid: t.cid ?? null,
      created_at: now,
      updated_at: now,
    };
  };

  /** Records the answer with the authorization and emits Platform authorization created. */
  async function answer(
    t: TenantTx,
    auth: repo.AuthorizationRow,
    a: {
      category: 'AUTHORIZATION' | 'CANCELLATION' | 'PARTIAL_CANCELLATION' | 'DENIED' | 'DENIED_CANCELLATION' | 'CONFIRMATION';
      code: string;
      money: Money;
      preAuthorization: boolean;
      results: ValidationResult[];
      denial?: Denial;
      original?: repo.AuthorizationRow;
      metadata?: object;
      status: 200 | 201;
    },
  ): Promise<PaymentMethodsResult> {
    const amount = a.money.toApiNumber();
    const body: PaymentMethodsResponse = {
      tracking_id: auth.tracking_id!,
      account_id: Number(auth.account_id),
      amount,
      response_code: auth.response_code,
      ...(a.denial ? { denial_code: a.denial.denialCode } : {}),
      authorization_id: Number(auth.authorization_id),
      validation_results: [
        ...a.results,
        a.denial
          ? { name: 'AUTHORIZATION', status: 'REJECTED' as const, reason: 'AUTHORIZATION_DENIED', description: 'Authorization was denied.' }
          : ok('AUTHORIZATION', 'AUTHORIZATION_CREATED', 'Authorization was created successfully.'),
      ],
    };
    await repo.setAuthorizationResponse(t.db, t.orgId, auth.authorization_id, body);
    await recordEvent(t.db, events, LedgerEvents.platformAuthorizationCreated, {
      orgId: t.orgId,
      cid: t.cid,
      data: {
        authorization_id: Number(auth.authorization_id),
        category: a.category,
        clearing_type: 'ONLINE',
        code: authorizationCode(auth.authorization_id),
        contract_amount: amount,
        principal_amount: amount,
        installment_amount: amount,
        number_of_installments: 1,
        event_datetime: isoSeconds(auth.created_at),
        account_id: Number(auth.account_id),
        tracking_id: auth.tracking_id!,
        ...(a.original ? { original_tracking_id: a.original.tracking_id!, original_authorization_id: Number(a.original.authorization_id) } : {}),
        processing_code: a.code,
        currency: a.money.currency.code,
        pre_authorization: a.preAuthorization,
        response_code: auth.response_code,
        ...(a.denial ? { denial_code: a.denial.denialCode, denial_reason: a.denial.reason } : {}),
        ...(a.metadata ? { metadata: a.metadata } : {}),
      },
    });
    return { status: a.status, body };
  }

  /** Posts an entry for an approved authorization and records its Authorization created and balance events. */
  async function post(
    t: TenantTx,
    kind: string,
    auth: repo.AuthorizationRow,
    account: AccountFacts,
    code: string,
    postings: Posting[],
    state: SpendState,
    opts: { transaction?: { rule: ProcessingCodeRule; money: Money }; reverses?: bigint | null } = {},
  ) {
    const posted = await journal.post(t, { kind, postings, authorizationId: auth.authorization_id, reversesEntryId: opts.reverses ?? null });
    await repo.setAuthorizationEntry(t.db, t.orgId, [auth.authorization_id], posted.entryId);
    await payments.recordAuthorization(t, auth, account, code, clock.now());
    if (opts.transaction) {
      await payments.recordPosting(t, posted, [{ account, rule: opts.transaction.rule, money: opts.transaction.money, authorizationId: auth.authorization_id }], state);
    } else {
      await payments.recordBalances(t, posted, state);
    }
    return posted;
  }

  const ledgerData = (state: SpendState, account: AccountFacts, currency: Currency) => {
    const left = spendableOf(state, account);
    return { available_credit_limit: Money.ofMinor(left < 0n ? 0n : left, currency).toApiNumber() };
  };

  /** The LEDGER rule of a debit of `minor`: approved, or the denial for insufficient funds. */
  function ledgerCheck(rules: Rules, state: SpendState, account: AccountFacts, minor: bigint, currency: Currency): ValidationResult | Denial {
    if (rules?.LEDGER?.disable) return skipped('LEDGER', 'LEDGER_SKIPPED', 'The LEDGER rule is disabled by validation_rules.');
    const data = ledgerData(state, account, currency);
    if (minor > spendableOf(state, account)) {
      return denial(rules, {
        rule: 'LEDGER',
        reason: 'LEDGER_INSUFFICIENT_FUNDS',
        description: 'The authorization amount is greater than the account available limit.',
        responseCode: '51',
        denialCode: 'DAL',
        data,
      });
    }
    return ok('LEDGER', 'LEDGER_APPROVED', 'Ledger was impacted successfully.', data);
  }
  const isDenial = (x: ValidationResult | Denial): x is Denial => 'responseCode' in x;

  /** POST /payment-methods/v2/payments: a cash-in or cash-out of `tokenAccount`, the account the caller acts for. */
  async function create(t: TenantTx, body: PaymentMethodsRequest, tokenAccount: string): Promise<PaymentMethodsResult> {
    if (String(body.account_id) !== tokenAccount) throw PaymentMethodErrors.otherAccount();
    const again = await repeated(t, body.tracking_id, PM_AUTHORIZATION, body);
    if (again) return again;
    if (body.payment_datetime !== undefined && Temporal.Instant.compare(Temporal.Instant.from(body.payment_datetime), Temporal.Instant.fromEpochMilliseconds(clock.now().getTime())) > 0) {
      throw PaymentMethodErrors.invalid([{ field: 'body.payment_datetime', reason: 'Payment date must not be in the future.' }]);
    }
    const rules = body.validation_rules;
    const accountId = String(body.account_id);
    const state = await payments.lockForSpend(t, [accountId]);
    // Once the account is ours, a concurrent request with this tracking id has committed or rolled back.
    const raced = await repeated(t, body.tracking_id, PM_AUTHORIZATION, body);
    if (raced) return raced;
    const account = state.facts.get(accountId)!;
    const currency = currencyByCode(account.currency);
    if (body.currency_code !== undefined) {
      let named: Currency | undefined;
      try {
        named = /^[0-9]{3}$/.test(body.currency_code) ? currencyByNumeric(body.currency_code) : currencyByCode(body.currency_code);
      } catch {
        named = undefined;
      }
      if (named?.code !== currency.code) {
        throw PaymentMethodErrors.invalid([{ field: 'body.currency_code', reason: "Currency is invalid. The field must have the valid ISO 4217 currency code of the account's currency." }]);
      }
    }
    const money = moneyOf(body.amount, currency);
    const preAuthorization = body.pre_authorization === true;
    const results: ValidationResult[] = [
      ok('ACCOUNT', 'ACCOUNT_FOUND', 'Account was found.', { account_id: Number(accountId) }),
      ok('PROGRAM', 'PROGRAM_FOUND', 'Program was found.', { program_id: Number(account.programId) }),
      ok('CURRENCY', 'CURRENCY_FOUND', 'Currency was found.', { code: currency.code, numeric_code: currency.numeric }),
    ];
    const deny = async (d: Denial, code: string) => {
      const auth = await insert(t, row(t, PM_AUTHORIZATION, body.tracking_id, BigInt(accountId), money, body, { denial: d }));
      return answer(t, auth, { category: 'DENIED', code, money, preAuthorization, results: [...results, rejected(d)], denial: d, metadata: body.metadata, status: 201 });
    };

    const rule = await processingCodeRule(t, body.processing_code);
    if (!rule || rule.status !== 'SUCCESS') {
      return deny(
        denial(rules, { rule: 'PROCESSING_CODE', reason: 'PROCESSING_CODE_NOT_FOUND', description: 'Processing code was not found.', responseCode: '12', denialCode: 'DAL' }),
        body.processing_code,
      );
    }
    results.push(ok('PROCESSING_CODE', 'PROCESSING_CODE_FOUND', 'Processing code was found.'));
    if (rule.balanceImpact === 0) {
      return deny(
        denial(rules, {
          rule: 'PROCESSING_CODE_TYPE',
          reason: 'PROCESSING_CODE_TYPE_INVALID',
          description: 'Processing code must be of credit (cash-in) or debit (cash-out) balance impact.',
          responseCode: '12',
          denialCode: 'DAL',
        }),
        rule.code,
      );
    }
    results.push(ok('PROCESSING_CODE_TYPE', 'PROCESSING_CODE_TYPE_VALID', 'Processing code has a valid balance impact type.'));
    const debit = rule.balanceImpact === -1;

    if (rules?.ACCOUNT_STATUS?.disable) {
      results.push(skipped('ACCOUNT_STATUS', 'ACCOUNT_STATUS_SKIPPED', 'The ACCOUNT_STATUS rule is disabled by validation_rules.'));
    } else if (debit ? !canDebit(account) : !canCredit(account)) {
      return deny(
        denial(rules, {
          rule: 'ACCOUNT_STATUS',
          reason: 'ACCOUNT_STATUS_NOT_PERMITTED',
          description: `Account status ${account.status} does not permit ${debit ? 'debits' : 'credits'}.`,
          responseCode: '57',
          denialCode: 'DAL',
        }),
        rule.code,
      );
    } else {
      results.push(ok('ACCOUNT_STATUS', 'ACCOUNT_STATUS_PERMITTED', 'Account status is permitted.'));
    }

    if (debit) {
      const checked = ledgerCheck(rules, state, account, money.minor, currency);
      if (isDenial(checked)) return deny(checked, rule.code);
      results.push(checked);
    } else {
      results.push(ok('LEDGER', 'LEDGER_APPROVED', 'Ledger was impacted successfully.', ledgerData(state, account, currency)));
    }

    const auth = await insert(t, row(t, PM_AUTHORIZATION, body.tracking_id, BigInt(accountId), money, body, {}));
    if (preAuthorization && debit) {
      // A pre-authorized cash-out holds the amount until it is confirmed or cancelled (or its hold expires).
      const posted = await post(t, 'HOLD', auth, account, rule.code, hold(accountId, currency.code, money.minor, rule.code), state);
      const now = clock.now();
      await holdsRepo.insertHold(t.db, {
        org_id: t.orgId,
        account_id: BigInt(accountId),
        currency: currency.code,
        amount_minor: money.minor,
        status: 'BLOCKED',
        tracking_id: null,
        authorization_id: auth.authorization_id,
        entry_id: posted.entryId,
        release_entry_id: null,
        expires_on: addDays(posted.businessDate, HOLD_DAYS),
        created_at: now,
        updated_at: now,
      });
    } else if (preAuthorization) {
      // A pre-authorized cash-in moves nothing until it is confirmed.
      await payments.recordAuthorization(t, auth, account, rule.code, clock.now());
    } else {
      const legs = [{ accountId, currency: currency.code, amount: money.minor, code: { code: rule.code, balanceImpact: rule.balanceImpact } }];
      await post(t, 'PAYMENT', auth, account, rule.code, movement(legs, 'CASH'), state, { transaction: { rule, money } });
    }
    return answer(t, auth, { category: 'AUTHORIZATION', code: rule.code, money, preAuthorization, results, metadata: body.metadata, status: 201 });
  }

  /** The original cash-in or cash-out of a confirmation or cancellation, locked; 404 WONP0009 when the caller's account has none. */
  async function originalOf(t: TenantTx, body: PaymentMethodsFollowUp, tokenAccount: string) {
    const original = await repo.lockAuthorizationByTracking(t.db, t.orgId, body.original_tracking_id, PM_AUTHORIZATION);
    if (!original || String(original.account_id) !== tokenAccount) throw PaymentMethodErrors.originalNotFound();
    const request = original.request as unknown as PaymentMethodsRequest;
    const state = await payments.lockForSpend(t, [tokenAccount]);
    const account = state.facts.get(tokenAccount)!;
    const currency = currencyByCode(original.currency ?? account.currency);
    return { original, request, state, account, currency, preAuthorization: request.pre_authorization === true };
  }

  /** POST /payment-methods/v2/payments/confirm: posts a pre-authorized cash-in or cash-out (the amount given, else the original). */
  async function confirm(t: TenantTx, body: PaymentMethodsFollowUp, tokenAccount: string): Promise<PaymentMethodsResult> {
    const again = await repeated(t, body.tracking_id, PM_CONFIRMATION, body);
    if (again) return again;
    const { original, request, state, account, currency, preAuthorization } = await originalOf(t, body, tokenAccount);
    const raced = await repeated(t, body.tracking_id, PM_CONFIRMATION, body);
    if (raced) return raced;
    if (original.status !== 'APPROVED' || !preAuthorization) throw PaymentMethodErrors.cannotConfirm();
    if ((await repo.followUpsOf(t.db, t.orgId, original.authorization_id, PM_CONFIRMATION)).length) throw PaymentMethodErrors.cannotConfirm();
    const rule = await processingCodeRule(t, request.processing_code);
    if (!rule) throw PaymentMethodErrors.cannotConfirm();
    const debit = rule.balanceImpact === -1;
    const held = debit ? await holdsRepo.lockHoldOfAuthorization(t.db, t.orgId, original.authorization_id) : undefined;
    if (debit && held?.status !== 'BLOCKED') throw PaymentMethodErrors.cannotConfirm();
    // Without an amount: what is still held (a cash-out), or what was authorized and not cancelled (a cash-in).
    const cancelled = (await repo.followUpsOf(t.db, t.orgId, original.authorization_id, PM_CANCELLATION)).reduce((s, c) => s + (c.amount_minor ?? 0n), 0n);
    const money = body.amount !== undefined ? moneyOf(body.amount, currency) : Money.ofMinor(held?.amount_minor ?? original.amount_minor! - cancelled, currency);
    const results: ValidationResult[] = [ok('ORIGINAL_AUTHORIZATION', 'ORIGINAL_AUTHORIZATION_APPROVED', 'Original authorization validation was approved.')];

    if (debit && money.minor > held!.amount_minor) {
      // Confirming more than was held spends the difference now: checked like a debit.
      const checked = ledgerCheck(request.validation_rules, state, account, money.minor - held!.amount_minor, currency);
      if (isDenial(checked)) {
        const auth = await insert(t, row(t, PM_CONFIRMATION, body.tracking_id, original.account_id!, money, body, { denial: checked, original: original.authorization_id }));
        return answer(t, auth, { category: 'DENIED', code: rule.code, money, preAuthorization, results: [...results, rejected(checked)], denial: checked, original, metadata: body.metadata, status: 200 });
      }
      results.push(checked);
    } else {
      results.push(ok('LEDGER', 'LEDGER_APPROVED', 'Ledger was impacted successfully.'));
    }
    const auth = await insert(t, row(t, PM_CONFIRMATION, body.tracking_id, original.account_id!, money, body, { original: original.authorization_id }));
    let postings: Posting[];
    if (debit) {
      // The held amount leaves the account; what is confirmed below it goes back to available
      // funds, what is confirmed above it is taken from them; the confirmed amount leaves to CASH.
      const h = held!;
      postings = [
        { target: { kind: 'customer', accountId: tokenAccount }, bucket: 'HELD', currency: currency.code, amount: -h.amount_minor, processingCode: rule.code },
        ...(h.amount_minor !== money.minor
          ? [{ target: { kind: 'customer' as const, accountId: tokenAccount }, bucket: 'AVAILABLE' as const, currency: currency.code, amount: h.amount_minor - money.minor, processingCode: rule.code }]
          : []),
        { target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency: currency.code, amount: money.minor, processingCode: null },
      ];
    } else {
      postings = movement([{ accountId: tokenAccount, currency: currency.code, amount: money.minor, code: { code: rule.code, balanceImpact: rule.balanceImpact } }], 'CASH');
    }
    const posted = await post(t, 'PAYMENT', auth, account, rule.code, postings, state, { transaction: { rule, money } });
    if (held) await holdsRepo.updateHold(t.db, t.orgId, held.hold_id, { status: 'TRANSFERRED', release_entry_id: posted.entryId, updated_at: clock.now() });
    return answer(t, auth, { category: 'CONFIRMATION', code: rule.code, money, preAuthorization, results, original, metadata: body.metadata, status: 200 });
  }

  /**
   * POST /payment-methods/v2/payments/cancel: cancels the amount given (else all that is left) of a
   * cash-in or cash-out. A pre-authorization not yet confirmed is released (a cash-out's hold goes
   * back to available funds); a posted one (or its confirmation) is reversed with its code's
   * reversal code. Cancellations are forced: the account's status is not checked, but taking back
   * a cash-in must find the funds.
   */
  async function cancel(t: TenantTx, body: PaymentMethodsFollowUp, tokenAccount: string): Promise<PaymentMethodsResult> {
    const again = await repeated(t, body.tracking_id, PM_CANCELLATION, body);
    if (again) return again;
    const { original, request, state, account, currency, preAuthorization } = await originalOf(t, body, tokenAccount);
    const raced = await repeated(t, body.tracking_id, PM_CANCELLATION, body);
    if (raced) return raced;
    const rules = request.validation_rules;
    const rule = await processingCodeRule(t, request.processing_code);
    const code = rule?.code ?? request.processing_code;
    const results: ValidationResult[] = [skipped('ACCOUNT_STATUS', 'ACCOUNT_STATUS_SKIPPED', 'Cancellations are forced operations and do not run this validation.')];
    const deny = async (d: Denial, money: Money) => {
      const auth = await insert(t, row(t, PM_CANCELLATION, body.tracking_id, original.account_id!, money, body, { denial: d, original: original.authorization_id }));
      return answer(t, auth, { category: 'DENIED_CANCELLATION', code, money, preAuthorization, results: [...results, rejected(d)], denial: d, original, metadata: body.metadata, status: 201 });
    };
    const requested = body.amount !== undefined ? moneyOf(body.amount, currency) : undefined;
    if (original.status === 'DECLINED' || !rule) {
      const d = denial(rules, {
        rule: 'ORIGINAL_AUTHORIZATION',
        reason: 'ORIGINAL_AUTHORIZATION_DENIED',
        description: 'The original authorization was denied: there is nothing to cancel.',
        responseCode: '57',
        denialCode: 'PRC',
      });
      return deny(d, requested ?? Money.ofMinor(original.amount_minor ?? 0n, currency));
    }
    results.push(ok('ORIGINAL_AUTHORIZATION', 'ORIGINAL_AUTHORIZATION_APPROVED', 'Original authorization validation was approved.'));
    const debit = rule.balanceImpact === -1;

    // What the cancellation acts on: a pending pre-authorization, else the posted authorization (a confirmation, or the original).
    const confirmation = preAuthorization ? (await repo.followUpsOf(t.db, t.orgId, original.authorization_id, PM_CONFIRMATION))[0] : undefined;
    const pending = preAuthorization && !confirmation;
    const held = pending && debit ? await holdsRepo.lockHoldOfAuthorization(t.db, t.orgId, original.authorization_id) : undefined;
    const target = confirmation ?? original;
    const cancelled = (await repo.followUpsOf(t.db, t.orgId, target.authorization_id, PM_CANCELLATION)).reduce((s, c) => s + (c.amount_minor ?? 0n), 0n);
    const remaining = held ? (held.status === 'BLOCKED' ? held.amount_minor : 0n) : target.amount_minor! - cancelled;
    const money = requested ?? Money.ofMinor(remaining, currency);
    if (remaining <= 0n || money.minor > remaining) {
      const d = denial(rules, {
        rule: 'REMAINING_CANCELLATION_BALANCE',
        reason: remaining <= 0n ? 'AUTHORIZATION_ALREADY_CANCELLED' : 'AMOUNT_GREATER_THAN_REMAINING_BALANCE',
        description: remaining <= 0n ? 'Authorization was already cancelled.' : `The amount is greater than the remaining balance ${Money.ofMinor(remaining, currency).toDecimalString()}.`,
        responseCode: '57',
        denialCode: 'PRC',
        data: { remaining_amount: Money.ofMinor(remaining < 0n ? 0n : remaining, currency).toApiNumber() },
      });
      return deny(d, money.minor > 0n ? money : Money.ofMinor(target.amount_minor ?? 0n, currency));
    }
    results.push(ok('REMAINING_CANCELLATION_BALANCE', 'REMAINING_CANCELLATION_BALANCE_APPROVED', 'The amount is within what is left to cancel.'));

    // Taking back a posted cash-in is a debit: the account must still have the funds (or the limit).
    if (!pending && !debit) {
      const checked = ledgerCheck(rules, state, account, money.minor, currency);
      if (isDenial(checked)) return deny(checked, money);
      results.push(checked);
    }

    const auth = await insert(t, row(t, PM_CANCELLATION, body.tracking_id, original.account_id!, money, body, { original: target.authorization_id }));
    const now = clock.now();
    if (held) {
      const posted = await post(t, 'UNBLOCK', auth, account, rule.code, release(tokenAccount, currency.code, money.minor, rule.code), state);
      const left = held.amount_minor - money.minor;
      await holdsRepo.updateHold(t.db, t.orgId, held.hold_id, {
        amount_minor: left > 0n ? left : held.amount_minor,
        status: left > 0n ? 'BLOCKED' : 'UNBLOCKED',
        release_entry_id: posted.entryId,
        updated_at: now,
      });
    } else if (!pending) {
      const whole = cancelled === 0n && money.minor === target.amount_minor;
      const reversalCode = (whole ? rule.reversalCode : (rule.partialReversalCode ?? rule.reversalCode)) ?? rule.code;
      const reversalRule = (await processingCodeRule(t, reversalCode)) ?? rule;
      const legs = [{ accountId: tokenAccount, currency: currency.code, amount: money.minor, code: { code: reversalRule.code, balanceImpact: reversalRule.balanceImpact } }];
      // Only a whole cancellation is the entry's reversal (an entry has one); a part is a movement of its own.
      await post(t, whole ? 'REVERSAL' : 'PARTIAL_REVERSAL', auth, account, reversalRule.code, movement(legs, 'CASH'), state, {
        transaction: { rule: reversalRule, money },
        reverses: whole ? target.entry_id : null,
      });
    } else {
      // A pending pre-authorized cash-in moved nothing: cancelling it posts nothing either.
      await payments.recordAuthorization(t, auth, account, rule.code, now);
    }
    const full = money.minor === remaining;
    if (full) {
      await repo.setAuthorizationStatus(t.db, t.orgId, target.authorization_id, 'CANCELLED', now);
      if (target !== original) await repo.setAuthorizationStatus(t.db, t.orgId, original.authorization_id, 'CANCELLED', now);
    }
    const partial = !full || cancelled > 0n;
    return answer(t, auth, { category: partial ? 'PARTIAL_CANCELLATION' : 'CANCELLATION', code: rule.code, money, preAuthorization, results, original, metadata: body.metadata, status: 201 });
  }

  return { create, confirm, cancel };
}
