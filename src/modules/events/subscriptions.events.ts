// Data events about event delivery itself. Pismo has no such events; named in its style.
import { Type } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

export const SubscriptionEvents = {
  subscriptionDisabled: defineEvent({
    domain: 'event-subscription',
    eventType: 'event-subscription-disabled',
    version: 1,
    title: 'Event subscription disabled',
    description:
      'A webhook subscription was disabled after too many failed attempts in a row, over too long a time ' +
      '(LASTRO_WEBHOOK_DISABLE_AFTER, LASTRO_WEBHOOK_DISABLE_AFTER_SECONDS). ' +
      'Its cursor stays where it was: re-enable it (PATCH status=active) and delivery resumes from there.',
    schema: Type.Object({
      subscription_id: Type.String(),
      reason: Type.String(),
      consecutive_failures: Type.Integer(),
      url: Type.Optional(Type.String()),
    }),
    example: {
      subscription_id: '3b0d7a1e-9f0c-4a56-8a35-6c1f3f1bb0d2',
      reason: '50 failed attempts in a row; last: HTTP 503',
      consecutive_failures: 50,
      url: 'https://hooks.example.com/lastro',
    },
  }),
};
