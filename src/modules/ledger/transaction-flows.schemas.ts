// Request and response schemas of Pismo's transaction flows (Core_platform_-_Transactions.yaml).
import { Type, type Static } from 'typebox';
import { IdInteger, Int64Param } from '../../platform/wire.js';

export const FLOW_KEYS = ['PRINCIPAL', 'INSTALLMENT', 'CONTRACT', 'OTHER'] as const;

const Key = Type.Union(
  FLOW_KEYS.map((k) => Type.Literal(k)),
  { description: 'Amount the flow posts: PRINCIPAL, INSTALLMENT, CONTRACT, or OTHER (a custom amount named by custom_key).' },
);
// Pismo writes `maximum: 200` (a number bound) on this string; its length is meant.
const CustomKey = Type.String({ maxLength: 200, description: 'Custom amount (fee model type or id). Required if and only if key is OTHER.' });

export const TransactionFlowPost = Type.Object(
  {
    transaction_type_id: IdInteger('Transaction type id.'),
    processing_code: Type.String({ minLength: 1, maxLength: 6, description: 'Processing code that issues the transaction type.', examples: ['00AB11'] }),
    key: Key,
    custom_key: Type.Optional(CustomKey),
  },
  { additionalProperties: false },
);
export type TransactionFlowPost = Static<typeof TransactionFlowPost>;

export const TransactionFlowPatch = Type.Object({ key: Key, custom_key: Type.Optional(CustomKey) }, { additionalProperties: false });
export type TransactionFlowPatch = Static<typeof TransactionFlowPatch>;

export const TransactionFlowParams = Type.Object({
  processingCode: Type.String({ minLength: 1, maxLength: 6, description: 'Processing code of the flow.' }),
  transactionTypeId: Int64Param('Transaction type id of the flow'),
});

export const TransactionFlowListQuery = Type.Object({
  processingCode: Type.Optional(Type.String({ minLength: 1, maxLength: 6, description: 'Processing code filter.' })),
  transactionTypeId: Type.Optional(IdInteger('Transaction type id filter.')),
  pageOffset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Page number, from 0 (pages of 100).' })),
});
export type TransactionFlowListQuery = Static<typeof TransactionFlowListQuery>;

export const TransactionFlow = Type.Object({
  transaction_type_id: Type.Integer(),
  processing_code: Type.String(),
  key: Type.String(),
  custom_key: Type.Optional(Type.String()),
});
export type TransactionFlow = Static<typeof TransactionFlow>;

export const TransactionFlowPage = Type.Object({ has_next: Type.Boolean(), items: Type.Array(TransactionFlow) });
export type TransactionFlowPage = Static<typeof TransactionFlowPage>;
