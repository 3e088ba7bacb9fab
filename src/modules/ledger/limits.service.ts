// Account limits: reading them with what the account may spend now, and changing them. A change
// locks the account's balance rows first, in the order payments take them, so a limit never
// changes between a payment's check and its posting. Amounts are minor units of the account's
// currency; an amount that currency cannot hold is refused (not rounded).
import { readAmount } from '../../platform/http/amount.js';
import type { Platform } from '../../platform/module.js';
import { currencyByCode, Money, type Currency } from '../../platform/money.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import type { AccountBalances, AccountFacts } from '../accounts/index.js';
import { balanceKey, createJournalService } from './journal.service.js';
import { EMPTY_BUCKETS, spendable } from './ledger.postings.js';
import { LimitErrors } from './limits.errors.js';
import * as journalRepo from './journal.repo.js';
import * as repo from './limits.repo.js';
import type { AccountLimitGet, AccountLimitPatch } from './limits.schemas.js';
import { LedgerEvents } from './payments.events.js';

/** What Get account shows (accounts asks through useAccountBalances); takes no platform, as that hook is global. */
export async function accountBalances(t: TenantTx, accounts: AccountFacts[]): Promise<Map<string, AccountBalances>> {
  const ids = accounts.map((a) => BigInt(a.accountId));
  const limits = new Map((await repo.findLimitsOf(t.db, t.orgId, ids)).map((l) => [String(l.account_id), l]));
  const balances = new Map((await journalRepo.findBalancesOf(t.db, t.orgId, ids)).map((b) => [balanceKey(String(b.account_id), b.currency), b]));
  const out = new Map<string, AccountBalances>();
  for (const a of accounts) {
    const l = limits.get(a.accountId);
    const b = balances.get(balanceKey(a.accountId, a.currency));
    if (!l || !b) continue;
    const available = spendable(
      { available: b.available_minor, held: b.held_minor, current: b.current_minor, creditUsed: b.credit_used_minor },
      l.mode,
      { creditLimit: l.total_credit_limit_minor, overdraftLimit: l.total_overdraft_limit_minor },
    );
    out.set(a.accountId, { currentBalance: b.current_minor, availableLimit: available < 0n ? 0n : available, blockedAmount: b.held_minor });
  }
  return out;
}

export type LimitsService = ReturnType<typeof createLimitsService>;

const PATCH_FIELDS = ['max_credit_limit', 'total_credit_limit', 'total_overdraft_limit', 'total_installment_credit_limit'] as const;

export function createLimitsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  const journal = createJournalService(deps);

  function idOf(accountId: string): bigint {
    const id = int8Id(accountId);
    if (id === undefined) throw LimitErrors.badAccountId();
    return id;
  }

  const spendableOf = (limits: repo.LimitsRow, b: Parameters<typeof spendable>[0]) =>
    spendable(b, limits.mode, { creditLimit: limits.total_credit_limit_minor, overdraftLimit: limits.total_overdraft_limit_minor });

  /** GET /ledger/v1/accounts/{accountId}/limits. */
  async function get(t: TenantTx, accountId: string): Promise<AccountLimitGet> {
    const id = idOf(accountId);
    const limits = await repo.findLimits(t.db, t.orgId, id);
    if (!limits) throw LimitErrors.notFound();
    const currency = currencyByCode(limits.currency);
    const balance = (await journal.balancesOf(t, String(id))).find((b) => b.currency === limits.currency) ?? EMPTY_BUCKETS;
    const n = (minor: bigint | null) => (minor === null ? undefined : Money.ofMinor(minor, currency).toApiNumber());
    const available = spendableOf(limits, balance);
    const capped = (limit: bigint | null) => (limit === null ? undefined : n(available < limit ? (available < 0n ? 0n : available) : limit));
    return {
      max_credit_limit: n(limits.max_credit_limit_minor),
      total_credit_limit: n(limits.total_credit_limit_minor),
      total_overdraft_limit: n(limits.total_overdraft_limit_minor),
      percentage_over_limit: limits.percentage_over_limit === null ? undefined : Number(limits.percentage_over_limit),
      total_installment_credit_limit: n(limits.total_installment_credit_limit_minor),
      available_total_installment_credit: capped(limits.total_installment_credit_limit_minor),
      withdrawal_credit_limit: n(limits.withdrawal_credit_limit_minor),
      available_withdrawal_credit: capped(limits.withdrawal_credit_limit_minor),
      monthly_credit_limit: n(limits.monthly_credit_limit_minor),
      available_monthly_credit: capped(limits.monthly_credit_limit_minor),
      available_credit_limit: n(available < 0n ? 0n : available),
      held_funds: n(balance.held),
      currency_code: currency.code,
      currency_numeric_code: currency.numeric,
    };
  }

  function minorOf(field: string, text: string, currency: Currency): bigint {
    const read = readAmount(text, { string: true }, currency);
    if (!read.ok) throw LimitErrors.parse(`${field} ${read.reason}`);
    return Money.fromDecimal(read.text, currency).minor;
  }

  /**
   * PATCH the limits (v1 Ledger API; `checkGlobal`: the Balances and limits API, which also holds
   * max_credit_limit to the program's active global configuration). Emits Account limit changed.
   */
  async function patch(t: TenantTx, accountId: string, body: AccountLimitPatch, opts: { checkGlobal: boolean }): Promise<void> {
    const id = idOf(accountId);
    await journal.lock(t, [String(id)]);
    const limits = await repo.findLimits(t.db, t.orgId, id);
    if (!limits) throw LimitErrors.notFound();
    if (!Object.values(body).some((v) => v !== undefined)) throw LimitErrors.invalidBody('no limit to change');
    const currency = currencyByCode(limits.currency);
    const next = {
      max_credit_limit_minor: body.max_credit_limit !== undefined ? minorOf('max_credit_limit', body.max_credit_limit, currency) : limits.max_credit_limit_minor,
      total_credit_limit_minor: body.total_credit_limit !== undefined ? minorOf('total_credit_limit', body.total_credit_limit, currency) : limits.total_credit_limit_minor,
      total_overdraft_limit_minor:
        body.total_overdraft_limit !== undefined ? minorOf('total_overdraft_limit', body.total_overdraft_limit, currency) : limits.total_overdraft_limit_minor,
      total_installment_credit_limit_minor:
        body.total_installment_credit_limit !== undefined
          ? minorOf('total_installment_credit_limit', body.total_installment_credit_limit, currency)
          : limits.total_installment_credit_limit_minor,
      percentage_over_limit: body.percentage_over_limit !== undefined ? String(body.percentage_over_limit) : limits.percentage_over_limit,
    };
    const text = (minor: bigint) => Money.ofMinor(minor, currency).toDecimalString();
    const max = next.max_credit_limit_minor;
    const total = next.total_credit_limit_minor;
    if (max !== null && total !== null && total > max) {
      throw LimitErrors.rule(
        body.max_credit_limit !== undefined
          ? `Max credit limit ${text(max)} must be greater than total credit limit ${text(total)}`
          : `Total credit limit ${text(total)} exceeds max credit limit ${text(max)}`,
      );
    }
    if (opts.checkGlobal && max !== null) {
      const global = await repo.findGlobalConfig(t.db, t.orgId, limits.program_id);
      if (global?.max_credit_limit_active && max > global.max_credit_limit_minor) {
        throw LimitErrors.rule(`Max credit limit ${text(max)} exceeds max global limit ${text(global.max_credit_limit_minor)}`);
      }
    }
    await repo.updateLimits(t.db, t.orgId, id, { ...next, updated_at: clock.now() });
    const n = (minor: bigint | null) => (minor === null ? undefined : Money.ofMinor(minor, currency).toApiNumber());
    await recordEvent(t.db, events, LedgerEvents.limitChanged, {
      orgId: t.orgId,
      cid: t.cid,
      data: {
        account_id: Number(id),
        changed_fields: ([...PATCH_FIELDS, 'percentage_over_limit'] as const).filter((f) => body[f] !== undefined),
        ...(next.max_credit_limit_minor !== null ? { max_credit_limit: n(next.max_credit_limit_minor) } : {}),
        ...(next.total_credit_limit_minor !== null ? { total_credit_limit: n(next.total_credit_limit_minor) } : {}),
        ...(next.total_overdraft_limit_minor !== null ? { total_overdraft_limit: n(next.total_overdraft_limit_minor) } : {}),
        ...(next.percentage_over_limit !== null ? { percentage_over_limit: Number(next.percentage_over_limit) } : {}),
        ...(next.total_installment_credit_limit_minor !== null ? { total_installment_credit_limit: n(next.total_installment_credit_limit_minor) } : {}),
        currency_code: currency.code,
      },
    });
  }

  return { get, patch };
}
