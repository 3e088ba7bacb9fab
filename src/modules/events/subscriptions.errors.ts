// Coded errors of event subscriptions, deliveries and files.
import { AppError } from '../../platform/errors.js';

export const SubscriptionErrors = {
  notFound: () => new AppError(404, 'EVENT_SUBSCRIPTION_NOT_FOUND', 'Event subscription not found'),
  deliveryNotFound: () => new AppError(404, 'EVENT_DELIVERY_NOT_FOUND', 'Delivery not found'),
  fileNotFound: () => new AppError(404, 'EVENT_FILE_NOT_FOUND', 'Event file not found'),
  fileGone: () => new AppError(410, 'EVENT_FILE_GONE', 'The event file is listed but no longer on disk (retention or a lost volume)'),
  tooMany: (max: number) => new AppError(409, 'EVENT_SUBSCRIPTION_LIMIT', `An org can have at most ${max} event subscriptions`),
  notRedeliverable: () => new AppError(409, 'DELIVERY_IN_PROGRESS', 'The delivery is pending already; it will be attempted again'),
};
