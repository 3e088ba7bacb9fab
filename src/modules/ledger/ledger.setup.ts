// The ledger's defaults for every org (LastroModule.orgSetup): Lastro's standard processing codes,
// each with its reversal code, and the transaction types and flows that make them SUCCESS. They
// are the card networks' codes (00, 01, 20, 28), the codes Pismo's own request examples use
// (Payments, Payment methods, Transactions, Lending, Migrations specs), so those requests work
// verbatim, and the codes Lastro's lending and migration need. docs/ledger.md lists them.
//
// Transaction type ids 1 to 999 are reserved for standard types (WTRC08001 for an org's own), so a
// later version can add types without meeting an org's. Lastro's own new codes start with PSM,
// the prefix Pismo reserves for the platform's codes, so they never meet an org's either.
import type { OrgSetup, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import * as codes from './processing-codes.repo.js';
import type { Tag } from './processing-codes.schemas.js';
import * as flows from './transaction-flows.repo.js';
import * as types from './transaction-types.repo.js';

/** The highest transaction type id reserved for standard types. */
export const MAX_RESERVED_TYPE_ID = 999;

export interface StandardType {
  id: number;
  description: string;
  credit: boolean;
  category: string;
  posted?: boolean;
}

/** An authorization code; its reversal code posts to transaction type `type + 1`, the opposite way. */
export interface StandardCode {
  code: string;
  impact: 1 | -1;
  description: string;
  /** Its transaction type (PRINCIPAL flow). */
  type: number;
  /** The reversal type's description, where `<type's> reversal` is over 30 characters. */
  reversalTypeDescription?: string;
  category: string;
  tags: Tag[];
  /** Its reversal (and partial reversal) code. */
  reversal: string;
  /** Where the code comes from, for docs/ledger.md. */
  source: string;
}

export const STANDARD_CODES: readonly StandardCode[] = [
  // Card networks (Card_issuing_-_Authorization: network simulation codes).
  { code: '00', impact: -1, description: 'Purchase', type: 101, category: 'PURCHASES', tags: ['NETWORK'], reversal: 'PSMR00', source: 'card networks' },
  { code: '01', impact: -1, description: 'Withdrawal', type: 111, category: 'WITHDRAWALS', tags: ['NETWORK'], reversal: 'PSMR01', source: 'card networks' },
  { code: '20', impact: 1, description: 'Refund', type: 203, category: 'PAYMENTS/CREDITS', tags: ['NETWORK'], reversal: 'PSMR20', source: 'card networks' },
  { code: '28', impact: 1, description: 'Payment', type: 205, category: 'PAYMENTS/CREDITS', tags: ['NETWORK'], reversal: 'PSMR28', source: 'card networks' },
  // Payments and payment methods (Core_platform_-_Payment_methods examples).
  { code: '002000', impact: -1, description: 'Debit', type: 301, category: 'TRANSFERS', tags: ['GLOBAL'], reversal: 'PSMR30', source: 'Payments: P2P, cash-out, payment examples' },
  { code: '004000', impact: 1, description: 'Credit', type: 303, category: 'TRANSFERS', tags: ['GLOBAL'], reversal: 'PSMR31', source: 'Payments: P2P, cash-in examples' },
  { code: '219803', impact: 1, description: 'Cash-in', type: 305, category: 'TRANSFERS', tags: ['GLOBAL'], reversal: 'PSMR32', source: 'Payment methods: cash-in/cash-out example' },
  { code: '090907', impact: 1, description: 'Forced credit', type: 307, category: 'ADJUSTMENTS', tags: ['GLOBAL'], reversal: 'PSMR33', source: 'Payments: force operation example' },
  { code: '00AB01', impact: -1, description: 'Authorization', type: 309, category: 'PURCHASES', tags: ['GLOBAL'], reversal: 'PSMR34', source: 'Payment methods: authorization example' },
  // Transactions (transaction flow examples).
  { code: '00AB11', impact: 1, description: 'Credit with custom amounts', type: 303, category: 'TRANSFERS', tags: ['GLOBAL'], reversal: 'PSMR35', source: 'Transactions: transaction flow examples' },
  { code: '00AB22', impact: 1, description: 'Credit with fee amounts', type: 303, category: 'TRANSFERS', tags: ['GLOBAL'], reversal: 'PSMR36', source: 'Transactions: transaction flow examples' },
  // Lending (Lending spec examples, then Lastro's own).
  { code: '000011', impact: -1, description: 'Loan booking', type: 401, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR40', source: 'Lending: processing_codes.booking example' },
  { code: '000012', impact: 1, description: 'Loan repayment', type: 405, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR41', source: 'Lending: processing_codes.repayment example' },
  { code: 'PPMT', impact: 1, description: 'Loan prepayment', type: 413, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR42', source: 'Lending: prepayment registration example' },
  { code: 'PNLT', impact: -1, description: 'Prepayment penalty', type: 411, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR43', source: 'Lending: prepayment registration example' },
  { code: 'INSR', impact: -1, description: 'Loan insurance', type: 417, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR44', source: 'Lending: prepayment registration example' },
  { code: '7DJ8L', impact: 1, description: 'Loan booking cancellation', type: 419, reversalTypeDescription: 'Booking cancellation reversal', category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR45', source: 'Lending: cancel loan example' },
  { code: 'I1I7J', impact: -1, description: 'Repayment cancellation', type: 421, reversalTypeDescription: 'Repayment cancel reversal', category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR46', source: 'Lending: cancel loan example' },
  { code: '80Y39', impact: 1, description: 'Penalty waiver', type: 423, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR47', source: 'Lending: cancel loan example' },
  { code: 'PSMLDS', impact: 1, description: 'Loan disbursement', type: 403, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR48', source: 'Lastro lending: disbursement' },
  { code: 'PSMLIN', impact: -1, description: 'Loan interest', type: 407, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR49', source: 'Lastro lending: interest' },
  { code: 'PSMLFE', impact: -1, description: 'Loan fee', type: 409, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR50', source: 'Lastro lending: fees' },
  { code: 'PSMLLC', impact: -1, description: 'Late payment charge', type: 411, category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR51', source: 'Lastro lending: penalties' },
  { code: 'PSMLES', impact: 1, description: 'Early final settlement', type: 415, reversalTypeDescription: 'Early settlement reversal', category: 'LENDING', tags: ['LENDING'], reversal: 'PSMR52', source: 'Lastro lending: settlement' },
  // Migrations (transaction migration examples: split transactions' debit and credit).
  { code: '220042', impact: -1, description: 'Migrated debit', type: 501, category: 'MIGRATION', tags: ['GLOBAL'], reversal: 'PSMR60', source: 'Migrations: transaction example (primary)' },
  { code: '200032', impact: 1, description: 'Migrated credit', type: 503, category: 'MIGRATION', tags: ['GLOBAL'], reversal: 'PSMR61', source: 'Migrations: transaction example (secondary)' },
];

/** Partial reversal codes given to an org's code that names none, by its balance impact. */
export const DEFAULT_PARTIAL_REVERSAL: Record<1 | 0 | -1, string> = { [-1]: 'PSMPC1', 0: 'PSMPN1', 1: 'PSMPD1' };

/** The default partial reversal codes (REVERSAL codes) and their types. */
export const DEFAULT_PARTIALS: readonly { code: string; impact: 1 | 0 | -1; description: string; type: StandardType }[] = [
  { code: 'PSMPC1', impact: 1, description: 'Partial reversal (credit)', type: { id: 901, description: 'Partial reversal credit', credit: true, category: 'REVERSALS' } },
  { code: 'PSMPD1', impact: -1, description: 'Partial reversal (debit)', type: { id: 902, description: 'Partial reversal debit', credit: false, category: 'REVERSALS' } },
  {
    code: 'PSMPN1',
    impact: 0,
    description: 'Partial reversal (no balance impact)',
    // Zero-balance operations are not posted on statements.
    type: { id: 903, description: 'No balance impact', credit: false, category: 'REVERSALS', posted: false },
  },
];

const TYPE_DESCRIPTION_MAX = 30;

/** Every standard transaction type: each code's type, its reversal type (id + 1), and the partial reversal types. */
export function standardTypes(): StandardType[] {
  const byId = new Map<number, StandardType>();
  for (const c of STANDARD_CODES) {
    const base = { id: c.type, description: c.description, credit: c.impact === 1, category: c.category };
    if (!byId.has(c.type)) byId.set(c.type, base);
    const reversal = {
      id: c.type + 1,
      description: c.reversalTypeDescription ?? `${c.description} reversal`,
      credit: c.impact !== 1,
      category: c.category,
    };
    if (!byId.has(reversal.id)) byId.set(reversal.id, reversal);
  }
  for (const p of DEFAULT_PARTIALS) byId.set(p.type.id, p.type);
  const all = [...byId.values()].sort((a, b) => a.id - b.id);
  for (const t of all) {
    if (t.description.length > TYPE_DESCRIPTION_MAX) throw new Error(`standard transaction type ${t.id}: description over ${TYPE_DESCRIPTION_MAX} characters`);
  }
  return all;
}

/** The version of the standard set; raise it when the set changes (orgs get what is missing). */
export const STANDARD_SET_VERSION = 1;

/** Seeds the standard set into `t.orgId`; what the org has already is left as it is. */
export async function seedStandardSet(t: TenantTx, now: Date): Promise<void> {
  const org_id = t.orgId;
  const stamp = { created_at: now, updated_at: now };
  await types.insertTypes(
    t.db,
    standardTypes().map((ty) => ({
      org_id,
      transaction_type_id: BigInt(ty.id),
      description: ty.description,
      credit: ty.credit,
      posted_transaction: ty.posted ?? true,
      category: ty.category,
      standard: true,
      ...stamp,
    })),
  );
  const reversal = (code: string, impact: number, description: string): codes.NewCode => ({
    org_id,
    processing_code: code,
    kind: 'REVERSAL',
    balance_impact: impact,
    description,
    standard: true,
    reversal_processing_code: null,
    partial_reversal_processing_code: null,
    tags: [],
    translations: '[]',
    ...stamp,
  });
  // Reversal codes first: authorization codes name them.
  await codes.insertCodes(t.db, [
    ...DEFAULT_PARTIALS.map((p) => reversal(p.code, p.impact, p.description)),
    ...STANDARD_CODES.map((c) => reversal(c.reversal, -c.impact, `REV ${c.description}`)),
  ]);
  await codes.insertCodes(
    t.db,
    STANDARD_CODES.map((c) => ({
      org_id,
      processing_code: c.code,
      kind: 'AUTHORIZATION' as const,
      balance_impact: c.impact,
      description: c.description,
      standard: true,
      reversal_processing_code: c.reversal,
      partial_reversal_processing_code: c.reversal,
      tags: c.tags,
      translations: '[]',
      ...stamp,
    })),
  );
  const flow = (code: string, type: number): flows.NewFlow => ({
    org_id,
    processing_code: code,
    transaction_type_id: BigInt(type),
    key: 'PRINCIPAL',
    custom_key: null,
    ...stamp,
  });
  await flows.insertFlows(t.db, [
    ...DEFAULT_PARTIALS.map((p) => flow(p.code, p.type.id)),
    ...STANDARD_CODES.flatMap((c) => [flow(c.code, c.type), flow(c.reversal, c.type + 1)]),
  ]);
}

/** The ledger's org setup: the standard set for every org, new and existing. */
export const ledgerOrgSetup = (platform: Pick<Platform, 'clock'>): OrgSetup => ({
  version: STANDARD_SET_VERSION,
  apply: (t) => seedStandardSet(t, platform.clock.now()),
});
