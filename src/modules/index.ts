// Every module the platform runs, in registration order. A new module adds one line here.
import type { LastroModule } from '../platform/module.js';
import { calendarsModule, useCalendarOwners } from './calendars/index.js';
import { clockModule } from './clock/index.js';
import { eventsModule } from './events/index.js';
import { lendingModule } from './lending/index.js';
import { orgHolidayCalendarId, orgsModule } from './orgs/index.js';
import { programCalendars, programsModule } from './programs/index.js';

// Programs and the org name holiday calendars; calendars imports neither of them, so it is told
// here how to read what they name (for calendarFor and for refusing to delete a calendar in use).
useCalendarOwners({ ...programCalendars, orgCalendar: orgHolidayCalendarId });

export const modules: LastroModule[] = [orgsModule, eventsModule, programsModule, calendarsModule, clockModule, lendingModule];
