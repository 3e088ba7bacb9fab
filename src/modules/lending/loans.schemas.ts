// Request and response schemas of Pismo's loan lifecycle (Lending v1): simulations, loans,
// disbursement. Where the seed (Digital lending overview) and the v1 file name a field
// differently, the answer carries both (`payment_amount` and `amount`, disbursement `date` and
// `due_date`, repayment frequency `unit` and `method`). Fields marked "Lastro extension" are not
// in the v1 file.
import { Type, type Static, type TSchema } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { CursorQuery } from './lending.http.js';

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)) as unknown as [TSchema, ...TSchema[]], { description }) as unknown as ReturnType<typeof Type.Unsafe<T>>;

const ext = (text: string) => `${text} (Lastro extension)`;
const IsoDate = (description: string) => Type.String({ format: 'date', description });

export const RATE_UNITS = ['DAY', 'WEEK', 'MONTH', 'FORTNIGHT', 'QUARTER', 'YEAR'] as const;
export const PERIOD_UNITS = ['DAY', 'WEEK', 'FORTNIGHT', 'MONTH', 'QUARTER', 'YEAR'] as const;
export const LOAN_STATUSES = ['PENDING', 'BOOKED', 'ACTIVE', 'CANCELED', 'SETTLED', 'RENEGOTIATED'] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];
export const INSTALLMENT_STATUSES = ['SCHEDULED', 'IN_GRACE_PERIOD', 'PAST_DUE', 'PARTIALLY_PAID', 'OVERDUE', 'PAID', 'CANCELED'] as const;
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];
export const DISBURSEMENT_STATUSES = ['SCHEDULED', 'PROCESSING', 'PAID', 'CANCELED'] as const;
export type DisbursementStatus = (typeof DISBURSEMENT_STATUSES)[number];

const StageRate = Type.Object({
  value: Type.Number({ minimum: 0, maximum: 1000, description: 'Rate as a decimal fraction (0.12 = 12 %).' }),
  unit: literals(RATE_UNITS, 'Rate per DAY, MONTH, FORTNIGHT, QUARTER or YEAR (WEEK is a Lastro extension).'),
});

const StagePeriod = Type.Object({
  value: Type.Integer({ minimum: 1, maximum: 36600, description: 'How long the stage lasts; without a unit, a number of installments.' }),
  unit: Type.Optional(literals(PERIOD_UNITS, 'DAY, FORTNIGHT, MONTH, QUARTER or YEAR (WEEK is a Lastro extension): a duration, a whole number of repayment periods.')),
});

export const SimulationBody = Type.Object({
  product_id: Type.String({ minLength: 1, maxLength: 80, description: 'The loan product.' }),
  loan_amount: Amount({ exclusiveMinimum: 0, description: 'Amount borrowed, in the product currency.' }),
  start_date: IsoDate('Loan start date, YYYY-MM-DD: today or later in the program time zone (sandbox orgs also accept past dates).'),
  stages: Type.Array(Type.Object({ interest_rate: StageRate, period: StagePeriod }), {
    minItems: 1,
    maxItems: 5,
    description: 'Stages in order; each with its rate and its period.',
  }),
  disbursement: Type.Array(
    Type.Object({
      due_date: IsoDate('When to disburse, YYYY-MM-DD.'),
      amount: Type.Optional(
        Amount({
          exclusiveMinimum: 0,
          description: ext('The principal of this disbursement (tranche); required when there are several, which must sum to loan_amount. Default: the whole loan_amount'),
        }),
      ),
    }),
    {
      minItems: 1,
      maxItems: 10,
      description: 'Disbursement dates. Several (tranches, dates ascending) when the product’s disbursement type is MULTIPLE.',
    },
  ),
  simulation_id: Type.Optional(Type.String({ minLength: 1, maxLength: 36, pattern: '^[A-Z0-9_]+$', description: 'Custom simulation ID: uppercase letters, digits, underscores.' })),
  external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'The client’s own reference.' })),
  auto_collection: Type.Optional(Type.Boolean({ description: ext('Collect every installment from the loan account on its due date (the schedule’s `auto`)') })),
});
export type SimulationBody = Static<typeof SimulationBody>;

const Num = (description: string) => Type.Number({ description });

export const Balance = Type.Object({
  principal: Num('Principal.'),
  interest: Num('Interest.'),
  fee: Num('Fees.'),
  tax: Num('Taxes.'),
  charge: Num('Charges.'),
  penalty: Type.Optional(Num('Penalties.')),
  total: Num('Total.'),
});

const SimulationInstallment = Type.Object({
  period: Type.Integer({ description: 'Installment number, from 1.' }),
  due_date: IsoDate('Due date (keeps the start day; clamped to the month end).'),
  real_due_date: IsoDate('The due date moved to the next business day of the program calendar.'),
  payment_amount: Num('Installment amount (the seed’s name).'),
  amount: Num('Installment amount (the v1 file’s name).'),
  principal_amount: Num('Principal.'),
  interest_amount: Num('Interest.'),
  fee_amount: Num('Fees, taxes and charges amortised on the installment.'),
  tax_amount: Type.Optional(Num(ext('Taxes amortised on the installment'))),
  charge_amount: Type.Optional(Num(ext('Charges amortised on the installment'))),
  balance: Num('Principal left after the installment.'),
  number_of_days: Type.Integer({ description: 'Days from the previous due date (or the start date).' }),
  auto: Type.Boolean({ description: 'Collected from the account on its due date.' }),
});

const DisbursementItem = Type.Object({
  date: IsoDate('Disbursement date (the seed’s name).'),
  due_date: IsoDate('Disbursement date (the v1 file’s name).'),
  amount: Num('Amount credited: principal less deducted fees, taxes and charges.'),
  principal: Num('Principal.'),
  tax: Num('Taxes deducted.'),
  fee: Num('Fees deducted.'),
  charge: Num('Charges deducted.'),
});

const ResponseStage = Type.Object({
  interest_rate: Type.Object({ value: Type.Number(), unit: Type.String() }),
  period: Type.Object({ value: Type.Number(), unit: Type.String() }),
});

export const SimulationAnswer = Type.Object(
  {
    loan_simulation_id: Type.String(),
    product_id: Type.String(),
    external_id: Type.Optional(Type.String()),
    loan_amount: Num('Amount borrowed.'),
    outstanding_balance: Balance,
    total_payment_amount: Num('Everything the borrower pays: installments, down payment and upfront charges.'),
    start_date: IsoDate('Loan start date.'),
    days_in_year_method: Type.String(),
    repayment_calculation_method: Type.String(),
    repayment_frequency: Type.Object({
      unit: Type.String({ description: 'The seed’s name: DAY, WEEK, FORTNIGHT, MONTH, QUARTER or YEAR.' }),
      method: Type.String({ description: 'The v1 file’s name: DAILY, WEEKLY, BIWEEKLY, FORTNIGHTLY, MONTHLY, QUARTERLY or YEARLY.' }),
      every: Type.Optional(Type.Integer({ description: ext('Repay every n intervals') })),
    }),
    repayment_schedule: Type.Array(SimulationInstallment),
    disbursement_schedule: Type.Array(DisbursementItem),
    stages: Type.Array(ResponseStage),
    down_payment: Type.Optional(Type.Object({ amount: Type.Number(), due_date: IsoDate('Due on the disbursement date.') }, { description: ext('BNPL down payment') })),
    upfront: Type.Optional(Type.Object({ fee: Type.Number(), tax: Type.Number(), charge: Type.Number(), total: Type.Number(), due_date: IsoDate('Due on the disbursement date.') }, { description: ext('Charges due on the disbursement date') })),
    maturity_date: IsoDate(ext('The last due date')),
    expires_at: Type.String({ format: 'date-time', description: ext('Until when the simulation can be booked') }),
  },
  { title: 'LoanSimulation' },
);
export type SimulationAnswer = Static<typeof SimulationAnswer>;

export const SimulationIdParams = Type.Object({ loanSimulationId: Type.String({ minLength: 1, maxLength: 36, description: 'Loan simulation ID.' }) });

// ---- loans ----

export const BookingBody = Type.Object({
  loan_simulation_id: Type.String({ minLength: 1, maxLength: 36, description: 'The simulation to book.' }),
  account_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The account that holds the loan.' }),
  loan_id: Type.Optional(Type.String({ minLength: 1, maxLength: 36, pattern: '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Z0-9_]+)$', description: 'Custom loan ID (a UUID or uppercase letters, digits, underscores); generated when absent.' })),
  external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'The client’s own reference.' })),
});
export type BookingBody = Static<typeof BookingBody>;

export const LoanIdAnswer = Type.Object({ loan_id: Type.String() }, { title: 'LoanId' });
export const LoanIdParams = Type.Object({ loanId: Type.String({ minLength: 1, maxLength: 36, description: 'Loan ID.' }) });

const Components = Type.Object({ principal: Type.Number(), interest: Type.Number(), fee: Type.Number(), tax: Type.Number(), charge: Type.Number(), penalty: Type.Number(), total: Type.Number() });

const LoanInstallment = Type.Object({
  period: Type.Integer(),
  status: literals(INSTALLMENT_STATUSES, 'Installment status.'),
  due_date: IsoDate('Due date.'),
  real_due_date: IsoDate('Due date moved to a business day.'),
  balance: Type.Number(),
  number_of_days: Type.Integer(),
  payment_amount: Type.Number({ description: 'Installment amount as scheduled.' }),
  principal_amount: Type.Number(),
  interest_amount: Type.Number(),
  fee_amount: Type.Number(),
  auto: Type.Boolean(),
  amount: Type.Object({ initial_amount: Components, amount_due: Components, amount_paid: Components }),
});

const LoanDisbursement = Type.Object({
  disbursement_id: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  status: literals(DISBURSEMENT_STATUSES, 'Disbursement status.'),
  date: IsoDate('Disbursement date.'),
  due_date: IsoDate('Disbursement date.'),
  amount: Type.Number(),
  principal: Type.Number(),
  fee: Type.Number(),
  tax: Type.Number(),
  charge: Type.Number(),
  disbursement_account: Type.Optional(Type.Object({ type: Type.String(), account_id: Type.Optional(Type.Integer()) })),
});

const LoanSummary = {
  loan_id: Type.String(),
  external_id: Type.Optional(Type.String()),
  status: literals(LOAN_STATUSES, 'Loan status.'),
  created_at: IsoDate('Booking date.'),
  updated_at: IsoDate('Date of the last change.'),
  product_id: Type.String(),
  account_id: Type.Integer(),
  loan_amount: Type.Number(),
  outstanding_balance: Balance,
  total_payment_amount: Type.Number(),
  start_date: IsoDate('Loan start date.'),
};

export const Loan = Type.Object(
  {
    ...LoanSummary,
    loan_simulation_id: Type.String({ description: ext('The simulation the loan was booked from') }),
    disbursement_schedule: Type.Optional(Type.Array(LoanDisbursement)),
    repayment_schedule: Type.Optional(Type.Array(LoanInstallment)),
  },
  { title: 'Loan' },
);
export type Loan = Static<typeof Loan>;

export const LoanQuery = Type.Object({
  expand: Type.Optional(Type.Boolean({ description: 'Also the disbursement and repayment schedules (default true in Lastro).' })),
});

export const LoanListQuery = Type.Object({
  ...CursorQuery,
  status: Type.Optional(literals(LOAN_STATUSES, 'Only loans in this status.')),
  account_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only loans of this account.' })),
  product_id: Type.Optional(Type.String({ maxLength: 80, description: 'Only loans of this product.' })),
});
export type LoanListQuery = Static<typeof LoanListQuery>;

export const LoanPage = Type.Object(
  {
    next_cursor: Type.String(),
    has_next: Type.Boolean(),
    // The v1 file lists loans as LoanProductShortResponse items: each also names its product.
    items: Type.Array(Type.Object({ ...LoanSummary, product_name: Type.String(), product_version: Type.String(), product_type: Type.String() })),
  },
  { title: 'LoanPage' },
);

// ---- disbursement and repayment ----

export const DisburseBody = Type.Object({
  disbursement_id: Type.Optional(Type.String({ minLength: 1, maxLength: 36, description: 'The disbursement of the schedule to make (the next one when absent).' })),
  disbursement_date: Type.String({
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+Z?)?$',
    maxLength: 30,
    description: 'When to disburse (YYYY-MM-DD, or a date-time whose date is taken): today or earlier pays now, a later date is paid by that day’s close.',
  }),
  disbursed_amount: Amount({ minimum: 0, description: 'The amount the schedule disburses (principal less deducted charges).' }),
  disbursement_account: Type.Object({
    type: literals(['INTERNAL', 'EXTERNAL'] as const, 'INTERNAL: an account of the org (the borrower’s, or a merchant’s for BNPL); EXTERNAL: bank details, paid out through the settlement account.'),
    account_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The account credited (INTERNAL).' })),
    bank_id: Type.Optional(Type.String({ maxLength: 20 })),
    account_number: Type.Optional(Type.String({ maxLength: 30 })),
    account_digit: Type.Optional(Type.String({ maxLength: 5 })),
    branch_number: Type.Optional(Type.String({ maxLength: 20 })),
    branch_digit: Type.Optional(Type.String({ maxLength: 5 })),
    external_id: Type.Optional(Type.String({ maxLength: 100 })),
  }),
});
export type DisburseBody = Static<typeof DisburseBody>;

export const DisburseAnswer = Type.Object(
  {
    loan_id: Type.String(),
    disbursement_id: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    product_id: Type.String(),
    disbursement_status: literals(DISBURSEMENT_STATUSES, 'PAID when paid now; SCHEDULED for a later date.'),
    disbursement_date: IsoDate('The disbursement date.'),
    loan_amount: Type.Number(),
    disbursed_amount: Type.Number(),
    disbursement_account: Type.Object({ type: Type.String(), account_id: Type.Optional(Type.Integer()) }),
  },
  { title: 'LoanDisbursement' },
);

export const RepaymentBody = Type.Object({
  repayment_id: Type.String({ minLength: 1, maxLength: 64, description: 'The repayment’s own ID; the same ID again answers the same repayment.' }),
  repayment_date: IsoDate('When the borrower paid.'),
  repayment_amount: Amount({ exclusiveMinimum: 0, description: 'The amount paid.' }),
  external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
});
export type RepaymentBody = Static<typeof RepaymentBody>;

export const RepaymentAnswer = Type.Object(
  {
    loan_id: Type.String(),
    repayment_id: Type.String(),
    repayment_amount: Type.Number(),
    external_id: Type.Optional(Type.String()),
    overpayment_amount: Type.Optional(Type.Number({ description: ext('What nothing was owed for: credited back to the loan account') })),
  },
  { title: 'LoanRepayment' },
);

// ---- early final settlement ----

export const SettlementSimulationBody = Type.Object({
  reference_date: Type.Optional(IsoDate(ext('The settlement date, today or later (default today)'))),
  waive_penalty: Type.Optional(Type.Boolean({ description: ext('Leave the product’s early-settlement penalty out') })),
});

const Outstanding = Type.Object({
  principal: Type.Number(),
  interest: Type.Number(),
  charge: Type.Number(),
  tax: Type.Number(),
  fee: Type.Number(),
  installments: Type.Integer(),
  penalty: Type.Number(),
});

export const SettlementQuote = Type.Object(
  {
    id: Type.String(),
    early_settlement_id: Type.String(),
    reference_date: IsoDate('The day the quote settles the loan on.'),
    total_to_settle: Type.Number(),
    outstanding: Outstanding,
  },
  { title: 'EarlyFinalSettlement' },
);

export const SettlementRegistered = Type.Object(
  { early_settle_id: Type.String(), loan_id: Type.String(), total_settled: Type.Number(), outstanding: Outstanding },
  { title: 'EarlyFinalSettlementRegistered' },
);

export const EfsParams = Type.Object({ loanId: Type.String({ minLength: 1, maxLength: 36 }), efsId: Type.String({ minLength: 1, maxLength: 36, description: 'Early final settlement simulation ID.' }) });

// ---- prepayment ----

export const PrepaymentSimulationBody = Type.Object({
  amount_paid: Amount({ minimum: 0, description: 'Prepayment amount: the principal it repays (the penalty is paid on top).' }),
  waive_penalty: Type.Boolean({ description: 'Leave the product’s prepayment penalty out.' }),
  reason: Type.Optional(Type.String({ maxLength: 256, description: 'Reason to execute a prepayment.' })),
});
export type PrepaymentSimulationBody = Static<typeof PrepaymentSimulationBody>;

const PrepaymentInstallment = Type.Object({
  period: Type.Integer({ description: 'Installment number (the loan’s numbering goes on).' }),
  due_date: IsoDate('Due date.'),
  real_due_date: IsoDate('The due date moved to the next business day of the program calendar.'),
  payment_amount: Num('Installment amount.'),
  amount: Num('Installment amount (the v1 file’s name).'),
  principal_amount: Num('Principal.'),
  interest_amount: Num('Interest.'),
  fee_amount: Num('Fees, taxes and charges amortised on the installment.'),
  balance: Num('Principal left after the installment.'),
  number_of_days: Type.Integer({ description: 'Days from the previous due date.' }),
});

export const PrepaymentQuote = Type.Object(
  {
    prepayment_id: Type.String({ format: 'uuid' }),
    amount_paid: Type.Number(),
    penalty_amount: Type.Number(),
    reduce_option: Type.Union([Type.Literal('INSTALLMENT'), Type.Literal('TERM')]),
    waive_penalty: Type.Boolean(),
    settlement_date: IsoDate('The day the prepayment is registered on (the simulation is valid that day only).'),
    reason: Type.Optional(Type.String()),
    repayment_schedule: Type.Array(PrepaymentInstallment),
    new_balance: Balance,
    original_balance: Balance,
  },
  { title: 'PrepaymentSimulation' },
);
export type PrepaymentQuote = Static<typeof PrepaymentQuote>;

export const PrepaymentRegistered = Type.Object(
  {
    prepayment_id: Type.String(),
    loan_id: Type.String(),
    amount_paid: Type.Number(),
    penalty_amount: Type.Number(),
    reduce_option: Type.String(),
    settlement_date: IsoDate('The day it was registered.'),
  },
  { title: 'PrepaymentRegistered' },
);

export const PrepaymentParams = Type.Object({ loanId: Type.String({ minLength: 1, maxLength: 36 }), prepaymentId: Type.String({ minLength: 1, maxLength: 36, description: 'Prepayment simulation ID.' }) });
