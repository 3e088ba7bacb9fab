// The orgs module: organizations (tenants), credentials, OpenID keys and Pismo's passport API.
import { Type } from 'typebox';
import { defineJob } from '../../platform/jobs.js';
import type { LastroModule } from '../../platform/module.js';
import { purgeRefreshTokens } from './orgs.repo.js';
import { orgsRoutes, passportRoutes } from './orgs.routes.js';
import { createOrgsService } from './orgs.service.js';

export { createOrgsService, type OrgsService, ALL_PERMISSIONS } from './orgs.service.js';
export { OrgEvents } from './orgs.events.js';
import { ORG_EVENTS } from './orgs.events.js';
export { CreateOrgBody } from './orgs.schemas.js';
export { orgDayFacts, allOrgDayFacts } from './orgs.clock.repo.js';

export const orgsModule: LastroModule = {
  name: 'orgs',
  events: ORG_EVENTS,
  jobs: (platform) => [
    defineJob({
      name: 'orgs.purge-refresh-tokens',
      schema: Type.Object({}),
      cron: '7 * * * *',
      async handler(_data, ctx) {
        const removed = await platform.db.transaction((tx) => purgeRefreshTokens(tx, platform.clock.now()), { system: true });
        if (removed) ctx.log.info({ removed }, 'spent refresh tokens removed');
      },
    }),
  ],
  async routes(app, platform) {
    const orgs = createOrgsService(platform);
    orgsRoutes(app, platform, orgs);
    await app.register(async (scope) => passportRoutes(scope, platform, orgs));
  },
};
