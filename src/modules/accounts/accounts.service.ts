// Accounts: applications that open them (an owner entity and customer, addresses and phones, the
// account in NORMAL), reading them, and what other modules ask of them (accountFacts, the hooks
// run when one is created). Statuses and reasons are in statuses.service.ts.
import type { RequestContext } from '../../platform/context.js';
import { violates, type Read } from '../../platform/db/database.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { currencyByNumeric, Money } from '../../platform/money.js';
import { recordEvent } from '../../platform/outbox.js';
import { cursorPage, decodeCursor, pageRequest, pismoPage } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';
import { programForAccounts, programModeOf, programSummaries, type ProgramForAccounts, type ProgramMode, type ProgramType } from '../programs/index.js';
import { AccountErrors } from './accounts.errors.js';
import { AccountEvents } from './accounts.events.js';
import * as repo from './accounts.repo.js';
import { applicantIssues, programIssues } from './accounts.rules.js';
import {
  APPLICATION_STATUSES,
  type Account,
  type AccountPatch,
  type Applicant,
  type ApplicationDetails,
  type AccountsOfPhone,
  type ChannelCreate,
  type SearchByDocument,
  type SearchByPhone,
  type UpdateApplicationBody,
  type ApplicationResponse,
  type ApplicationV3,
  type CreateApplicationBody,
} from './accounts.schemas.js';
import { BUILT_IN_STATUS, typeOfProgramId } from './statuses.service.js';

export type AllowedOperations = repo.AllowedOps;

/** What other modules (the ledger) know of an account. Amounts are minor units of `currency`. */
export interface AccountFacts {
  /** int64 as decimal text. */
  accountId: string;
  programId: string;
  programMode: ProgramMode;
  /** ISO 4217 alphabetic code, e.g. BRL. */
  currency: string;
  /** ISO 4217 numeric code, e.g. 986. */
  currencyNumericCode: string;
  status: string;
  allowedOperations: AllowedOperations;
  isFinal: boolean;
  accountType: 'PHYSICAL' | 'VIRTUAL';
  parentAccountId: string | null;
  /** max_credit_limit (the application's granted_limit). */
  grantedLimit: bigint | null;
  /** total_credit_limit (the application's limit). */
  limit: bigint | null;
  overdraftLimit: bigint | null;
}

export type AccountCreatedHandler = (t: TenantTx, account: AccountFacts) => Promise<void>;

/** Balances GET /accounts/v1/accounts/{id} shows, in minor units; the ledger provides them. */
export interface AccountBalances {
  currentBalance: bigint;
  availableLimit: bigint;
  blockedAmount: bigint;
}
export type AccountBalanceSource = (t: TenantTx, accounts: AccountFacts[]) => Promise<Map<string, AccountBalances>>;

const createdHandlers: AccountCreatedHandler[] = [];
let balanceSource: AccountBalanceSource | undefined;

/**
 * Registers a handler run inside the transaction that creates each account (the ledger opens its
 * balances and limits there); throwing rolls the account back. Called by the composition root.
 */
export function onAccountCreated(handler: AccountCreatedHandler): void {
  createdHandlers.push(handler);
}

/** Wires where the balances of Get account come from (the ledger); without one they read zero. */
export function useAccountBalances(source: AccountBalanceSource): void {
  balanceSource = source;
}

type FactsRow = repo.AccountFactsRow;

function toFacts(r: FactsRow): AccountFacts {
  return {
    accountId: String(r.account_id),
    programId: String(r.program_id),
    programMode: programModeOf(typeOfProgramId(r.program_type_id)),
    currency: r.currency,
    currencyNumericCode: r.currency_numeric_code,
    status: r.status,
    allowedOperations: r.allowed_operations,
    isFinal: r.is_final,
    accountType: r.account_type,
    parentAccountId: r.parent_account_id === null ? null : String(r.parent_account_id),
    grantedLimit: r.granted_limit_minor,
    limit: r.limit_minor,
    overdraftLimit: r.overdraft_limit_minor,
  };
}

/**
 * Accounts of t.orgId by id; `share: true` takes FOR SHARE row locks (in account id order) so a
 * status change cannot interleave. Ids the org does not have (or that are not int64) are absent.
 */
export async function accountFacts(t: TenantTx, ids: string[], opts: { share?: boolean } = {}): Promise<Map<string, AccountFacts>> {
  const wanted = [...new Set(ids.map((id) => int8Id(id)).filter((id): id is bigint => id !== undefined))];
  const rows = await repo.accountFactsRows(t.db, t.orgId, wanted, opts.share === true);
  return new Map(rows.map((r) => [String(r.account_id), toFacts(r)]));
}

/** accountFacts as a Read, for a caller that sends it together with its own statements (readTogether). */
export function accountFactsRead(t: TenantTx, ids: string[], opts: { share?: boolean } = {}): Read<Map<string, AccountFacts>> {
  const wanted = [...new Set(ids.map((id) => int8Id(id)).filter((id): id is bigint => id !== undefined))];
  return {
    query: repo.accountFactsQuery(t.orgId, wanted, opts.share === true),
    read: (rows) => new Map((rows as FactsRow[]).map((r) => [String(r.account_id), toFacts(r)])),
  };
}

/** Whether the org has the account (the token check). */
export async function accountExists(t: TenantTx, accountId: string): Promise<boolean> {
  const id = int8Id(accountId);
  return id !== undefined && repo.accountExists(t.db, t.orgId, id);
}

const num = (v: bigint | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** A whole amount of the currency (Pismo's integer limits) in minor units. */
const wholeToMinor = (whole: number | undefined, exponent: number): bigint | null =>
  whole === undefined ? null : BigInt(whole) * 10n ** BigInt(exponent);

export type AccountsService = ReturnType<typeof createAccountsService>;

export function createAccountsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  /** The program an application names, by program_id or acquisition channel. */
  async function programOf(t: TenantTx, app: Pick<ApplicationV3, 'program_id' | 'acquisition_channel'>): Promise<{ program: ProgramForAccounts; channelId: bigint | null }> {
    let programId = app.program_id === undefined ? undefined : BigInt(app.program_id);
    let channelId: bigint | null = null;
    if (app.acquisition_channel !== undefined) {
      const channel = await repo.findChannel(t.db, t.orgId, BigInt(app.acquisition_channel));
      if (!channel || (programId !== undefined && channel.program_id !== programId)) throw AccountErrors.invalidChannel();
      programId = channel.program_id;
      channelId = channel.channel_id;
    }
    if (programId === undefined) {
      throw AccountErrors.invalid([{ field: 'body.application.program_id', reason: 'is required when acquisition_channel is not sent' }]);
    }
    const program = await programForAccounts(t, programId);
    if (!program) throw AccountErrors.invalid([{ field: 'body.application.program_id', reason: 'does not name a program of this org' }]);
    return { program, channelId };
  }

  /** The parent a child account names: an account of the same program. */
  async function checkParent(t: TenantTx, parentId: number | undefined, programId: bigint) {
    if (parentId === undefined) return null;
    const parent = await repo.findAccount(t.db, t.orgId, BigInt(parentId));
    if (!parent || parent.program_id !== programId) {
      throw AccountErrors.invalid([{ field: 'body.application.applicant.account.parent_account_id', reason: `does not name an account of program ${programId}` }]);
    }
    return parent.account_id;
  }

  const applicationBody = (r: repo.ApplicationRow): ApplicationResponse => ({
    application_id: Number(r.application_id),
    status: r.status,
    status_name: r.status_name,
    ...(r.account_id !== null ? { account_id: Number(r.account_id) } : {}),
    ...(r.customer_id !== null ? { customer_id: Number(r.customer_id) } : {}),
    ...(r.entity_id !== null ? { entity_id: Number(r.entity_id) } : {}),
    program_id: Number(r.program_id),
  });

  const applicationEvent = (r: repo.ApplicationRow, applicant: Applicant) => ({
    ...applicationBody(r),
    account_id: num(r.account_id) ?? null,
    customer_id: num(r.customer_id) ?? null,
    entity_id: num(r.entity_id) ?? null,
    org_id: r.org_id,
    document_number: applicant.document_number,
    ...(r.acquisition_channel_id !== null ? { acquisition_channel: Number(r.acquisition_channel_id) } : {}),
  });

  /**
   * Opens the account of a submitted application: its owner (entity and customer), addresses and
   * phones, the account in NORMAL, and what other modules open with it (onAccountCreated).
   */
  async function openAccount(t: TenantTx, app: repo.ApplicationRow, applicant: Applicant, program: ProgramForAccounts, dueDate: number | undefined) {
    const now = clock.now();
    const options = applicant.account ?? {};
    const parentId = await checkParent(t, options.parent_account_id, program.programId);
    if (parentId === null && (await repo.accountOfDocument(t.db, t.orgId, program.programId, applicant.document_number))) {
      throw AccountErrors.accountAlreadyCreated();
    }
    if (options.external_id !== undefined && (await repo.accountOfExternalId(t.db, t.orgId, program.programId, options.external_id))) {
      throw AccountErrors.invalid([{ field: 'body.application.applicant.account.external_id', reason: `is the external id of another account of program ${program.programId}` }]);
    }
    const currency = currencyByNumeric(options.currency_numeric_code ?? program.currencyNumericCode);
    const normal = await repo.findStatusByName(t.db, t.orgId, BUILT_IN_STATUS.NORMAL);
    if (!normal) throw new Error(`org ${t.orgId} has no NORMAL account status: its accounts org setup did not run`);
    const person = applicant.personal;
    const company = applicant.company;
    const entity = await repo.insertEntity(t.db, {
      org_id: t.orgId,
      entity_type: company ? 'COMPANY' : 'INDIVIDUAL',
      document_number: applicant.document_number,
      name: company?.name ?? person?.name ?? null,
      social_name: person?.social_name ?? null,
      email: company?.email ?? person?.email ?? null,
      birth_date: applicant.birth_date ?? null,
      details: JSON.stringify(company ?? person ?? {}),
      created_at: now,
      updated_at: now,
    });
    const created = await repo.insertAccount(t.db, {
      org_id: t.orgId,
      program_id: program.programId,
      program_type_id: program.typeId,
      application_id: app.application_id,
      entity_id: entity.entity_id,
      document_number: applicant.document_number,
      status_id: normal.status_id,
      status_reason_id: null,
      status_description: null,
      status_changed_at: now,
      account_type: options.account_type ?? 'PHYSICAL',
      parent_account_id: parentId,
      external_id: options.external_id ?? null,
      account_name: options.account_name ?? null,
      currency_numeric_code: currency.numeric,
      currency: currency.code,
      granted_limit_minor: wholeToMinor(options.granted_limit, currency.exponent),
      limit_minor: program.mode === 'credit' ? (wholeToMinor(options.limit, currency.exponent) ?? 0n) : null,
      overdraft_limit_minor: wholeToMinor(options.overdraft_limit, currency.exponent),
      exchange_mode: options.exchange_mode ?? null,
      division_id: options.division_id === undefined ? null : BigInt(options.division_id),
      is_centralizer: options.centralizer ?? false,
      due_date_id: dueDate === undefined ? null : BigInt(dueDate),
      custom_fields: applicant.custom_fields ? JSON.stringify(applicant.custom_fields) : null,
      created_on: await t.dates.today(program.programId),
      created_at: now,
      updated_at: now,
    });
    const customer = await repo.insertCustomer(t.db, {
      org_id: t.orgId,
      account_id: created.account_id,
      entity_id: entity.entity_id,
      is_owner: true,
      document_number: entity.document_number,
      email: person?.email ?? company?.email ?? null,
      printed_name: person?.printed_name ?? null,
      social_name: person?.social_name ?? null,
      nickname: person?.nickname ?? null,
      created_at: now,
      updated_at: now,
    });
    const base = { org_id: t.orgId, account_id: created.account_id, entity_id: entity.entity_id, created_at: now, updated_at: now };
    await repo.insertAddresses(
      t.db,
      (applicant.addresses ?? []).map((a) => ({
        ...base,
        address: a.address,
        number: a.number ?? null,
        address1: a.address1 ?? null,
        complementary_address: a.complementary_address ?? null,
        neighborhood: a.neighborhood,
        city: a.city,
        state: a.state,
        country: a.country,
        zip_code: a.zip_code,
        address_type: a.address_type,
        mailing_address: a.mailing_address ?? false,
        custom_fields: a.custom_fields ? JSON.stringify(a.custom_fields) : null,
      })),
    );
    await repo.insertPhones(
      t.db,
      (applicant.phones ?? []).map((p) => ({
        ...base,
        phone: p.phone,
        phone_type: p.phone_type,
        country_code: p.country_code,
        area_code: p.area_code ?? null,
        extension: p.extension ?? null,
      })),
    );
    await repo.insertHistory(t.db, {
      org_id: t.orgId,
      account_id: created.account_id,
      status_id: normal.status_id,
      reason_id: null,
      description: null,
      kind: 'CREATION',
      undoes: null,
      actor: t.actor,
      changed_at: now,
    });
    const facts = (await accountFacts(t, [String(created.account_id)])).get(String(created.account_id))!;
    for (const handler of createdHandlers) await handler(t, facts);
    await recordEvent(t.db, events, AccountEvents.customerCreated, {
      orgId: t.orgId,
      cid: t.cid,
      data: {
        org_id: t.orgId,
        account_id: Number(created.account_id),
        customer_id: Number(customer.customer_id),
        entity_id: Number(entity.entity_id),
        is_owner: true,
        document_number: entity.document_number,
        name: entity.name,
      },
    });
    return { account: created, customer, entity };
  }

  /** Rules of an application as it would be processed: one 400 naming every bad field. */
  function checkApplication(app: Pick<ApplicationV3, 'applicant' | 'due_date'>, program: ProgramForAccounts) {
    const issues = [...applicantIssues(app.applicant), ...programIssues(app, program)];
    if (issues.length) throw AccountErrors.invalid(issues);
    if (program.status !== 'ACTIVE') throw AccountErrors.programRestriction([{ field: 'body.application.program_id', reason: `program is ${program.status}` }]);
  }

  /** Saves an application; a submitted one is processed at once into an account. */
  async function createApplication(t: TenantTx, body: CreateApplicationBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<ApplicationResponse> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /acquisitions/v3/s2s/applications', payload: body };
    const res = await maybeIdempotent(t.db, clock, once, async () => {
      const app = body.application;
      const { program, channelId } = await programOf(t, app);
      if (app.submit) checkApplication(app, program);
      else {
        const issues = applicantIssues(app.applicant);
        if (issues.length) throw AccountErrors.invalid(issues);
      }
      const now = clock.now();
      const status = app.submit ? 'APPROVED' : 'PROSPECT';
      let row = await repo.insertApplication(t.db, {
        org_id: t.orgId,
        program_id: program.programId,
        acquisition_channel_id: channelId,
        status: APPLICATION_STATUSES[status],
        status_name: status,
        due_date_id: app.due_date === undefined ? null : BigInt(app.due_date),
        program_calendar_strategy_id: app.program_calendar_strategy_id === undefined ? null : String(app.program_calendar_strategy_id),
        applicant: JSON.stringify(app.applicant),
        account_id: null,
        customer_id: null,
        entity_id: null,
        created_at: now,
        updated_at: now,
      });
      if (app.submit) {
        const opened = await openAccount(t, row, app.applicant, program, app.due_date);
        row = await repo.updateApplication(t.db, t.orgId, row.application_id, {
          account_id: opened.account.account_id,
          customer_id: opened.customer.customer_id,
          entity_id: opened.entity.entity_id,
        });
      }
      const def = app.submit ? AccountEvents.applicationCreated : AccountEvents.prospectCreated;
      await recordEvent(t.db, events, def, { orgId: t.orgId, cid: t.cid, data: applicationEvent(row, app.applicant) });
      return { status: 201, body: applicationBody(row) };
    }).catch((err: unknown) => {
      // Two applications for one document racing: the second insert meets the unique index.
      throw violates(err, 'accounts_one_per_document') ? AccountErrors.accountAlreadyCreated() : err;
    });
    return res.body;
  }

  /** Get account: the account, its owner, program and status, with the ledger's balances. */
  async function getAccount(t: TenantTx, accountId: string, opts: { showChildren?: boolean } = {}): Promise<Account> {
    const id = int8Id(accountId);
    const row = id === undefined ? undefined : await repo.accountView(t.db, t.orgId, id);
    if (!row || id === undefined) throw AccountErrors.accountNotFound(accountId);
    const facts = (await accountFacts(t, [accountId])).get(String(id))!;
    const currency = currencyByNumeric(row.currency_numeric_code);
    const money = (minor: bigint | null) => Money.ofMinor(minor ?? 0n, currency).toApiNumber();
    const balances = (await balanceSource?.(t, [facts]))?.get(String(id));
    const programs = await programSummaries(t, [row.program_id]);
    const program = programs.get(String(row.program_id));
    const mailing = await repo.mailingAddressId(t.db, t.orgId, id);
    const children = opts.showChildren ? await repo.descendants(t.db, t.orgId, id) : undefined;
    const credit = facts.programMode === 'credit';
    const limit = credit ? row.limit_minor : row.overdraft_limit_minor;
    const available = balances?.availableLimit ?? (credit ? (row.limit_minor ?? 0n) : (row.overdraft_limit_minor ?? 0n));
    return {
      account_id: Number(row.account_id),
      account_type: row.account_type,
      ...(row.account_name !== null ? { account_name: row.account_name } : {}),
      creation_date: row.created_on,
      is_centralizer: row.is_centralizer,
      ...(row.external_id !== null ? { external_id: row.external_id } : {}),
      ...(row.division_id !== null ? { division_id: Number(row.division_id) } : {}),
      ...(row.customer_id !== null ? { customer_id: Number(row.customer_id) } : {}),
      ...(row.parent_account_id !== null ? { parent_account_id: Number(row.parent_account_id) } : {}),
      ...(children ? { children: children.map(Number) } : {}),
      status: row.status_name,
      ...(row.status_reason_id !== null ? { status_reason_id: Number(row.status_reason_id) } : {}),
      ...(row.reason_name !== null ? { status_reason_description: (row.status_description ?? row.reason_name).slice(0, 80) } : {}),
      account_status_date: isoSeconds(row.status_changed_at),
      program_name: program?.name ?? '',
      program_type: program?.type ?? typeOfProgramId(row.program_type_id),
      program_id: Number(row.program_id),
      org: t.orgId,
      entity_type: row.entity_type,
      ...(row.entity_name !== null ? { name: row.entity_name } : {}),
      ...(row.entity_social_name !== null ? { social_name: row.entity_social_name } : {}),
      ...(row.entity_email !== null ? { email: row.entity_email } : {}),
      document_number: row.document_number,
      ...(mailing !== undefined ? { postal_address_type: Number(mailing) } : {}),
      ...(row.application_id !== null ? { acquisition_id: Number(row.application_id) } : {}),
      currency_numeric_code: row.currency_numeric_code,
      ...(credit ? { collections_status: 'NORMAL' } : {}),
      current_balance: money(balances?.currentBalance ?? 0n),
      available_withdrawal_credit: 0,
      available_monthly_credit: 0,
      available_total_installment_credit: credit ? money(available) : 0,
      withdrawal_credit_limit: 0,
      monthly_credit_limit: 0,
      total_installment_credit_limit: credit ? money(limit) : 0,
      total_credit_limit: credit ? money(row.limit_minor) : 0,
      max_credit_limit: credit ? money(row.granted_limit_minor) : 0,
      available_limit: money(available),
      blocked_amount: money(balances?.blockedAmount ?? 0n),
      ...(row.exchange_mode !== null ? { exchange_mode: row.exchange_mode } : {}),
      ...(row.due_date_id !== null ? { program_due_date_id: Number(row.due_date_id) } : {}),
      ...(row.custom_fields !== null ? { custom_fields: JSON.stringify(row.custom_fields) } : {}),
    };
  }

  /** Get account application: its status, the ids it made, and the applicant as sent (and patched). */
  async function getApplication(t: TenantTx, applicationId: string): Promise<ApplicationDetails> {
    const id = int8Id(applicationId);
    const row = id === undefined ? undefined : await repo.findApplication(t.db, t.orgId, id);
    if (!row) throw AccountErrors.applicationNotFound(applicationId);
    return {
      application_id: Number(row.application_id),
      ...(row.due_date_id !== null ? { program_due_date_id: Number(row.due_date_id) } : {}),
      program_id: Number(row.program_id),
      ...(row.acquisition_channel_id !== null ? { acquisition_channel_id: Number(row.acquisition_channel_id) } : {}),
      created_at: isoSeconds(row.created_at),
      application_status: row.status,
      application_status_name: row.status_name,
      ...(row.account_id !== null ? { account_id: Number(row.account_id) } : {}),
      ...(row.customer_id !== null ? { customer_id: Number(row.customer_id) } : {}),
      ...(row.entity_id !== null ? { entity_id: Number(row.entity_id) } : {}),
      application_form: row.applicant,
    };
  }

  /**
   * Update account application (a prospect only): the applicant is merged (objects field by
   * field; addresses and partners sent are added, as Pismo says; phones sent replace the list);
   * `submit` processes it into an account, `prospect_cancel` ends it.
   */
  async function updateApplication(
    t: TenantTx,
    applicationId: string,
    body: UpdateApplicationBody,
    ctx: Pick<RequestContext, 'idempotencyKey'>,
  ): Promise<ApplicationResponse> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'PATCH /acquisitions/v2/s2s/applications/{applicationId}', payload: { applicationId, body } };
    const res = await maybeIdempotent(t.db, clock, once, async () => {
      const id = int8Id(applicationId);
      let row = id === undefined ? undefined : await repo.lockApplication(t.db, t.orgId, id);
      if (!row || id === undefined) throw AccountErrors.applicationNotFound(applicationId);
      if (row.status_name !== 'PROSPECT') throw AccountErrors.applicationSubmitted(applicationId, row.status_name);
      const update = body.application ?? {};
      const stored = row.applicant as unknown as Applicant;
      const applicant = update.applicant ? mergeApplicant(stored, update.applicant) : stored;
      if (update.prospect_cancel === true) {
        row = await repo.updateApplication(t.db, t.orgId, id, {
          status: APPLICATION_STATUSES.CANCELED,
          status_name: 'CANCELED',
          applicant: JSON.stringify(applicant),
          updated_at: clock.now(),
        });
        return { status: 200, body: applicationBody(row) };
      }
      const issues = applicantIssues(applicant, 'body.application.applicant');
      if (issues.length) throw AccountErrors.invalid(issues);
      if (update.submit === true) {
        const program = await programForAccounts(t, row.program_id);
        if (!program) throw AccountErrors.programRestriction([{ field: 'body.application', reason: `program ${row.program_id} no longer exists` }]);
        const dueDate = row.due_date_id === null ? undefined : Number(row.due_date_id);
        checkApplication({ applicant, due_date: dueDate }, program);
        const opened = await openAccount(t, row, applicant, program, dueDate);
        row = await repo.updateApplication(t.db, t.orgId, id, {
          status: APPLICATION_STATUSES.APPROVED,
          status_name: 'APPROVED',
          applicant: JSON.stringify(applicant),
          account_id: opened.account.account_id,
          customer_id: opened.customer.customer_id,
          entity_id: opened.entity.entity_id,
          updated_at: clock.now(),
        });
        await recordEvent(t.db, events, AccountEvents.applicationCreated, { orgId: t.orgId, cid: t.cid, data: applicationEvent(row, applicant) });
      } else {
        row = await repo.updateApplication(t.db, t.orgId, id, { applicant: JSON.stringify(applicant), updated_at: clock.now() });
      }
      return { status: 200, body: applicationBody(row) };
    }).catch((err: unknown) => {
      throw violates(err, 'accounts_one_per_document') ? AccountErrors.accountAlreadyCreated() : err;
    });
    return res.body;
  }

  /** Update account: the fields sent; a new parent is an account of the program that is not below this one. */
  async function patchAccount(t: TenantTx, accountId: string, body: AccountPatch, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<void> {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'PATCH /accounts/v1/accounts/{accountId}', payload: { accountId, body } };
    await maybeIdempotent(t.db, clock, once, async () => {
      const id = int8Id(accountId);
      const acc = id === undefined ? undefined : await repo.lockAccount(t.db, t.orgId, id);
      if (!acc || id === undefined) throw AccountErrors.accountNotFound(accountId);
      const changes: Parameters<typeof repo.updateAccount>[3] = {};
      const changed: string[] = [];
      const issues: { field: string; reason: string }[] = [];
      if (body.custom_fields !== undefined) {
        if (Buffer.byteLength(JSON.stringify(body.custom_fields)) > 1014) issues.push({ field: 'body.custom_fields', reason: 'is longer than 1014 bytes' });
        changes.custom_fields = JSON.stringify(body.custom_fields);
        changed.push('custom_fields');
      }
      if (body.division_id !== undefined) {
        changes.division_id = BigInt(body.division_id);
        changed.push('division_id');
      }
      if (body.account_name !== undefined) {
        changes.account_name = body.account_name;
        changed.push('account_name');
      }
      if (body.centralizer !== undefined) {
        changes.is_centralizer = body.centralizer;
        changed.push('centralizer');
      }
      if (body.external_id !== undefined && body.external_id !== acc.external_id) {
        const other = await repo.accountOfExternalId(t.db, t.orgId, acc.program_id, body.external_id);
        if (other) issues.push({ field: 'body.external_id', reason: `is the external id of another account of program ${acc.program_id}` });
        changes.external_id = body.external_id;
        changed.push('external_id');
      }
      if (body.parent_account_id === null && acc.parent_account_id !== null) {
        if (acc.account_type === 'VIRTUAL') issues.push({ field: 'body.parent_account_id', reason: 'cannot be removed from a VIRTUAL account' });
        else if (await repo.accountOfDocument(t.db, t.orgId, acc.program_id, acc.document_number)) {
          issues.push({ field: 'body.parent_account_id', reason: `cannot be removed: the owner's document already has an account at the top of program ${acc.program_id}` });
        }
        changes.parent_account_id = null;
        changed.push('parent_account_id');
      } else if (typeof body.parent_account_id === 'number' && BigInt(body.parent_account_id) !== acc.parent_account_id) {
        const parentId = BigInt(body.parent_account_id);
        const parent = await repo.findAccount(t.db, t.orgId, parentId);
        if (!parent || parent.program_id !== acc.program_id) {
          issues.push({ field: 'body.parent_account_id', reason: `does not name an account of program ${acc.program_id}` });
        } else if (await repo.isSelfOrAncestor(t.db, t.orgId, id, parentId)) {
          issues.push({ field: 'body.parent_account_id', reason: 'names the account itself or one of its descendants' });
        }
        changes.parent_account_id = parentId;
        changed.push('parent_account_id');
      }
      if (issues.length) throw AccountErrors.invalid(issues);
      if (changed.length) {
        await repo.updateAccount(t.db, t.orgId, id, { ...changes, updated_at: clock.now() });
        await recordEvent(t.db, events, AccountEvents.accountChanged, {
          orgId: t.orgId,
          cid: t.cid,
          data: { org_id: t.orgId, account_id: Number(id), program_id: Number(acc.program_id), changed_fields: changed },
        });
      }
      return { status: 200, body: null };
    }).catch((err: unknown) => {
      throw violates(err, 'accounts_one_per_document')
        ? AccountErrors.invalid([{ field: 'body.parent_account_id', reason: "cannot be removed: the owner's document already has an account at the top of the program" }])
        : err;
    });
  }

  /** Acquisition channels of a program (404-free: an unknown program has none). */
  async function listChannels(t: TenantTx, programId: string, q: { page?: number; perPage?: number }) {
    const page = pageRequest(q.page, q.perPage);
    const id = int8Id(programId);
    const { rows, total } = id === undefined ? { rows: [], total: 0 } : await repo.listChannels(t.db, t.orgId, id, page);
    return pismoPage(page, total, rows.map((r) => ({ id: Number(r.channel_id), type: r.type, name: r.name })));
  }

  /** Lastro-only: registers an acquisition channel of a program (Pismo configures them on request). */
  async function createChannel(t: TenantTx, body: ChannelCreate, ctx: Pick<RequestContext, 'idempotencyKey'>) {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /lastro/v1/acquisition-channels', payload: body };
    const res = await maybeIdempotent(t.db, clock, once, async () => {
      const program = await programForAccounts(t, BigInt(body.program_id));
      if (!program) throw AccountErrors.invalid([{ field: 'body.program_id', reason: 'does not name a program of this org' }]);
      const row = await repo.insertChannel(t.db, { org_id: t.orgId, program_id: program.programId, type: body.type, name: body.name, created_at: clock.now() });
      return { status: 201, body: { id: Number(row.channel_id), type: row.type, name: row.name, program_id: Number(row.program_id) } };
    });
    return res.body;
  }

  /** List accounts by document number: 404 "Account not found" when none matches. */
  async function searchByDocument(t: TenantTx, body: SearchByDocument, q: { page?: number; perPage?: number }) {
    const page = pageRequest(q.page, q.perPage);
    const rows = await repo.searchByDocument(
      t.db,
      t.orgId,
      {
        documentNumber: body.document_number,
        ...(body.program_id !== undefined ? { programId: BigInt(body.program_id) } : {}),
        ...(body.account_status !== undefined ? { status: body.account_status } : {}),
      },
      page,
    );
    if (rows.length === 0 && page.page === 1) throw AccountErrors.accountNotFound(`document ${body.document_number}`, 'Account not found');
    return rows.map((r) => ({
      account_id: Number(r.account_id),
      ...(r.customer_id !== null ? { customer_id: Number(r.customer_id) } : {}),
      account_status: r.status,
      ...(r.application_id !== null ? { acquisition_id: Number(r.application_id) } : {}),
      program_id: Number(r.program_id),
    }));
  }

  /** List accounts by phone number, by cursor (the last account id of the page). */
  async function searchByPhone(t: TenantTx, body: SearchByPhone, q: { nextCursor?: string; maxItems?: number }): Promise<AccountsOfPhone> {
    let after = 0n;
    if (q.nextCursor !== undefined) {
      try {
        after = decodeCursor(q.nextCursor, 1, 'query.nextCursor')[0]!;
      } catch {
        throw AccountErrors.invalidCursor();
      }
    }
    const limit = q.maxItems ?? 200;
    const phone = body.phone;
    const rows = await repo.searchByPhone(
      t.db,
      t.orgId,
      {
        number: phone.number,
        ...(phone.area_code !== undefined ? { areaCode: Number(phone.area_code) } : {}),
        ...(phone.country_code !== undefined ? { countryCode: phone.country_code } : {}),
      },
      after,
      limit + 1,
    );
    const page = cursorPage(rows, limit, (r) => [r.account_id]);
    return {
      ...(page.next_cursor !== undefined ? { next_cursor: page.next_cursor } : {}),
      has_next: page.next_cursor !== undefined,
      count: page.items.length,
      items: page.items.map((r) => ({
        account_id: Number(r.account_id),
        ...(r.external_id !== null ? { account_external_id: r.external_id } : {}),
        is_centralizer: r.is_centralizer,
        entities: [{ entity_id: Number(r.entity_id) }],
      })),
    };
  }

  return {
    searchByDocument,
    searchByPhone,
    createApplication,
    getApplication,
    updateApplication,
    getAccount,
    patchAccount,
    listChannels,
    createChannel,
    openAccount,
    checkApplication,
    programOf,
    applicationBody,
    applicationEvent,
  };
}

/** The stored applicant with an update merged in (see updateApplication). */
function mergeApplicant(stored: Applicant, update: Applicant): Applicant {
  const merged: Applicant = { ...stored, ...update };
  if (stored.personal && update.personal) merged.personal = { ...stored.personal, ...update.personal };
  if (stored.company && update.company) {
    merged.company = { ...stored.company, ...update.company, partners: [...(stored.company.partners ?? []), ...(update.company.partners ?? [])] };
    if (!merged.company.partners?.length) delete merged.company.partners;
  }
  if (stored.account && update.account) merged.account = { ...stored.account, ...update.account };
  if (stored.addresses || update.addresses) merged.addresses = [...(stored.addresses ?? []), ...(update.addresses ?? [])];
  // Pismo: the main address is the last one sent with mailing_address true.
  const mailing = merged.addresses?.map((a) => a.mailing_address === true).lastIndexOf(true) ?? -1;
  if (merged.addresses && mailing >= 0) merged.addresses = merged.addresses.map((a, i) => (a.mailing_address && i !== mailing ? { ...a, mailing_address: false } : a));
  return merged;
}

export type { ProgramType };

/** The account's descendants (children, their children, up to three levels), by id: Balances and limits' related accounts. */
export async function accountDescendants(t: TenantTx, accountId: string): Promise<string[]> {
  const id = int8Id(accountId);
  return id === undefined ? [] : (await repo.descendants(t.db, t.orgId, id)).map(String);
}

/** Whether the customer is one of the account's: Transactions' customerId filter. */
export async function isCustomerOfAccount(t: TenantTx, accountId: string, customerId: string): Promise<boolean> {
  const account = int8Id(accountId);
  const customer = int8Id(customerId);
  return account !== undefined && customer !== undefined && repo.isCustomerOf(t.db, t.orgId, account, customer);
}
