// Request and response schemas of Pismo's holiday calendar API (Platform_setup_-_Holidays.yaml,
// /holidays-core/v1/holiday-calendar…).
import { Type, type Static } from 'typebox';
import { PagePerPageQuery, PismoPage } from '../../platform/paging.js';
import { IdInteger, Int64Param } from '../../platform/wire.js';

const CalendarName = Type.String({ minLength: 1, maxLength: 80, description: 'Holiday calendar name, unique per org.' });
const CalendarType = Type.String({ minLength: 1, maxLength: 15, description: 'Free-form type, e.g. Country or Region.' });
const externalId = (description: string) => Type.String({ minLength: 1, maxLength: 36, description });
const ExternalId = externalId('Client-created external id (not all digits).');
const Metadata = Type.Record(Type.String(), Type.Unknown(), { description: 'Free JSON object (no personal or card data).' });
// Pismo's HolidayWorkingDays lets a day repeat ([1, 1, 2] is the set {1, 2}); at least one is
// needed, or no day would ever be a business day.
const WorkingDays = Type.Array(Type.Integer({ minimum: 1, maximum: 6 }), {
  minItems: 1,
  description: 'Working weekdays, 1 = Monday … 6 = Saturday; each counts once. Default [1, 2, 3, 4, 5].',
});
const HolidayDate = Type.String({ format: 'date', description: 'Holiday date, yyyy-mm-dd.' });
const HolidayName = Type.String({ minLength: 1, maxLength: 80, description: 'Holiday name.' });
const Description = Type.String({ maxLength: 500, description: 'Holiday description.' });
const ParentId = IdInteger('Parent calendar id: a child calendar inherits its holidays.');
/**
 * A calendar id in a body or a query where Pismo's spec sets no minimum: one no calendar has (0 or
 * less) is accepted and names nothing, so it answers what an unknown id answers.
 */
const CalendarIdReference = (description: string) =>
  Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description });

export const NewHoliday = Type.Object(
  { name: HolidayName, holiday_date: HolidayDate, description: Type.Optional(Description), metadata: Type.Optional(Metadata) },
  { additionalProperties: false },
);

export const CreateCalendarBody = Type.Object(
  {
    name: CalendarName,
    type: CalendarType,
    external_id: Type.Optional(ExternalId),
    holidays: Type.Optional(Type.Array(NewHoliday, { maxItems: 1000 })),
    metadata: Type.Optional(Metadata),
    parent_external_id: Type.Optional(externalId('External id of the parent calendar; with parent_id, both must name it.')),
    parent_id: Type.Optional(ParentId),
    working_days: Type.Optional(WorkingDays),
  },
  { additionalProperties: false },
);
export type CreateCalendarBody = Static<typeof CreateCalendarBody>;

export const UpdateCalendarBody = Type.Object(
  {
    name: Type.Optional(CalendarName),
    type: Type.Optional(CalendarType),
    external_id: Type.Optional(ExternalId),
    parent_id: Type.Optional(ParentId),
    metadata: Type.Optional(Metadata),
    working_days: Type.Optional(WorkingDays),
  },
  // Pismo: "Fields not passed are not updated"; an empty body changes nothing and answers 204.
  { additionalProperties: false },
);
export type UpdateCalendarBody = Static<typeof UpdateCalendarBody>;

export const AddHolidayBody = Type.Object(
  {
    holiday_date: HolidayDate,
    name: HolidayName,
    description: Type.Optional(Description),
    external_id: Type.Optional(externalId("The calendar's external id; or give holiday_calendar_id, or both naming one calendar.")),
    holiday_calendar_id: Type.Optional(CalendarIdReference("The calendar's id; or give external_id, or both naming one calendar.")),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
export type AddHolidayBody = Static<typeof AddHolidayBody>;

/** Pismo's UpdateHolidayInGroupRequest: `name` is optional, and an empty body changes nothing. */
export const UpdateHolidayBody = Type.Object({ name: Type.Optional(HolidayName) }, { additionalProperties: false });

const CreatedHoliday = Type.Object({
  holiday_id: Type.Integer(),
  name: Type.String(),
  holiday_date: Type.String(),
  description: Type.Optional(Type.String()),
  metadata: Type.Optional(Metadata),
  working_date: Type.String({ description: 'The next working day after the holiday.' }),
});
export type CreatedHoliday = Static<typeof CreatedHoliday>;

export const Calendar = Type.Object(
  {
    holiday_calendar_id: Type.Integer(),
    name: Type.String(),
    type: Type.String(),
    external_id: Type.Optional(Type.String()),
    parent_id: Type.Optional(Type.Integer()),
    metadata: Type.Optional(Metadata),
    working_days: Type.Array(Type.Integer()),
  },
  { title: 'GetHolidayCalendarResponse' },
);
export type Calendar = Static<typeof Calendar>;

export const CreatedCalendar = Type.Object(
  { ...Calendar.properties, parent_external_id: Type.Optional(Type.String()), holidays: Type.Array(CreatedHoliday) },
  { title: 'CreateHolidayCalendarResponse' },
);
export type CreatedCalendar = Static<typeof CreatedCalendar>;

export const AddedHoliday = Type.Object(
  {
    ...CreatedHoliday.properties,
    holiday_calendar_id: Type.Integer(),
    external_id: Type.Optional(Type.String({ description: "The calendar's external id." })),
    created_at: Type.String(),
  },
  { title: 'AddHolidayToCalendarResponse' },
);
export type AddedHoliday = Static<typeof AddedHoliday>;

export const Holiday = Type.Object(
  {
    holiday_id: Type.Integer(),
    name: Type.String(),
    holiday_date: Type.String(),
    description: Type.Optional(Type.String()),
    metadata: Type.Optional(Metadata),
    holiday_calendar: Type.Object({ id: Type.Integer(), name: Type.String() }),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { title: 'GetHolidayResponse' },
);
export type Holiday = Static<typeof Holiday>;

export const CalendarPage = PismoPage(Calendar, 'ListHolidayCalendarResponse');
export const HolidayPage = PismoPage(Holiday, 'ListHolidayResponse');

export const CalendarListQuery = Type.Object({
  holiday_calendar_id: Type.Optional(CalendarIdReference('Calendar id.')),
  name: Type.Optional(Type.String({ maxLength: 80 })),
  type: Type.Optional(Type.String()),
  external_id: Type.Optional(Type.String({ maxLength: 36 })),
  parent_id: Type.Optional(IdInteger('Parent calendar id.')),
  sort_by: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('type')], { default: 'name' })),
  sort_order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
  relation: Type.Optional(
    Type.Union([Type.Literal('parents'), Type.Literal('children')], {
      description: 'parents: the ancestors of the calendar named by holiday_calendar_id or external_id; children: its direct children.',
    }),
  ),
  ...PagePerPageQuery,
});
export type CalendarListQuery = Static<typeof CalendarListQuery>;

export const HolidayListQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 80 })),
  beginDate: Type.Optional(Type.String({ format: 'date' })),
  endDate: Type.Optional(Type.String({ format: 'date' })),
  ...PagePerPageQuery,
  order: Type.Optional(Type.Union([Type.Literal('ASC'), Type.Literal('DESC')], { default: 'ASC' })),
  orderBy: Type.Optional(Type.Union([Type.Literal('ID'), Type.Literal('NAME')], { default: 'ID' })),
  include_parent_holidays: Type.Optional(Type.Boolean({ default: false })),
});
export type HolidayListQuery = Static<typeof HolidayListQuery>;

export const CalendarParams = Type.Object({ holiday_calendar_id: Int64Param('Holiday calendar id') });
export const HolidayParams = Type.Object({
  holiday_calendar_id: Int64Param('Holiday calendar id'),
  holiday_id: Int64Param('Holiday id'),
});
export const ExternalIdParams = Type.Object({ external_id: Type.String({ minLength: 1, maxLength: 36 }) });

// --- Business days ---

const CurrentDate = Type.String({ format: 'date', description: 'The date asked about, yyyy-mm-dd.' });

export const BusinessDayBody = Type.Object({ current_date: CurrentDate }, { additionalProperties: false });
export type BusinessDayBody = Static<typeof BusinessDayBody>;

export const BusinessDay = Type.Object(
  {
    current_date: Type.String({ description: 'The date asked about.' }),
    holiday_calendar_id: Type.Integer(),
    is_holiday: Type.Boolean({ description: "A holiday of the calendar or of one of its parents." }),
    is_weekend: Type.Boolean({ description: "Not one of the calendar's working days (Sunday never is)." }),
    name: Type.Optional(Type.String({ description: 'The holiday on that date.' })),
    description: Type.Optional(Type.String({ description: "The holiday's description." })),
    holiday_metadata: Type.Optional(Metadata),
    holiday_calendar_metadata: Type.Optional(Metadata),
    next_business_date: Type.String({ description: 'The first business day after current_date.' }),
    prior_business_date: Type.String({ description: 'The last business day before current_date.' }),
  },
  { title: 'HolidayCalendarSearchBusinessDayResponse' },
);
export type BusinessDay = Static<typeof BusinessDay>;

export const NonBusinessDaysQuery = Type.Object({
  beginDate: Type.Optional(Type.String({ format: 'date', description: "First date of the range, yyyy-mm-dd. Default: the org's business date today." })),
  endDate: Type.Optional(
    Type.String({ format: 'date', description: 'Last date of the range, yyyy-mm-dd; at most a year after beginDate. Default: a year after beginDate, less a day.' }),
  ),
});
export type NonBusinessDaysQuery = Static<typeof NonBusinessDaysQuery>;

export const NonBusinessDays = Type.Object(
  {
    dates: Type.Array(
      Type.Object({
        date: Type.String(),
        is_holiday: Type.Boolean(),
        is_weekend: Type.Boolean(),
        holiday_metadata: Type.Optional(Metadata),
      }),
    ),
    holiday_calendar_metadata: Type.Optional(Metadata),
  },
  { title: 'HolidayCalendarNonBusinessDaysResponse' },
);
export type NonBusinessDays = Static<typeof NonBusinessDays>;
