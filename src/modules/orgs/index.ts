// The orgs module: organizations (tenants), credentials, OpenID keys and Pismo's passport API.
import type { LastroModule } from '../../platform/module.js';
import { orgsRoutes, passportRoutes } from './orgs.routes.js';
import { createOrgsService } from './orgs.service.js';

export { createOrgsService, type OrgsService, ALL_PERMISSIONS } from './orgs.service.js';
export { OrgEvents } from './orgs.events.js';
export { CreateOrgBody } from './orgs.schemas.js';

export const orgsModule: LastroModule = {
  name: 'orgs',
  async routes(app, platform) {
    const orgs = createOrgsService(platform);
    orgsRoutes(app, platform, orgs);
    await app.register(async (scope) => passportRoutes(scope, platform, orgs));
  },
};
