// Every module the platform runs, in registration order. A new module adds one line here.
import type { LastroModule } from '../platform/module.js';
import { accountsModule, onAccountCreated, useAccountBalances } from './accounts/index.js';
import { calendarsModule, useCalendarOwners } from './calendars/index.js';
import { clockModule } from './clock/index.js';
import { eventsModule } from './events/index.js';
import { accountBalances, ledgerModule, openLedgerAccount } from './ledger/index.js';
import { lendingModule } from './lending/index.js';
import { orgHolidayCalendarId, orgsModule } from './orgs/index.js';
import { programCalendars, programsModule } from './programs/index.js';

// Programs and the org name holiday calendars; calendars imports neither of them, so it is told
// here how to read what they name (for calendarFor and for refusing to delete a calendar in use).
useCalendarOwners({ ...programCalendars, orgCalendar: orgHolidayCalendarId });

// The ledger opens an account's balance row and limits in the transaction that creates it, and
// gives Get account its balances; accounts imports nothing of the ledger.
onAccountCreated(openLedgerAccount);
useAccountBalances(accountBalances);

export const modules: LastroModule[] = [orgsModule, eventsModule, programsModule, calendarsModule, clockModule, accountsModule, ledgerModule, lendingModule];
