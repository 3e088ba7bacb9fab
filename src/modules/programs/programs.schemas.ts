// Request and response schemas of Pismo's Programs API (Platform_setup_-_Programs.yaml): single-
// field rules (lengths, enums, real codes and zones) live here, so one 400 names every bad field;
// rules across fields (card information per program type, BIN ranges) are in programs.rules.ts.
import { Type, type Static } from 'typebox';
import { PagePerPageQuery, PismoPage } from '../../platform/paging.js';
import { Int64Param } from '../../platform/wire.js';

export const PROGRAM_TYPES = [
  'CREDITO',
  'PRE-PAGO',
  'DEBITO',
  'MERCHANT',
  'CREDITO ZERO-BALANCE',
  'PRE-PAGO ZERO-BALANCE',
  'DEBITO ZERO-BALANCE',
  'CURRENT ACCOUNTS',
  'INTERNAL ACCOUNTS',
  'CORRESPONDENT ACCOUNTS',
  'VOUCHER',
] as const;
export type ProgramType = (typeof PROGRAM_TYPES)[number];

export const BRANDS = ['VISA', 'MASTERCARD', 'ELO', 'RUPAY', 'PRIVATE', 'CABAL', 'GOODCARD', 'GPN'] as const;
export type Brand = (typeof BRANDS)[number];

const literals = <T extends string[]>(values: readonly [...T], description: string) => Type.Enum(values, { description });

const ProgramName = Type.String({ minLength: 1, maxLength: 50, description: 'Program name.' });
const ProgramTypeField = literals(PROGRAM_TYPES, 'Program type (Pismo ProgramType).');
const TimeZone = Type.String({ maxLength: 60, format: 'iana-timezone', description: 'IANA time zone, Region/City, e.g. America/Sao_Paulo.' });
const CurrencyNumericCode = Type.String({ format: 'iso4217-numeric', description: 'ISO 4217 numeric currency code, e.g. "986".' });
const CountryCode = Type.String({ format: 'iso3166-alpha3', description: 'ISO 3166-1 alpha-3 country code, e.g. BRA.' });
const BrandField = literals(BRANDS, "Program's card brand. Required for card-issuing programs.");
const Language = Type.Union([Type.Literal('en-US'), Type.Literal('pt-BR')], { description: 'Program language. Default en-US.' });
const CycleClosing = Type.Union([Type.String({ format: 'time-hms' }), Type.Null()], { description: 'Cycle closing time HH:MM:SS, or null.' });
const HolidayCalendarRef = Type.String({
  maxLength: 36,
  description: "Holiday calendar of the org: its holiday_calendar_id, or its external_id.",
});
/**
 * An int64 id in a body or a query where Pismo's spec sets no minimum: one no object has (0 or
 * less) is accepted and names nothing, so it answers what an unknown id answers.
 */
const IdReference = (description: string) =>
  Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description });

export const Bin = Type.Object(
  {
    value: Type.String({ pattern: '^[0-9]{6}([0-9]{2})?$', description: 'Card network-issued BIN, 6 or 8 digits.' }),
    start_range: Type.String({ pattern: '^[0-9]{1,18}$', description: 'BIN range start (digits).' }),
    end_range: Type.String({ pattern: '^[0-9]{1,18}$', description: 'BIN range end (digits).' }),
  },
  { additionalProperties: false, description: 'Bank Identification Number. Required for card-issuing programs.' },
);
export type Bin = Static<typeof Bin>;

const DueDateDay = Type.Integer({ minimum: 1, maximum: 28, description: 'Day of the month (1 to 28) of the statement due date.' });
const DueDateActive = Type.Boolean({ description: 'Can accounts choose this due date?' });
/** Pismo's ProgramDueDatePatch. */
export const DueDateInput = Type.Object({ day: DueDateDay, active: DueDateActive }, { additionalProperties: false });
/**
 * Pismo's ProgramDueDate, which has an `id` (a due date read back from a program, say): a new
 * program's due dates get ids of their own, so an id in a create body is accepted and not kept.
 */
export const NewDueDate = Type.Object(
  {
    day: DueDateDay,
    active: DueDateActive,
    id: Type.Optional(IdReference('Ignored: the new program\'s due dates get new ids (answered in due_dates[].id).')),
  },
  { additionalProperties: false },
);
// Days run 1 to 28 and none may repeat, so 28 due dates are the most a program can have.
const DueDatesInput = Type.Array(NewDueDate, { maxItems: 28, description: 'Due dates; required for CREDITO programs.' });

export const ProgramFromTemplate = Type.Object(
  {
    name: ProgramName,
    type: ProgramTypeField,
    timezone: TimeZone,
    currency_numeric_code: CurrencyNumericCode,
    country_code: CountryCode,
    bin: Type.Optional(Bin),
    brand: Type.Optional(BrandField),
    due_dates: Type.Optional(DueDatesInput),
    language: Type.Optional(Language),
    cycle_closing: Type.Optional(CycleClosing),
    holiday_calendar_id: Type.Optional(HolidayCalendarRef),
  },
  { additionalProperties: false },
);
export type ProgramFromTemplate = Static<typeof ProgramFromTemplate>;

export const CopyProgram = Type.Object(
  {
    base_program_id: IdReference('Program to copy.'),
    ...Type.Omit(ProgramFromTemplate, ['type']).properties,
  },
  { additionalProperties: false },
);
export type CopyProgram = Static<typeof CopyProgram>;

export const ProgramPatch = Type.Object(
  {
    name: Type.Optional(ProgramName),
    timezone: Type.Optional(TimeZone),
    country_code: Type.Optional(CountryCode),
    bin: Type.Optional(Type.Partial(Bin, { additionalProperties: false })),
    brand: Type.Optional(BrandField),
    due_dates: Type.Optional(
      Type.Array(DueDateInput, { maxItems: 28, description: 'Adds due dates, or sets `active` of existing days.' }),
    ),
    language: Type.Optional(Language),
    cycle_closing: Type.Optional(CycleClosing),
    holiday_calendar_id: Type.Optional(Type.Union([HolidayCalendarRef, Type.Null()])),
  },
  // Pismo: "Fields not passed are not updated"; an empty body changes nothing and answers 204.
  { additionalProperties: false },
);
export type ProgramPatch = Static<typeof ProgramPatch>;

// --- Responses ---

const ProgramStatus = Type.Union([Type.Literal('ACTIVE'), Type.Literal('PENDING')]);
const DueDate = Type.Object({
  id: Type.Integer({ description: 'Due date id: the program_due_date_id accounts use.' }),
  day: Type.Integer(),
  active: Type.Boolean(),
});
const BinOut = Type.Object({ value: Type.String(), start_range: Type.String(), end_range: Type.String() });

/** Fields every program view shares. */
const common = {
  id: Type.Integer({ description: 'Program id (int64).' }),
  name: Type.String(),
  bin: Type.Optional(BinOut),
  base_program_id: Type.Optional(Type.Integer()),
  currency_numeric_code: Type.String(),
  timezone: Type.String(),
  country_code: Type.String(),
  created_at: Type.String({ description: 'yyyy-mm-ddThh:mm:ssZ (UTC).' }),
  status: ProgramStatus,
  language: Type.String(),
  cycle_closing: Type.Optional(Type.String()),
  holiday_calendar_id: Type.Optional(Type.String()),
  due_dates: Type.Optional(Type.Array(DueDate, { description: 'Lastro: the program due dates, with their ids.' })),
};

/** Pismo's Program (v1 get, list, copy). */
export const Program = Type.Object({ ...common, type: Type.String(), brand: Type.Optional(Type.String()) }, { title: 'Program' });
export type Program = Static<typeof Program>;

/** Pismo's ProgramResponse (create): the Program with its due dates. */
export const ProgramResponse = Type.Object({ ...Program.properties }, { title: 'ProgramResponse' });

/** Pismo's ProgramDetails (v2 get): type and brand as objects. */
export const ProgramDetails = Type.Object(
  {
    ...common,
    type: Type.Object({ id: Type.Integer(), description: Type.String(), mode: Type.Union([Type.Literal('CREDIT'), Type.Literal('DEBIT')]) }),
    brand: Type.Optional(Type.Object({ id: Type.Integer(), description: Type.String(), pci: Type.Boolean() })),
  },
  { title: 'ProgramDetails' },
);
export type ProgramDetails = Static<typeof ProgramDetails>;

export const ProgramPage = PismoPage(Program, 'ProgramPage');

export const ProgramListQuery = Type.Object({
  ...PagePerPageQuery,
  order: Type.Optional(Type.Union([Type.Literal('ASC'), Type.Literal('DESC')], { default: 'ASC' })),
  orderBy: Type.Optional(Type.Union([Type.Literal('ID'), Type.Literal('NAME')], { default: 'ID' })),
  id: Type.Optional(IdReference('Program id filter.')),
  name: Type.Optional(Type.String({ maxLength: 50, description: 'Program name filter (case-insensitive, part of the name).' })),
  type: Type.Optional(ProgramTypeField),
  binValue: Type.Optional(Type.String({ maxLength: 8, description: 'BIN value filter.' })),
});
export type ProgramListQuery = Static<typeof ProgramListQuery>;

const SUBMITTED =
  'Your request has been submitted successfully. It may take some time to finish. You can track the progress on the programs dashboard.';
export const SUBMITTED_MESSAGE = SUBMITTED;

export const ProgramTemplateV2Response = Type.Object(
  { program_import_id: Type.Integer({ description: 'Import id: GET /programs/v1/programs/import/{id}.' }), message: Type.String() },
  { title: 'ProgramTemplateV2Response' },
);
export const ProgramCopyV2Response = Type.Object(
  { program_export_id: Type.Integer({ description: 'Import id of the copy: GET /programs/v1/programs/import/{id}.' }), message: Type.String() },
  { title: 'ProgramCopyV2Response' },
);

const ImportStatus = Type.Union([Type.Literal('PENDING'), Type.Literal('PROCESS'), Type.Literal('SUCCESS'), Type.Literal('ERROR')]);
export const ProgramImportWithSteps = Type.Object(
  {
    id: Type.Integer(),
    program_id: Type.Optional(Type.Integer()),
    status: ImportStatus,
    details: Type.Optional(Type.String()),
    started_at: Type.String(),
    finished_at: Type.Optional(Type.String()),
    program_import_steps: Type.Array(
      Type.Object({
        id: Type.Integer(),
        name: Type.Union([Type.Literal('PROGRAM'), Type.Literal('DUEDATES')]),
        order: Type.Integer(),
        status: ImportStatus,
        started_at: Type.Optional(Type.String()),
        finished_at: Type.Optional(Type.String()),
      }),
    ),
  },
  { title: 'ProgramImportWithStepResponse' },
);
export type ProgramImportWithSteps = Static<typeof ProgramImportWithSteps>;

export const ProgramIdParams = Type.Object({ id: Int64Param('Program id') });
export const ImportIdParams = Type.Object({ id: Int64Param('Program import id') });
