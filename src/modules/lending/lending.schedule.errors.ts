// Coded errors of the lending schedule engine, with the codes Pismo's Lending v1 API documents
// (ELND…, catalog §5.6 and Appendix C). All are 400s in Pismo's spec (kind `invalid`).
import { AppError, type FieldIssue } from '../../platform/errors.js';

export const ScheduleErrors = {
  /** Pismo: "More than 500 repayments not supported" (POST /lending/v1/simulations, 400). */
  tooManyInstallments: (count: number) =>
    new AppError('invalid', 'ELND0006', 'More than 500 repayments not supported', [
      { field: 'stages', reason: `add up to ${count} installments; at most 500 are supported` },
    ] satisfies FieldIssue[]),
  loanAmountNotPositive: () =>
    new AppError('invalid', 'ELND0105', 'Field loan_amount must be greater than 0', [{ field: 'loan_amount', reason: 'must be greater than 0' }]),
  stagesCount: () =>
    new AppError('invalid', 'ELND0107', 'Field stages must have at least one item and a maximum of 5', [
      { field: 'stages', reason: 'must have at least one item and a maximum of 5' },
    ]),
  negativeRate: (field: string) =>
    new AppError('invalid', 'ELND0116', 'Field stages[].interest_rate.value must be greater or equal to 0', [{ field, reason: 'must be greater or equal to 0' }]),
  negativePeriod: (field: string) =>
    new AppError('invalid', 'ELND0119', 'Field stages[].period.value must be greater or equal to 0', [{ field, reason: 'must be greater or equal to 0' }]),
  /** Pismo: the last stage must collect (not a moratorium). */
  noCollectableLastStage: () =>
    new AppError('invalid', 'ELND0301', 'Field stages must have a collectable stage at the end', [
      { field: 'stages', reason: 'the last stage must not be a MORATORIUM' },
    ]),
  /** Pismo: a moratorium only opens the schedule, never between collecting stages. */
  moratoriumBetweenStages: () =>
    new AppError('invalid', 'ELND0317', "Moratorium in between stages isn't currently supported", [
      { field: 'stages', reason: 'a MORATORIUM stage may only come before every collecting stage' },
    ]),
  chargeBothKinds: (field: string) =>
    new AppError('invalid', 'ELND0202', 'Pass only field fixed_amount or percentage, not both', [{ field, reason: 'has both fixed_amount and percentage' }]),
  chargeNoKind: (field: string) =>
    new AppError('invalid', 'ELND0208', 'Field fixed_amount not passed', [{ field, reason: 'needs fixed_amount or percentage' }]),
  chargeMinMax: (field: string) =>
    new AppError('invalid', 'ELND0207', 'Field percentage.max_charged_amount must be higher than percentage.min_charged_amount', [
      { field, reason: 'max_charged_amount is below min_charged_amount' },
    ]),
  /** Prepayment: Pismo's "payment_amount must be lower than outstanding principal amount". */
  prepaymentNotBelowPrincipal: () =>
    new AppError('invalid', 'ELND0508', 'Field payment_amount must be lower than outstanding principal amount', [
      { field: 'amount_paid', reason: 'must be lower than the outstanding principal' },
    ]),
  /** Pismo's generic "{body field} not valid". */
  notValid: (field: string, reason: string) => new AppError('invalid', 'ELND0003', `${field} not valid`, [{ field, reason }] satisfies FieldIssue[]),
};
