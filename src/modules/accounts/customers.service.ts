// An account's customers (the owner among them), addresses, phones and parameters, after the
// account is open. Each customer has its own entity (its person or company data); the account's
// owner entity follows the owner. Writes lock the account (or the row) they change, so owner
// changes, customer documents and phone numbers are decided one at a time per account.
import type { RequestContext } from '../../platform/context.js';
import { violates } from '../../platform/db/database.js';
import type { FieldIssue } from '../../platform/errors.js';
import { maybeIdempotent, type StoredResponse } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { pageRequest } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';
import { AccountErrors } from './accounts.errors.js';
import { AccountEvents } from './accounts.events.js';
import * as accounts from './accounts.repo.js';
import * as repo from './customers.repo.js';
import {
  COMPANY_ONLY,
  PERSON_ONLY,
  type Address,
  type AddressCreate,
  type AddressPatch,
  type CustomerCreate,
  type CustomerCreated,
  type CustomerDetailPatch,
  type CustomerDetailResponse,
  type CustomerDetails,
  type CustomerListQuery,
  type CustomerOverwrite,
  type CustomerPage,
  type Parameter,
  type ParameterUpdate,
  type Phone,
  type PhoneCreate,
  type PhonePatch,
} from './customers.schemas.js';

type Ctx = Pick<RequestContext, 'idempotencyKey'>;
type Details = Record<string, unknown>;

/** dd/MM/yyyy to yyyy-mm-dd, or an issue when it names no day. */
export function isoOfDayMonthYear(value: string, field: string, issues: FieldIssue[]): string | undefined {
  const [d, m, y] = value.split('/').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1800) {
    issues.push({ field, reason: 'is not a day (dd/MM/yyyy)' });
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

/** The fields of an object that are set (undefined ones dropped), for events and merges. */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export type CustomersService = ReturnType<typeof createCustomersService>;

export function createCustomersService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  /** Runs a change once per idempotency key (the platform store), as every mutating route here does. */
  const idempotent = <B>(t: TenantTx, ctx: Ctx, operation: string, payload: unknown, effect: () => Promise<StoredResponse<B>>) =>
    maybeIdempotent(t.db, clock, { orgId: t.orgId, key: ctx.idempotencyKey, operation, payload }, effect);

  /** The account, locked for a change of its customers or contacts; 404 "Account not found". */
  async function lockAccount(t: TenantTx, accountId: string | number) {
    const id = int8Id(String(accountId));
    const acc = id === undefined ? undefined : await accounts.lockAccount(t.db, t.orgId, id);
    if (!acc) throw AccountErrors.accountNotFound(String(accountId), 'Account not found');
    return acc;
  }

  async function findAccount(t: TenantTx, accountId: string) {
    const id = int8Id(accountId);
    const acc = id === undefined ? undefined : await accounts.findAccount(t.db, t.orgId, id);
    if (!acc) throw AccountErrors.accountNotFound(accountId, 'Account not found');
    return acc;
  }

  /**
   * Makes `next` the account's owner: the previous owner stays a customer, and the account's
   * owner entity (and document) follow. Returns the previous owner, or undefined when `next` was
   * the owner already.
   */
  async function changeOwner(t: TenantTx, acc: accounts.AccountRow, next: accounts.CustomerRow) {
    const previous = await repo.ownerOf(t.db, t.orgId, acc.account_id);
    if (previous?.customer_id === next.customer_id) return undefined;
    const now = clock.now();
    if (previous) await repo.updateCustomer(t.db, t.orgId, previous.customer_id, { is_owner: false, updated_at: now });
    await repo.updateCustomer(t.db, t.orgId, next.customer_id, { is_owner: true, updated_at: now });
    await accounts.updateAccount(t.db, t.orgId, acc.account_id, { entity_id: next.entity_id, document_number: next.document_number, updated_at: now });
    return {
      org_id: t.orgId,
      account_id: Number(acc.account_id),
      customer_id: Number(next.customer_id),
      entity_id: Number(next.entity_id),
      previous_customer_id: previous ? Number(previous.customer_id) : null,
      previous_entity_id: previous ? Number(previous.entity_id) : null,
    };
  }

  /** A new owner whose document already owns a top account of the program: Pismo's one account per document. */
  const ownerConflict = (err: unknown) => {
    throw violates(err, 'accounts_one_per_document') ? AccountErrors.accountAlreadyCreated() : err;
  };

  // ---- customers -------------------------------------------------------------------------------

  /** Create customer: its entity, the customer, and the owner change when is_owner. */
  async function createCustomer(t: TenantTx, body: CustomerCreate, ctx: Ctx): Promise<CustomerCreated> {
    const res = await idempotent(t, ctx, 'POST /accounts/v2/customers', body, async () => {
      const { entity, customer } = body;
      const issues: FieldIssue[] = [];
      if (entity.person && entity.company) issues.push({ field: 'body.entity.company', reason: 'is sent with person: send one of them' });
      const birthDate = entity.birth_date === undefined ? undefined : isoOfDayMonthYear(entity.birth_date, 'body.entity.birth_date', issues);
      const company = entity.company && defined({ ...entity.company, company_constitution_date: constitutionDate(entity.company.company_constitution_date, 'body.entity.company', issues) });
      if (issues.length) throw AccountErrors.invalid(issues);
      const acc = await lockAccount(t, body.account_id);
      if (await repo.customerOfDocument(t.db, t.orgId, acc.account_id, entity.document_number)) {
        throw AccountErrors.customerExists(acc.account_id, entity.document_number);
      }
      const now = clock.now();
      const extras = defined({
        gender: entity.gender,
        marital_status: entity.marital_status,
        mothers_name: entity.mothers_name,
        registration: entity.registration,
        pep: entity.pep,
        external_id: entity.external_id,
      });
      const row = await accounts.insertEntity(t.db, {
        org_id: t.orgId,
        entity_type: company ? 'COMPANY' : 'INDIVIDUAL',
        document_number: entity.document_number,
        name: entity.name,
        social_name: customer.social_name ?? null,
        email: customer.email ?? null,
        birth_date: birthDate ?? null,
        details: JSON.stringify({ ...(company ?? entity.person ?? {}), ...extras }),
        created_at: now,
        updated_at: now,
      });
      let created = await accounts.insertCustomer(t.db, {
        org_id: t.orgId,
        account_id: acc.account_id,
        entity_id: row.entity_id,
        is_owner: false,
        document_number: entity.document_number,
        email: customer.email ?? null,
        printed_name: customer.printed_name ?? null,
        social_name: customer.social_name ?? null,
        nickname: customer.nickname ?? null,
        created_at: now,
        updated_at: now,
      });
      await recordEvent(t.db, events, AccountEvents.customerCreated, {
        orgId: t.orgId,
        cid: t.cid,
        data: {
          org_id: t.orgId,
          account_id: Number(acc.account_id),
          customer_id: Number(created.customer_id),
          entity_id: Number(row.entity_id),
          is_owner: customer.is_owner,
          document_number: row.document_number,
          name: row.name,
        },
      });
      if (customer.is_owner) {
        const change = await changeOwner(t, acc, created);
        if (change) await recordEvent(t.db, events, AccountEvents.accountOwnerChanged, { orgId: t.orgId, cid: t.cid, data: change });
        created = { ...created, is_owner: true };
      }
      return {
        status: 201,
        body: {
          account_id: Number(acc.account_id),
          customer_id: Number(created.customer_id),
          entityd: Number(row.entity_id),
          entity_id: Number(row.entity_id),
          message: 'Customer created',
          data: { entity },
        },
      };
    }).catch((err: unknown) => {
      if (violates(err, 'account_customers_document')) throw AccountErrors.customerExists(String(body.account_id), body.entity.document_number);
      return ownerConflict(err);
    });
    return res.body;
  }

  /** A company's constitution date, sent dd/MM/yyyy, kept yyyy-mm-dd. */
  function constitutionDate(value: string | undefined, path: string, issues: FieldIssue[]) {
    return value === undefined ? undefined : isoOfDayMonthYear(value, `${path}.company_constitution_date`, issues);
  }

  /** Get customer: the customer, its entity, and the ids of its addresses and phones on the account. */
  async function getCustomer(t: TenantTx, customerId: string): Promise<CustomerDetails> {
    const id = int8Id(customerId);
    const c = id === undefined ? undefined : await repo.customerView(t.db, t.orgId, id);
    if (!c) throw AccountErrors.customerNotFound(customerId);
    const details = c.details as Details;
    const addresses = await repo.listAddresses(t.db, t.orgId, c.account_id, { entityId: c.entity_id });
    const phones = await repo.listPhones(t.db, t.orgId, c.account_id, { entityId: c.entity_id });
    const registration = details.registration;
    return {
      program_id: Number(c.program_id),
      account_id: Number(c.account_id),
      entity: {
        id: Number(c.entity_id),
        ...(c.entity_name !== null ? { name: c.entity_name } : {}),
        document_number: c.document_number,
        ...(typeof registration === 'string'
          ? { registration }
          : typeof (registration as { number?: unknown } | undefined)?.number === 'string'
            ? { registration: (registration as { number: string }).number }
            : {}),
        ...(c.birth_date !== null ? { birth_date: c.birth_date } : {}),
        ...pick(details, ['gender', 'mothers_name', 'marital_status', 'pep']),
        ...(c.entity_type === 'COMPANY' ? { company: details } : { person: details }),
      },
      customer: {
        ...summary(c),
        ...(c.email !== null ? { email: c.email } : {}),
        addresses: addresses.filter((a) => a.active).map((a) => ({ address_id: Number(a.address_id), type: a.address_type })),
        phones: phones.filter((p) => p.active).map((p) => ({ phone_id: Number(p.phone_id), type: p.phone_type })),
      },
    };
  }

  const summary = (c: accounts.CustomerRow) => ({
    id: Number(c.customer_id),
    ...(c.printed_name !== null ? { printed_name: c.printed_name } : {}),
    ...(c.social_name !== null ? { social_name: c.social_name } : {}),
    ...(c.nickname !== null ? { nickname: c.nickname } : {}),
    is_owner: c.is_owner,
    is_active: c.is_active,
  });

  /** List customers of an account (404 "Account not found" for an account the org does not have). */
  async function listCustomers(t: TenantTx, accountId: string, q: CustomerListQuery): Promise<CustomerPage> {
    const acc = await findAccount(t, accountId);
    const page = pageRequest(q.page, q.perPage);
    const rows = await repo.listCustomers(
      t.db,
      t.orgId,
      acc.account_id,
      { ...(q.isOwner !== undefined ? { isOwner: q.isOwner } : {}), ...(q.entityId !== undefined ? { entityId: BigInt(q.entityId) } : {}) },
      page,
    );
    return { current_page: page.page, per_page: page.size, items: rows.map((c) => ({ account_id: Number(c.account_id), customer: summary(c) })) };
  }

  /** Overwrite customer: social_name and nickname not sent become null; is_active, printed_name and email not sent stay. */
  async function overwriteCustomer(t: TenantTx, customerId: string, body: CustomerOverwrite, ctx: Ctx): Promise<void> {
    await idempotent(t, ctx, 'PUT /accounts/v2/customers/{customerId}', { customerId, body }, async () => {
      const id = int8Id(customerId);
      const c = id === undefined ? undefined : await repo.lockCustomer(t.db, t.orgId, id);
      if (!c || id === undefined) throw AccountErrors.customerNotFound(customerId);
      const sent = body.customer ?? {};
      const changes = {
        social_name: sent.social_name ?? null,
        nickname: sent.nickname ?? null,
        ...(sent.printed_name !== undefined ? { printed_name: sent.printed_name } : {}),
        ...(sent.email !== undefined ? { email: sent.email } : {}),
        ...(sent.is_active !== undefined ? { is_active: sent.is_active } : {}),
      };
      const changed = Object.entries(changes)
        .filter(([k, v]) => c[k as keyof typeof c] !== v)
        .map(([k]) => k);
      await repo.updateCustomer(t.db, t.orgId, id, { ...changes, updated_at: clock.now() });
      await recordEvent(t.db, events, AccountEvents.customerChanged, {
        orgId: t.orgId,
        cid: t.cid,
        data: { org_id: t.orgId, account_id: Number(c.account_id), customer_id: Number(id), entity_id: Number(c.entity_id), changed_fields: changed },
      });
      return { status: 200, body: null };
    });
  }

  /**
   * Update person or company customer: the fields sent (person fields for a person, company
   * fields for a company); is_owner true makes the customer the owner.
   */
  async function patchCustomerDetail(t: TenantTx, accountId: string, customerId: string, body: CustomerDetailPatch, ctx: Ctx): Promise<CustomerDetailResponse> {
    const res = await idempotent(t, ctx, 'PATCH /accounts/v1/accounts/{accountId}/customers/{customerId}/detail', { accountId, customerId, body }, async () => {
      const acc = await lockAccount(t, accountId);
      const id = int8Id(customerId);
      const c = id === undefined ? undefined : await repo.lockCustomer(t.db, t.orgId, id);
      if (!c || id === undefined || c.account_id !== acc.account_id) throw AccountErrors.customerNotFound(customerId);
      const entity = (await accounts.findEntity(t.db, t.orgId, c.entity_id))!;
      const company = entity.entity_type === 'COMPANY';
      const issues: FieldIssue[] = [];
      for (const k of company ? PERSON_ONLY : COMPANY_ONLY) {
        if (k in body) issues.push({ field: `body.${k}`, reason: `is a ${company ? 'person' : 'company'} field; customer ${customerId} is a ${company ? 'company' : 'person'}` });
      }
      const birthDate = body.birth_date === undefined ? undefined : isoOfDayMonthYear(body.birth_date, 'body.birth_date', issues);
      const constitution = constitutionDate(body.company_constitution_date, 'body', issues);
      if (body.is_owner === false && c.is_owner) issues.push({ field: 'body.is_owner', reason: 'the owner stays the owner until another customer becomes it' });
      if (issues.length) throw AccountErrors.invalid(issues);
      if (body.is_owner === true && !(body.is_active ?? c.is_active)) throw AccountErrors.inactiveOwner(body.is_active === false ? 'body.is_active' : 'body.is_owner');
      const { is_owner: isOwner, is_active: isActive, name, social_name: socialName, email, nickname, printed_name: printedName, birth_date: _b, ...rest } = body;
      const sentDetails = defined({ ...rest, ...(constitution !== undefined ? { company_constitution_date: constitution } : {}) });
      const now = clock.now();
      const details = { ...(entity.details as Details), ...sentDetails };
      const updatedEntity = await accounts.updateEntity(t.db, t.orgId, entity.entity_id, {
        ...(name !== undefined ? { name } : {}),
        ...(socialName !== undefined ? { social_name: socialName } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(birthDate !== undefined ? { birth_date: birthDate } : {}),
        details: JSON.stringify(details),
        updated_at: now,
      });
      let updated = await repo.updateCustomer(t.db, t.orgId, id, {
        ...(socialName !== undefined ? { social_name: socialName } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(nickname !== undefined ? { nickname } : {}),
        ...(printedName !== undefined ? { printed_name: printedName } : {}),
        ...(isActive !== undefined ? { is_active: isActive } : {}),
        updated_at: now,
      });
      const changed = Object.keys(defined(body)).filter((k) => k !== 'is_owner');
      if (changed.length) {
        await recordEvent(t.db, events, AccountEvents.entityChanged, {
          orgId: t.orgId,
          cid: t.cid,
          data: { org_id: t.orgId, account_id: Number(acc.account_id), customer_id: Number(id), entity_id: Number(c.entity_id), changed_fields: changed },
        });
      }
      if (isOwner === true) {
        const change = await changeOwner(t, acc, updated);
        if (change) await recordEvent(t.db, events, AccountEvents.ownerDetailChanged, { orgId: t.orgId, cid: t.cid, data: change });
        updated = { ...updated, is_owner: true };
      }
      const response = {
        ...updatedEntity.details,
        ...defined({
          name: opt(updatedEntity.name),
          social_name: opt(updated.social_name),
          email: opt(updated.email ?? updatedEntity.email),
          nickname: opt(updated.nickname),
          printed_name: opt(updated.printed_name),
          birth_date: opt(updatedEntity.birth_date),
        }),
        document_number: updatedEntity.document_number,
        type_id: company ? 2 : 1,
        entity_type: updatedEntity.entity_type,
      } as CustomerDetailResponse;
      return { status: 200, body: response };
    }).catch(ownerConflict);
    return res.body;
  }

  // ---- addresses -------------------------------------------------------------------------------

  const addressBody = (a: accounts.AddressRow, customers: accounts.CustomerRow[]): Address => {
    const raw = a.number ?? '';
    const digits = /^[0-9]{1,9}/.exec(raw)?.[0];
    return {
      id: Number(a.address_id),
      address_type: a.address_type,
      address: a.address,
      ...(digits !== undefined && Number(digits) <= 2147483647 ? { number: Number(digits) } : {}),
      ...(raw !== '' && raw !== digits ? { extended_number: raw } : {}),
      ...(a.complementary_address !== null ? { complementary_address: a.complementary_address } : {}),
      ...(a.neighborhood !== null ? { neighborhood: a.neighborhood } : {}),
      zip_code: a.zip_code,
      city: a.city,
      state: a.state,
      country: a.country,
      creation_date: isoSeconds(a.created_at),
      mailing_address: a.mailing_address,
      active: a.active,
      org_id: a.org_id,
      account_id: Number(a.account_id),
      last_update: isoSeconds(a.updated_at),
      ...(a.custom_fields !== null ? { custom_fields: a.custom_fields } : {}),
      customer_ids: customers.filter((c) => c.entity_id === a.entity_id).map((c) => Number(c.customer_id)),
    };
  };

  const allCustomers = (t: TenantTx, accountId: bigint) => repo.listCustomers(t.db, t.orgId, accountId, {}, { page: 1, size: 1000, offset: 0 });

  /** Records an address or phone event: its account, id, customer and the fields sent. */
  const contactEvent = (t: TenantTx, def: typeof AccountEvents.addressCreated, accountId: bigint, id: bigint, customerId: bigint | null | undefined, sent: object) =>
    recordEvent(t.db, events, def, {
      orgId: t.orgId,
      cid: t.cid,
      data: { org_id: t.orgId, account_id: Number(accountId), id: Number(id), customer_id: customerId == null ? null : Number(customerId), changed_fields: Object.keys(sent) },
    });

  const customFieldsIssue = (fields: Record<string, unknown> | undefined, issues: FieldIssue[]) => {
    if (fields !== undefined && Buffer.byteLength(JSON.stringify(fields)) > 1014) issues.push({ field: 'body.custom_fields', reason: 'is longer than 1014 bytes' });
  };

  /** Create address, of the account's owner; a mailing address clears the others' flag. */
  async function createAddress(t: TenantTx, accountId: string, body: AddressCreate, ctx: Ctx): Promise<{ id: number }> {
    const res = await idempotent(t, ctx, 'POST /accounts/v1/accounts/{accountId}/addresses', { accountId, body }, async () => {
      const issues: FieldIssue[] = [];
      customFieldsIssue(body.custom_fields, issues);
      if (issues.length) throw AccountErrors.invalid(issues);
      const acc = await lockAccount(t, accountId);
      const now = clock.now();
      const row = await repo.insertAddress(t.db, {
        org_id: t.orgId,
        account_id: acc.account_id,
        entity_id: acc.entity_id,
        address: body.address,
        number: body.number,
        address1: null,
        complementary_address: body.complementary_address ?? null,
        neighborhood: body.neighborhood,
        city: body.city,
        state: body.state,
        country: body.country,
        zip_code: body.zip_code,
        address_type: body.type,
        mailing_address: body.mailing_address ?? false,
        active: body.active ?? true,
        custom_fields: body.custom_fields ? JSON.stringify(body.custom_fields) : null,
        created_at: now,
        updated_at: now,
      });
      if (row.mailing_address) await repo.clearMailing(t.db, t.orgId, acc.account_id, row.address_id);
      const owner = await repo.ownerOf(t.db, t.orgId, acc.account_id);
      await contactEvent(t, AccountEvents.addressCreated, acc.account_id, row.address_id, owner?.customer_id, body);
      return { status: 201, body: { id: Number(row.address_id) } };
    });
    return res.body;
  }

  async function listAddresses(t: TenantTx, accountId: string, q: { active?: boolean }): Promise<Address[]> {
    const acc = await findAccount(t, accountId);
    const rows = await repo.listAddresses(t.db, t.orgId, acc.account_id, q.active === undefined ? {} : { active: q.active });
    const customers = await allCustomers(t, acc.account_id);
    return rows.map((a) => addressBody(a, customers));
  }

  /** Get address: 404 "Address not found for this account" for another account's, or an inactive one. */
  async function getAddress(t: TenantTx, accountId: string, addressId: string): Promise<Address> {
    const acc = await findAccount(t, accountId);
    const id = int8Id(addressId);
    const [row] = id === undefined ? [] : await repo.listAddresses(t.db, t.orgId, acc.account_id, { active: true, addressId: id });
    if (!row) throw AccountErrors.addressNotFound();
    return addressBody(row, await allCustomers(t, acc.account_id));
  }

  /** Update address: the fields sent (inactive addresses too: active true brings one back). */
  async function patchAddress(t: TenantTx, accountId: string, addressId: string, body: AddressPatch, ctx: Ctx): Promise<{ id: number }> {
    const res = await idempotent(t, ctx, 'PATCH /accounts/v1/accounts/{accountId}/addresses/{addressId}', { accountId, addressId, body }, async () => {
      const issues: FieldIssue[] = [];
      customFieldsIssue(body.custom_fields, issues);
      if (issues.length) throw AccountErrors.invalid(issues);
      const acc = await lockAccount(t, accountId);
      const id = int8Id(addressId);
      const row = id === undefined ? undefined : await repo.lockAddress(t.db, t.orgId, acc.account_id, id);
      if (!row || id === undefined) throw AccountErrors.addressNotFound();
      const { type, custom_fields: customFields, ...rest } = body;
      const updated = await repo.updateAddress(t.db, t.orgId, id, {
        ...defined(rest),
        ...(type !== undefined ? { address_type: type } : {}),
        ...(customFields !== undefined ? { custom_fields: JSON.stringify(customFields) } : {}),
        updated_at: clock.now(),
      });
      if (body.mailing_address === true) await repo.clearMailing(t.db, t.orgId, acc.account_id, id);
      const owner = await repo.ownerOf(t.db, t.orgId, acc.account_id);
      await contactEvent(t, AccountEvents.addressChanged, acc.account_id, updated.address_id, owner?.customer_id, body);
      return { status: 201, body: { id: Number(updated.address_id) } };
    });
    return res.body;
  }

  // ---- phones ----------------------------------------------------------------------------------

  const phoneBody = (p: repo.PhoneView): Phone => ({
    id: Number(p.phone_id),
    account_id: Number(p.account_id),
    ...(p.area_code !== null ? { area_code: String(p.area_code) } : {}),
    number: p.phone,
    type: p.phone_type,
    ...(p.extension !== null ? { extension: p.extension } : {}),
    active: p.active,
    org_id: p.org_id,
    ...(p.country_code !== '' ? { country_code: p.country_code } : {}),
    creation_date: isoSeconds(p.created_at),
    last_update: isoSeconds(p.updated_at),
    ...(p.customer_id !== null ? { customer_id: Number(p.customer_id) } : {}),
  });

  /** Create phone, of the customer x-customer-id names (default: the owner); 409 for an active phone of the same number. */
  async function createPhone(t: TenantTx, accountId: string, customerHeader: string | undefined, body: PhoneCreate, ctx: Ctx): Promise<{ id: number }> {
    const res = await idempotent(t, ctx, 'POST /accounts/v1/accounts/{accountId}/phones', { accountId, customerHeader, body }, async () => {
      const acc = await lockAccount(t, accountId);
      let entityId = acc.entity_id;
      if (customerHeader !== undefined) {
        const id = int8Id(customerHeader);
        const c = id === undefined ? undefined : await repo.lockCustomer(t.db, t.orgId, id);
        if (!c || c.account_id !== acc.account_id) {
          throw AccountErrors.invalid([{ field: 'headers.x-customer-id', reason: `does not name a customer of account ${acc.account_id}` }]);
        }
        entityId = c.entity_id;
      }
      const phone = { number: body.number, areaCode: body.area_code ?? null, countryCode: body.country_code ?? '' };
      const active = body.active ?? true;
      if (active && (await repo.samePhone(t.db, t.orgId, acc.account_id, phone))) throw AccountErrors.phoneExists();
      const now = clock.now();
      const row = await repo.insertPhone(t.db, {
        org_id: t.orgId,
        account_id: acc.account_id,
        entity_id: entityId,
        phone: body.number,
        phone_type: body.type,
        country_code: phone.countryCode,
        area_code: phone.areaCode,
        extension: body.extension ?? null,
        active,
        created_at: now,
        updated_at: now,
      });
      const [view] = await repo.listPhones(t.db, t.orgId, acc.account_id, { phoneId: row.phone_id });
      await contactEvent(t, AccountEvents.phoneCreated, acc.account_id, row.phone_id, view?.customer_id, body);
      return { status: 200, body: { id: Number(row.phone_id) } };
    });
    return res.body;
  }

  async function listPhones(t: TenantTx, accountId: string, q: { type?: string; active?: boolean }): Promise<Phone[]> {
    const acc = await findAccount(t, accountId);
    return (await repo.listPhones(t.db, t.orgId, acc.account_id, defined(q))).map(phoneBody);
  }

  async function getPhone(t: TenantTx, accountId: string, phoneId: string): Promise<Phone> {
    const acc = await findAccount(t, accountId);
    const id = int8Id(phoneId);
    const [row] = id === undefined ? [] : await repo.listPhones(t.db, t.orgId, acc.account_id, { phoneId: id });
    if (!row) throw AccountErrors.phoneNotFound();
    return phoneBody(row);
  }

  /** Update phone: the fields sent; an inactive phone is not updated (422). */
  async function patchPhone(t: TenantTx, accountId: string, phoneId: string, body: PhonePatch, ctx: Ctx): Promise<{ id: number }> {
    const res = await idempotent(t, ctx, 'PATCH /accounts/v1/accounts/{accountId}/phones/{phoneId}', { accountId, phoneId, body }, async () => {
      const acc = await lockAccount(t, accountId);
      const id = int8Id(phoneId);
      const row = id === undefined ? undefined : await repo.lockPhone(t.db, t.orgId, acc.account_id, id);
      if (!row || id === undefined) throw AccountErrors.phoneNotFound();
      if (!row.active) throw AccountErrors.phoneInactive();
      const next = {
        number: body.number ?? row.phone,
        areaCode: body.area_code ?? row.area_code,
        countryCode: body.country_code ?? row.country_code,
      };
      if ((body.active ?? true) && (await repo.samePhone(t.db, t.orgId, acc.account_id, next, id))) throw AccountErrors.phoneExists();
      await repo.updatePhone(t.db, t.orgId, id, {
        phone: next.number,
        area_code: next.areaCode,
        country_code: next.countryCode,
        ...(body.type !== undefined ? { phone_type: body.type } : {}),
        ...(body.extension !== undefined ? { extension: body.extension } : {}),
        ...(body.active !== undefined ? { active: body.active } : {}),
        updated_at: clock.now(),
      });
      const [view] = await repo.listPhones(t.db, t.orgId, acc.account_id, { phoneId: id });
      await contactEvent(t, AccountEvents.phoneChanged, acc.account_id, id, view?.customer_id, body);
      return { status: 200, body: { id: Number(id) } };
    });
    return res.body;
  }

  // ---- parameters ------------------------------------------------------------------------------

  const parameterBody = (p: accounts.ParameterRow): Parameter => ({
    parameter_id: Number(p.parameter_id),
    ...(p.name !== null ? { name: p.name } : {}),
    ...(p.description !== null ? { description: p.description } : {}),
    id: Number(p.id),
    valid_from: isoSeconds(p.valid_from),
    ...(p.valid_until !== null ? { valid_until: isoSeconds(p.valid_until) } : {}),
    value: Number(p.value),
  });

  async function listParameters(t: TenantTx, accountId: string): Promise<Parameter[]> {
    const acc = await findAccount(t, accountId);
    return (await repo.listParameters(t.db, t.orgId, acc.account_id)).map(parameterBody);
  }

  async function getParameter(t: TenantTx, accountId: string, parameterId: string): Promise<Parameter> {
    const acc = await findAccount(t, accountId);
    const id = int8Id(parameterId);
    const row = id === undefined ? undefined : await repo.findParameter(t.db, t.orgId, acc.account_id, id);
    if (!row) throw AccountErrors.parameterNotFound(parameterId);
    return parameterBody(row);
  }

  /** Update parameter: sets the account's value (the first set starts its validity). */
  async function updateParameter(t: TenantTx, accountId: string, parameterId: string, body: ParameterUpdate, ctx: Ctx): Promise<void> {
    await idempotent(t, ctx, 'PUT /accounts/v1/accounts/{accountId}/parameters/{parameterId}', { accountId, parameterId, body }, async () => {
      const acc = await lockAccount(t, accountId);
      const id = int8Id(parameterId);
      if (id === undefined || id === 0n) throw AccountErrors.invalid([{ field: 'params.parameterId', reason: 'is not a parameter id (a positive int64)' }]);
      const now = clock.now();
      await repo.upsertParameter(t.db, {
        org_id: t.orgId,
        account_id: acc.account_id,
        parameter_id: id,
        name: null,
        description: null,
        value: String(body.value),
        valid_from: now,
        valid_until: null,
        updated_at: now,
      });
      return { status: 200, body: null };
    });
  }

  return {
    createCustomer,
    getCustomer,
    listCustomers,
    overwriteCustomer,
    patchCustomerDetail,
    createAddress,
    listAddresses,
    getAddress,
    patchAddress,
    createPhone,
    listPhones,
    getPhone,
    patchPhone,
    listParameters,
    getParameter,
    updateParameter,
  };
}

function pick(o: Details, keys: string[]): Details {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined && o[k] !== null).map((k) => [k, o[k]]));
}
