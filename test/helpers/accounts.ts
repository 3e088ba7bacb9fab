// Programs and accounts for tests, made through the public API as a client would: a program of
// a type (CREDITO with due dates, DEBITO, PRE-PAGO, CURRENT ACCOUNTS) and an account opened in it
// by a submitted application.
import type { TestApp } from './app.js';
import type { Tenant } from './fixture.js';

export type TestProgramType = 'CREDITO' | 'DEBITO' | 'PRE-PAGO' | 'CURRENT ACCOUNTS';

export interface TestProgram {
  programId: number;
  type: TestProgramType;
  /** Ids of the program's active due dates (CREDITO only). */
  dueDateIds: number[];
  /** Ids of its inactive due dates. */
  inactiveDueDateIds: number[];
}

let n = 0;

const programBody = (type: TestProgramType, name: string): Record<string, unknown> => {
  const base = { name, type, timezone: 'America/Sao_Paulo', currency_numeric_code: '986', country_code: 'BRA' };
  if (type === 'CURRENT ACCOUNTS') return base;
  const card = { ...base, bin: { value: '999999', start_range: '0', end_range: '999999999' }, brand: 'VISA' };
  if (type !== 'CREDITO') return card;
  return { ...card, due_dates: [{ day: 5, active: true }, { day: 15, active: true }, { day: 25, active: false }] };
};

/** Creates a program of `type` in the tenant's org (POST /programs/v1/programs/template). */
export async function createProgram(app: TestApp, tenant: Pick<Tenant, 'headers'>, type: TestProgramType = 'CREDITO'): Promise<TestProgram> {
  n += 1;
  const res = await app.http.inject({
    method: 'POST',
    url: '/programs/v1/programs/template',
    headers: tenant.headers,
    payload: programBody(type, `Test ${type.toLowerCase()} ${n}`),
  });
  if (res.statusCode !== 200) throw new Error(`create program: ${res.statusCode} ${res.body}`);
  const body = res.json<{ id: number; due_dates?: { id: number; active: boolean }[] }>();
  return {
    programId: body.id,
    type,
    dueDateIds: (body.due_dates ?? []).filter((d) => d.active).map((d) => d.id),
    inactiveDueDateIds: (body.due_dates ?? []).filter((d) => !d.active).map((d) => d.id),
  };
}

export interface AccountOptions {
  /** The program to open the account in; a new CREDITO program when absent. */
  program?: TestProgram;
  documentNumber?: string;
  name?: string;
  /** `applicant.account` fields (granted_limit, limit, overdraft_limit, account_type, …). */
  account?: Record<string, unknown>;
  /** Other `applicant` fields (addresses, phones, company instead of personal, …). */
  applicant?: Record<string, unknown>;
}

export interface TestAccount {
  accountId: number;
  customerId: number;
  entityId: number;
  applicationId: number;
  programId: number;
  documentNumber: string;
}

/** A unique document number per call (the program allows one account per document). */
export const newDocumentNumber = (): string => `${Date.now() % 1_000_000}-${(n += 1)}`.slice(0, 15);

/**
 * Opens an account with a submitted application (POST /acquisitions/v3/s2s/applications). A credit
 * program's account gets granted_limit 1000 and limit 500 (BRL) and the program's first active
 * due date unless `opts.account` says otherwise.
 */
export async function createAccount(app: TestApp, tenant: Pick<Tenant, 'headers'>, opts: AccountOptions = {}): Promise<TestAccount> {
  const program = opts.program ?? (await createProgram(app, tenant, 'CREDITO'));
  const documentNumber = opts.documentNumber ?? newDocumentNumber();
  const credit = program.type === 'CREDITO';
  const res = await app.http.inject({
    method: 'POST',
    url: '/acquisitions/v3/s2s/applications',
    headers: tenant.headers,
    payload: {
      application: {
        submit: true,
        program_id: program.programId,
        ...(credit ? { due_date: program.dueDateIds[0] } : {}),
        applicant: {
          document_number: documentNumber,
          birth_date: '1980-01-31',
          personal: { name: opts.name ?? 'John Doe', email: 'john.doe@example.com' },
          account: { ...(credit ? { granted_limit: 1000, limit: 500 } : {}), ...opts.account },
          ...opts.applicant,
        },
      },
    },
  });
  if (res.statusCode !== 201) throw new Error(`create account: ${res.statusCode} ${res.body}`);
  const body = res.json<{ account_id: number; customer_id: number; entity_id: number; application_id: number; program_id: number }>();
  return {
    accountId: body.account_id,
    customerId: body.customer_id,
    entityId: body.entity_id,
    applicationId: body.application_id,
    programId: body.program_id,
    documentNumber,
  };
}
