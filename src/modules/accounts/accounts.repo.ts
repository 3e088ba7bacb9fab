// SQL for accounts, their applications, owners (entities and customers), statuses, reasons and
// status history. Every function takes the transaction and the org id, and filters on it.
import { CompiledQuery, sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { offsetPage } from '../../platform/db/paging.js';
import { ascendingIds, probeByKey, PROBE_IDS } from '../../platform/db/probes.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import type { PageRequest } from '../../platform/paging.js';

export type AllowedOps = 'ALL_OPERATIONS' | 'CREDIT_ONLY' | 'DEBIT_ONLY' | 'NO_OPERATIONS';

export interface AccountStatusesTable {
  org_id: string;
  status_id: Generated<bigint>;
  name: string;
  description: string | null;
  allowed_operations: AllowedOps;
  is_final: boolean;
  state: 'ACTIVE' | 'INACTIVE';
  built_in: boolean;
  created_at: Timestamp;
}

export interface AccountStatusReasonsTable {
  org_id: string;
  reason_id: Generated<bigint>;
  name: string;
  description: string | null;
  allowed_operations: AllowedOps | null;
  external_id: string | null;
  state: 'ACTIVE' | 'INACTIVE';
  created_at: Timestamp;
}

export interface AcquisitionChannelsTable {
  org_id: string;
  channel_id: Generated<bigint>;
  program_id: bigint;
  type: string;
  name: string;
  created_at: Timestamp;
}

export interface AccountEntitiesTable {
  org_id: string;
  entity_id: Generated<bigint>;
  entity_type: 'INDIVIDUAL' | 'COMPANY';
  document_number: string;
  name: string | null;
  social_name: string | null;
  email: string | null;
  birth_date: string | null;
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ApplicationStatusName = 'PROSPECT' | 'REGISTERED' | 'APPROVED' | 'DENIED' | 'CANCELED';

export interface AccountApplicationsTable {
  org_id: string;
  application_id: Generated<bigint>;
  program_id: bigint;
  acquisition_channel_id: bigint | null;
  status: number;
  status_name: ApplicationStatusName;
  due_date_id: bigint | null;
  program_calendar_strategy_id: string | null;
  applicant: Json<Record<string, unknown>>;
  account_id: bigint | null;
  customer_id: bigint | null;
  entity_id: bigint | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountsTable {
  org_id: string;
  account_id: Generated<bigint>;
  program_id: bigint;
  program_type_id: number;
  application_id: bigint | null;
  entity_id: bigint;
  document_number: string;
  status_id: bigint;
  status_reason_id: bigint | null;
  status_description: string | null;
  status_changed_at: Timestamp;
  account_type: 'PHYSICAL' | 'VIRTUAL';
  parent_account_id: bigint | null;
  external_id: string | null;
  account_name: string | null;
  currency_numeric_code: string;
  currency: string;
  granted_limit_minor: bigint | null;
  limit_minor: bigint | null;
  overdraft_limit_minor: bigint | null;
  exchange_mode: 'SAME_DAY' | 'CLOSING' | null;
  division_id: bigint | null;
  is_centralizer: boolean;
  due_date_id: bigint | null;
  custom_fields: Json<Record<string, unknown>> | null;
  created_on: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountCustomersTable {
  org_id: string;
  customer_id: Generated<bigint>;
  account_id: bigint;
  entity_id: bigint;
  is_owner: boolean;
  is_active: Generated<boolean>;
  document_number: string;
  email: string | null;
  printed_name: string | null;
  social_name: string | null;
  nickname: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountAddressesTable {
  org_id: string;
  address_id: Generated<bigint>;
  account_id: bigint;
  entity_id: bigint;
  address: string;
  number: string | null;
  address1: string | null;
  complementary_address: string | null;
  neighborhood: string | null;
  city: string;
  state: string;
  country: string;
  zip_code: string;
  address_type: 'RESIDENTIAL' | 'COMMERCIAL' | 'OTHER';
  mailing_address: boolean;
  active: Generated<boolean>;
  custom_fields: Json<Record<string, unknown>> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountPhonesTable {
  org_id: string;
  phone_id: Generated<bigint>;
  account_id: bigint;
  entity_id: bigint;
  phone: string;
  phone_type: 'RESIDENTIAL' | 'COMMERCIAL' | 'MOBILE';
  country_code: string;
  area_code: number | null;
  extension: string | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountParametersTable {
  org_id: string;
  account_id: bigint;
  parameter_id: bigint;
  id: Generated<bigint>;
  name: string | null;
  description: string | null;
  value: string;
  valid_from: Timestamp;
  valid_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface AccountStatusHistoryTable {
  org_id: string;
  history_id: Generated<bigint>;
  account_id: bigint;
  status_id: bigint;
  reason_id: bigint | null;
  description: string | null;
  kind: 'CREATION' | 'CHANGE' | 'ROLLBACK';
  undoes: bigint | null;
  actor: string;
  changed_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    account_statuses: AccountStatusesTable;
    account_status_reasons: AccountStatusReasonsTable;
    acquisition_channels: AcquisitionChannelsTable;
    account_entities: AccountEntitiesTable;
    account_applications: AccountApplicationsTable;
    accounts: AccountsTable;
    account_customers: AccountCustomersTable;
    account_addresses: AccountAddressesTable;
    account_phones: AccountPhonesTable;
    account_parameters: AccountParametersTable;
    account_status_history: AccountStatusHistoryTable;
  }
}

export type StatusRow = Selectable<AccountStatusesTable>;
export type ReasonRow = Selectable<AccountStatusReasonsTable>;
export type ChannelRow = Selectable<AcquisitionChannelsTable>;
export type EntityRow = Selectable<AccountEntitiesTable>;
export type ApplicationRow = Selectable<AccountApplicationsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type CustomerRow = Selectable<AccountCustomersTable>;
export type AddressRow = Selectable<AccountAddressesTable>;
export type PhoneRow = Selectable<AccountPhonesTable>;
export type ParameterRow = Selectable<AccountParametersTable>;
export type HistoryRow = Selectable<AccountStatusHistoryTable>;

// ---- statuses and reasons ---------------------------------------------------------------------

export const insertStatus = (tx: Tx, row: Insertable<AccountStatusesTable>) =>
  tx.insertInto('account_statuses').values(row).returningAll().executeTakeFirstOrThrow();

/** Inserts the statuses whose names the org does not have yet (the org setup's built-ins). */
export const insertMissingStatuses = (tx: Tx, rows: Insertable<AccountStatusesTable>[]) =>
  rows.length
    ? tx
        .insertInto('account_statuses')
        .values(rows)
        .onConflict((oc) => oc.columns(['org_id', 'name']).doNothing())
        .execute()
    : Promise.resolve([]);

export const findStatusByName = (tx: Tx, orgId: string, name: string) =>
  tx.selectFrom('account_statuses').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();

export const findStatus = (tx: Tx, orgId: string, statusId: bigint) =>
  tx.selectFrom('account_statuses').selectAll().where('org_id', '=', orgId).where('status_id', '=', statusId).executeTakeFirst();

export async function listStatuses(
  tx: Tx,
  orgId: string,
  filter: { name?: string; states: ('ACTIVE' | 'INACTIVE')[] },
  page: PageRequest,
): Promise<{ rows: StatusRow[]; total: number }> {
  let q = tx.selectFrom('account_statuses').where('org_id', '=', orgId).where('state', 'in', filter.states);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  return offsetPage(q, q.selectAll().orderBy('status_id'), page);
}

export const insertReason = (tx: Tx, row: Insertable<AccountStatusReasonsTable>) =>
  tx.insertInto('account_status_reasons').values(row).returningAll().executeTakeFirstOrThrow();

export const findReason = (tx: Tx, orgId: string, reasonId: bigint) =>
  tx.selectFrom('account_status_reasons').selectAll().where('org_id', '=', orgId).where('reason_id', '=', reasonId).executeTakeFirst();

export async function listReasons(
  tx: Tx,
  orgId: string,
  filter: { name?: string; states: ('ACTIVE' | 'INACTIVE')[] },
  page: PageRequest,
): Promise<{ rows: ReasonRow[]; total: number }> {
  let q = tx.selectFrom('account_status_reasons').where('org_id', '=', orgId).where('state', 'in', filter.states);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  return offsetPage(q, q.selectAll().orderBy('reason_id'), page);
}

// ---- acquisition channels ----------------------------------------------------------------------

export const findChannel = (tx: Tx, orgId: string, channelId: bigint) =>
  tx.selectFrom('acquisition_channels').selectAll().where('org_id', '=', orgId).where('channel_id', '=', channelId).executeTakeFirst();

export const insertChannel = (tx: Tx, row: Insertable<AcquisitionChannelsTable>) =>
  tx.insertInto('acquisition_channels').values(row).returningAll().executeTakeFirstOrThrow();

export async function listChannels(tx: Tx, orgId: string, programId: bigint, page: PageRequest): Promise<{ rows: ChannelRow[]; total: number }> {
  const q = tx.selectFrom('acquisition_channels').where('org_id', '=', orgId).where('program_id', '=', programId);
  return offsetPage(q, q.selectAll().orderBy('channel_id'), page);
}

// ---- applications ------------------------------------------------------------------------------

export const insertApplication = (tx: Tx, row: Insertable<AccountApplicationsTable>) =>
  tx.insertInto('account_applications').values(row).returningAll().executeTakeFirstOrThrow();

export const findApplication = (tx: Tx, orgId: string, applicationId: bigint) =>
  tx
    .selectFrom('account_applications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('application_id', '=', applicationId)
    .executeTakeFirst();

/** The application, locked: concurrent patches and submits apply one after another. */
export const lockApplication = (tx: Tx, orgId: string, applicationId: bigint) =>
  tx
    .selectFrom('account_applications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('application_id', '=', applicationId)
    .forUpdate()
    .executeTakeFirst();

export const updateApplication = (tx: Tx, orgId: string, applicationId: bigint, changes: Updateable<AccountApplicationsTable>) =>
  tx
    .updateTable('account_applications')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('application_id', '=', applicationId)
    .returningAll()
    .executeTakeFirstOrThrow();

// ---- entities, accounts, customers -------------------------------------------------------------

export const insertEntity = (tx: Tx, row: Insertable<AccountEntitiesTable>) =>
  tx.insertInto('account_entities').values(row).returningAll().executeTakeFirstOrThrow();

export const findEntity = (tx: Tx, orgId: string, entityId: bigint) =>
  tx.selectFrom('account_entities').selectAll().where('org_id', '=', orgId).where('entity_id', '=', entityId).executeTakeFirst();

export const updateEntity = (tx: Tx, orgId: string, entityId: bigint, changes: Updateable<AccountEntitiesTable>) =>
  tx.updateTable('account_entities').set(changes).where('org_id', '=', orgId).where('entity_id', '=', entityId).returningAll().executeTakeFirstOrThrow();

export const insertAccount = (tx: Tx, row: Insertable<AccountsTable>) =>
  tx.insertInto('accounts').values(row).returningAll().executeTakeFirstOrThrow();

export const findAccount = (tx: Tx, orgId: string, accountId: bigint) =>
  tx.selectFrom('accounts').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId).executeTakeFirst();

/** The account, locked FOR UPDATE: a status change or an update waits for money movements holding it FOR SHARE. */
export const lockAccount = (tx: Tx, orgId: string, accountId: bigint) =>
  tx.selectFrom('accounts').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId).forUpdate().executeTakeFirst();

export const updateAccount = (tx: Tx, orgId: string, accountId: bigint, changes: Updateable<AccountsTable>) =>
  tx.updateTable('accounts').set(changes).where('org_id', '=', orgId).where('account_id', '=', accountId).returningAll().executeTakeFirstOrThrow();

/** Whether the program already has an account (not a child account) for the document. */
export const accountOfDocument = (tx: Tx, orgId: string, programId: bigint, documentNumber: string) =>
  tx
    .selectFrom('accounts')
    .select('account_id')
    .where('org_id', '=', orgId)
    .where('program_id', '=', programId)
    .where('document_number', '=', documentNumber)
    .where('parent_account_id', 'is', null)
    .executeTakeFirst();

/**
 * Does the org have this account? (The token check, on every account-scoped request: one probe of
 * the account id's own unique index, no row lock; the org a filter, as probeByKey.)
 */
export const accountExists = async (tx: Tx, orgId: string, accountId: bigint): Promise<boolean> =>
  (await tx.executeQuery(accountExistsQuery(orgId, accountId))).rows[0]?.found === true;

/** accountExists's statement. */
export const accountExistsQuery = (orgId: string, accountId: bigint): CompiledQuery<{ found: boolean }> =>
  CompiledQuery.raw(ACCOUNT_EXISTS, [String(accountId), orgId]);
const ACCOUNT_EXISTS = 'select exists (select 1 from accounts where account_id = $1::bigint and (org_id = $2) is true) as found';

/**
 * What the ledger needs of accounts: the account, its program's type and its status; `share` locks
 * the accounts FOR SHARE. One unique-index probe per id, in ascending id order, whatever the
 * table's statistics (platform/db/probes.ts); ids are locked in that order, so two callers locking
 * the same accounts never deadlock on them. The status is a probe of each account's row too: as a
 * plain join, PostgreSQL could loop over the org's statuses outside and probe every account once
 * per status.
 */
export function accountFactsQuery(orgId: string, ids: bigint[], share: boolean): CompiledQuery<AccountFactsRow> {
  return CompiledQuery.raw(share ? FACTS_SHARE : FACTS, [orgId, ascendingIds(ids)]);
}

const factsSql = (share: boolean) => `select a.account_id, a.program_id, a.program_type_id, a.currency, a.currency_numeric_code,
    s.name as status, s.allowed_operations, s.is_final, a.account_type, a.parent_account_id,
    a.granted_limit_minor, a.limit_minor, a.overdraft_limit_minor
  from ${PROBE_IDS} ${probeByKey('accounts', 'a', 'account_id')}
  cross join lateral (select * from account_statuses s where s.org_id = $1 and s.status_id = a.status_id offset 0) s${share ? '\n  for share of a' : ''}`;
const FACTS = factsSql(false);
const FACTS_SHARE = factsSql(true);

export type AccountFactsRow = Pick<
  Selectable<AccountsTable>,
  | 'account_id'
  | 'program_id'
  | 'program_type_id'
  | 'currency'
  | 'currency_numeric_code'
  | 'account_type'
  | 'parent_account_id'
  | 'granted_limit_minor'
  | 'limit_minor'
  | 'overdraft_limit_minor'
> &
  Pick<Selectable<AccountStatusesTable>, 'allowed_operations' | 'is_final'> & { status: string };

export async function accountFactsRows(tx: Tx, orgId: string, ids: bigint[], share: boolean): Promise<AccountFactsRow[]> {
  if (ids.length === 0) return [];
  return (await tx.executeQuery(accountFactsQuery(orgId, ids, share))).rows;
}

/** Everything GET /accounts/v1/accounts/{id} shows, in one read. */
export async function accountView(tx: Tx, orgId: string, accountId: bigint) {
  return tx
    .selectFrom('accounts as a')
    .innerJoin('account_statuses as s', (j) => j.onRef('s.org_id', '=', 'a.org_id').onRef('s.status_id', '=', 'a.status_id'))
    .innerJoin('account_entities as e', (j) => j.onRef('e.org_id', '=', 'a.org_id').onRef('e.entity_id', '=', 'a.entity_id'))
    .leftJoin('account_status_reasons as r', (j) => j.onRef('r.org_id', '=', 'a.org_id').onRef('r.reason_id', '=', 'a.status_reason_id'))
    .leftJoin('account_customers as c', (j) => j.onRef('c.org_id', '=', 'a.org_id').onRef('c.account_id', '=', 'a.account_id').on('c.is_owner', '=', true))
    .selectAll('a')
    .select([
      's.name as status_name',
      'r.name as reason_name',
      'e.entity_type',
      'e.name as entity_name',
      'e.social_name as entity_social_name',
      'e.email as entity_email',
      'c.customer_id',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.account_id', '=', accountId)
    .executeTakeFirst();
}

/** Descendants of an account, up to three levels (children, grandchildren, great-grandchildren). */
export async function descendants(tx: Tx, orgId: string, accountId: bigint): Promise<bigint[]> {
  const { rows } = await sql<{ account_id: string }>`
    with recursive tree (account_id, depth) as (
      select account_id, 1 from accounts where org_id = ${orgId} and parent_account_id = ${accountId}
      union all
      select a.account_id, t.depth + 1 from accounts a join tree t on a.parent_account_id = t.account_id
      where a.org_id = ${orgId} and t.depth < 3
    )
    select account_id from tree order by account_id`.execute(tx);
  return rows.map((r) => BigInt(r.account_id));
}

/** The mailing address's id of an account, if it has one. */
export const mailingAddressId = async (tx: Tx, orgId: string, accountId: bigint): Promise<bigint | undefined> =>
  (
    await tx
      .selectFrom('account_addresses')
      .select('address_id')
      .where('org_id', '=', orgId)
      .where('account_id', '=', accountId)
      .where('mailing_address', '=', true)
      .orderBy('address_id')
      .executeTakeFirst()
  )?.address_id;

export const insertCustomer = (tx: Tx, row: Insertable<AccountCustomersTable>) =>
  tx.insertInto('account_customers').values(row).returningAll().executeTakeFirstOrThrow();

export const insertAddresses = (tx: Tx, rows: Insertable<AccountAddressesTable>[]) =>
  rows.length ? tx.insertInto('account_addresses').values(rows).returningAll().execute() : Promise.resolve([] as AddressRow[]);

export const insertPhones = (tx: Tx, rows: Insertable<AccountPhonesTable>[]) =>
  rows.length ? tx.insertInto('account_phones').values(rows).returningAll().execute() : Promise.resolve([] as PhoneRow[]);

export const insertHistory = (tx: Tx, row: Insertable<AccountStatusHistoryTable>) =>
  tx.insertInto('account_status_history').values(row).returningAll().executeTakeFirstOrThrow();

/** Accounts of the org, locked FOR UPDATE in account id order (a status change with its children). */
export const lockAccounts = async (tx: Tx, orgId: string, ids: bigint[]): Promise<AccountRow[]> =>
  ids.length ? (await tx.executeQuery<AccountRow>(CompiledQuery.raw(LOCK_ACCOUNTS, [orgId, ascendingIds(ids)]))).rows : [];
// One probe per id (platform/db/probes.ts), locked in account id order.
const LOCK_ACCOUNTS = `select a.* from ${PROBE_IDS} ${probeByKey('accounts', 'a', 'account_id')} order by a.account_id for update of a`;

/** Whether `accountId` is `candidate` or one of its ancestors (linking candidate as its parent would close a loop). */
export async function isSelfOrAncestor(tx: Tx, orgId: string, accountId: bigint, candidate: bigint): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    with recursive up (account_id, parent_account_id, depth) as (
      select account_id, parent_account_id, 0 from accounts where org_id = ${orgId} and account_id = ${candidate}
      union all
      select a.account_id, a.parent_account_id, u.depth + 1 from accounts a join up u on a.account_id = u.parent_account_id
      where a.org_id = ${orgId} and u.depth < 64
    )
    select exists (select 1 from up where account_id = ${accountId}) as found`.execute(tx);
  return rows[0]?.found === true;
}

/** Another account of the program with this external id, if any. */
export const accountOfExternalId = (tx: Tx, orgId: string, programId: bigint, externalId: string) =>
  tx
    .selectFrom('accounts')
    .select('account_id')
    .where('org_id', '=', orgId)
    .where('program_id', '=', programId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();

export const findReasonByName = (tx: Tx, orgId: string, name: string) =>
  tx.selectFrom('account_status_reasons').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();

/** Accounts whose owner has the document (List accounts by document number), oldest first. */
export async function searchByDocument(
  tx: Tx,
  orgId: string,
  filter: { documentNumber: string; programId?: bigint; status?: string },
  page: PageRequest,
) {
  let q = tx
    .selectFrom('accounts as a')
    .innerJoin('account_statuses as s', (j) => j.onRef('s.org_id', '=', 'a.org_id').onRef('s.status_id', '=', 'a.status_id'))
    .leftJoin('account_customers as c', (j) => j.onRef('c.org_id', '=', 'a.org_id').onRef('c.account_id', '=', 'a.account_id').on('c.is_owner', '=', true))
    .where('a.org_id', '=', orgId)
    .where('a.document_number', '=', filter.documentNumber);
  if (filter.programId !== undefined) q = q.where('a.program_id', '=', filter.programId);
  if (filter.status !== undefined) q = q.where('s.name', '=', filter.status);
  return q
    .select(['a.account_id', 'c.customer_id', 's.name as status', 'a.application_id', 'a.program_id'])
    .orderBy('a.account_id')
    .limit(page.size)
    .offset(page.offset)
    .execute();
}

/** Accounts with a phone of this number (List accounts by phone number), after `afterAccountId`, in account id order. */
export async function searchByPhone(
  tx: Tx,
  orgId: string,
  phone: { number: string; areaCode?: number; countryCode?: string },
  afterAccountId: bigint,
  limit: number,
) {
  let phones = tx
    .selectFrom('account_phones as p')
    .select('p.account_id')
    .where('p.org_id', '=', orgId)
    .where('p.phone', '=', phone.number)
    .where('p.account_id', '>', afterAccountId);
  if (phone.areaCode !== undefined) phones = phones.where('p.area_code', '=', phone.areaCode);
  if (phone.countryCode !== undefined) phones = phones.where('p.country_code', '=', phone.countryCode);
  return tx
    .selectFrom('accounts as a')
    .select(['a.account_id', 'a.external_id', 'a.is_centralizer', 'a.entity_id'])
    .where('a.org_id', '=', orgId)
    .where('a.account_id', 'in', phones)
    .orderBy('a.account_id')
    .limit(limit)
    .execute();
}

/** Whether the customer is one of the account's (its owner or an additional customer). */
export const isCustomerOf = async (tx: Tx, orgId: string, accountId: bigint, customerId: bigint): Promise<boolean> =>
  (await tx
    .selectFrom('account_customers')
    .select('customer_id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst()) !== undefined;
