// Request and response schemas of the clock routes.
import { Type, type Static } from 'typebox';
import { MAX_ADVANCE_DAYS } from '../../platform/day-close.js';

export const ClockQuery = Type.Object({
  program_id: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,19}$', description: "A program of the org (int64): its time zone and cycle closing instead of the org's." }),
  ),
});

export const Advance = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Poll GET /lastro/v1/clock/advances/{id}.' }),
    status: Type.Union([Type.Literal('RUNNING'), Type.Literal('DONE')], { description: 'DONE once every passed day is closed.' }),
    from_date: Type.String({ format: 'date', description: 'The business date when the advance was asked for.' }),
    to_date: Type.String({ format: 'date', description: 'The business date once it is done; every day before it is closed.' }),
    days: Type.Integer({ description: 'Days the advance closes: from_date up to the day before to_date.' }),
    days_closed: Type.Integer({ description: 'Of those, the days closed so far in every scope of the org.' }),
    created_at: Type.String({ format: 'date-time' }),
    finished_at: Type.Optional(Type.String({ format: 'date-time' })),
    last_error: Type.Optional(Type.String({ description: 'The last day handler failure while it runs; the handler is retried.' })),
  },
  { title: 'TestClockAdvance' },
);
export type Advance = Static<typeof Advance>;

export const Clock = Type.Object(
  {
    business_date: Type.String({ format: 'date', description: "The org's (or the program's) business date." }),
    wall_time: Type.String({ format: 'date-time', description: 'The wall clock (UTC).' }),
    time_zone: Type.String({ description: 'IANA time zone the business date is reckoned in.' }),
    cycle_closing: Type.Optional(Type.String({ description: 'HH:MM:SS local time at which a day closes; absent: at local midnight.' })),
    closes_at: Type.String({ format: 'date-time', description: 'When business_date closes by the wall clock.' }),
    last_closed_date: Type.Optional(Type.String({ format: 'date', description: 'The last day closed (absent until the first pass over the org).' })),
    sandbox: Type.Boolean({ description: 'Whether the org has a test clock (POST /lastro/v1/clock/advance).' }),
    program_id: Type.Optional(Type.Integer({ description: 'The program asked for.' })),
    advance: Type.Optional(Advance),
  },
  { title: 'Clock' },
);

export const AdvanceBody = Type.Object(
  {
    to: Type.Optional(Type.String({ format: 'date', description: 'Move the business date to this day (YYYY-MM-DD), closing every day before it.' })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ADVANCE_DAYS, description: 'Move the business date this many days forward.' })),
  },
  { additionalProperties: false, description: 'Exactly one of to and days.' },
);
export type AdvanceBody = Static<typeof AdvanceBody>;

export const AdvanceParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
