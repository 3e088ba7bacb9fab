// Data events of transaction types: Pismo's Transaction type created (slug
// transaction-types-creation-1: domain `transaction-types`, type `creation`). Lastro's standard
// types, seeded for every org, emit none.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

const TransactionTypeData = Type.Object({
  org_id: Type.String(),
  transaction_type_id: Type.Integer(),
  description: Type.String(),
  credit: Type.Boolean(),
  posted_transaction: Type.Boolean(),
});
export type TransactionTypeData = Static<typeof TransactionTypeData>;

export const TransactionTypeEvents = {
  created: defineEvent({
    domain: 'transaction-types',
    eventType: 'creation',
    version: 1,
    title: 'Transaction type created',
    description: 'A transaction type was created (POST /transactions-core/v1/transaction-types).',
    schema: TransactionTypeData,
    example: {
      org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11',
      transaction_type_id: 7001,
      description: 'Payment',
      credit: true,
      posted_transaction: true,
    },
  }),
};
