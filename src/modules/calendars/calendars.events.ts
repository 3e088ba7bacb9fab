// Data events of the calendars module. Pismo's holiday calendar API emits no events; Lastro's
// follow Pismo's naming style (domain `holidays`), because due dates and business days depend on
// calendars.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

export const HOLIDAYS_DOMAIN = 'holidays';

const CalendarEventData = Type.Object({
  org_id: Type.String(),
  holiday_calendar_id: Type.Integer(),
  name: Type.String(),
  external_id: Type.Optional(Type.String()),
  change: Type.Optional(
    Type.Union([
      Type.Literal('CALENDAR_UPDATED'),
      Type.Literal('HOLIDAY_ADDED'),
      Type.Literal('HOLIDAY_UPDATED'),
      Type.Literal('HOLIDAY_DELETED'),
    ]),
  ),
  changed_fields: Type.Optional(Type.Array(Type.String())),
  holiday_id: Type.Optional(Type.Integer()),
  holiday_date: Type.Optional(Type.String()),
});

const calendarExample = {
  org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11',
  holiday_calendar_id: 8675309,
  name: 'Brazil holiday calendar',
  external_id: 'br-national',
};

export const CalendarEvents = {
  calendarCreated: defineEvent({
    domain: HOLIDAYS_DOMAIN,
    eventType: 'holiday-calendar-created',
    version: 1,
    title: 'Holiday calendar created',
    description: 'A holiday calendar was created, with the holidays it was given.',
    schema: CalendarEventData,
    example: calendarExample,
  }),
  calendarUpdated: defineEvent({
    domain: HOLIDAYS_DOMAIN,
    eventType: 'holiday-calendar-updated',
    version: 1,
    title: 'Holiday calendar updated',
    description: 'A holiday calendar changed: its fields, or a holiday added, renamed or deleted. Business days computed from it may change.',
    schema: CalendarEventData,
    example: { ...calendarExample, change: 'HOLIDAY_ADDED', holiday_id: 42, holiday_date: '2026-12-25' },
  }),
  calendarDeleted: defineEvent({
    domain: HOLIDAYS_DOMAIN,
    eventType: 'holiday-calendar-deleted',
    version: 1,
    title: 'Holiday calendar deleted',
    description: 'A holiday calendar and its holidays were deleted.',
    schema: CalendarEventData,
    example: calendarExample,
  }),
};

/** Every event type of the calendars module, for the catalog. */
export const CALENDAR_EVENTS = Object.values(CalendarEvents);

export type CalendarEventData = Static<typeof CalendarEventData>;
