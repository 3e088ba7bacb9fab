// The orgs module: organizations (tenants), credentials, OpenID keys, Pismo's passport API, and
// the per-org setup every module's defaults go through.
import { Type } from 'typebox';
import { defineJob } from '../../platform/jobs.js';
import type { LastroModule } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { credentialsRoutes } from './credentials.routes.js';
import { createCredentialsService } from './credentials.service.js';
import { ORG_EVENTS } from './orgs.events.js';
import { findOrg, purgeRefreshTokens } from './orgs.repo.js';
import { orgsRoutes } from './orgs.routes.js';
import { createOrgsService } from './orgs.service.js';
import { passportRoutes } from './passport.routes.js';
import { createPassportService } from './passport.service.js';

export { createOrgsService, type OrgsService } from './orgs.service.js';
export { ALL_PERMISSIONS, subjectLookup } from './credentials.service.js';
export { backfillOrgSetups, OrgSetupError } from './orgs.setups.js';
export { OrgEvents } from './orgs.events.js';
export { CreateOrgBody } from './orgs.schemas.js';
export { orgDayFacts, allOrgDayFacts } from './orgs.clock.repo.js';

/** The holiday calendar the org names (its holiday_calendar_id), or null: asked by the calendars module. */
export const orgHolidayCalendarId = async (t: TenantTx): Promise<bigint | null> => (await findOrg(t.db, t.orgId))?.holiday_calendar_id ?? null;

/** The org's ISO 4217 numeric currency code: asked by the ledger, which opens internal accounts in it. */
export const orgCurrencyNumeric = async (t: TenantTx): Promise<string | undefined> => (await findOrg(t.db, t.orgId))?.currency_numeric_code;

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
    const credentials = createCredentialsService(platform);
    orgsRoutes(app, platform, createOrgsService(platform), credentials);
    credentialsRoutes(app, platform, credentials);
    const passport = createPassportService(platform);
    await app.register(async (scope) => passportRoutes(scope, platform, passport));
  },
};
