// Rules of a program that span fields, as Pismo's Programs API states them: which types issue
// cards (and so need a BIN and a brand), which need due dates, and how a BIN's range relates to
// its length. Pure functions; the service turns the issues into one coded 400.
import type { FieldIssue } from '../../platform/errors.js';
import type { Bin, Brand, ProgramType } from './programs.schemas.js';

/** Pismo's ProgramTypeID for each type. */
export const PROGRAM_TYPE_IDS: Record<ProgramType, number> = {
  CREDITO: 1,
  'PRE-PAGO': 2,
  DEBITO: 3,
  MERCHANT: 5,
  'CREDITO ZERO-BALANCE': 7,
  'PRE-PAGO ZERO-BALANCE': 8,
  'DEBITO ZERO-BALANCE': 9,
  'CURRENT ACCOUNTS': 11,
  'INTERNAL ACCOUNTS': 12,
  'CORRESPONDENT ACCOUNTS': 13,
  VOUCHER: 15,
};

export const typeOfId = (id: number): ProgramType => {
  const found = (Object.entries(PROGRAM_TYPE_IDS) as [ProgramType, number][]).find(([, v]) => v === id);
  if (!found) throw new Error(`unknown program type id ${id}`);
  return found[0];
};

/** Pismo publishes no brand ids; these are Lastro's, stable across releases. */
export const BRAND_IDS: Record<Brand, number> = { VISA: 1, MASTERCARD: 2, ELO: 3, RUPAY: 4, PRIVATE: 5, CABAL: 6, GOODCARD: 7, GPN: 8 };

/** Types whose accounts hold no cards: merchant, current, internal and correspondent accounts. */
const NON_CARD: ReadonlySet<ProgramType> = new Set(['MERCHANT', 'CURRENT ACCOUNTS', 'INTERNAL ACCOUNTS', 'CORRESPONDENT ACCOUNTS']);

export const issuesCards = (type: ProgramType): boolean => !NON_CARD.has(type);

/** Full balance credit: the one type with statements and due dates (Pismo's DUEDATES import step). */
export const needsDueDates = (type: ProgramType): boolean => type === 'CREDITO';

export const modeOf = (type: ProgramType): 'CREDIT' | 'DEBIT' => (type === 'CREDITO' || type === 'CREDITO ZERO-BALANCE' ? 'CREDIT' : 'DEBIT');

/**
 * How an account of the type spends: `credit` against its credit limit (modeOf CREDIT),
 * `prepaid` against a balance loaded in advance (PRE-PAGO, VOUCHER), `debit` against its balance
 * plus any overdraft limit (every other type).
 */
export type ProgramMode = 'credit' | 'debit' | 'prepaid';

export const programModeOf = (type: ProgramType): ProgramMode =>
  modeOf(type) === 'CREDIT' ? 'credit' : type === 'PRE-PAGO' || type === 'PRE-PAGO ZERO-BALANCE' || type === 'VOUCHER' ? 'prepaid' : 'debit';

/** A rule violation with the Pismo code that names it. */
export interface RuleIssue extends FieldIssue {
  code: string;
}

export const RULE_MESSAGES: Record<string, string> = {
  EOA0054: 'Card information is required (Bin, Brand and DueDate)',
  EOA0073: 'Card information is required (Bin and Brand)',
  EOA0055: 'Should not contain card information (Bin, Brand and DueDate)',
  EOA0038: 'When a BIN is 6, the range can be up to 9 digits',
  EOA0039: 'When a BIN is 8, the range can be up to 7 digits',
  EOA0082: 'Due dates need at least one active day',
  EOA0059: 'It is not possible to update the Brand value, the value is already filled',
  VALIDATION_ERROR: 'Invalid request',
};

export interface ProgramShape {
  type: ProgramType;
  bin?: Partial<Bin> | undefined;
  brand?: Brand | undefined;
  due_dates?: { day: number; active: boolean }[] | undefined;
}

/** BIN rules: a 6-digit BIN has a range of up to 9 digits, an 8-digit one up to 7; start ≤ end. */
export function binIssues(bin: Partial<Bin>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const f of ['value', 'start_range', 'end_range'] as const) {
    if (bin[f] === undefined) issues.push({ code: 'VALIDATION_ERROR', field: `body.bin.${f}`, reason: 'is required' });
  }
  const { value, start_range: start, end_range: end } = bin;
  if (value === undefined || start === undefined || end === undefined) return issues;
  const max = value.length === 6 ? 9 : 7;
  const code = value.length === 6 ? 'EOA0038' : 'EOA0039';
  for (const [f, v] of [['start_range', start], ['end_range', end]] as const) {
    if (v.length > max) issues.push({ code, field: `body.bin.${f}`, reason: `has more than ${max} digits for a ${value.length}-digit BIN` });
  }
  if (BigInt(start) > BigInt(end)) issues.push({ code: 'VALIDATION_ERROR', field: 'body.bin.end_range', reason: 'is less than start_range' });
  return issues;
}

/** Due dates: no day twice, and a CREDITO program keeps at least one active day. */
export function dueDateIssues(type: ProgramType, dueDates: { day: number; active: boolean }[], field = 'body.due_dates'): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const seen = new Set<number>();
  dueDates.forEach((d, i) => {
    if (seen.has(d.day)) issues.push({ code: 'VALIDATION_ERROR', field: `${field}[${i}].day`, reason: `repeats day ${d.day}` });
    seen.add(d.day);
  });
  if (needsDueDates(type) && dueDates.length > 0 && !dueDates.some((d) => d.active)) {
    issues.push({ code: 'EOA0082', field, reason: 'needs at least one active day' });
  }
  return issues;
}

/** Every cross-field issue of a program as it would be stored. */
export function programIssues(p: ProgramShape): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (!issuesCards(p.type)) {
    for (const f of ['bin', 'brand', 'due_dates'] as const) {
      if (p[f] !== undefined) issues.push({ code: 'EOA0055', field: `body.${f}`, reason: `is not allowed for ${p.type} programs, which issue no cards` });
    }
    return issues;
  }
  const code = needsDueDates(p.type) ? 'EOA0054' : 'EOA0073';
  if (p.bin === undefined) issues.push({ code, field: 'body.bin', reason: `is required for ${p.type} programs` });
  else issues.push(...binIssues(p.bin));
  if (p.brand === undefined) issues.push({ code, field: 'body.brand', reason: `is required for ${p.type} programs` });
  if (needsDueDates(p.type)) {
    if (!p.due_dates?.length) issues.push({ code, field: 'body.due_dates', reason: 'is required for CREDITO programs' });
    else issues.push(...dueDateIssues(p.type, p.due_dates));
  } else if (p.due_dates !== undefined) {
    issues.push({ code: 'EOA0055', field: 'body.due_dates', reason: `is only for CREDITO programs, not ${p.type}` });
  }
  return issues;
}
