// HTTP routes of Pismo's program configurations (Lending v1). Permission group: `lending`.
import { requestContext } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { FieldCode } from './lending.errors.js';
import { DuplicateKey, NoContent, NoHeaders, WriteHeaders, lendingConfig, tenantOf } from './lending.http.js';
import { ProgramConfiguration, ProgramConfigurationBody, ProgramIdParams } from './program-configurations.schemas.js';
import { PROGRAM_CONFIGURATIONS_BASE, type ProgramConfigurationsService } from './program-configurations.service.js';

/** The codes Pismo's updateProgramConfiguration documents for its fields. */
const FIELDS: FieldCode[] = [
  { field: 'body.configs', missing: 'ELND1302' },
  { field: /^body\.configs\[\d+\]\.type$/, invalid: 'ELND1300', missing: 'ELND1300' },
  { field: /^body\.configs\[\d+\]\.enabled$/, missing: 'ELND1303' },
  { field: /^body\.configs\[\d+\]\.number_of_days$/, missing: 'ELND1304' },
];

export function programConfigurationsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: ProgramConfigurationsService): void {
  const tenant = tenantOf(platform);
  const tags = ['lending'];
  const path = `${PROGRAM_CONFIGURATIONS_BASE}/:programId`;
  app.get(
    path,
    { ...lendingConfig(), schema: { tags, summary: 'Get program configuration', headers: NoHeaders, params: ProgramIdParams, response: { 200: ProgramConfiguration } } },
    async (req) => tenant(req, (t) => service.get(t, req.params.programId)),
  );
  app.put(
    path,
    {
      // Pismo's PUT declares no 404: a program not of the org is its 400 ELND0005 "related data not found".
      ...lendingConfig(FIELDS),
      schema: {
        tags,
        summary: 'Update program configuration (past-due notifications); emits Program configuration updated',
        headers: WriteHeaders,
        params: ProgramIdParams,
        body: ProgramConfigurationBody,
        response: { 204: NoContent, 202: DuplicateKey },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => service.put(t, req.params.programId, req.body, ctx));
      return reply.status(204).send(null);
    },
  );
}
