// Coded errors of the programs module, with the codes Pismo documents for the Programs API (EOA…).
import { AppError, PlatformErrors, type FieldIssue } from '../../platform/errors.js';
import { RULE_MESSAGES, type RuleIssue } from './programs.rules.js';

export const ProgramErrors = {
  /** Pismo Programs API: x-tenant missing. */
  missingTenant: () => new AppError('invalid', 'EOA0017', 'Missing x-tenant header'),
  programNotFound: (id: number | bigint | string) => new AppError('not_found', 'EOA0020', `Program ${id} not found`),
  importNotFound: (id: number | bigint | string) => new AppError('not_found', 'EOA0091', `Program import ${id} not found`),
  importForProgramNotFound: (id: number | bigint | string) => new AppError('not_found', 'EOA0091', `Program import for program ${id} not found`),
  invalid: (issues: FieldIssue[]) => PlatformErrors.validation(issues),
  /**
   * Rule violations across fields: one 400 naming every field, with the Pismo code of the first
   * coded rule broken (a plain VALIDATION_ERROR when none has a Pismo code).
   */
  rules: (issues: RuleIssue[]) => {
    const coded = issues.find((i) => i.code !== 'VALIDATION_ERROR') ?? issues[0]!;
    const details = issues.map(({ field, reason }) => ({ field, reason }));
    if (coded.code === 'VALIDATION_ERROR') return PlatformErrors.validation(details);
    return new AppError('invalid', coded.code, `${RULE_MESSAGES[coded.code]}: ${details.map((d) => `${d.field} ${d.reason}`).join('; ')}`, details);
  },
  unknownCalendar: (field: string) =>
    PlatformErrors.validation([{ field, reason: 'does not name a holiday calendar of this org' }]),
};
