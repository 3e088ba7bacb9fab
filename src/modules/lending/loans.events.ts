// Data events of the life of a loan, with the slugs Pismo's event docs give them: Loan simulation
// created (`lending-loan-simulation-creation-1`), Loan booked (`lending-loan-booking-1`, event
// type `loan_booking`), Loan status changed (`lending-loan-status-change-1`) and Loan
// disbursement status changed (`lending-loan-disbursement-status-change-1`). Loan status changed
// carries the seed's auto-settlement payload, its keys written without the seed's stray spaces.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';
import { LENDING_DOMAIN } from './lending.events.js';

const ORG = 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11';
const LoanStatusText = Type.String({ description: 'PENDING, BOOKED, ACTIVE, CANCELED, SETTLED or RENEGOTIATED.' });
const Amounts = Type.Object({ principal: Type.Number(), interest: Type.Number(), total: Type.Number() });

const SimulationEventData = Type.Object({
  org_id: Type.String(),
  simulation_id: Type.String(),
  product_id: Type.String(),
  product_version: Type.String(),
  external_id: Type.Optional(Type.String()),
  loan_amount: Type.Number(),
  start_date: Type.String({ format: 'date' }),
  total_payment_amount: Type.Number(),
  disbursement_schedule: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), amount: Type.Number() })),
  stages: Type.Array(Type.Object({ period: Type.Object({ value: Type.Number(), unit: Type.String() }), interest_rate: Type.Object({ value: Type.Number(), unit: Type.String() }) })),
});

const LoanEventBase = {
  org_id: Type.String(),
  loan_id: Type.String(),
  external_id: Type.Optional(Type.String()),
  product_id: Type.String(),
  account_id: Type.Integer(),
  loan_amount: Type.Number(),
  outstanding_balance: Amounts,
  total_payment_amount: Type.Number(),
  start_date: Type.String({ format: 'date' }),
  created_at: Type.String({ format: 'date-time' }),
};

const LoanBookedData = Type.Object({ ...LoanEventBase, current_loan_status: LoanStatusText });
const LoanStatusChangedData = Type.Object({ ...LoanEventBase, previous_loan_status: LoanStatusText, current_loan_status: LoanStatusText });

const DisbursementStatusData = Type.Object({
  org_id: Type.String(),
  loan_id: Type.String(),
  disbursement_id: Type.String(),
  disbursement_date: Type.String({ format: 'date' }),
  disbursed_amount: Type.Number(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  previous_disbursement_status: Type.Optional(Type.String()),
  current_disbursement_status: Type.String({ description: 'SCHEDULED, PROCESSING, PAID or CANCELED.' }),
});

const loanExample = {
  org_id: ORG,
  loan_id: '6e22999f-8ef9-419c-be38-cac58f923dc7',
  external_id: '17f8103e-1719-484f-bbfa-10f0fff4edaa',
  product_id: 'ca558936-bea1-4ff5-9bbe-21d6bd7eb8e1',
  account_id: 103295925,
  loan_amount: 1000,
  outstanding_balance: { principal: 1000, interest: 20.07, total: 1020.07 },
  total_payment_amount: 1020.07,
  start_date: '2022-06-27',
  created_at: '2022-06-27T01:44:20Z',
};

export const LoanEvents = {
  simulationCreated: defineEvent({
    domain: LENDING_DOMAIN,
    eventType: 'loan-simulation-creation',
    version: 1,
    title: 'Loan simulation created',
    description: 'A loan was simulated (POST /lending/v1/simulations).',
    schema: SimulationEventData,
    example: {
      org_id: ORG,
      simulation_id: 'ae401396-2438-4ff8-8894-27720057522c',
      product_id: 'BNPL_PRODUCT_2022',
      product_version: '1',
      loan_amount: 1000,
      start_date: '2022-10-24',
      total_payment_amount: 1020.07,
      disbursement_schedule: [{ date: '2022-10-24', amount: 1000 }],
      stages: [{ period: { value: 3, unit: 'MONTH' }, interest_rate: { unit: 'YEAR', value: 0.12 } }],
    },
  }),
  loanBooked: defineEvent({
    domain: LENDING_DOMAIN,
    eventType: 'loan-booking',
    version: 1,
    title: 'Loan booked',
    description: 'A loan was booked from a simulation (POST /lending/v1/loans); its status is BOOKED.',
    schema: LoanBookedData,
    example: { ...loanExample, current_loan_status: 'BOOKED' },
  }),
  loanStatusChanged: defineEvent({
    domain: LENDING_DOMAIN,
    eventType: 'loan-status-change',
    version: 1,
    title: 'Loan status changed',
    description: 'A loan changed status: BOOKED → ACTIVE on disbursement, → CANCELED, → SETTLED when everything is repaid.',
    schema: LoanStatusChangedData,
    example: { ...loanExample, previous_loan_status: 'ACTIVE', current_loan_status: 'SETTLED' },
  }),
  disbursementStatusChanged: defineEvent({
    domain: LENDING_DOMAIN,
    eventType: 'loan-disbursement-status-change',
    version: 1,
    title: 'Loan disbursement status changed',
    description: 'A disbursement was scheduled, started processing, was paid or canceled.',
    schema: DisbursementStatusData,
    example: {
      org_id: ORG,
      loan_id: '5d9d9339-3b5e-4c33-b129-8155e4d4946b',
      disbursement_id: 'c1eb9f28-e1c9-4705-b2b5-f986b3bc7455',
      disbursement_date: '2022-06-24',
      disbursed_amount: 1000,
      created_at: '2022-06-27T14:19:30Z',
      updated_at: '2022-06-27T14:21:00Z',
      previous_disbursement_status: 'PROCESSING',
      current_disbursement_status: 'PAID',
    },
  }),
};

export const LOAN_EVENTS = Object.values(LoanEvents);

export type LoanStatusChangedData = Static<typeof LoanStatusChangedData>;
