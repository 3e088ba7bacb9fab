// The programs module: Pismo's Programs API (create from a template or as a copy, synchronously
// or through a durable job; list, get, update). Holiday calendars are the calendars module's.
import type { LastroModule } from '../../platform/module.js';
import { PROGRAM_EVENTS } from './programs.events.js';
import { programsRoutes } from './programs.routes.js';
import { createProgramsService } from './programs.service.js';

export { ProgramEvents } from './programs.events.js';
export { programIdsOf } from './programs.repo.js';
export { programCalendars, programForAccounts, programSummaries, type ProgramForAccounts } from './programs.service.js';
export { modeOf, programModeOf, typeOfId as programTypeOfId, type ProgramMode } from './programs.rules.js';
export type { ProgramType } from './programs.schemas.js';
export { programDayFacts, programsDayFacts, allProgramDayFacts } from './programs.clock.repo.js';

export const programsModule: LastroModule = {
  name: 'programs',
  events: PROGRAM_EVENTS,
  jobs: (platform) => [createProgramsService(platform).importJob],
  routes(app, platform) {
    programsRoutes(app, platform, createProgramsService(platform));
  },
};
