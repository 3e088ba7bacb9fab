// The programs module: Pismo's Programs API (create from a template or as a copy, synchronously
// or through a durable job; list, get, update) and the holiday calendars programs and orgs use.
import type { LastroModule } from '../../platform/module.js';
import { createHolidaysService } from './holidays.service.js';
import { PROGRAM_EVENTS } from './programs.events.js';
import { holidaysRoutes, programsRoutes } from './programs.routes.js';
import { createProgramsService } from './programs.service.js';

export { ProgramEvents } from './programs.events.js';
export { resolveCalendarRef } from './holidays.service.js';
export { programIdsOf } from './programs.repo.js';
export { programDayFacts, programsDayFacts, allProgramDayFacts } from './programs.clock.repo.js';

export const programsModule: LastroModule = {
  name: 'programs',
  events: PROGRAM_EVENTS,
  jobs: (platform) => [createProgramsService(platform).importJob],
  routes(app, platform) {
    programsRoutes(app, createProgramsService(platform));
    holidaysRoutes(app, createHolidaysService(platform));
  },
};
