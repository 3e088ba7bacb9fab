// Every module the platform runs, in registration order. A new module adds one line here.
import type { LastroModule } from '../platform/module.js';
import { clockModule } from './clock/index.js';
import { eventsModule } from './events/index.js';
import { orgsModule } from './orgs/index.js';
import { programsModule } from './programs/index.js';

export const modules: LastroModule[] = [orgsModule, eventsModule, programsModule, clockModule];
