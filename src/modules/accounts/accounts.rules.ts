// Rules of an account application that span fields, as Pismo's Accounts API states them: exactly
// one of personal or company; a person needs a name or a social name; credit programs need a
// granted limit and a due date; the limit lies within the granted limit; a VIRTUAL account names
// its parent and an external id. Pure functions; the service turns the issues into one 400.
import type { FieldIssue } from '../../platform/errors.js';
import type { ProgramForAccounts } from '../programs/index.js';
import type { Applicant, ApplicationV3 } from './accounts.schemas.js';

const AT = 'body.application';

/** Issues of the applicant alone (no program needed): a prospect must pass these too. */
export function applicantIssues(applicant: Applicant, at = `${AT}.applicant`): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { personal, company } = applicant;
  if (personal && company) issues.push({ field: `${at}.company`, reason: 'cannot be sent with personal: pass one or the other' });
  if (!personal && !company) issues.push({ field: `${at}.personal`, reason: 'is required when company is not sent' });
  if (personal && personal.name === undefined && personal.social_name === undefined) {
    issues.push({ field: `${at}.personal.name`, reason: 'is required when social_name is not sent' });
  }
  const mailing = (applicant.addresses ?? []).filter((a) => a.mailing_address === true);
  if (mailing.length > 1) issues.push({ field: `${at}.addresses`, reason: 'has more than one mailing address' });
  if (applicant.custom_fields && Buffer.byteLength(JSON.stringify(applicant.custom_fields)) > 1014) {
    issues.push({ field: `${at}.custom_fields`, reason: 'is longer than 1014 bytes' });
  }
  (applicant.addresses ?? []).forEach((a, i) => {
    if (a.custom_fields && Buffer.byteLength(JSON.stringify(a.custom_fields)) > 1014) {
      issues.push({ field: `${at}.addresses[${i}].custom_fields`, reason: 'is longer than 1014 bytes' });
    }
  });
  const account = applicant.account;
  if (account?.account_type === 'VIRTUAL') {
    if (account.parent_account_id === undefined) issues.push({ field: `${at}.account.parent_account_id`, reason: 'is required for VIRTUAL accounts' });
    if (account.external_id === undefined) issues.push({ field: `${at}.account.external_id`, reason: 'is required for VIRTUAL accounts' });
  }
  if (account?.limit !== undefined && account.granted_limit !== undefined && account.limit > account.granted_limit) {
    issues.push({ field: `${at}.account.limit`, reason: `must be between 0 and granted_limit (${account.granted_limit})` });
  }
  return issues;
}

/**
 * Issues of an application against the program it opens an account in: the program's kind of
 * account (credit limits, exchange mode and due dates for credit programs; overdraft for the
 * others). `program.dueDates` are the program's; `due_date` must be an active one.
 */
export function programIssues(app: Pick<ApplicationV3, 'applicant' | 'due_date'>, program: ProgramForAccounts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const account = app.applicant.account ?? {};
  const credit = program.mode === 'credit';
  if (credit && account.granted_limit === undefined) {
    issues.push({ field: `${AT}.applicant.account.granted_limit`, reason: `is required for ${program.type} programs` });
  }
  if (!credit) {
    for (const f of ['granted_limit', 'limit', 'exchange_mode'] as const) {
      if (account[f] !== undefined) issues.push({ field: `${AT}.applicant.account.${f}`, reason: `is only for credit programs, not ${program.type}` });
    }
  } else if (account.overdraft_limit !== undefined) {
    issues.push({ field: `${AT}.applicant.account.overdraft_limit`, reason: `is only for debit accounts, not ${program.type}` });
  }
  if (program.needsDueDate) {
    if (app.due_date === undefined) issues.push({ field: `${AT}.due_date`, reason: `is required for ${program.type} programs` });
    else if (!program.dueDates.some((d) => d.active && d.id === BigInt(app.due_date!))) {
      issues.push({ field: `${AT}.due_date`, reason: `is not an active due date of program ${program.programId}` });
    }
  } else if (app.due_date !== undefined) {
    issues.push({ field: `${AT}.due_date`, reason: `is only for programs with due dates, not ${program.type}` });
  }
  return issues;
}
