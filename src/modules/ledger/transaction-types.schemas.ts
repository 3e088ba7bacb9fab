// Request and response schemas of Pismo's transaction types (Core_platform_-_Transactions.yaml).
import { Type, type Static } from 'typebox';
import { MAX_PAGE_SIZE } from '../../platform/paging.js';
import { IdInteger, Int64Param } from '../../platform/wire.js';

const TypeDescription = Type.String({ minLength: 1, maxLength: 30, description: 'Transaction type description.' });

/** Pismo's TransactionTypeResult: the create body and the answer of create and update. */
export const TransactionTypeResult = Type.Object(
  {
    transaction_type_id: IdInteger('Transaction type id; ids 1 to 999 are reserved for standard types.'),
    description: TypeDescription,
    credit: Type.Boolean({ description: 'Credit (true) or debit (false).' }),
    posted_transaction: Type.Boolean({ description: 'Posted on statements (true) or not (false, zero-balance integrations).' }),
  },
  { additionalProperties: false },
);
export type TransactionTypeResult = Static<typeof TransactionTypeResult>;

export const TransactionTypePatch = Type.Object({ description: TypeDescription }, { additionalProperties: false });
export type TransactionTypePatch = Static<typeof TransactionTypePatch>;

export const TransactionTypeParams = Type.Object({ transactionTypeId: Int64Param('Transaction type id') });

export const TransactionTypeListQuery = Type.Object({
  transactionTypeId: Type.Optional(IdInteger('Transaction type id filter.')),
  description: Type.Optional(Type.String({ minLength: 3, maxLength: 30, description: 'Matches descriptions that contain it (any case).' })),
  credit: Type.Optional(Type.Boolean({ description: 'Credit (true) or debit (false) types only.' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE, description: `Items per page (at most ${MAX_PAGE_SIZE}).` })),
  orderBy: Type.Optional(Type.Union([Type.Literal('transactionId'), Type.Literal('description')], { default: 'transactionId' })),
  pageOffset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Page number, from 0.' })),
});
export type TransactionTypeListQuery = Static<typeof TransactionTypeListQuery>;

/** Pismo's TransactionType (Get transaction type). */
export const TransactionType = Type.Object({
  id: Type.Integer(),
  description: Type.String(),
  credit: Type.Boolean(),
  posted_transaction: Type.Boolean(),
  category: Type.Optional(Type.String({ description: 'Category of a standard type, e.g. PAYMENTS/CREDITS.' })),
});
export type TransactionType = Static<typeof TransactionType>;

export const TransactionTypeItem = Type.Object({
  transaction_type_id: Type.Integer(),
  description: Type.String(),
  credit: Type.Boolean(),
  posted_transaction: Type.Boolean(),
});
export type TransactionTypeItem = Static<typeof TransactionTypeItem>;

export const TransactionTypePage = Type.Object({ has_next: Type.Boolean(), items: Type.Array(TransactionTypeItem) });
export type TransactionTypePage = Static<typeof TransactionTypePage>;
