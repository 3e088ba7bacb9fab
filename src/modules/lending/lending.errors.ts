// Coded errors of the lending module, with the codes Pismo's Lending API v1 documents (ELND…),
// and the 400 statuses that file declares for them. A request the schema refuses is answered
// with the code the spec gives its field (`ELND0200 Field collection_method not passed`), or the
// spec's generic ELND0002 (missing) / ELND0003 (not valid); the details still name every field.
import { AppError, type FieldIssue } from '../../platform/errors.js';

/** One field rule: the field (as the error mapper names it: `body.stages`) and its codes. */
export interface FieldCode {
  field: string | RegExp;
  /** The code when the field is missing. */
  missing?: string;
  /** The code when the field is present but not valid. */
  invalid?: string;
}

/** Pismo's messages for its codes, as the v1 file words them. */
export const MESSAGES: Record<string, string> = {
  ELND0002: '{field} not passed',
  ELND0003: '{field} not valid',
  ELND0005: '{what} not found',
  ELND0011: '{field} not valid for the product disbursement method',
  ELND0101: 'Field product_id is required',
  ELND0102: 'Field start_date is required',
  ELND0103: 'Field start_date must be greater or equal to current date',
  ELND0104: 'Field loan_amount is required',
  ELND0105: 'Field loan_amount must be greater than 0',
  ELND0106: 'Field stages is required',
  ELND0107: 'Field stages must have at least one item and a maximum of 5',
  ELND0108: 'Field disbursement is required',
  ELND0109: 'Field disbursement must have at least one item and a maximum of 10',
  ELND0110: 'Field simulation_id must consist of uppercase alphanumeric characters and underscore',
  ELND0111: 'Field disbursement[].due_date is required',
  ELND0112: 'Field disbursement[].due_date must be greater or equal to current date',
  ELND0113: 'Field stages[].interest_rate is required',
  ELND0114: 'Field stages[].period is required',
  ELND0115: 'Field stages[].interest_rate.value is required',
  ELND0116: 'Field stages[].interest_rate.value must be greater or equal to 0',
  ELND0117: 'Field stages[].interest_rate.unit is required',
  ELND0118: 'Field stages[].period.value is required',
  ELND0119: 'Field stages[].period.value must be greater or equal to 0',
  ELND0121: 'Field repayment_due must be one of [BEGINNING_OF_PERIOD, END_OF_PERIOD]',
  ELND0124: 'Field external_id must contain at least one character when passed',
  ELND0132: 'Field loan_amount has a maximum of 36 integer part digits and 2 fraction part digits',
  ELND0400: 'Loan must be active to perform this action',
  ELND0007: 'Loan must be active to perform this action.',
  ELND0500: 'prepayment ID must be an UUID',
  ELND0501: 'Loan Product does not have prepayment configuration defined.',
  ELND0502: 'Lock In Period period defined in the current Loan Product Prepayment did not match the number of installments paid.',
  ELND0503: 'Field repayment_due defined in Loan Product is BEGINNING_OF_PERIOD and does not support prepayment before pay, at least, the first installment.',
  ELND0504: 'Field amount_paid not passed.',
  ELND0505: 'Field amount_paid must be positive.',
  ELND0506: 'Field waive_penalty not passed.',
  ELND0507: 'Field reason length must be lower or equal to 256.',
  ELND0508: 'Field payment_amount must be lower than outstanding principal amount',
  ELND0509: 'This Prepayment simulation is not valid anymore because the outstanding balance changed after the simulation was requested.',
  ELND0510: 'The simulation for this prepayment was made on a date different from today.',
  ELND1004: 'The loan must be activated before accepting a repayment',
  ELND1005: 'It is not allowed to repay a canceled loan',
  ELND0200: 'Field collection_method not passed',
  ELND0201: 'Field collection_method is not valid',
  ELND0202: 'Pass only field fixed_amount or percentage, not both',
  ELND0203: 'Field percentage.value not passed',
  ELND0204: 'Field percentage.value must be positive',
  ELND0205: 'Field percentage.min_charged_amount must be positive',
  ELND0206: 'Field percentage.max_charged_amount must be positive',
  ELND0207: 'Field percentage.max_charged_amount must be higher than percentage.min_charged_amount',
  ELND0208: 'Field fixed_amount not passed',
  ELND0209: 'Field fixed_amount.value must be positive',
  ELND0210: 'Field name size must be lower or equal to 80',
  ELND0211: 'Field currency must be between 0 and 999',
  ELND0300: 'The number of stages must be between 1 and 5',
  ELND0301: 'Field stages must have a collectable stage at the end',
  ELND0302: 'Field early_final_settlement.penalty_rate not passed',
  ELND0303: 'Field early_final_settlement.penalty_rate must be defined between 0 or 1, ex: 0.5',
  ELND0304: 'Field early_final_settlement.number_of_periods must be equal to or greater than 0',
  ELND0305: 'Field early_final_settlement.lock_in_period must be equal to or greater than 0',
  ELND0306: 'Field prepayment.penalty_rate not passed',
  ELND0307: 'Field prepayment.penalty_rate must be defined between 0 or 1, ex: 0.5',
  ELND0308: 'Field prepayment.number_of_periods must be equal to or greater than 0',
  ELND0309: 'Field prepayment.lock_in_period must be equal to or greater than 0',
  ELND0310: 'Field prepayment.reduce_option not passed',
  ELND0311: 'The number of charge plan codes must be between 1 and 20',
  ELND0312: 'Field repayment_hierarchy_code length must be lower or equal to 32',
  ELND0313: 'The number of penalty plan codes must be between 1 and 20',
  ELND0314: 'Field loan_activation_method must be one of [ON_BOOK, ON_DISBURSE, ON_REPAY, ON_DISBURSE_OR_REPAY]',
  ELND0352: 'Field processing_codes.booking must be defined between 2 and 6',
  ELND0354: 'Field processing_codes.repayment must be defined between 2 and 6',
  ELND0355: 'Field processing_codes.prepayment_discount must be defined between 2 and 6',
  ELND0356: 'Field processing_codes.penalty_accruals must be defined between 2 and 6',
  ELND0357: 'Field processing_codes.penalty_waiver must be defined between 2 and 6',
  ELND0358: 'Field processing_codes.insurance.booking must be defined between 2 and 6',
  ELND0359: 'Field processing_codes.insurance.repayment must be defined between 2 and 6',
  ELND0361: 'The processing code must be unique for each operation.',
  ELND0369: 'Processing codes list must have at most 20 items.',
  ELND0317: "Moratorium in between stages isn't currently supported",
  ELND0318: 'Different currencies between loan product and charge plans',
  ELND0600:
    'Field hierarchy must be a combination of the following items [PRINCIPAL, INTEREST, TAX, CHARGE, FEE, PENALTY]. Duplicated values are ignored.',
  ELND0601: 'Field code is not passed',
  ELND0602: 'Field code length must be lower or equal to 32',
  ELND0603: 'Field hierarchy not passed',
  ELND0604: 'Field hierarchy size must be equal to 6',
  ELND0700: 'If you pass `next_cursor`, you must pass `next_version`.',
  ELND0701: 'Field limit must be defined between 1 and 50.',
  ELND0800: 'Field product_type is invalid. Valid options [BNPL, PERSONAL, BUSINESS].',
  ELND0900: 'Field code not passed',
  ELND0901: 'Field code length must be lower or equal to 32',
  ELND0902: 'Field name not passed',
  ELND0903: 'Field name length must be between 1 and 100',
  ELND0904: 'Field percentage.accrual_frequency not passed',
  ELND0905: 'Field apply_when not passed',
  ELND0906: 'Field grace_days must be greater than 0',
  ELND0907: 'Field fixed_amount must be greater than 0',
  ELND0908: 'Field percentage not passed',
  ELND0909: 'Field percentage must be greater than zero',
  ELND0910: 'Field fixed_amount or percentage must be passed',
  ELND0911: 'Field percentage.minimum_penalty_amount must be greater than zero when passed',
  ELND0912: 'Field percentage.maximum_penalty_amount must be greater than zero when passed',
  ELND0913: 'Field percentage.maximum_penalty_amount must be greater than minimum_penalty_amount.',
  ELND0914: 'Field percentage.apply_concerning not passed',
  ELND0915: 'Field grace_days must not be passed when field apply_when do not contain PAST_DUE option',
  ELND0916: 'Query parameter status must be one of [ENABLED, DISABLED].',
  ELND0917: 'Field currency must be between 0 and 999',
  ELND1300: 'Notification type must be [BEFORE_PAST_DUE, AFTER_PAST_DUE]',
  ELND1302: 'Field configs not passed',
  ELND1303: 'Field enabled not passed',
  ELND1304: 'Field number_of_days not passed',
  ELND1500: 'Field idempotency-key is invalid',
  ELND1501: 'idempotency-key is already in use',
  WLND0001: 'idempotency-key already in use',
};

/** `body.rules.loan_amount.min` → `rules.loan_amount.min`, as Pismo's messages name fields. */
const bare = (field: string) => field.replace(/^(body|query|path|headers)\./, '');

const messageOf = (code: string, field: string) => (MESSAGES[code] ?? '{field} not valid').replace('{field}', bare(field)).replace('{what}', bare(field));

/** A 400 with `code` naming the issues; the message is Pismo's for the code, then each issue. */
export function coded(code: string, issues: FieldIssue[]): AppError {
  const first = issues[0]?.field ?? 'request';
  const text = `${messageOf(code, first)}: ${issues.map((i) => `${i.field} ${i.reason}`).join('; ')}`;
  return new AppError('invalid', code, text, issues);
}

const matches = (rule: FieldCode, field: string) => (typeof rule.field === 'string' ? rule.field === field : rule.field.test(field));

/**
 * The route's `refusedRequest`: a VALIDATION_ERROR becomes the spec's code for its first field
 * that has one, else ELND0002 / ELND0003. A malformed idempotency key is ELND1500.
 */
export function lendingRefusal(rules: FieldCode[] = []): (err: AppError) => AppError {
  return (err) => {
    if (err.code !== 'VALIDATION_ERROR' || !Array.isArray(err.details)) return err;
    const issues = err.details as FieldIssue[];
    for (const issue of issues) {
      const missing = issue.reason === 'is required';
      if (/^headers\.(x-)?idempotency-key$/.test(issue.field)) return coded('ELND1500', issues);
      const rule = rules.find((r) => matches(r, issue.field) && (missing ? r.missing : r.invalid));
      if (rule) return coded((missing ? rule.missing : rule.invalid)!, issues);
    }
    return coded(issues.some((i) => i.reason === 'is required') ? 'ELND0002' : 'ELND0003', issues);
  };
}

export const LendingErrors = {
  /** A 400 with the spec's code for a rule the service checks. */
  rule: (code: string, field: string, reason: string) => coded(code, [{ field, reason }]),
  invalid: (field: string, reason: string) => coded('ELND0003', [{ field, reason }]),
  /** A referenced object (plan, program) that is not there to use: 400 ELND0005 naming the field. */
  relatedNotFound: (what: string, field: string, reason: string) =>
    new AppError('invalid', 'ELND0005', `${what} not found: ${field} ${reason}`, [{ field, reason }]),
  notFound: (what: string) => new AppError('not_found', 'ELND0005', `${what} not found`),
  exists: (what: string, field: string) =>
    new AppError('conflict', 'LENDING_ALREADY_EXISTS', `${what} already exists`, [{ field, reason: 'is already taken in this org' }]),
  inUse: (what: string, by: string) => new AppError('conflict', 'LENDING_PLAN_IN_USE', `${what} is used by ${by}; it cannot be deleted`),
  /** Pismo's 409 WLND0001 of createLoan: the account holds another loan that is not final. */
  accountInUse: (loanId: string, status: string) =>
    new AppError('conflict', 'WLND0001', 'Account is already in use', [
      { field: 'body.account_id', reason: `holds loan ${loanId} (${status}); another loan can be booked on it once that one is CANCELED or SETTLED` },
    ]),
  /** A loan entry under a processing code the org's ledger does not have (the v1 file's ELND0363). */
  unknownProcessingCode: (code: string) => new AppError('unprocessable', 'ELND0363', `Processing code ${code} is invalid or does not exist.`),
  /** A loan entry under a processing code without transaction flows (PENDING; the v1 file's ELND0362). */
  processingCodeNotLinked: (code: string) => new AppError('unprocessable', 'ELND0362', `Processing code ${code} is not linked to transactions types.`),
  /** Pismo's answer to an idempotency key already used for another request: 202 with this code. */
  keyInUse: (code: 'ELND1501' | 'WLND0001') => new AppError('unprocessable', code, MESSAGES[code]!),
};
