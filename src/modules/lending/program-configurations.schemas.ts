// Request and response schemas of Pismo's program configurations (Lending v1:
// /lending/v1/program-configurations/{programId}): past-due notification settings per program.
import { Type, type Static } from 'typebox';
import { Int64Param } from '../../platform/wire.js';

export const ProgramIdParams = Type.Object({ programId: Int64Param('Program ID') });

const NotificationConfig = Type.Object({
  enabled: Type.Boolean({ description: 'Whether the notification is sent.' }),
  type: Type.Union([Type.Literal('BEFORE_PAST_DUE'), Type.Literal('AFTER_PAST_DUE')], { description: 'Before or after an installment is past due.' }),
  number_of_days: Type.Integer({ minimum: 1, maximum: 365, description: 'Days before (or after) the due date the notification is sent.' }),
});

export const ProgramConfigurationBody = Type.Object({
  configs: Type.Array(NotificationConfig, { maxItems: 2, description: 'At most one setting per type.' }),
});
export type ProgramConfigurationBody = Static<typeof ProgramConfigurationBody>;

export const ProgramConfiguration = Type.Object(
  {
    program_id: Type.Integer(),
    configs: Type.Array(NotificationConfig),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'ProgramConfiguration' },
);
export type ProgramConfiguration = Static<typeof ProgramConfiguration>;
