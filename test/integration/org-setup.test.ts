// Per-org setup (LastroModule.orgSetup): every module's defaults are seeded into a new org in the
// transaction that creates it, bound to that org; a setup that throws rolls the org back; orgs
// created before a module's setup existed (or before its version was raised) get it at the next
// start of a start/worker process, once, even with two processes starting together.
import pg from 'pg';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App, type RunMode } from '../../src/app.js';
import { modules as defaultModules } from '../../src/modules/index.js';
import { loadConfig } from '../../src/platform/config.js';
import { AppError } from '../../src/platform/errors.js';
import { createLogger } from '../../src/platform/logger.js';
import type { LastroModule } from '../../src/platform/module.js';
import { defineEvent, recordEvent } from '../../src/platform/outbox.js';
import type { TenantTx } from '../../src/platform/tenant.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ADMIN_TOKEN, adminHeaders, createOrg } from '../helpers/auth.js';
import { engine, type TestDatabase } from '../helpers/db.js';

const Seeded = defineEvent({
  domain: 'seeder',
  eventType: 'defaults-seeded',
  version: 1,
  title: 'Defaults seeded',
  description: 'A test module seeded its defaults for an org.',
  schema: Type.Object({ version: Type.Integer() }),
  example: { version: 1 },
});

interface Call {
  orgId: string;
  previous: number | undefined;
  version: number;
  /** Credentials the setup's transaction can see, by org. */
  visibleOrgs: string[];
}

/** A module that exists only in this test: its setup records each call and writes an event. */
function seeder(
  version: number,
  calls: Call[],
  opts: { refuse?: (t: TenantTx) => boolean; beforeApply?: () => Promise<void> } = {},
): LastroModule {
  return {
    name: 'seeder',
    events: [Seeded],
    orgSetup: (platform) => ({
      version,
      async apply(t, previous) {
        if (opts.refuse?.(t)) throw new AppError('conflict', 'SEED_REFUSED', `seeding ${t.orgId} refused`);
        await opts.beforeApply?.();
        const visible = await t.db.selectFrom('credentials').select('org_id').distinct().execute();
        calls.push({ orgId: t.orgId, previous, version, visibleOrgs: visible.map((r) => r.org_id) });
        await recordEvent(t.db, platform, Seeded, { orgId: t.orgId, cid: t.cid, data: { version } });
      },
    }),
  };
}

/** Another process on the same database (stopped before the next one opens it: PGlite has one connection). */
async function processOn(testDb: TestDatabase, modules: LastroModule[], mode: RunMode = 'worker'): Promise<App> {
  return createApp({
    config: loadConfig({
      LOG_LEVEL: 'silent',
      LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    }),
    mode,
    pglite: testDb.pglite,
    modules,
    logger: createLogger('silent'),
  });
}

async function setupsOf(app: App, orgId: string) {
  return app.platform.db.transaction(
    // The seeder's rows: the default modules (accounts) have setups of their own.
    (tx) => tx.selectFrom('org_setups').select(['module', 'version']).where('org_id', '=', orgId).where('module', '=', 'seeder').execute(),
    { system: true },
  );
}

async function seededEvents(app: App, orgId: string): Promise<number> {
  const rows = await app.platform.db.transaction(
    (tx) => tx.selectFrom('event_outbox_events').select('event_id').where('org_id', '=', orgId).where('domain', '=', 'seeder').execute(),
    { system: true },
  );
  return rows.length;
}

describe('org setup when an org is created', () => {
  let app: TestApp;
  const calls: Call[] = [];
  beforeAll(async () => {
    app = await testApp({ modules: [...defaultModules, seeder(1, calls, { refuse: (t) => t.cid === 'refuse-me' })] });
  });
  afterAll(async () => app?.close());

  it("runs every module's setup in the creation transaction, bound to the new org", async () => {
    const a = await createOrg(app);
    const b = await createOrg(app);
    expect(calls.map((c) => [c.orgId, c.previous, c.version])).toEqual([
      [a.orgId, undefined, 1],
      [b.orgId, undefined, 1],
    ]);
    // Row-level security shows the setup its own org's rows only, though org A exists too.
    expect(calls[1]!.visibleOrgs).toEqual([b.orgId]);
    expect(await setupsOf(app, b.orgId)).toEqual([{ module: 'seeder', version: 1 }]);
    expect(await seededEvents(app, b.orgId)).toBe(1);
  });

  it('a setup that throws rolls the whole org back: no org, credential, event or setup row', async () => {
    const count = async (table: 'orgs' | 'credentials' | 'event_outbox' | 'org_setups') =>
      app.platform.db.transaction((tx) => tx.selectFrom(table).select('org_id').execute(), { system: true }).then((r) => r.length);
    const before = await Promise.all([count('orgs'), count('credentials'), count('event_outbox'), count('org_setups')]);
    const res = await app.http.inject({
      method: 'POST',
      url: '/lastro/v1/orgs',
      headers: { ...adminHeaders, 'x-cid': 'refuse-me' },
      payload: {
        official_name: 'Refused Ltda',
        org_name: 'Refused',
        document_number: '1',
        responsible: 'ops@example.com',
        currency_numeric_code: '986',
        timezone: 'UTC',
        country_code: 'BRA',
      },
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe('SEED_REFUSED');
    expect(await Promise.all([count('orgs'), count('credentials'), count('event_outbox'), count('org_setups')])).toEqual(before);
  });
});

describe('org setup back-fill at start-up', () => {
  let base: TestApp;
  let apps: App[] = [];
  const open = async (modules: LastroModule[], mode: RunMode = 'worker') => {
    for (const a of apps) await a.stop();
    apps = [await processOn(base.testDb, modules, mode)];
    return apps[0]!;
  };
  beforeAll(async () => {
    base = await testApp();
  });
  afterAll(async () => {
    for (const a of apps) await a.stop();
    await base?.stop();
    await base?.testDb.drop();
  });

  it('an org created before a module had a setup gets it at the next start, once; a raised version runs again', async () => {
    const old = await createOrg(base); // no module has a setup yet
    await base.stop();

    const calls: Call[] = [];
    let app = await open([...defaultModules, seeder(1, calls)]);
    expect(calls.map((c) => [c.orgId, c.previous, c.version])).toEqual([[old.orgId, undefined, 1]]);
    expect(calls[0]!.visibleOrgs).toEqual([old.orgId]);
    expect(await setupsOf(app, old.orgId)).toEqual([{ module: 'seeder', version: 1 }]);

    // Started again: nothing left to do.
    app = await open([...defaultModules, seeder(1, calls)]);
    app = await open([...defaultModules, seeder(1, calls)], 'all');
    expect(calls).toHaveLength(1);
    expect(await seededEvents(app, old.orgId)).toBe(1);

    // An org created now gets it at creation, not again at start-up.
    const fresh = await createOrg(app as unknown as TestApp);
    expect(calls.map((c) => c.orgId)).toEqual([old.orgId, fresh.orgId]);
    app = await open([...defaultModules, seeder(1, calls)]);
    expect(calls).toHaveLength(2);

    // An api process never back-fills; version 2 reaches both orgs at the next worker start.
    app = await open([...defaultModules, seeder(2, calls)], 'api');
    expect(calls).toHaveLength(2);
    app = await open([...defaultModules, seeder(2, calls)]);
    expect(calls.slice(2).map((c) => [c.orgId, c.previous, c.version])).toEqual([
      [old.orgId, 1, 2],
      [fresh.orgId, 1, 2],
    ]);
    expect(await setupsOf(app, fresh.orgId)).toEqual([{ module: 'seeder', version: 2 }]);
  });

  it('a setup that fails at start-up stops the start, and leaves that org to the next start', async () => {
    const calls: Call[] = [];
    for (const a of apps) await a.stop();
    apps = [];
    await expect(processOn(base.testDb, [...defaultModules, seeder(3, calls, { refuse: () => true })])).rejects.toThrow(
      /org setup of module seeder failed for org TN-/,
    );
    const app = await open([...defaultModules, seeder(3, calls)]);
    expect(calls.map((c) => c.version)).toEqual([3, 3]);
    const orgs = await app.platform.db.transaction(
      (tx) => tx.selectFrom('org_setups').select(['version']).where('module', '=', 'seeder').execute(),
      { system: true },
    );
    expect(orgs.map((r) => r.version)).toEqual([3, 3]);
  });

  it.skipIf(engine() === 'pglite')('two processes starting together apply each org’s setup once', async () => {
    for (const a of apps) await a.stop();
    apps = [];
    const app = await open(defaultModules, 'all');
    for (let i = 0; i < 6; i++) await createOrg(app as unknown as TestApp);
    await app.stop();
    apps = [];

    const calls: Call[] = [];
    // The first setup to run keeps its transaction open until the other process waits for the
    // same org's claim, so the two start-ups certainly contend.
    let contended: Promise<boolean> | undefined;
    const waitForContender = async () => {
      contended ??= (async () => {
        const watcher = new pg.Client({ connectionString: base.testDb.databaseUrl });
        await watcher.connect();
        try {
          for (let i = 0; i < 400; i++) {
            const { rows } = await watcher.query<{ n: number }>(
              "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
            );
            if (rows[0]!.n > 0) return true;
            await new Promise((r) => setTimeout(r, 50));
          }
          return false;
        } finally {
          await watcher.end();
        }
      })();
      await contended;
    };
    apps = await Promise.all([1, 2].map(() => processOn(base.testDb, [...defaultModules, seeder(4, calls, { beforeApply: waitForContender })])));
    expect(await contended).toBe(true);
    const perOrg = new Map<string, number>();
    for (const c of calls) perOrg.set(c.orgId, (perOrg.get(c.orgId) ?? 0) + 1);
    const orgs = await apps[0]!.platform.db.transaction((tx) => tx.selectFrom('orgs').select('org_id').execute(), { system: true });
    expect(perOrg.size).toBe(orgs.length);
    expect([...perOrg.values()].every((n) => n === 1)).toBe(true);
  });
});
