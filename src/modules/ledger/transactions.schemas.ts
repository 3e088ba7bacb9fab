// Schemas of Pismo's Transactions API reads: GET /transactions-core/v2/transactions and
// GET /transactions-core/v2/transactions/{transactionId} (Core_platform_-_Transactions.yaml).
import { Type, type Static } from 'typebox';

export const TransactionListQuery = Type.Object({
  processingCode: Type.Optional(Type.String()),
  credit: Type.Optional(Type.Boolean()),
  authorizationId: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
  authorizationTrackingId: Type.Optional(Type.String()),
  eventDateStart: Type.Optional(Type.String({ description: 'Date (YYYY-MM-DD) or date-time; required unless authorizationId or authorizationTrackingId is given. At most 90 days before eventDateEnd.' })),
  eventDateEnd: Type.Optional(Type.String({ description: "Date or date-time; default 90 days after eventDateStart. Dates are the program's (its time zone)." })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
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
