// The events module: the catalog of data event types, replay and the live stream, and delivery
// to subscriptions (webhooks, NATS JetStream, batch files) through the relay.
import type { LastroModule } from '../../platform/module.js';
import { eventsRoutes, replayRoutes, streamRoutes } from './events.routes.js';
import { eventMetrics } from './metrics.js';
import { createRelay } from './relay.js';
import { purgeExpiredEventsJob } from './retention.js';
import { SubscriptionEvents } from './subscriptions.events.js';
import { subscriptionRoutes } from './subscriptions.routes.js';
import { createSubscriptionsService } from './subscriptions.service.js';

export const eventsModule: LastroModule = {
  name: 'events',
  events: Object.values(SubscriptionEvents),
  routes(app, platform) {
    eventsRoutes(app, platform);
    replayRoutes(app, platform);
    streamRoutes(app, platform);
    subscriptionRoutes(app, createSubscriptionsService(platform));
  },
  jobs: (platform) => [purgeExpiredEventsJob(platform)],
  services: (platform) => [createRelay(platform)],
  metrics: eventMetrics,
};
