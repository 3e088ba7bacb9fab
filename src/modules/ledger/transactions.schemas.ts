// Schemas of Pismo's Transactions API reads: GET /transactions-core/v2/transactions and
// GET /transactions-core/v2/transactions/{transactionId} (Core_platform_-_Transactions.yaml).
import { Type, type Static } from 'typebox';

const IdList = (description: string) =>
  Type.Array(Type.String({ pattern: '^[0-9]{1,19}(,[0-9]{1,19})*$' }), { minItems: 1, description });

export const TransactionListQuery = Type.Object({
  processingCode: Type.Optional(Type.String()),
  credit: Type.Optional(Type.Boolean()),
  authorizationId: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
  authorizationTrackingId: Type.Optional(Type.String()),
  eventDateStart: Type.Optional(Type.String({ description: 'Date (YYYY-MM-DD) or date-time; required unless authorizationId or authorizationTrackingId is given. At most 90 days before eventDateEnd.' })),
  eventDateEnd: Type.Optional(Type.String({ description: "Date or date-time; default 90 days after eventDateStart. Dates are the program's (its time zone)." })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
  statementId: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'Statement ID: transactions of that statement (Lastro has no statements yet, so none).' })),
  customerId: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: "Customer ID: the account's transactions when the customer is one of the account's, else none." })),
  transactionTypeId: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'Transaction type ID of the transaction (its processing code\'s main flow).' })),
  statementPost: Type.Optional(Type.Boolean({ description: 'Whether the transaction type is posted on statements.' })),
  authorizationType: Type.Optional(Type.String({ description: 'PLATFORM or NETWORK (Lastro authorizations are PLATFORM).' })),
  authorizationIds: Type.Optional(IdList('Authorization IDs (repeated, or separated by commas).')),
  id: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'Transaction ID.' })),
  ids: Type.Optional(IdList('Transaction IDs, 1 to 100 (repeated, or separated by commas).')),
  numberOfLatestTransactions: Type.Optional(Type.Integer({ description: 'The 1 to 500 latest transactions by event date; no other filter with it, and no paging.' })),
  userCategory: Type.Optional(Type.String({ description: 'User category (Lastro transactions have none, so none match).' })),
  paymentMethodId: Type.Optional(Type.String({ description: 'Payment method ID (Lastro transactions have none, so none match).' })),
  pageSize: Type.Optional(Type.Integer({ description: '1 to 1000 (default 100).' })),
  pageOffset: Type.Optional(Type.Integer({ description: '0 to 5000 (default 0): pages to skip.' })),
});
export type TransactionListQuery = Static<typeof TransactionListQuery>;

export const TransactionIdParams = Type.Object({ transactionId: Type.String({ description: 'Transaction ID (int64).' }) });
export const TransactionGetQuery = Type.Object({ includeMetadata: Type.Optional(Type.Boolean()) });

export const Transaction = Type.Object(
  {
    id: Type.Integer(),
    program_id: Type.Integer(),
    account_id: Type.Integer(),
    processing_code: Type.String(),
    processing_description: Type.Optional(Type.String()),
    amount: Type.Array(Type.Object({ type: Type.Literal('PRINCIPAL'), currency: Type.String(), value: Type.Number() })),
    event_date: Type.String({ format: 'date-time', description: "The program's business date, at 00:00:00Z." }),
    event_datetime: Type.String({ format: 'date-time' }),
    created_at: Type.String({ format: 'date-time' }),
    transaction_type: Type.Object({ id: Type.Optional(Type.Integer()), description: Type.Optional(Type.String()), credit: Type.Boolean() }),
    authorization: Type.Optional(Type.Object({ id: Type.Integer(), type: Type.Literal('PLATFORM'), tracking_id: Type.Optional(Type.String()) })),
  },
  { title: 'Transaction' },
);
export type Transaction = Static<typeof Transaction>;

export const TransactionPage = Type.Object({ has_next: Type.Boolean(), items: Type.Array(Transaction) }, { title: 'TransactionPage' });
export type TransactionPage = Static<typeof TransactionPage>;
