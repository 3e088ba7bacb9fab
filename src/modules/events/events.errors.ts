// Coded errors of the event catalog, replay and stream.
import { AppError } from '../../platform/errors.js';

export const EventErrors = {
  typeNotFound: (domain: string, eventType: string, version: number) =>
    new AppError('not_found', 'EVENT_TYPE_NOT_FOUND', `No event type ${domain}/${eventType} version ${version}`),
  invalidCursor: () => new AppError('invalid', 'INVALID_CURSOR', 'cursor is not one this API returned; pass next_cursor back exactly'),
};
