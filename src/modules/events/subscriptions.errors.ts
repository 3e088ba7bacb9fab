// Coded errors of event subscriptions, deliveries and files.
import { AppError } from '../../platform/errors.js';

export const SubscriptionErrors = {
  notFound: () => new AppError('not_found', 'EVENT_SUBSCRIPTION_NOT_FOUND', 'Event subscription not found'),
  deliveryNotFound: () => new AppError('not_found', 'EVENT_DELIVERY_NOT_FOUND', 'Delivery not found'),
  fileNotFound: () => new AppError('not_found', 'EVENT_FILE_NOT_FOUND', 'Event file not found'),
  fileGone: () => new AppError('gone', 'EVENT_FILE_GONE', 'The event file is listed but no longer on disk (retention or a lost volume)'),
  tooMany: (max: number) => new AppError('conflict', 'EVENT_SUBSCRIPTION_LIMIT', `An org can have at most ${max} event subscriptions`),
  notRedeliverable: () => new AppError('conflict', 'DELIVERY_IN_PROGRESS', 'The delivery is pending already; it will be attempted again'),
};
