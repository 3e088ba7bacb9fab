// Request and response schemas of Pismo's loan products (Lending v1: /lending/v1/loan-products).
// Every field of the v1 file is accepted as it declares it; the fields and enum values the file
// does not have (marked "Lastro extension") are the conventions the schedule engine offers, as
// the digital lending seed describes them. They are echoed only where the product sets them.
import { Type, type Static, type TSchema } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { CurrencyCode } from './charge-plans.schemas.js';
import { CursorQuery } from './lending.http.js';

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)) as unknown as [TSchema, ...TSchema[]], { description }) as unknown as ReturnType<typeof Type.Unsafe<T>>;

const ext = (text: string) => `${text} (Lastro extension)`;

export const PRODUCT_TYPES = ['BNPL', 'PERSONAL', 'BUSINESS'] as const;
export const DAYS_IN_YEAR_METHODS = ['US_30_360', 'EUROPEAN_30_360', 'ISDA_30E_360', 'ACTUAL_ACTUAL', 'ACTUAL_365', 'ACTUAL_360', 'ACTUAL_364'] as const;
export const REPAYMENT_CALCULATION_METHODS = ['EI_REDUCING_BALANCE', 'ADD_ON_INTEREST', 'FLAT_BASIS', 'EQUAL_PRINCIPAL'] as const;
export const FREQUENCY_METHODS = ['DAILY', 'WEEKLY', 'BIWEEKLY', 'FORTNIGHTLY', 'MONTHLY', 'QUARTERLY', 'YEARLY'] as const;
export const REPAYMENT_MODES = ['MORATORIUM', 'PRINCIPAL_AND_INTEREST', 'INTEREST_ONLY'] as const;
export const LOAN_ACTIVATION_METHODS = ['ON_BOOK', 'ON_DISBURSE', 'ON_REPAY', 'ON_DISBURSE_OR_REPAY'] as const;
export const ROUNDING_MODES = ['HALF_EVEN', 'HALF_UP', 'DOWN', 'UP'] as const;
/** Units of a period, a term or a rate; Pismo writes rule units in lower case, the seed in upper case. */
export const TIME_UNITS = ['DAY', 'WEEK', 'FORTNIGHT', 'MONTH', 'QUARTER', 'YEAR'] as const;
const UNIT_SPELLINGS = [...TIME_UNITS, ...TIME_UNITS.map((u) => u.toLowerCase())];

export type FrequencyMethod = (typeof FREQUENCY_METHODS)[number];
export type TimeUnit = (typeof TIME_UNITS)[number];

const Unit = literals(UNIT_SPELLINGS, 'DAY, WEEK, FORTNIGHT, MONTH, QUARTER or YEAR (either case).');

/** A rate: a decimal fraction per unit (0.12 a YEAR = 12 % a year). */
export const Rate = Type.Object({
  value: Type.Number({ minimum: 0, maximum: 1000, description: 'Rate as a decimal fraction (0.12 = 12 %).' }),
  unit: Unit,
});
/** A duration: a whole number of units. */
export const Duration = Type.Object({
  value: Type.Integer({ minimum: 1, maximum: 36600, description: 'Whole number of units.' }),
  unit: Unit,
});

const RangeOf = <T extends TSchema>(item: T, description: string) =>
  Type.Object({ min: Type.Optional(item), max: Type.Optional(item) }, { description });

const MoneyRange = (description: string) =>
  RangeOf(Amount({ minimum: 0, description: 'Amount in the product currency.' }), description);

export const Rules = Type.Object(
  {
    loan_amount: Type.Optional(MoneyRange('Loan amount, min and max.')),
    installment_number: Type.Optional(RangeOf(Type.Integer({ minimum: 1, maximum: 500 }), 'Number of installments, 1 to 500.')),
    installment_amount: Type.Optional(MoneyRange('Installment amount, min and max.')),
    loan_term: Type.Optional(RangeOf(Duration, 'Loan term.')),
    interest_rate: Type.Optional(RangeOf(Rate, 'Interest rate.')),
    moratorium_term: Type.Optional(RangeOf(Duration, 'Moratorium term.')),
    moratorium_interest_rate: Type.Optional(RangeOf(Rate, 'Moratorium interest rate.')),
  },
  { description: 'Limits enforced at simulation and booking.' },
);

const Stage = Type.Object({
  repayment_mode: Type.Object({ type: literals(REPAYMENT_MODES, 'What the stage collects.') }),
  period: Type.Optional(Type.Unsafe<Static<typeof Duration>>({ ...Duration, description: ext('How long the stage lasts; a whole number of repayment periods') })),
  moratorium_interest_rate: Type.Optional(
    Type.Unsafe<Static<typeof Rate>>({ ...Rate, description: ext('Rate accrued during a MORATORIUM stage, amortized over the remaining term') }),
  ),
});

const Penalty = Type.Object({
  type: literals(['PERCENTAGE', 'FIXED_AMOUNT'] as const, 'PERCENTAGE of the amount, or a FIXED_AMOUNT.'),
  value: Type.Number({ minimum: 0, description: 'PERCENTAGE: a fraction from 0 to 1 (0.05 = 5 %); FIXED_AMOUNT: an amount in the product currency.' }),
});

const NonNegative = (description: string) => Type.Integer({ minimum: 0, maximum: 500, description });

export const EarlyFinalSettlement = Type.Object({
  penalty: Penalty,
  lock_in_period: Type.Optional(NonNegative('Installments that must be paid before early settlement.')),
  number_of_periods: Type.Optional(NonNegative('Periods of interest the penalty covers.')),
});

export const Prepayment = Type.Object({
  penalty: Penalty,
  lock_in_period: Type.Optional(NonNegative('Installments that must be paid before a prepayment.')),
  number_of_periods: Type.Optional(NonNegative('Periods of interest the penalty covers.')),
  reduce_option: Type.Array(literals(['INSTALLMENT', 'TERM'] as const, 'Reduce the INSTALLMENT (same maturity) or the TERM.'), {
    minItems: 1,
    uniqueItems: true,
  }),
});

/** A processing code of the org's ledger (Pismo's ProcessingCode: 2 to 6 characters). */
const ProcessingCode = Type.String({ minLength: 2, maxLength: 6, description: "A processing code of the org's ledger, with transaction flows." });
const CodeList = (description: string) => Type.Array(ProcessingCode, { maxItems: 20, description });

/**
 * The processing codes of each operation, in the shape of Pismo's v2 loan products
 * (`ProcessingCodes`); on v1 a Lastro extension. Each is checked against the org's ledger.
 */
export const ProcessingCodes = Type.Object(
  {
    booking: Type.Optional(CodeList('Booking processing codes.')),
    repayment: Type.Optional(CodeList('Repayment processing codes; the first is posted for repayments.')),
    present_value_discount: Type.Optional(CodeList('Present value discount processing codes.')),
    penalty_accruals: Type.Optional(CodeList('Penalty accrual processing codes.')),
    penalty_waiver: Type.Optional(CodeList('Penalty waiver processing codes.')),
    restructuring: Type.Optional(CodeList('Restructuring processing codes.')),
    insurance: Type.Optional(Type.Object({ booking: Type.Optional(CodeList('Insurance booking.')), repayment: Type.Optional(CodeList('Insurance repayment.')) })),
    disbursement: Type.Optional(
      Type.Object({
        internal: Type.Optional(CodeList('Disbursement to an internal account; the first is posted.')),
        external: Type.Optional(CodeList('Disbursement to an external account; the first is posted.')),
      }),
    ),
    prepayment: Type.Optional(Type.Object({ fee: Type.Optional(CodeList("Prepayment fee (penalty); the first is posted.")) })),
    early_final_settlement: Type.Optional(Type.Object({ fee: Type.Optional(CodeList('Early final settlement fee.')) })),
  },
  { description: ext("Processing codes per operation, as Pismo's v2 loan products define them") },
);
export type ProcessingCodes = Static<typeof ProcessingCodes>;

const Codes = (description: string) => Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 20, uniqueItems: true, description });
const Days = (min: number, description: string) => Type.Integer({ minimum: min, maximum: 365, description: ext(description) });

export const CreateLoanProductBody = Type.Object({
  product_id: Type.Optional(
    Type.String({
      maxLength: 80,
      pattern: '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Z0-9_]{1,80})$',
      description: 'A lowercase UUID or ^[A-Z0-9_]{1,80}$; generated (UUID) when absent.',
    }),
  ),
  program_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Program the product belongs to (a credit, debit, prepaid or current-accounts program).' }),
  collateral: literals(['NONE', 'SINGLE', 'COLLATERAL_MULTIPLE'] as const, 'Collateral.'),
  currency: CurrencyCode,
  days_in_year_method: literals(DAYS_IN_YEAR_METHODS, 'Day-count convention (Pismo lists US_30_360; the others are Lastro extensions).'),
  disbursement: Type.Object({ type: literals(['NONE', 'SINGLE', 'MULTIPLE'] as const, 'SINGLE lump sum or MULTIPLE tranches.') }),
  interest_type: literals(['SIMPLE', 'COMPOUND'] as const, 'Interest type.'),
  loan_type: literals(['FIXED_RATE'] as const, 'Loan type.'),
  product_name: Type.String({ maxLength: 256, description: 'Open text that describes the product.' }),
  product_type: literals(PRODUCT_TYPES, 'Product type.'),
  repayment_calculation_method: literals(
    REPAYMENT_CALCULATION_METHODS,
    'EI_REDUCING_BALANCE (equal installments), ADD_ON_INTEREST / FLAT_BASIS (flat), EQUAL_PRINCIPAL (Lastro extension).',
  ),
  repayment_frequency: Type.Object({
    method: Type.Optional(literals(FREQUENCY_METHODS, 'Repayment interval (WEEKLY and BIWEEKLY are Lastro extensions); MONTHLY when absent.')),
    every: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: ext('Repay every n intervals (default 1): DAILY every 15 = every 15 days') })),
  }),
  stages: Type.Array(Stage, { minItems: 1, maxItems: 5, description: 'Stages, in order; the last collects principal and interest.' }),
  interest_collection: Type.Optional(literals(['REPAYMENT', 'DEDUCTED'] as const, 'Interest collected with the repayments, or deducted.')),
  loan_activation_method: Type.Optional(literals(LOAN_ACTIVATION_METHODS, 'When a loan becomes active.')),
  charge_plan_codes: Type.Optional(Codes('Charge plans (enabled, in the product currency), in order.')),
  penalty_plan_codes: Type.Optional(Codes('Penalty plans (enabled, in the product currency), in order.')),
  rules: Type.Optional(Rules),
  repayment_due: Type.Optional(literals(['BEGINNING_OF_PERIOD', 'END_OF_PERIOD'] as const, 'Installments due at the beginning or end of each period.')),
  early_final_settlement: Type.Optional(EarlyFinalSettlement),
  repayment_hierarchy_code: Type.Optional(
    Type.String({ minLength: 1, maxLength: 32, description: 'Repayment hierarchy (enabled); PENALTY, FEE, CHARGE, TAX, INTEREST, PRINCIPAL when absent.' }),
  ),
  prepayment: Type.Optional(Prepayment),
  processing_codes: Type.Optional(ProcessingCodes),
  interest_calculation_period: Type.Optional(
    literals(['SAME_AS_REPAYMENT_PERIOD', 'DAILY'] as const, ext('Periodic rate = annual ÷ periods a year (default), or annual × actual days ÷ days in year')),
  ),
  rounding_mode: Type.Optional(literals(ROUNDING_MODES, ext('Rounding of money amounts (default HALF_EVEN)'))),
  installment_amount_in_multiples_of: Type.Optional(Amount({ exclusiveMinimum: 0, description: ext('Installments rounded to a multiple of this amount; the last absorbs the rest') })),
  grace_on_principal_periods: Type.Optional(NonNegative(ext('Periods paying interest only before principal is amortized'))),
  grace_on_interest_payment_periods: Type.Optional(NonNegative(ext('Periods whose interest is deferred to the first period after them'))),
  interest_free_periods: Type.Optional(NonNegative(ext('Periods with no interest'))),
  grace_period_days: Type.Optional(Days(0, 'Calendar days after a due date before late fees and delinquency apply')),
  overdue_threshold_days: Type.Optional(Days(1, 'Days past due after which an installment is OVERDUE')),
  stop_accrual_number_of_days: Type.Optional(Days(1, 'Days past due after which penalty accrual stops')),
  down_payment: Type.Optional(
    Type.Object(
      { percentage: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Fraction of the purchase due on the disbursement date (0.25 = 25 %).' }) },
      { description: ext('BNPL down payment') },
    ),
  ),
});
export type CreateLoanProductBody = Static<typeof CreateLoanProductBody>;

export const LoanProductCreated = Type.Object({ product_id: Type.String() }, { title: 'LoanProductCreated' });

/** The product as created, with its id, version, status and dates. */
export const LoanProduct = Type.Object(
  {
    ...CreateLoanProductBody.properties,
    product_id: Type.String(),
    product_version: Type.String(),
    status: literals(['ACTIVE', 'INACTIVE'] as const, 'Product status.'),
    created_at: Type.String({ format: 'date', description: 'Creation date, YYYY-MM-DD (UTC).' }),
    updated_at: Type.String({ format: 'date-time' }),
    rules: Type.Optional(
      Type.Object({
        loan_amount: Type.Optional(RangeOf(Type.Number(), 'Loan amount.')),
        installment_number: Type.Optional(RangeOf(Type.Integer(), 'Number of installments.')),
        installment_amount: Type.Optional(RangeOf(Type.Number(), 'Installment amount.')),
        loan_term: Type.Optional(RangeOf(Duration, 'Loan term.')),
        interest_rate: Type.Optional(RangeOf(Rate, 'Interest rate.')),
        moratorium_term: Type.Optional(RangeOf(Duration, 'Moratorium term.')),
        moratorium_interest_rate: Type.Optional(RangeOf(Rate, 'Moratorium interest rate.')),
      }),
    ),
    installment_amount_in_multiples_of: Type.Optional(Type.Number()),
  },
  { title: 'LoanProduct' },
);
export type LoanProduct = Static<typeof LoanProduct>;

export const ProductIdParams = Type.Object({ productId: Type.String({ minLength: 1, maxLength: 200, description: 'Loan product ID.' }) });

/** `product_type` is checked by the service, so a bad one answers the spec's ELND0800. */
export const LoanProductListQuery = Type.Object({
  ...CursorQuery,
  next_version: Type.Optional(Type.String({ maxLength: 20, description: 'The `next.version` of the previous page (with next_cursor).' })),
  product_type: Type.Optional(Type.String({ maxLength: 20, description: 'BNPL, PERSONAL or BUSINESS.' })),
  program_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only products of this program.' })),
});
export type LoanProductListQuery = Static<typeof LoanProductListQuery>;

export const LoanProductPage = Type.Object(
  {
    next: Type.Optional(Type.Object({ cursor: Type.String(), version: Type.String() })),
    has_next: Type.Boolean(),
    items: Type.Array(
      Type.Object({
        product_id: Type.String(),
        product_name: Type.String(),
        product_version: Type.String(),
        product_type: literals(PRODUCT_TYPES, 'Product type.'),
        created_at: Type.String({ format: 'date' }),
      }),
    ),
  },
  { title: 'LoanProductPage' },
);
