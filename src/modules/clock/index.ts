// The clock module: the org's business date (GET /lastro/v1/clock) and sandbox test clocks
// (POST /lastro/v1/clock/advance). Day closing itself lives in the platform (platform/day-close.ts),
// so every module can register day handlers without depending on this one.
import type { LastroModule } from '../../platform/module.js';
import { clockRoutes } from './clock.routes.js';
import { createClockService } from './clock.service.js';

export const clockModule: LastroModule = {
  name: 'clock',
  routes(app, platform) {
    clockRoutes(app, platform, createClockService(platform));
  },
};
