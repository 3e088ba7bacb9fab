// The events module: the catalog of data event types (and, to come, replay, streams and sinks).
import type { LastroModule } from '../../platform/module.js';
import { eventsRoutes, replayRoutes, streamRoutes } from './events.routes.js';

export const eventsModule: LastroModule = {
  name: 'events',
  routes(app, platform) {
    eventsRoutes(app, platform);
    replayRoutes(app, platform);
    streamRoutes(app, platform);
  },
};
