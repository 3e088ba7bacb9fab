// Prepares one migrated database per test run, which every test file then copies:
//   PGlite: a migrated in-memory database dumped to a tarball (loading it takes ~0.5 s, initdb ~3 s);
//   PostgreSQL: a fresh template database (CREATE DATABASE … TEMPLATE is a file copy).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createJobRunner } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
    pgRunId: string;
    pgAdminUrl: string;
  }
}

/** Installs our migrations and pg-boss's schema, as a first start would. */
async function prepare(db: Awaited<ReturnType<typeof openDatabase>>): Promise<void> {
  await migrate(db.pool);
  const jobs = createJobRunner({ db, log: createLogger('silent'), pollSeconds: 1 });
  await jobs.start({ work: false });
  await jobs.stop(1000);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = project.config.env?.LASTRO_TEST_ENGINE;
  if (engine === 'postgres') {
    const adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) throw new Error('npm run test:pg needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
    const runId = `${process.pid}_${Date.now().toString(36)}`;
    const template = `lastro_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const url = new URL(adminUrl);
    url.pathname = `/${template}`;
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    await prepare(db);
    await db.close();
    // A backend exits a moment after its client disconnects; a template must have no sessions.
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [template]);
      if (rows[0]?.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    project.provide('pgTemplate', template);
    project.provide('pgRunId', runId);
    project.provide('pgAdminUrl', adminUrl);
    project.provide('pgliteTemplate', '');
    return async () => {
      // Drop every database this run created (test files drop their own; this catches crashes).
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname = $1 or datname like $2`,
        [template, `lastro_t_${runId}_%`],
      );
      for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
      await admin.end();
    };
  }

  const pglite = await PGlite.create('memory://');
  const db = await openDatabase({ pglite });
  await prepare(db);
  await db.close();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const dir = mkdtempSync(join(tmpdir(), 'lastro-test-'));
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
  project.provide('pgRunId', '');
  project.provide('pgAdminUrl', '');
  return async () => rmSync(dir, { recursive: true, force: true });
}
