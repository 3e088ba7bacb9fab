// Pismo's Balances and limits API beyond an account's own limits: program limits (global configs:
// the most a program's accounts may be granted, which PATCH /balances-limits/v1/accounts/{id}/limits
// holds max_credit_limit to while active), and the limits of an account with its related
// (descendant) accounts. Amounts are minor units of the program's or account's currency.
import { readAmount } from '../../platform/http/amount.js';
import type { Platform } from '../../platform/module.js';
import { currencyByCode, currencyByNumeric, Money, type Currency } from '../../platform/money.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import { accountDescendants, accountFacts } from '../accounts/index.js';
import { programForAccounts } from '../programs/index.js';
import type { CreateGlobalConfigRequest, GetGlobalConfigResponse, RelatedAccountsResponse, UpdateGlobalConfigRequest } from './global-configs.schemas.js';
import { BalancesLimitsErrors } from './limits.errors.js';
import * as repo from './limits.repo.js';
import { createLimitsService } from './limits.service.js';

export type GlobalConfigsService = ReturnType<typeof createGlobalConfigsService>;

export function createGlobalConfigsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const limits = createLimitsService(deps);

  /** The program and its currency; an unknown program is a field error of `field`. */
  async function programOf(t: TenantTx, programId: bigint, notFound: () => Error): Promise<Currency> {
    const program = await programForAccounts(t, programId);
    if (!program) throw notFound();
    return currencyByNumeric(program.currencyNumericCode);
  }

  /** The limit's value in minor units and whether it is active ("is_active required when value > 0"). */
  function limitOf(limit: CreateGlobalConfigRequest['limits']['max_credit_limit'], currency: Currency): { minor: bigint; active: boolean } {
    const read = readAmount(limit.value, { string: true, minimum: 0 }, currency);
    if (!read.ok) throw BalancesLimitsErrors.invalid('limits.max_credit_limit.value', `value ${read.reason}`);
    const minor = Money.fromDecimal(read.text, currency).minor;
    if (minor > 0n && limit.is_active === undefined) throw BalancesLimitsErrors.invalid('limits.max_credit_limit.is_active', 'is_active is required when value is greater than 0');
    return { minor, active: limit.is_active ?? false };
  }

  /** POST /balances-limits/v1/global-configs. */
  async function create(t: TenantTx, body: CreateGlobalConfigRequest): Promise<void> {
    if (body.level !== 'PROGRAM') throw BalancesLimitsErrors.invalid('level', `level '${body.level}' is not supported. Only 'PROGRAM' is currently allowed`);
    const programId = BigInt(body.program_id);
    const currency = await programOf(t, programId, () => BalancesLimitsErrors.invalid('program_id', `program ${body.program_id} not found`));
    const limit = limitOf(body.limits.max_credit_limit, currency);
    const now = clock.now();
    const row = await repo.insertGlobalConfig(t.db, {
      org_id: t.orgId,
      program_id: programId,
      level: 'PROGRAM',
      max_credit_limit_minor: limit.minor,
      max_credit_limit_active: limit.active,
      created_at: now,
      updated_at: now,
    });
    if (!row) throw BalancesLimitsErrors.duplicate();
  }

  function programIdOf(text: string | undefined): bigint | undefined {
    if (text === undefined) return undefined;
    const id = /^[0-9]+$/.test(text) ? int8Id(text) : undefined;
    if (id === undefined || id < 1n) throw BalancesLimitsErrors.invalidQuery('programId', 'programId must be a positive integer');
    return id;
  }

  /** GET /balances-limits/v1/global-configs: every program's configuration, or the one of programId (404 when it has none). */
  async function list(t: TenantTx, query: { programId?: string }): Promise<GetGlobalConfigResponse[]> {
    const programId = programIdOf(query.programId);
    const rows = programId === undefined ? await repo.listGlobalConfigs(t.db, t.orgId) : [await repo.findGlobalConfig(t.db, t.orgId, programId)].filter((r) => r !== undefined);
    if (programId !== undefined && !rows.length) throw BalancesLimitsErrors.configNotFound();
    const out: GetGlobalConfigResponse[] = [];
    for (const r of rows) {
      const program = await programForAccounts(t, r.program_id);
      const currency = program ? currencyByNumeric(program.currencyNumericCode) : currencyByCode('BRL');
      const n = (minor: bigint) => Money.ofMinor(minor, currency).toApiNumber();
      out.push({
        level: 'PROGRAM',
        program_id: Number(r.program_id),
        limits: {
          max_credit_limit: {
            value: n(r.max_credit_limit_minor),
            is_active: r.max_credit_limit_active,
            accumulated: n(await repo.accumulatedMaxCreditLimit(t.db, t.orgId, r.program_id)),
          },
        },
      });
    }
    return out;
  }

  /** PATCH /balances-limits/v1/global-configs/program/{programId}. */
  async function update(t: TenantTx, programIdText: string, body: UpdateGlobalConfigRequest): Promise<void> {
    const programId = /^[0-9]+$/.test(programIdText) ? int8Id(programIdText) : undefined;
    if (programId === undefined || programId < 1n) throw BalancesLimitsErrors.configNotFound();
    const existing = await repo.findGlobalConfig(t.db, t.orgId, programId);
    if (!existing) throw BalancesLimitsErrors.configNotFound();
    const currency = await programOf(t, programId, () => BalancesLimitsErrors.configNotFound());
    const limit = limitOf(body.limits.max_credit_limit, currency);
    await repo.updateGlobalConfig(t.db, t.orgId, programId, { max_credit_limit_minor: limit.minor, max_credit_limit_active: limit.active, updated_at: clock.now() });
  }

  /** GET /balances-limits/v1/accounts/{accountId}/related-accounts-limits. */
  async function related(t: TenantTx, accountIdText: string): Promise<RelatedAccountsResponse> {
    const id = /^[0-9]+$/.test(accountIdText) ? int8Id(accountIdText) : undefined;
    if (id === undefined || id < 1n) throw BalancesLimitsErrors.badAccountId();
    const accountId = String(id);
    const descendants = await accountDescendants(t, accountId);
    const facts = await accountFacts(t, [accountId, ...descendants]);
    const main = facts.get(accountId);
    if (!main) throw BalancesLimitsErrors.accountNotFound();
    const limitsOf = async (a: string) => {
      const f = facts.get(a)!;
      const l = await limits.get(t, a);
      const { available_monthly_credit: _m, monthly_credit_limit: _l, ...rest } = l;
      return { account_id: Number(a), program_id: Number(f.programId), ...rest };
    };
    const related: RelatedAccountsResponse['related_accounts'] = [];
    for (const d of descendants) {
      const f = facts.get(d);
      if (!f) continue;
      related.push({ ...(await limitsOf(d)), parent_account_id: Number(f.parentAccountId) });
    }
    return { ...(await limitsOf(accountId)), related_accounts: related };
  }

  return { create, list, update, related };
}
