// The calendars module: Pismo's holiday calendar API (calendars, their holidays, business-day
// search and non-business days) and business days for other modules. Programs and the org name
// a calendar; this module imports neither (see CalendarOwners).
import type { LastroModule } from '../../platform/module.js';
import { CALENDAR_EVENTS } from './calendars.events.js';
import { calendarsRoutes } from './calendars.routes.js';
import { createCalendarsService } from './calendars.service.js';

export { CalendarEvents } from './calendars.events.js';
/** `tx` changes the calendar a program or the org names: business days read it again (now here, and once `tx` commits). */
export { calendarsChanged as calendarOwnersChanged } from './calendars.cache.js';
export {
  addBusinessDays,
  businessDaysOnOrAfter,
  calendarFor,
  isBusinessDay,
  nextBusinessDay,
  resolveCalendarRef,
  useCalendarOwners,
  type CalendarOwners,
  type CalendarRef,
} from './calendars.service.js';

export const calendarsModule: LastroModule = {
  name: 'calendars',
  events: CALENDAR_EVENTS,
  routes(app, platform) {
    calendarsRoutes(app, platform, createCalendarsService(platform));
  },
};
