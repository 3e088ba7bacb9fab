// Program configurations: a program's past-due notification settings (before and after an
// installment is past due). PUT replaces them; the program must be one of the org's.
import type { RequestContext } from '../../platform/context.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';
import { programSummary } from '../programs/index.js';
import { LendingEvents } from './lending.events.js';
import { LendingErrors } from './lending.errors.js';
import { once } from './lending.http.js';
import * as repo from './program-configurations.repo.js';
import type { ProgramConfiguration, ProgramConfigurationBody } from './program-configurations.schemas.js';

export const PROGRAM_CONFIGURATIONS_BASE = '/lending/v1/program-configurations';

const toConfiguration = (r: repo.ProgramConfigurationRow): ProgramConfiguration => ({
  program_id: Number(r.program_id),
  configs: r.configs.map((c) => ({ enabled: c.enabled, type: c.type as 'BEFORE_PAST_DUE' | 'AFTER_PAST_DUE', number_of_days: c.number_of_days })),
  created_at: isoSeconds(r.created_at),
  updated_at: isoSeconds(r.updated_at),
});

export type ProgramConfigurationsService = ReturnType<typeof createProgramConfigurationsService>;

export function createProgramConfigurationsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };
  return {
    async get(t: TenantTx, rawId: string): Promise<ProgramConfiguration> {
      const id = int8Id(rawId);
      const row = id === undefined ? undefined : await repo.findConfiguration(t.db, t.orgId, id);
      if (!row) throw LendingErrors.notFound('Program configuration');
      return toConfiguration(row);
    },

    async put(t: TenantTx, rawId: string, body: ProgramConfigurationBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<void> {
      const types = body.configs.map((c) => c.type);
      const dup = types.findIndex((x, i) => types.indexOf(x) !== i);
      if (dup >= 0) throw LendingErrors.invalid(`body.configs[${dup}].type`, `repeats ${types[dup]}: one setting per type`);
      await once(t, clock, ctx, `PUT ${PROGRAM_CONFIGURATIONS_BASE}/{programId}`, { programId: rawId, body }, 'WLND0001', async () => {
        const id = int8Id(rawId);
        const program = id === undefined ? undefined : await programSummary(t.db, t.orgId, id);
        if (!program) throw LendingErrors.relatedNotFound('Program', 'path.programId', 'names no program of this org');
        const now = clock.now();
        const row = await repo.upsertConfiguration(t.db, {
          org_id: t.orgId,
          program_id: program.programId,
          configs: JSON.stringify(body.configs),
          created_at: now,
          updated_at: now,
        });
        await recordEvent(t.db, events, LendingEvents.programConfigurationUpdated, {
          orgId: t.orgId,
          cid: t.cid,
          data: { org_id: t.orgId, program_id: Number(row.program_id), configs: body.configs },
        });
        return { status: 204, body: null };
      });
    },
  };
}
