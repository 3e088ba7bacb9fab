// SQL for an account's customers, addresses, phones and parameters (the tables are declared in
// accounts.repo.ts). Every function takes the transaction and the org id, and filters on it.
import type { Insertable, Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { PageRequest } from '../../platform/paging.js';
import type { AccountAddressesTable, AccountCustomersTable, AccountParametersTable, AccountPhonesTable } from './accounts.repo.js';

// ---- customers ---------------------------------------------------------------------------------

/** A customer with its entity (and its account's program). */
export const customerView = (tx: Tx, orgId: string, customerId: bigint) =>
  tx
    .selectFrom('account_customers as c')
    .innerJoin('account_entities as e', (j) => j.onRef('e.org_id', '=', 'c.org_id').onRef('e.entity_id', '=', 'c.entity_id'))
    .innerJoin('accounts as a', (j) => j.onRef('a.org_id', '=', 'c.org_id').onRef('a.account_id', '=', 'c.account_id'))
    .selectAll('c')
    .select([
      'a.program_id',
      'e.entity_type',
      'e.name as entity_name',
      'e.social_name as entity_social_name',
      'e.email as entity_email',
      'e.birth_date',
      'e.details',
    ])
    .where('c.org_id', '=', orgId)
    .where('c.customer_id', '=', customerId)
    .executeTakeFirst();
export type CustomerView = NonNullable<Awaited<ReturnType<typeof customerView>>>;

/** The customer, locked FOR UPDATE (an overwrite, a detail update, an owner change). */
export const lockCustomer = (tx: Tx, orgId: string, customerId: bigint) =>
  tx.selectFrom('account_customers').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).forUpdate().executeTakeFirst();

export const customerOfDocument = (tx: Tx, orgId: string, accountId: bigint, documentNumber: string) =>
  tx
    .selectFrom('account_customers')
    .select('customer_id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('document_number', '=', documentNumber)
    .executeTakeFirst();

export const ownerOf = (tx: Tx, orgId: string, accountId: bigint) =>
  tx.selectFrom('account_customers').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId).where('is_owner', '=', true).executeTakeFirst();

export const updateCustomer = (tx: Tx, orgId: string, customerId: bigint, changes: Updateable<AccountCustomersTable>) =>
  tx.updateTable('account_customers').set(changes).where('org_id', '=', orgId).where('customer_id', '=', customerId).returningAll().executeTakeFirstOrThrow();

export async function listCustomers(tx: Tx, orgId: string, accountId: bigint, filter: { isOwner?: boolean; entityId?: bigint }, page: PageRequest) {
  let q = tx.selectFrom('account_customers').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId);
  if (filter.isOwner !== undefined) q = q.where('is_owner', '=', filter.isOwner);
  if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
  return q.orderBy('customer_id').limit(page.size).offset(page.offset).execute();
}

// ---- addresses ---------------------------------------------------------------------------------

export const insertAddress = (tx: Tx, row: Insertable<AccountAddressesTable>) =>
  tx.insertInto('account_addresses').values(row).returningAll().executeTakeFirstOrThrow();

/** Addresses of an account (optionally one, of one entity, or only active or inactive ones), oldest first. */
export async function listAddresses(tx: Tx, orgId: string, accountId: bigint, filter: { active?: boolean; entityId?: bigint; addressId?: bigint } = {}) {
  let q = tx.selectFrom('account_addresses').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId);
  if (filter.active !== undefined) q = q.where('active', '=', filter.active);
  if (filter.addressId !== undefined) q = q.where('address_id', '=', filter.addressId);
  if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
  return q.orderBy('address_id').execute();
}

export const lockAddress = (tx: Tx, orgId: string, accountId: bigint, addressId: bigint) =>
  tx
    .selectFrom('account_addresses')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('address_id', '=', addressId)
    .forUpdate()
    .executeTakeFirst();

export const updateAddress = (tx: Tx, orgId: string, addressId: bigint, changes: Updateable<AccountAddressesTable>) =>
  tx.updateTable('account_addresses').set(changes).where('org_id', '=', orgId).where('address_id', '=', addressId).returningAll().executeTakeFirstOrThrow();

/** Clears the mailing flag of the account's other addresses (one mailing address per account). */
export const clearMailing = (tx: Tx, orgId: string, accountId: bigint, exceptAddressId: bigint) =>
  tx
    .updateTable('account_addresses')
    .set({ mailing_address: false })
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('address_id', '<>', exceptAddressId)
    .where('mailing_address', '=', true)
    .execute();

// ---- phones ------------------------------------------------------------------------------------

export const insertPhone = (tx: Tx, row: Insertable<AccountPhonesTable>) => tx.insertInto('account_phones').values(row).returningAll().executeTakeFirstOrThrow();

/** Phones of an account with the customer of their entity on it, oldest first. */
export async function listPhones(tx: Tx, orgId: string, accountId: bigint, filter: { type?: string; active?: boolean; entityId?: bigint; phoneId?: bigint } = {}) {
  let q = tx
    .selectFrom('account_phones as p')
    .leftJoin('account_customers as c', (j) =>
      j.onRef('c.org_id', '=', 'p.org_id').onRef('c.account_id', '=', 'p.account_id').onRef('c.entity_id', '=', 'p.entity_id'),
    )
    .selectAll('p')
    .select('c.customer_id')
    .where('p.org_id', '=', orgId)
    .where('p.account_id', '=', accountId);
  if (filter.type !== undefined) q = q.where('p.phone_type', '=', filter.type as 'MOBILE');
  if (filter.active !== undefined) q = q.where('p.active', '=', filter.active);
  if (filter.entityId !== undefined) q = q.where('p.entity_id', '=', filter.entityId);
  if (filter.phoneId !== undefined) q = q.where('p.phone_id', '=', filter.phoneId);
  return q.orderBy('p.phone_id').execute();
}
export type PhoneView = Awaited<ReturnType<typeof listPhones>>[number];

export const lockPhone = (tx: Tx, orgId: string, accountId: bigint, phoneId: bigint) =>
  tx.selectFrom('account_phones').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId).where('phone_id', '=', phoneId).forUpdate().executeTakeFirst();

/** An active phone of the account with the same number (Pismo: "Phone number already exists"). */
export async function samePhone(tx: Tx, orgId: string, accountId: bigint, phone: { number: string; areaCode: number | null; countryCode: string }, exceptPhoneId?: bigint) {
  let q = tx
    .selectFrom('account_phones')
    .select('phone_id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('active', '=', true)
    .where('phone', '=', phone.number)
    .where('country_code', '=', phone.countryCode);
  q = phone.areaCode === null ? q.where('area_code', 'is', null) : q.where('area_code', '=', phone.areaCode);
  if (exceptPhoneId !== undefined) q = q.where('phone_id', '<>', exceptPhoneId);
  return q.executeTakeFirst();
}

export const updatePhone = (tx: Tx, orgId: string, phoneId: bigint, changes: Updateable<AccountPhonesTable>) =>
  tx.updateTable('account_phones').set(changes).where('org_id', '=', orgId).where('phone_id', '=', phoneId).returningAll().executeTakeFirstOrThrow();

// ---- parameters --------------------------------------------------------------------------------

export const listParameters = (tx: Tx, orgId: string, accountId: bigint) =>
  tx.selectFrom('account_parameters').selectAll().where('org_id', '=', orgId).where('account_id', '=', accountId).orderBy('parameter_id').execute();

export const findParameter = (tx: Tx, orgId: string, accountId: bigint, parameterId: bigint) =>
  tx
    .selectFrom('account_parameters')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('parameter_id', '=', parameterId)
    .executeTakeFirst();

/** Sets the account's value of a parameter: the first set starts its validity. */
export const upsertParameter = (tx: Tx, row: Insertable<AccountParametersTable>) =>
  tx
    .insertInto('account_parameters')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'account_id', 'parameter_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })))
    .returningAll()
    .executeTakeFirstOrThrow();
