// Coded errors of processing codes. Pismo's Orgs operation spec documents 400 and 404 without
// codes, so these codes are Lastro's; each 400 names the field it is about.
import { AppError } from '../../platform/errors.js';

const invalid = (code: string, field: string, reason: string) => new AppError('invalid', code, `Invalid request: ${field} ${reason}`, [{ field, reason }]);

export const ProcessingCodeErrors = {
  notFound: (code: string) => new AppError('not_found', 'PROCESSING_CODE_NOT_FOUND', `Processing code ${code} not found`),
  exists: (field: string, code: string) => invalid('PROCESSING_CODE_EXISTS', field, `${code} already exists in this org`),
  reserved: (field: string, reason: string) => invalid('PROCESSING_CODE_RESERVED', field, reason),
  /** A reversal code named that cannot reverse the code (its kind or balance impact). */
  badReversal: (field: string, reason: string) => invalid('INVALID_REVERSAL_PROCESSING_CODE', field, reason),
  /** A field the code's kind does not take (tags on a reversal code). */
  notForReversal: (field: string) => invalid('VALIDATION_ERROR', field, 'applies to authorization codes only, not to a reversal code'),
  missing: (field: string, reason: string) => invalid('VALIDATION_ERROR', field, reason),
  badCursor: () => invalid('VALIDATION_ERROR', 'query.nextCursor', 'is not a cursor this API returned'),
};
