// The events module: the catalog of data event types, replay and the live stream, and delivery
// to subscriptions (webhooks, NATS JetStream, batch files) through the relay.
import type { LastroModule } from '../../platform/module.js';
import { createDeliveriesService } from './deliveries.service.js';
import { eventsRoutes, replayRoutes, streamRoutes } from './events.routes.js';
import { createEventsService } from './events.service.js';
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
    const events = createEventsService(platform);
    eventsRoutes(app, events);
    replayRoutes(app, platform.tenant, events);
    streamRoutes(app, platform.tenant, events);
    subscriptionRoutes(app, {
      tenant: platform.tenant,
      subscriptions: createSubscriptionsService(platform),
      deliveries: createDeliveriesService(platform),
    });
  },
  jobs: (platform) => [purgeExpiredEventsJob(platform)],
  services: (platform) => [createRelay(platform)],
  metrics: eventMetrics,
};
