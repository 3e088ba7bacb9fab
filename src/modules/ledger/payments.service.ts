// Money movement: Pismo's Transfer funds (P2P, cash-in, cash-out) and Cancel transfer funds. Each
// checks, in the caller's one transaction: the processing codes, the accounts' allowed operations
// (their rows held FOR SHARE, so a status change waits), and the debited account's balance or
// limit with its balance row locked FOR UPDATE (account id order), so concurrent debits of one
// account are decided one after another and never spend past the limit. A decline throws: the
// transaction rolls back and nothing is posted or recorded; its code is the reason.
import { readTogether, sendWithNext, violates } from '../../platform/db/database.js';
import type { RequestContext } from '../../platform/context.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import { readAmount } from '../../platform/http/amount.js';
import type { Platform } from '../../platform/module.js';
import { currencyByCode, currencyByNumeric, Money, type Currency } from '../../platform/money.js';
import { eventOf, recordEvents, type EventToRecord } from '../../platform/outbox.js';
import { withCid, type TenantTx } from '../../platform/tenant.js';
import { isoSeconds } from '../../platform/wire.js';
import { accountFactsRead, type AccountFacts } from '../accounts/index.js';
import { createJournalService, balanceKey, newEntryBatch, type EntryBatch, type LockedRows, type PostedEntry, type SpendLimitsRow } from './journal.service.js';
import { EMPTY_BUCKETS, movement, reversal, spendable, type Buckets, type InternalAccount, type Leg } from './ledger.postings.js';
import * as journalRepo from './journal.repo.js';
import * as limitsRepo from './limits.repo.js';
import { PaymentErrors, type TrackedAuthorization } from './payments.errors.js';
import { LedgerEvents } from './payments.events.js';
import * as repo from './payments.repo.js';
import type { CancelModel, CancelResponse, PaymentMethod, PaymentsModel, PaymentsResponse } from './payments.schemas.js';
import { processingCodeRule, type ProcessingCodeRule } from './processing-codes.service.js';

/** Pismo's ISO 8583 response code of an approval. */
export const APPROVED = '00';
const PAYMENT_OPERATIONS = ['PAYMENT_DEBIT', 'PAYMENT_CREDIT'];
const MAX_TRACKING_ID = 50;

export const canDebit = (a: AccountFacts): boolean => a.allowedOperations === 'ALL_OPERATIONS' || a.allowedOperations === 'DEBIT_ONLY';
export const canCredit = (a: AccountFacts): boolean => a.allowedOperations === 'ALL_OPERATIONS' || a.allowedOperations === 'CREDIT_ONLY';

/** How an account spends: credit programs against their credit limit, the others against balance plus overdraft. */
export const spendModeOf = (a: Pick<AccountFacts, 'programMode'>): 'credit' | 'debit' => (a.programMode === 'credit' ? 'credit' : 'debit');

function currencyOf(text: string | undefined): Currency | undefined {
  if (text === undefined) return undefined;
  try {
    return /^[0-9]{3}$/.test(text) ? currencyByNumeric(text) : currencyByCode(text);
  } catch {
    throw PaymentErrors.invalidCurrency();
  }
}

/** An Amount field's text in the account's currency, or Pismo's WP2P0000 answers. */
function moneyOf(text: string, currency: Currency): Money {
  const read = readAmount(text, { string: true }, currency);
  if (!read.ok) {
    if (/decimal/.test(read.reason)) throw PaymentErrors.decimalPlaces(currency.exponent);
    throw PaymentErrors.invalidPayload(`Invalid payload: amount ${read.reason}`);
  }
  const money = Money.fromDecimal(read.text, currency);
  if (money.minor <= 0n) throw PaymentErrors.invalidPayload('Invalid payload: amount must be greater than 0');
  return money;
}

type Side = { kind: 'account'; accountId: string; method: PaymentMethod } | { kind: 'external'; method: PaymentMethod };

function sideOf(m: PaymentMethod, field: string): Side {
  const kinds = (['account', 'custom_info', 'card', 'merchant'] as const).filter((k) => m[k] !== undefined);
  if (kinds.length !== 1) throw PaymentErrors.invalidPayload(`Invalid payload: ${field} must name exactly one of account, custom_info, card, merchant`);
  if (kinds[0] === 'card') throw PaymentErrors.unsupported('Card payment methods are not supported.');
  if (kinds[0] === 'merchant') throw PaymentErrors.unsupported('Merchant payment methods are not supported.');
  if (kinds[0] === 'account') return { kind: 'account', accountId: String(m.account!.id), method: m };
  return { kind: 'external', method: m };
}

export interface SpendState {
  facts: Map<string, AccountFacts>;
  balances: Map<string, Buckets & { accountId: string; currency: string }>;
  limits: Map<string, SpendLimitsRow>;
}

/** What the account may still spend, in minor units, given its locked balance and its limits. */
export function spendableOf(state: SpendState, account: AccountFacts): bigint {
  const l = state.limits.get(account.accountId);
  return spendable(state.balances.get(balanceKey(account.accountId, account.currency)) ?? EMPTY_BUCKETS, spendModeOf(account), {
    creditLimit: l?.total_credit_limit_minor ?? null,
    overdraftLimit: l?.total_overdraft_limit_minor ?? null,
  });
}

/** One account side of a posted entry: its transaction's code, amount and authorization. */
export interface PostedLeg {
  account: AccountFacts;
  rule: ProcessingCodeRule;
  money: Money;
  authorizationId: bigint | null;
}

/** A transfer request as checked before anything is read (planTransfer). */
interface TransferPlan {
  body: PaymentsModel;
  tokenAccount: string;
  methods: PaymentMethod[];
  amountText: string;
  debitSide: { accountId: string; method: PaymentMethod } | undefined;
  creditSide: { accountId: string; method: PaymentMethod } | undefined;
  debitRule: ProcessingCodeRule | undefined;
  creditRule: ProcessingCodeRule | undefined;
  trackingId: string;
  /** The accounts it moves: the debited one first. */
  ids: string[];
}

/** An approved transfer (decideTransfer): its sides in order (debit first), amount and currency. */
interface TransferDecision {
  sides: { operation: string; account: AccountFacts; rule: ProcessingCodeRule }[];
  money: Money;
  currency: Currency;
  debit: boolean;
  credit: boolean;
}

/** One transfer's answer in a group: its response, or the error it is answered with. */
export type TransferOutcome = { ok: true; value: PaymentsResponse } | { ok: false; error: unknown };

/** What the Transaction created event tells of a transaction: a stored row, or one written with its id. */
type TransactionFacts = Pick<repo.TransactionRow, 'transaction_id' | 'account_id' | 'program_id' | 'processing_code' | 'credit' | 'currency' | 'event_date'> & {
  authorization_id?: bigint | null | undefined;
};

/** What the Authorization created event tells of an authorization. */
type AuthorizationFacts = Pick<repo.AuthorizationRow, 'authorization_id' | 'tracking_id' | 'operation' | 'amount_minor' | 'response_code' | 'status' | 'original_authorization_id'>;

/** A cancellation, or Pismo's 208 for a transfer already cancelled. */
export type CancelResult = { status: 200; body: CancelResponse } | { status: 208; body: { code: string; message: string } };

/**
 * Opens an account's balance row and its limits: the onAccountCreated hook, run in the transaction
 * that creates the account (and for an account opened before the ledger, on its first movement).
 * It takes no platform, as the hook is registered once for every app: rows carry the transaction's time.
 */
export async function openLedgerAccount(t: TenantTx, account: AccountFacts): Promise<void> {
  await journalRepo.openBalance(t.db, t.orgId, BigInt(account.accountId), account.currency);
  await limitsRepo.insertLimits(t.db, {
    org_id: t.orgId,
    account_id: BigInt(account.accountId),
    program_id: BigInt(account.programId),
    currency: account.currency,
    mode: spendModeOf(account),
    max_credit_limit_minor: account.grantedLimit,
    total_credit_limit_minor: account.limit,
    total_overdraft_limit_minor: account.overdraftLimit,
    percentage_over_limit: null,
    total_installment_credit_limit_minor: null,
    withdrawal_credit_limit_minor: null,
    monthly_credit_limit_minor: null,
  });
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;

/** What approved transfers of one transaction write together (writeCollected). */
interface Collected {
  authorizations: repo.AuthorizationWithId[];
  entries: EntryBatch;
  transactions: (repo.TransactionInsert & { transaction_id: bigint })[];
  events: EventToRecord[];
}
const collected = (): Collected => ({ authorizations: [], entries: newEntryBatch(), transactions: [], events: [] });

export function createPaymentsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  const journal = createJournalService(deps);

  /**
   * The accounts (FOR SHARE), their balance rows (FOR UPDATE, in account id order) and limits:
   * everything a decision reads, held until the transaction ends. One round trip (two statements,
   * accounts first) unless an account still lacks its balance or limits row.
   */
  async function lockForSpend(t: TenantTx, accountIds: string[]): Promise<SpendState> {
    const [facts, locked] = await readTogether(t.db, [accountFactsRead(t, accountIds, { share: true }), journal.lockWithLimitsRead(t, accountIds)]);
    return spendStateOf(t, accountIds, facts, locked);
  }

  /** lockForSpend's answer from its two statements' results (sent by the caller with its own). */
  async function spendStateOf(t: TenantTx, accountIds: string[], facts: Map<string, AccountFacts>, lockedRows: LockedRows): Promise<SpendState> {
    for (const id of accountIds) if (!facts.has(id)) throw PaymentErrors.accountNotFound();
    const locked = journal.lockedForSpend(t, [...facts.values()], lockedRows);
    if (locked) return { facts, ...locked };
    // An account opened before the ledger had its balance row gets one now.
    const balances = await journal.lock(t, accountIds);
    const missing = [...facts.values()].filter((f) => !balances.has(balanceKey(f.accountId, f.currency)));
    if (missing.length) {
      for (const f of missing) await openLedgerAccount(t, f);
      for (const [k, v] of await journal.lock(t, accountIds)) balances.set(k, v);
    }
    const limits = new Map((await limitsRepo.findLimitsOf(t.db, t.orgId, accountIds.map(BigInt))).map((l) => [String(l.account_id), l]));
    return { facts, balances, limits };
  }

  async function ruleOf(t: TenantTx, code: string | undefined, field: string): Promise<ProcessingCodeRule> {
    if (code === undefined) throw PaymentErrors.invalidPayload(`Invalid payload: ${field}.processing_code is required`);
    const rule = await processingCodeRule(t, code);
    if (!rule || rule.status !== 'SUCCESS') throw PaymentErrors.codeNotFound(code);
    return rule;
  }

  /** The authorizations a tracking id already names, as WP2P0010 lists them. */
  const trackedOf = (rows: repo.AuthorizationRow[]): TrackedAuthorization[] =>
    rows.map((r) => ({
      authorization_id: Number(r.authorization_id),
      response_code: r.response_code,
      amount: Money.ofMinor(r.amount_minor ?? 0n, r.currency ?? 'BRL').toApiNumber(),
      date: isoSeconds(r.created_at),
    }));

  /** The transactions of a posted entry, one per leg, dated by each leg's program's business date. */
  async function transactionRows(t: TenantTx, posted: PostedEntry, legs: PostedLeg[], now: Date): Promise<repo.TransactionInsert[]> {
    // A transaction's event date is its program's business date (the program's time zone).
    const dates = new Map<string, string>();
    for (const l of legs) if (!dates.has(l.account.programId)) dates.set(l.account.programId, await t.dates.today(l.account.programId));
    return legs.map((l) => ({
      org_id: t.orgId,
      account_id: BigInt(l.account.accountId),
      program_id: BigInt(l.account.programId),
      authorization_id: l.authorizationId,
      entry_id: posted.entryId,
      processing_code: l.rule.code,
      processing_description: l.rule.description,
      credit: l.rule.balanceImpact === 1,
      currency: l.money.currency.code,
      amount_minor: l.money.minor,
      event_date: dates.get(l.account.programId)!,
      event_datetime: now,
      created_at: now,
    }));
  }

  /** Transaction created, for each stored transaction (in the legs' order). */
  const transactionEvents = (t: TenantTx, rows: readonly TransactionFacts[], legs: PostedLeg[], now: Date): EventToRecord[] =>
    rows.map((r, i) => {
      const l = legs[i]!;
      return eventOf(LedgerEvents.transactionCreated, {
        orgId: t.orgId,
        cid: t.cid,
        data: {
          transaction_id: Number(r.transaction_id),
          account_id: Number(r.account_id),
          program_id: Number(r.program_id),
          ...(r.authorization_id != null ? { authorization_id: Number(r.authorization_id) } : {}),
          processing_code: r.processing_code,
          processing_description: l.rule.description,
          transaction_type: l.rule.transactionTypeId !== undefined ? { id: l.rule.transactionTypeId, credit: r.credit } : { credit: r.credit },
          amount: l.money.toApiNumber(),
          currency: r.currency,
          event_date: r.event_date,
          event_datetime: isoSeconds(now),
        },
      });
    });

  /** Events of a posted entry: a transaction per leg and the new balances of every account it touched. */
  async function recordPosting(t: TenantTx, posted: PostedEntry, legs: PostedLeg[], state: SpendState): Promise<void> {
    const now = clock.now();
    const rows = await repo.insertTransactions(t.db, await transactionRows(t, posted, legs, now));
    await recordEvents(t.db, events, [...transactionEvents(t, rows, legs, now), ...balanceEvents(t, posted, state)]);
  }

  /** Account balance changed, for every account the entry touched (kept in `state` too). */
  function balanceEvents(t: TenantTx, posted: PostedEntry, state: SpendState): EventToRecord[] {
    const out: EventToRecord[] = [];
    for (const b of posted.balances.values()) {
      const account = state.facts.get(b.accountId);
      if (!account) continue;
      state.balances.set(balanceKey(b.accountId, b.currency), b);
      const money = (minor: bigint) => Money.ofMinor(minor, b.currency).toApiNumber();
      out.push(
        eventOf(LedgerEvents.balanceChanged, {
          orgId: t.orgId,
          cid: t.cid,
          data: {
            account_id: Number(b.accountId),
            currency: b.currency,
            available_balance: money(b.available),
            current_balance: money(b.current),
            held_funds: money(b.held),
            credit_used: money(b.creditUsed),
            available_credit_limit: money(spendableOf(state, account)),
            entry_id: String(posted.entryId),
          },
        }),
      );
    }
    return out;
  }

  /** Account balance changed, for every account the entry touched. */
  async function recordBalances(t: TenantTx, posted: PostedEntry, state: SpendState): Promise<void> {
    await recordEvents(t.db, events, balanceEvents(t, posted, state));
  }

  const authorizationEvent = (t: TenantTx, row: AuthorizationFacts, account: AccountFacts, code: string, eventDate: Date): EventToRecord =>
    eventOf(LedgerEvents.authorizationCreated, {
      orgId: t.orgId,
      cid: t.cid,
      data: {
        authorization_id: Number(row.authorization_id),
        account_id: Number(account.accountId),
        tracking_id: row.tracking_id ?? '',
        operation: row.operation,
        processing_code: code,
        amount: Money.ofMinor(row.amount_minor ?? 0n, account.currency).toApiNumber(),
        currency: account.currency,
        response_code: row.response_code,
        status: row.status,
        event_date: isoSeconds(eventDate),
        ...(row.original_authorization_id !== null ? { original_authorization_id: Number(row.original_authorization_id) } : {}),
      },
    });

  async function recordAuthorization(t: TenantTx, row: AuthorizationFacts, account: AccountFacts, code: string, eventDate: Date): Promise<void> {
    await recordEvents(t.db, events, [authorizationEvent(t, row, account, code, eventDate)]);
  }

  /** A tracking id taken meanwhile (a concurrent request) is answered WP2P0010. */
  const trackingTaken = (err: Error): Error => (violates(err, 'ledger_authorizations_tracking') ? PaymentErrors.trackingInUse() : err);

  /**
   * Inserts authorizations with the ids taken for them (one statement, sent with the transaction's
   * next statement or COMMIT); a tracking id taken meanwhile (a concurrent request) answers WP2P0010.
   */
  async function insertAuthorizationsWithNext(t: TenantTx, rows: repo.AuthorizationWithId[]): Promise<void> {
    await sendWithNext(t.db, repo.insertAuthorizationsQuery(rows), { mapError: trackingTaken });
  }

  /** Inserts authorizations, answering a tracking id taken meanwhile (a concurrent request) with WP2P0010. */
  async function insertAuthorizations(t: TenantTx, rows: Parameters<typeof repo.insertAuthorization>[1][]): Promise<repo.AuthorizationRow[]> {
    const out: repo.AuthorizationRow[] = [];
    try {
      for (const r of rows) out.push(await repo.insertAuthorization(t.db, r));
    } catch (err) {
      throw trackingTaken(err as Error);
    }
    return out;
  }

  /**
   * What a transfer request asks, checked before anything is read: its sides, processing codes,
   * amount text and tracking id. Throws the request's own error.
   */
  async function planTransfer(t: TenantTx, body: PaymentsModel, tokenAccount: string): Promise<TransferPlan> {
    if (body.token !== undefined) throw PaymentErrors.unsupported('Payment requests are not supported.');
    if (body.capture === false) throw PaymentErrors.unsupported('Pre-authorizations (capture false) are not supported; use hold funds.');
    if (body.from.length !== 1 || body.to.length !== 1) throw PaymentErrors.unsupported('One from and one to payment method are supported.');
    const from = sideOf(body.from[0]!, 'body.from[0]');
    const to = sideOf(body.to[0]!, 'body.to[0]');
    if (from.kind === 'external' && to.kind === 'external') throw PaymentErrors.unsupported('Not possible to determine the type of payment operation.');
    const amountText = from.method.amount ?? to.method.amount;
    if (amountText === undefined) throw PaymentErrors.invalidPayload('Invalid payload: amount is required');

    const debitSide = from.kind === 'account' ? from : undefined;
    const creditSide = to.kind === 'account' ? to : undefined;
    const acting = debitSide?.accountId ?? creditSide!.accountId;
    if (acting !== tokenAccount) throw PaymentErrors.otherAccount();

    const debitRule = debitSide ? await ruleOf(t, debitSide.method.processing_code, 'from[0]') : undefined;
    const creditRule = creditSide ? await ruleOf(t, creditSide.method.processing_code, 'to[0]') : undefined;
    if (debitRule && debitRule.balanceImpact !== -1) throw PaymentErrors.invalidDebitCode();
    if (creditRule && creditRule.balanceImpact !== 1) throw PaymentErrors.invalidCreditCode();

    const ids = [debitSide?.accountId, creditSide?.accountId].filter((x): x is string => x !== undefined);
    return { body, tokenAccount, methods: [from.method, to.method], amountText, debitSide, creditSide, debitRule, creditRule, trackingId: body.tracking_id ?? deps.ids.uuid(), ids };
  }

  /** The decision on a planned transfer against the locked state: what it moves, or the decline it throws. */
  function decideTransfer(p: TransferPlan, state: SpendState): TransferDecision {
    const debitAccount = p.debitSide ? state.facts.get(p.debitSide.accountId)! : undefined;
    const creditAccount = p.creditSide ? state.facts.get(p.creditSide.accountId)! : undefined;
    const currency = currencyByCode((debitAccount ?? creditAccount)!.currency);
    for (const m of p.methods) {
      const c = currencyOf(m.currency);
      if (c && c.code !== currency.code) throw PaymentErrors.invalidCurrency();
    }
    if (debitAccount && creditAccount && debitAccount.currency !== creditAccount.currency) throw PaymentErrors.invalidCurrency();
    const money = moneyOf(p.amountText, currency);

    if (debitAccount && !canDebit(debitAccount)) throw PaymentErrors.noDebitStatus();
    if (creditAccount && !canCredit(creditAccount)) throw PaymentErrors.noCreditStatus();
    if (debitAccount) {
      const left = spendableOf(state, debitAccount);
      if (money.minor > left) throw PaymentErrors.noLimit(money.toDecimalString(), Money.ofMinor(left < 0n ? 0n : left, currency).toDecimalString());
    }
    const sides = [
      ...(debitAccount ? [{ operation: 'PAYMENT_DEBIT', account: debitAccount, rule: p.debitRule! }] : []),
      ...(creditAccount ? [{ operation: 'PAYMENT_CREDIT', account: creditAccount, rule: p.creditRule! }] : []),
    ];
    return { sides, money, currency, debit: debitAccount !== undefined, credit: creditAccount !== undefined };
  }

  /**
   * The writes of an approved transfer, every one sent with the transaction's next statement or
   * COMMIT: its authorizations, its entry (moving the locked balances, kept in `state`), and the
   * transactions and events it adds to `out` for the caller to insert together. Its answer.
   */
  async function writeTransfer(
    t: TenantTx,
    p: TransferPlan,
    d: TransferDecision,
    state: SpendState,
    ids: { entryId: bigint; authorizationIds: bigint[]; transactionIds: bigint[]; shardSeed?: bigint },
    out: Collected,
  ): Promise<PaymentsResponse> {
    const now = clock.now();
    const { money, currency } = d;
    const request = JSON.stringify(p.body);
    const auths = d.sides.map((side, i) => ({
      org_id: t.orgId,
      authorization_id: ids.authorizationIds[i]!,
      operation: side.operation,
      tracking_id: p.trackingId,
      status: 'APPROVED' as const,
      response_code: APPROVED,
      reason: null,
      account_id: BigInt(side.account.accountId),
      currency: currency.code,
      amount_minor: money.minor,
      entry_id: ids.entryId,
      cancel_entry_id: null,
      original_authorization_id: null,
      request,
      response: null,
      cid: t.cid ?? null,
      created_at: now,
      updated_at: now,
    }));
    out.authorizations.push(...auths);
    const debitAuth = d.debit ? auths[0] : undefined;
    const creditAuth = d.credit ? auths[auths.length - 1] : undefined;

    const legs: PostedLeg[] = d.sides.map((side, i) => ({ account: side.account, rule: side.rule, money, authorizationId: auths[i]!.authorization_id }));
    const counterpart: InternalAccount = d.debit && d.credit ? 'SETTLEMENT' : 'CASH';
    const engineLegs: Leg[] = legs.map((l) => ({ accountId: l.account.accountId, currency: currency.code, amount: money.minor, code: { code: l.rule.code, balanceImpact: l.rule.balanceImpact } }));
    // The balance rows are locked and known: the entry's statement is sent with COMMIT too.
    const posted = await journal.post(
      t,
      {
        kind: 'PAYMENT',
        postings: movement(engineLegs, counterpart),
        authorizationId: auths[0]!.authorization_id,
        entryId: ids.entryId,
        ...(ids.shardSeed !== undefined ? { shardSeed: ids.shardSeed } : {}),
      },
      out.entries,
    );
    const transactions = (await transactionRows(t, posted, legs, now)).map((r, i) => ({ transaction_id: ids.transactionIds[i]!, ...r }));
    out.transactions.push(...transactions);
    out.events.push(
      ...d.sides.map((side, i) => authorizationEvent(t, auths[i]!, side.account, side.rule.code, now)),
      ...transactionEvents(t, transactions, legs, now),
      ...balanceEvents(t, posted, state),
    );

    const tokenFacts = state.facts.get(p.tokenAccount)!;
    return {
      authorization_id: Number(auths[0]!.authorization_id),
      authorization_ids: {
        ...(creditAuth ? { credit: Number(creditAuth.authorization_id) } : {}),
        ...(debitAuth ? { debit: Number(debitAuth.authorization_id) } : {}),
      },
      event_date: isoSeconds(now),
      tracking_id: p.trackingId,
      available_credit_limit: Money.ofMinor(spendableOf(state, tokenFacts), currency).toApiNumber(),
    };
  }

  /**
   * What approved transfers write, sent with COMMIT as one statement per table whatever their
   * number: the authorizations (a tracking id a concurrent request took since it was looked up
   * fails this insert, at COMMIT: WP2P0010), the journal entries with the balances they move,
   * Pismo's transactions and the events.
   */
  async function writeCollected(t: TenantTx, out: Collected): Promise<void> {
    if (out.authorizations.length) await insertAuthorizationsWithNext(t, out.authorizations);
    await journal.writeBatch(t, out.entries);
    if (out.transactions.length) await sendWithNext(t.db, repo.insertTransactionsQuery(out.transactions));
    if (out.events.length) await recordEvents(t.db, events, out.events);
  }

  /**
   * POST /payments/v1/payments: moves `amount` from `from` to `to` — P2P (account to account),
   * cash-in (external to account), cash-out (account to external). `tokenAccount` is the account
   * the caller acts for; it must be the debited account, or the credited one of a cash-in.
   */
  async function transfer(t: TenantTx, body: PaymentsModel, tokenAccount: string, ctx: RequestContext): Promise<PaymentsResponse> {
    if (body.tracking_id !== undefined && body.tracking_id.length > MAX_TRACKING_ID) throw PaymentErrors.trackingTooLong();
    const run = async (): Promise<PaymentsResponse> => {
      const p = await planTransfer(t, body, tokenAccount);
      // One round trip reads (and locks) everything the decision needs: the accounts (FOR SHARE),
      // their balance and limits rows (FOR UPDATE, account id order), the authorizations a sent
      // tracking id already names (read once the locks are held), the org's business days, and
      // the ids the writes will carry, one authorization and one transaction per account side.
      const [facts, locked, used, , taken] = await readTogether(t.db, [
        accountFactsRead(t, p.ids, { share: true }),
        journal.lockWithLimitsRead(t, p.ids),
        body.tracking_id !== undefined ? repo.authorizationsByTrackingRead(t.db, t.orgId, p.trackingId, PAYMENT_OPERATIONS) : undefined,
        t.dates.readAhead(),
        repo.takeIds(t.db, { authorizations: p.ids.length, transactions: p.ids.length }),
      ]);
      // A reused tracking id answers WP2P0010 before anything else is decided: a retry must not
      // be declined for what the first transfer spent.
      if (used?.length) throw PaymentErrors.trackingInUse(trackedOf(used));

      const state = await spendStateOf(t, p.ids, facts, locked);
      const d = decideTransfer(p, state);
      // Approved: every write below travels with COMMIT (sendWithNext), in one round trip.
      const out = collected();
      const answer = await writeTransfer(t, p, d, state, taken, out);
      await writeCollected(t, out);
      return answer;
    };
    // tracking_id is Pismo's own key here: with one, it decides; without, the Idempotency-Key does.
    if (body.tracking_id !== undefined) return run();
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: `POST /payments/v1/payments ${tokenAccount}`, payload: body };
    return (await maybeIdempotent(t.db, clock, once, async () => ({ status: 201, body: await run() }))).body;
  }

  /**
   * Several transfers, each with its own tracking_id (distinct), in the caller's one transaction:
   * one round trip reads and locks what all of them need, each is decided in turn against the
   * balances the ones before it left (accepted or declined on its own: a declined one writes
   * nothing), and every write goes with COMMIT. Each item's answer, or its own error. A failure
   * that is not one transfer's decline (a write, the COMMIT) throws: the caller runs each again on
   * its own. `cid` is each request's own, for its rows and events.
   */
  async function transferMany(t: TenantTx, items: { body: PaymentsModel; tokenAccount: string; cid: string | undefined }[]): Promise<TransferOutcome[]> {
    const outcomes: TransferOutcome[] = new Array(items.length);
    const plans: { i: number; t: TenantTx; p: TransferPlan }[] = [];
    for (const [i, item] of items.entries()) {
      const ti = withCid(t, item.cid);
      try {
        if (item.body.tracking_id === undefined) throw new Error('a grouped transfer has a tracking_id');
        if (item.body.tracking_id.length > MAX_TRACKING_ID) throw PaymentErrors.trackingTooLong();
        plans.push({ i, t: ti, p: await planTransfer(ti, item.body, item.tokenAccount) });
      } catch (err) {
        outcomes[i] = { ok: false, error: err };
      }
    }
    if (!plans.length) return outcomes;
    const accountIds = [...new Set(plans.flatMap((x) => x.p.ids))];
    const sides = plans.reduce((n, x) => n + x.p.ids.length, 0);
    const [facts, locked, used, , taken] = await readTogether(t.db, [
      accountFactsRead(t, accountIds, { share: true }),
      journal.lockWithLimitsRead(t, accountIds),
      repo.authorizationsByTrackingsRead(t.db, t.orgId, plans.map((x) => x.p.trackingId), PAYMENT_OPERATIONS),
      t.dates.readAhead(),
      repo.takeIds(t.db, { authorizations: sides, transactions: sides, entries: plans.length }),
    ]);
    const usedBy = new Map<string, repo.AuthorizationRow[]>();
    for (const r of used) usedBy.set(r.tracking_id!, [...(usedBy.get(r.tracking_id!) ?? []), r]);
    const found = accountIds.filter((id) => facts.has(id));
    const state = await spendStateOf(t, found, facts, locked);
    const out = collected();
    let next = 0;
    for (const [k, { i, t: ti, p }] of plans.entries()) {
      let d: TransferDecision;
      try {
        const usedRows = usedBy.get(p.trackingId);
        if (usedRows?.length) throw PaymentErrors.trackingInUse(trackedOf(usedRows));
        if (!p.ids.every((id) => facts.has(id))) throw PaymentErrors.accountNotFound();
        d = decideTransfer(p, state);
      } catch (err) {
        outcomes[i] = { ok: false, error: err };
        continue;
      }
      const n = p.ids.length;
      const ids = {
        entryId: taken.entryIds[k]!,
        authorizationIds: taken.authorizationIds.slice(next, next + n),
        transactionIds: taken.transactionIds.slice(next, next + n),
        shardSeed: taken.entryIds[0]!,
      };
      next += n;
      // From here on a failure is not this transfer's decline: the whole group throws.
      outcomes[i] = { ok: true, value: await writeTransfer(ti, p, d, state, ids, out) };
    }
    await writeCollected(t, out);
    return outcomes;
  }

  /**
   * POST /payments/v2/cancel: reverses a transfer, named by its tracking_id (original_tracking_id)
   * or one of its authorization ids, with the codes' reversal codes (or those the body names).
   */
  async function cancel(t: TenantTx, body: CancelModel, ctx: RequestContext): Promise<CancelResult> {
    const run = async (): Promise<CancelResult> => {
      if ((body.authorization_id === undefined) === (body.original_tracking_id === undefined)) {
        throw PaymentErrors.invalidPayload('Invalid payload: send exactly one of authorization_id and original_tracking_id');
      }
      let originals: repo.AuthorizationRow[];
      if (body.original_tracking_id !== undefined) {
        originals = await repo.authorizationsByTracking(t.db, t.orgId, body.original_tracking_id, PAYMENT_OPERATIONS);
      } else {
        const one = await repo.findAuthorization(t.db, t.orgId, BigInt(body.authorization_id!));
        originals = one && PAYMENT_OPERATIONS.includes(one.operation) && one.tracking_id !== null
          ? await repo.authorizationsByTracking(t.db, t.orgId, one.tracking_id, PAYMENT_OPERATIONS)
          : [];
      }
      if (!originals.length) throw PaymentErrors.authorizationNotFound();
      const locked = await repo.lockAuthorizations(t.db, t.orgId, originals.map((o) => o.authorization_id));
      if (locked.some((a) => a.status === 'CANCELLED')) {
        return { status: 208 as const, body: { code: 'AMON0004', message: 'Authorization already cancelled' } };
      }
      const entryId = locked[0]!.entry_id;
      if (entryId === null) throw PaymentErrors.authorizationNotFound();
      const currency = currencyByCode(locked[0]!.currency!);
      const amount = moneyOf(body.amount, currency);
      if (amount.minor !== locked[0]!.amount_minor) throw PaymentErrors.invalidPayload('Invalid payload: amount must be the whole amount of the transfer (partial cancellation is not supported)');

      // One round trip reads what the decision needs and the ids the writes carry (as transfer).
      const accountIds = locked.map((a) => String(a.account_id));
      const [facts, lockedRows, original, , taken] = await readTogether(t.db, [
        accountFactsRead(t, accountIds, { share: true }),
        journal.lockWithLimitsRead(t, accountIds),
        journal.postingsOfRead(t, entryId),
        t.dates.readAhead(),
        repo.takeIds(t.db, { authorizations: locked.length, transactions: locked.length }),
      ]);
      const state = await spendStateOf(t, accountIds, facts, lockedRows);
      const reversalCodes = new Map<string, string>();
      const legs: PostedLeg[] = [];
      const now = clock.now();
      const cancelRows: repo.AuthorizationWithId[] = [];
      for (const [i, a] of locked.entries()) {
        const account = state.facts.get(String(a.account_id))!;
        const posting = original.find((p) => p.target.kind === 'customer' && p.target.accountId === account.accountId && p.processingCode !== null)!;
        const originalRule = await ruleOf(t, posting.processingCode!, 'original');
        const debit = a.operation === 'PAYMENT_DEBIT';
        const named = debit ? body.processing_code?.debit : body.processing_code?.credit;
        const code = named ?? originalRule.reversalCode ?? originalRule.code;
        const rule = await ruleOf(t, code, 'processing_code');
        reversalCodes.set(originalRule.code, rule.code);
        // Giving money back to the debited account is a credit; taking it from the credited one a
        // debit: that one must still have it (or the limit), and be allowed to be debited.
        if (!debit) {
          if (!canDebit(account)) throw PaymentErrors.noDebitStatus();
          const left = spendableOf(state, account);
          if (amount.minor > left) throw PaymentErrors.noLimit(amount.toDecimalString(), Money.ofMinor(left < 0n ? 0n : left, currency).toDecimalString());
        }
        const authorizationId = taken.authorizationIds[i]!;
        legs.push({ account, rule, money: amount, authorizationId });
        cancelRows.push({
          org_id: t.orgId,
          authorization_id: authorizationId,
          operation: debit ? 'CANCEL_DEBIT' : 'CANCEL_CREDIT',
          tracking_id: body.tracking_id ?? null,
          status: 'APPROVED',
          response_code: APPROVED,
          reason: null,
          account_id: a.account_id,
          currency: currency.code,
          amount_minor: amount.minor,
          entry_id: taken.entryId,
          cancel_entry_id: null,
          original_authorization_id: a.authorization_id,
          request: JSON.stringify(body),
          response: null,
          cid: t.cid ?? null,
          created_at: now,
          updated_at: now,
        });
      }
      // Every write travels with COMMIT.
      await insertAuthorizationsWithNext(t, cancelRows);
      const posted = await journal.post(t, {
        kind: 'REVERSAL',
        postings: reversal(original, (code) => reversalCodes.get(code) ?? null),
        authorizationId: cancelRows[0]!.authorization_id,
        reversesEntryId: entryId,
        entryId: taken.entryId,
      });
      await repo.markCancelledWithNext(t.db, t.orgId, locked.map((a) => a.authorization_id), posted.entryId, now);
      const transactions = (await transactionRows(t, posted, legs, now)).map((r, i) => ({ transaction_id: taken.transactionIds[i]!, ...r }));
      await sendWithNext(t.db, repo.insertTransactionsQuery(transactions));
      await recordEvents(t.db, events, [
        ...cancelRows.map((row, i) => authorizationEvent(t, row, legs[i]!.account, legs[i]!.rule.code, now)),
        ...transactionEvents(t, transactions, legs, now),
        ...balanceEvents(t, posted, state),
      ]);
      const ids: CancelResponse['authorization_ids'] = {};
      for (const row of cancelRows) ids[row.operation === 'CANCEL_DEBIT' ? 'credit' : 'debit'] = Number(row.authorization_id);
      return {
        status: 200 as const,
        body: { tracking_id: body.tracking_id ?? locked[0]!.tracking_id!, authorization_datetime: isoSeconds(now), authorization_ids: ids },
      };
    };
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /payments/v2/cancel', payload: body };
    const res = await maybeIdempotent<CancelResult['body']>(t.db, clock, once, run);
    return { status: res.status, body: res.body } as CancelResult;
  }

  return {
    lockForSpend,
    spendStateOf,
    transfer,
    transferMany,
    cancel,
    recordPosting,
    recordBalances,
    recordAuthorization,
    authorizationEvent,
    balanceEvents,
    insertAuthorizations,
    insertAuthorizationsWithNext,
    ruleOf,
  };
}
