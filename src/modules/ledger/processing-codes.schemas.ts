// Request and response schemas of Pismo's Orgs operation API (Platform_setup_-_Orgs_Operation.yaml):
// processing codes and reversal processing codes.
import { Type, type Static } from 'typebox';
import { MAX_PAGE_SIZE } from '../../platform/paging.js';

export const TAGS = [
  'GLOBAL',
  'BRAZIL',
  'ARGENTINA',
  'INDIA',
  'NETWORK',
  'VISA',
  'MASTERCARD',
  'ELO',
  'RUPAY',
  'TECBAN',
  'UPI',
  'PIX',
  'FPS',
  'TRANSACTION_BANKING',
  'BNPL',
  'LENDING',
  'DEPRECATED',
] as const;
export type Tag = (typeof TAGS)[number];

const ALNUM = '^[A-Za-z0-9]+$';

export const BalanceImpact = Type.Union([Type.Literal(1), Type.Literal(0), Type.Literal(-1)], {
  description: 'Balance impact: 1 credit, 0 no impact (zero balance), -1 debit.',
});
const Description = Type.String({ minLength: 1, maxLength: 50, description: 'Processing code description.' });
const ReversalCode = (description: string) =>
  Type.String({ minLength: 2, maxLength: 6, pattern: ALNUM, description: `${description} 2 to 6 letters and digits.`, examples: ['578739'] });
const Tags = Type.Array(Type.Enum(TAGS), {
  description: 'Processing code tags (authorization codes only).',
});
const Language = Type.String({ minLength: 1, maxLength: 35, description: 'Translation language, e.g. en-US.' });
const TranslatedText = (description: string) => Type.String({ maxLength: 50, description });
const Translation = Type.Object(
  { language: Type.Optional(Language), description: Type.Optional(TranslatedText('Translated description.')) },
  { additionalProperties: false },
);
const Translations = Type.Array(Translation, { description: 'Descriptions in other languages.' });

export const ProcessingCodeCreateRequest = Type.Object(
  {
    processing_code: Type.String({
      minLength: 3,
      maxLength: 6,
      pattern: ALNUM,
      description: 'Processing code: 3 to 6 letters and digits, unique in the org; the prefix PSM is reserved.',
      examples: ['I87654'],
    }),
    balance_impact: BalanceImpact,
    description: Description,
    reversal_processing_code: ReversalCode('Reversal processing code: an existing REVERSAL code of the opposite balance impact, or a new one.'),
    reversal_description: Type.Optional(TranslatedText('Description of a new reversal code; default "REV " + description.')),
    partial_reversal_processing_code: Type.Optional(
      ReversalCode('Partial reversal processing code; default: the standard one for the balance impact.'),
    ),
    partial_reversal_description: Type.Optional(TranslatedText('Description of a new partial reversal code (required for one).')),
    tags: Type.Optional(Tags),
    translations: Type.Optional(
      Type.Array(
        Type.Object(
          {
            language: Type.Optional(Language),
            description: Type.Optional(TranslatedText('Translated description.')),
            reversal_description: Type.Optional(TranslatedText('Translated reversal description.')),
            partial_reversal_description: Type.Optional(TranslatedText('Translated partial reversal description.')),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type ProcessingCodeCreateRequest = Static<typeof ProcessingCodeCreateRequest>;

export const ReversalProcessingCodeCreateRequest = Type.Object(
  {
    processing_code: ReversalCode('Reversal processing code:'),
    balance_impact: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(0), Type.Literal(-1)], {
        description: 'Balance impact: 1 credit (the default), 0 no impact, -1 debit.',
      }),
    ),
    description: Description,
    translations: Type.Optional(Translations),
  },
  { additionalProperties: false },
);
export type ReversalProcessingCodeCreateRequest = Static<typeof ReversalProcessingCodeCreateRequest>;

export const ProcessingCodeUpdateRequest = Type.Object(
  {
    description: Type.Optional(Description),
    reversal_processing_code: Type.Optional(ReversalCode('Reversal processing code.')),
    partial_reversal_processing_code: Type.Optional(ReversalCode('Partial reversal processing code.')),
    tags: Type.Optional(Tags),
    translations: Type.Optional(Translations),
  },
  // Pismo: "Only fields passed are updated"; `{}` changes nothing.
  { additionalProperties: false },
);
export type ProcessingCodeUpdateRequest = Static<typeof ProcessingCodeUpdateRequest>;

export const ProcessingCodeParams = Type.Object({
  processingCode: Type.String({ minLength: 1, maxLength: 6, description: 'Processing code.' }),
});
export const LanguageQuery = Type.Object({
  language: Type.Optional(Type.String({ minLength: 1, maxLength: 35, description: 'Description language, e.g. en-US.' })),
});
export const ProcessingCodeListQuery = Type.Object({
  nextCursor: Type.Optional(Type.String({ maxLength: 200, description: 'The next_cursor of the previous page.' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE, description: `Items per page (at most ${MAX_PAGE_SIZE}).` }),
  ),
});
export type ProcessingCodeListQuery = Static<typeof ProcessingCodeListQuery>;

// --- Responses ---

const Status = Type.Union([Type.Literal('SUCCESS'), Type.Literal('PENDING')], {
  description: 'PENDING until the code (and, for an authorization code, its reversal codes) has a transaction flow.',
});
const TranslationOut = Type.Object({ language: Type.Optional(Type.String()), description: Type.Optional(Type.String()) });

export const ProcessingCodeCreateResponse = Type.Object({
  processing_code: Type.String(),
  reversal_processing_code: Type.String(),
  partial_reversal_processing_code: Type.String(),
  status: Status,
});
export type ProcessingCodeCreateResponse = Static<typeof ProcessingCodeCreateResponse>;

export const ReversalCreateResponse = Type.Object({ processing_code: Type.String(), status: Status });
export type ReversalCreateResponse = Static<typeof ReversalCreateResponse>;

const common = {
  org_operation_id: Type.Integer({ description: 'Org operation id.' }),
  balance_impact: Type.Integer(),
  description: Type.String(),
  standard: Type.Boolean({ description: 'A standard code, seeded for every org.' }),
  reversal_processing_code: Type.Optional(Type.String()),
  partial_reversal_processing_code: Type.Optional(Type.String()),
  status: Status,
  tags: Type.Array(Type.String()),
};

export const ProcessingCodeResponse = Type.Object({ processing_code: Type.String(), ...common });
export type ProcessingCodeResponse = Static<typeof ProcessingCodeResponse>;

/** Pismo's GetProcessingCodeItem, whose code field is spelt `processing_codes`. */
export const ProcessingCodeItem = Type.Object({
  processing_codes: Type.String({ description: 'Processing code (Pismo spells this field in the plural).' }),
  ...common,
  translations: Type.Array(TranslationOut),
});
export type ProcessingCodeItem = Static<typeof ProcessingCodeItem>;

export const ProcessingCodePage = Type.Object({
  has_next: Type.Boolean(),
  next_cursor: Type.Optional(Type.String()),
  count: Type.Integer(),
  items: Type.Array(ProcessingCodeItem),
});
export type ProcessingCodePage = Static<typeof ProcessingCodePage>;
