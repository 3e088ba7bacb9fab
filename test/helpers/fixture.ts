// The setup most integration suites start from: a test app on a fresh database, one org made
// through the operator API, and a token for it. `addTenant` adds another org to the same app.
import { testApp, type TestApp } from './app.js';
import { bearer, createOrg, tokenFor, type TestOrg } from './auth.js';

/** Env that turns the per-org and per-credential rate limits off, for suites that make many calls. */
export const NO_RATE_LIMITS = { LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0', LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '0' } as const;

export interface Tenant {
  org: TestOrg;
  /** An org-wide token of the org's first credential (all permission groups). */
  token: string;
  /** `authorization: Bearer <token>` and `x-tenant: <org id>`. */
  headers: Record<string, string>;
}

export interface TenantFixture extends Tenant {
  app: TestApp;
  /** Closes the app (and checks the events it emitted against the catalog). */
  close(): Promise<void>;
}

export type FixtureOptions = Parameters<typeof testApp>[0] & {
  /** Fields of the org's create request (POST /lastro/v1/orgs). */
  org?: Record<string, unknown>;
};

/**
 * A fresh test app with one org and a token for it. In a suite:
 * `beforeAll(async () => ({ app, org, token } = await setupTenant()))` and `afterAll(() => app?.close())`.
 */
export async function setupTenant(opts: FixtureOptions = {}): Promise<TenantFixture> {
  const { org: overrides, ...appOptions } = opts;
  const app = await testApp(appOptions);
  try {
    const tenant = await addTenant(app, overrides);
    return { app, ...tenant, close: () => app.close() };
  } catch (err) {
    await app.close();
    throw err;
  }
}

/** Another org in `app`, with its token and headers. */
export async function addTenant(app: TestApp, overrides: Record<string, unknown> = {}): Promise<Tenant> {
  const org = await createOrg(app, overrides);
  const token = await tokenFor(app, org);
  return { org, token, headers: bearer(token, org.orgId) };
}
