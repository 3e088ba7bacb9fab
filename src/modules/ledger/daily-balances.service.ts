// Daily balances (Pismo's Get daily account balance limits): the end-of-day handler records every
// account's buckets as its program's business day closes, so the sandbox test clock makes them
// too; the read gives a range of at most 90 closed days.
import { Temporal } from 'temporal-polyfill';
import { Type, type Static } from 'typebox';
import { onBusinessDay, type DayHandler } from '../../platform/day-close.js';
import { PlatformErrors } from '../../platform/errors.js';
import type { Platform } from '../../platform/module.js';
import { currencyByCode, Money } from '../../platform/money.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import * as repo from './daily-balances.repo.js';
import { spendable } from './ledger.postings.js';
import { LimitErrors } from './limits.errors.js';
import * as limitsRepo from './limits.repo.js';

export const DailyBalancesQuery = Type.Object({
  beginDate: Type.Optional(Type.String({ format: 'date', description: 'Default: endDate − 10 days.' })),
  endDate: Type.Optional(Type.String({ format: 'date', description: "Default: yesterday (the program's business date − 1). Today cannot be asked." })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
});
export type DailyBalancesQuery = Static<typeof DailyBalancesQuery>;

export const AccountBalance = Type.Object(
  {
    account_id: Type.Number(),
    org_id: Type.String(),
    ref_date: Type.String({ format: 'date' }),
    available_credit_limit: Type.Number({ description: 'What the account could spend at the end of that day (with its current limits).' }),
    held_funds: Type.Number(),
    currency_code: Type.String(),
    currency_numeric_code: Type.String(),
  },
  { title: 'AccountBalance' },
);
export const AccountBalanceResponse = Type.Object(
  { pages: Type.Integer(), current_page: Type.Integer(), per_page: Type.Integer(), total_items: Type.Integer(), items: Type.Array(AccountBalance) },
  { title: 'AccountBalanceResponse' },
);
export type AccountBalanceResponse = Static<typeof AccountBalanceResponse>;

const MAX_DAYS = 90;
const days = (from: string, to: string) => Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: 'days' }).days;

export function createDailyBalancesService(deps: Pick<Platform, 'clock'>) {
  /** GET /balances-limits/v1/accounts/{accountId}/daily-balances. */
  async function list(t: TenantTx, accountId: string, q: DailyBalancesQuery): Promise<AccountBalanceResponse> {
    const id = int8Id(accountId);
    if (id === undefined) throw LimitErrors.badAccountId();
    const limits = await limitsRepo.findLimits(t.db, t.orgId, id);
    if (!limits) throw LimitErrors.notFound();
    const today = await t.dates.today(limits.program_id);
    const to = q.endDate ?? Temporal.PlainDate.from(today).subtract({ days: 1 }).toString();
    const from = q.beginDate ?? Temporal.PlainDate.from(to).subtract({ days: 10 }).toString();
    if (days(to, today) < 1) throw PlatformErrors.validation([{ field: 'query.endDate', reason: `must be before today (${today})` }]);
    if (days(from, to) < 0) throw PlatformErrors.validation([{ field: 'query.beginDate', reason: 'must not be after endDate' }]);
    if (days(from, to) > MAX_DAYS) throw PlatformErrors.validation([{ field: 'query.beginDate', reason: `must be at most ${MAX_DAYS} days before endDate` }]);
    const perPage = q.perPage ?? 10;
    const pageNo = q.page ?? 1;
    const { total, rows } = await repo.page(t.db, t.orgId, id, from, to, perPage, (pageNo - 1) * perPage);
    return {
      pages: Math.ceil(total / perPage),
      current_page: pageNo,
      per_page: perPage,
      total_items: total,
      items: rows.map((r) => {
        const currency = currencyByCode(r.currency);
        const left = spendable({ available: r.available_minor, held: r.held_minor, current: r.current_minor, creditUsed: r.credit_used_minor }, limits.mode, {
          creditLimit: limits.total_credit_limit_minor,
          overdraftLimit: limits.total_overdraft_limit_minor,
        });
        return {
          account_id: Number(r.account_id),
          org_id: r.org_id,
          ref_date: r.ref_date,
          available_credit_limit: Money.ofMinor(left < 0n ? 0n : left, currency).toApiNumber(),
          held_funds: Money.ofMinor(r.held_minor, currency).toApiNumber(),
          currency_code: currency.code,
          currency_numeric_code: currency.numeric,
        };
      }),
    };
  }

  /** End of day: the balances of the day's programs' accounts as that day closed. */
  const dayHandler = (): DayHandler =>
    onBusinessDay('ledger.daily-balances', async (ctx) => {
      const programs = ctx.programId === null ? await ctx.programs() : [ctx.programId];
      await repo.snapshot(ctx.t.db, ctx.t.orgId, programs, ctx.date, deps.clock.now());
    });

  return { list, dayHandler };
}

export type DailyBalancesService = ReturnType<typeof createDailyBalancesService>;
