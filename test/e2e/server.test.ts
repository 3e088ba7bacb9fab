// The real `lastro` process, started as a user starts it: the embedded data dir survives kill -9,
// a second process is refused, signals drain and exit cleanly, bad config stops start-up, and on
// PostgreSQL the api and worker roles run as separate processes.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engine, freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runLastro, type LastroProcess } from '../helpers/process.js';

const running: LastroProcess[] = [];
const run = (args: string[], env: Record<string, string | undefined>): LastroProcess => {
  const p = runLastro(args, env);
  running.push(p);
  return p;
};
afterEach(() => {
  for (const p of running.splice(0)) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
});

const getJson = async (url: string): Promise<{ status: number; body: any; headers: Headers }> => {
  const res = await fetch(url);
  return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
};

describe.skipIf(engine() !== 'pglite')('embedded (PGlite) process', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'lastro-e2e-')), 'data');

  it('starts on an empty data dir and prints where everything is', async () => {
    const p = run(['start'], { LASTRO_DATA_DIR: dataDir });
    const url = await p.started();
    expect(p.stderr()).toMatch(/API reference\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(p.stderr()).toMatch(/OpenAPI\s+http:\/\/127\.0\.0\.1:\d+\/openapi\.json/);
    expect(p.stderr()).toContain(`PGlite (embedded) at ${dataDir}`);
    expect((await getJson(`${url}/ready`)).body).toMatchObject({ status: 'ready', database: 'pglite' });

    // First start on an empty data dir: a sandbox demo org and a curl line that works as printed.
    expect(p.stderr()).toMatch(/Demo org\s+TN-[0-9a-f-]{36} \(sandbox\), created now/);
    const key = /server_key\s+(\S+)/.exec(p.stderr())![1]!;
    const secret = /server_secret\s+(\S+)/.exec(p.stderr())![1]!;
    expect(p.stderr()).toContain(`-d '{"server_key":"${key}","server_secret":"${secret}"}'`);
    const token = await fetch(`${url}/passport/v2/s2s/access-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ server_key: key, server_secret: secret }),
    });
    expect(token.status).toBe(201);

    const docs = await fetch(`${url}/docs/`);
    expect(docs.status).toBe(200);
    const html = await docs.text();
    // The reference page is served from the bundled npm asset, never a CDN.
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script!, `${url}/docs/`))).status).toBe(200);

    p.proc.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('refuses a second process on the same data dir, politely', async () => {
    const first = run(['start'], { LASTRO_DATA_DIR: dataDir });
    await first.started();
    const second = run(['start'], { LASTRO_DATA_DIR: dataDir });
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.stderr()).toContain(`in use by another Lastro process (pid ${first.proc.pid})`);
    expect(second.stderr()).not.toMatch(/\n\s+at /); // no stack trace
    first.proc.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('keeps its data through kill -9 while idle', async () => {
    const first = run(['start'], { LASTRO_DATA_DIR: dataDir });
    await first.started();
    const before = first.logs().find((l) => l.msg === 'lastro started')?.installationId;
    expect(before).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 500)); // idle
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(existsSync(`${dataDir}.lock`)).toBe(true); // left behind by the dead process…

    const second = run(['start'], { LASTRO_DATA_DIR: dataDir }); // …and taken over
    const url = await second.started();
    expect((await getJson(`${url}/ready`)).status).toBe(200);
    expect(second.logs().find((l) => l.msg === 'lastro started')?.installationId).toBe(before);
    expect(second.logs().some((l) => l.msg === 'migration applied')).toBe(false);
    // The demo org made on the first start is still there: same credential, not a new org.
    expect(second.stderr()).toMatch(/Demo org\s+TN-[0-9a-f-]{36} \(sandbox\)\n/);
    second.proc.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });
});

describe.skipIf(engine() !== 'pglite')('lastro org create', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'lastro-cli-')), 'data');
  const args = ['org', 'create', '--official-name', 'Acme Corp', '--org-name', 'Acme', '--document-number', '123', '--responsible', 'ops@acme.com'];

  it('creates an org and prints it with a working credential', async () => {
    const p = run([...args, '--currency', '986', '--timezone', 'America/Sao_Paulo', '--country-code', 'BRA'], { LASTRO_DATA_DIR: dataDir });
    expect((await p.exited).code).toBe(0);
    const out = JSON.parse(p.stdout());
    expect(out.org).toMatchObject({ org_name: 'Acme', status: 'ACTIVE', id: expect.stringMatching(/^TN-/) });
    expect(out.credential.server_secret.length).toBeGreaterThan(20);
    expect(p.stderr()).toContain('shown only now');

    // The credential works against the server started on the same data dir.
    const server = run(['start'], { LASTRO_DATA_DIR: dataDir });
    const url = await server.started();
    const res = await fetch(`${url}/passport/v2/s2s/access-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ server_key: out.credential.server_key, server_secret: out.credential.server_secret }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { tenant: string }).tenant).toBe(out.org.id);
    // Not an empty database, so no demo org is made.
    expect(server.stderr()).not.toContain('Demo org');
    server.proc.kill('SIGTERM');
    await server.exited;
  });

  it('names every bad field and exits 1', async () => {
    const p = run([...args, '--currency', '999', '--timezone', 'Mars/Base', '--country-code', 'XXX'], { LASTRO_DATA_DIR: dataDir });
    expect((await p.exited).code).toBe(1);
    for (const field of ['body.currency_numeric_code', 'body.timezone', 'body.country_code']) expect(p.stderr()).toContain(field);
  });
});

describe('configuration errors stop start-up', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT: must be a whole number'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL: must use the postgres:// scheme'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL: must be one of'],
  ])('%o', async (env, message) => {
    const p = run(['start'], env);
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.stderr()).toContain(`configuration error — ${message}`);
  });

  it('--help lists the commands', async () => {
    const p = run(['--help'], {});
    expect((await p.exited).code).toBe(0);
    for (const cmd of ['start', 'api', 'worker', 'migrate', 'org', 'ledger']) expect(p.stdout()).toContain(cmd);
    expect(p.stdout()).toContain('Usage: lastro [options] [command]');
    expect(ownStderr(p.stderr())).toBe('');
  });

  it('an unknown command is named as such, not taken for an argument of start', async () => {
    const p = run(['bogus'], {});
    expect((await p.exited).code).toBe(1);
    expect(ownStderr(p.stderr())).toBe("lastro: unknown command 'bogus'. Commands: start, api, worker, migrate, org, ledger (see lastro --help).\n");
    expect(p.stderr()).not.toContain('too many arguments');
  });
});

/** Stderr without bin/lastro.mjs's notice that src/ is newer than dist/ (a working tree, not a fresh install). */
function ownStderr(text: string): string {
  return text.replace(/^lastro: src\/ changed since the last build.*\n/m, '');
}

describe.skipIf(engine() !== 'postgres')('PostgreSQL processes', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await freshDatabase({ empty: true });
  });
  afterAll(async () => tdb?.drop());

  it('migrate, then api and worker as separate processes', async () => {
    const env = { DATABASE_URL: tdb.databaseUrl };
    const migrate = run(['migrate'], env);
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.stderr()).toMatch(/migration\(s\) applied/);

    const worker = run(['worker'], env);
    await worker.started();
    const api = run(['api'], env);
    const url = await api.started();
    expect((await getJson(`${url}/ready`)).body).toMatchObject({ status: 'ready', database: 'postgres' });
    expect(api.stderr()).toMatch(/PostgreSQL at 127\.0\.0\.1:5432\/lastro_t_/);

    // Several api processes can share the database.
    const api2 = run(['api'], env);
    const url2 = await api2.started();
    expect((await getJson(`${url2}/health`)).status).toBe(200);

    for (const p of [api, api2, worker]) p.proc.kill('SIGTERM');
    for (const p of [api, api2, worker]) expect((await p.exited).code).toBe(0);
  });
});
