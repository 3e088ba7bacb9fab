// Isolation seed of holiday calendars: a parent calendar, a child with an external id and
// holidays, one holiday added on its own; and the routes that name a calendar in their body.
import type { IsolationSeed, WalkCase } from '../walk.js';

const CAL = '/holidays-core/v1/holiday-calendar';

/** A list filtered on one of A's objects must come back empty to B. */
const emptyList = (label: string, query: string): WalkCase => ({
  label,
  query,
  expect: { status: 200, reason: "a filter on another org's object matches nothing" },
  check: (res) => (res.json().total_items === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
});

export const calendarsSeed: IsolationSeed = {
  module: 'calendars',
  async seed(s) {
    const parent = await s.call('POST', CAL, { name: s.mark('parent-calendar'), type: 'Country', external_id: s.mark('parent-ext') });
    const cal = await s.call('POST', CAL, {
      name: s.mark('calendar'),
      type: 'Region',
      external_id: s.mark('calendar-ext'),
      parent_id: parent.holiday_calendar_id,
      metadata: { note: s.mark('calendar-metadata') },
      holidays: [{ name: s.mark('holiday'), holiday_date: '2026-12-25', description: s.mark('holiday-description') }],
    });
    const calendar = String(cal.holiday_calendar_id);
    const added = await s.call('POST', `${CAL}/holiday`, { holiday_calendar_id: cal.holiday_calendar_id, holiday_date: '2026-11-20', name: s.mark('added-holiday') });
    const holiday = String(added.holiday_id ?? added.id);
    return {
      params: {
        [`${CAL}/{holiday_calendar_id}`]: [{ holiday_calendar_id: calendar }],
        [`${CAL}/{holiday_calendar_id}/holiday`]: [{ holiday_calendar_id: calendar }],
        [`${CAL}/{holiday_calendar_id}/holiday/{holiday_id}`]: [{ holiday_calendar_id: calendar, holiday_id: holiday }],
        [`${CAL}/{holiday_calendar_id}/business-day`]: [{ holiday_calendar_id: calendar }],
        [`${CAL}/{holiday_calendar_id}/non-business-days`]: [{ holiday_calendar_id: calendar }],
        [`${CAL}/external-id/{external_id}`]: [{ external_id: s.mark('calendar-ext') }],
      },
      values: { calendar, parentCalendar: String(parent.holiday_calendar_id), calendarExternalId: s.mark('calendar-ext'), holiday },
      markers: [
        s.mark('parent-calendar'),
        s.mark('parent-ext'),
        s.mark('calendar'),
        s.mark('calendar-ext'),
        s.mark('calendar-metadata'),
        s.mark('holiday'),
        s.mark('holiday-description'),
        s.mark('added-holiday'),
      ],
      snapshot: [`${CAL}?perPage=100`, `${CAL}/${calendar}`, `${CAL}/${parent.holiday_calendar_id}`, `${CAL}/${calendar}/holiday?perPage=100&include_parent_holidays=true`],
    };
  },
  routes: {
    [`GET ${CAL}`]: {
      cases: ({ a }) => [
        emptyList("A's calendar id", `holiday_calendar_id=${a.value('calendar')}`),
        emptyList("A's external id", `external_id=${encodeURIComponent(a.value('calendarExternalId'))}`),
        emptyList("children of A's calendar", `holiday_calendar_id=${a.value('parentCalendar')}&relation=children`),
        emptyList("A's calendar as parent", `parent_id=${a.value('parentCalendar')}`),
      ],
    },
    [`POST ${CAL}`]: {
      cases: ({ a }) => [
        {
          label: "A's calendar as parent",
          body: { name: 'walk child by id', type: 'Region', parent_id: Number(a.value('parentCalendar')) },
          expect: { status: 404, reason: "another org's calendar is not found (EHLD0052)" },
        },
        {
          label: "A's external id as parent",
          body: { name: 'walk child by ext', type: 'Region', parent_external_id: a.value('calendarExternalId') },
          expect: { status: 404, reason: "another org's calendar is not found (EHLD0052)" },
        },
      ],
    },
    [`PATCH ${CAL}/{holiday_calendar_id}`]: {
      cases: ({ a, b }) => [
        {
          label: "B's calendar, A's calendar as parent",
          params: { holiday_calendar_id: b.value('calendar') },
          body: { parent_id: Number(a.value('parentCalendar')) },
          expect: { status: 404, reason: "another org's calendar is not found (EHLD0052)" },
        },
      ],
    },
    [`POST ${CAL}/holiday`]: {
      // A holiday names its calendar: B's own for the default case.
      body: ({ b, generated }) => ({ ...(generated as object), holiday_calendar_id: Number(b.value('calendar')) }),
      cases: ({ a, generated }) => [
        {
          label: "A's calendar id",
          body: { ...(generated as object), holiday_calendar_id: Number(a.value('calendar')) },
          expect: { status: 404, reason: "another org's calendar is not found (EHLD0052)" },
        },
        {
          label: "A's calendar external id",
          body: { ...(generated as object), external_id: a.value('calendarExternalId') },
          expect: { status: 404, reason: "another org's calendar is not found (EHLD0052)" },
        },
      ],
    },
  },
};
