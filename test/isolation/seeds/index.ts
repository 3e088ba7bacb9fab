// Every module's isolation seed, in the order the walk runs them (a seed may read the values of
// the seeds before it). A new module adds its seed here: see CONTRIBUTING.md.
import type { IsolationSeed } from '../walk.js';
import { accountsSeed } from './accounts.js';
import { calendarsSeed } from './calendars.js';
import { clockSeed } from './clock.js';
import { eventsSeed } from './events.js';
import { ledgerSeed } from './ledger.js';
import { ledgerMoneySeed } from './ledger-money.js';
import { lendingSeed } from './lending.js';
import { orgsSeed } from './orgs.js';
import { programsSeed } from './programs.js';

export const seeds: IsolationSeed[] = [orgsSeed, calendarsSeed, programsSeed, eventsSeed, clockSeed, accountsSeed, ledgerSeed, ledgerMoneySeed, lendingSeed];
