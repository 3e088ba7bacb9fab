// The programs module: Pismo's Programs API (create from a template or as a copy, synchronously
// or through a durable job; list, get, update). Holiday calendars are the calendars module's.
import type { Tx } from '../../platform/db/database.js';
import type { LastroModule } from '../../platform/module.js';
import { programFacts } from './programs.repo.js';
import { typeOfId } from './programs.rules.js';
import type { ProgramType } from './programs.schemas.js';
import { PROGRAM_EVENTS } from './programs.events.js';
import { programsRoutes } from './programs.routes.js';
import { createProgramsService } from './programs.service.js';

export { ProgramEvents } from './programs.events.js';
export { programIdsOf } from './programs.repo.js';
export { programCalendars, programForAccounts, programSummaries, type ProgramForAccounts } from './programs.service.js';
export { modeOf, programModeOf, typeOfId as programTypeOfId, type ProgramMode } from './programs.rules.js';
export type { ProgramType } from './programs.schemas.js';
export { programDayFacts, programsDayFacts, allProgramDayFacts } from './programs.clock.repo.js';

/** A program of the org: its type, currency (ISO 4217 numeric) and time zone; undefined when there is none. */
export async function programSummary(
  tx: Tx,
  orgId: string,
  programId: bigint,
): Promise<{ programId: bigint; type: ProgramType; currencyNumericCode: string; timezone: string } | undefined> {
  const row = await programFacts(tx, orgId, programId);
  if (!row) return undefined;
  return { programId: row.program_id, type: typeOfId(row.type_id), currencyNumericCode: row.currency_numeric_code, timezone: row.timezone };
}

export const programsModule: LastroModule = {
  name: 'programs',
  events: PROGRAM_EVENTS,
  jobs: (platform) => [createProgramsService(platform).importJob],
  routes(app, platform) {
    programsRoutes(app, platform, createProgramsService(platform));
  },
};
