// The `lastro` command: start | api | worker | migrate.
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { createApp, type App, type RunMode } from './app.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { DataDirLockedError } from './platform/db/dir-lock.js';
import { openDatabase } from './platform/db/database.js';
import { migrate } from './platform/db/migrate.js';
import { API_VERSION } from './platform/http/server.js';
import { createLogger, keepWritingWhenReaderGone } from './platform/logger.js';
import { killAfter } from './platform/watchdog.js';
import { createOrgsService } from './modules/orgs/index.js';
import { verifyOrgs, type VerifyProgress } from './modules/ledger/index.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const say = (line = ''): void => void process.stderr.write(`${line}\n`);

// A reader of our output that has gone must never crash or stall Lastro.
keepWritingWhenReaderGone();

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      say(`lastro: configuration error — ${err.message}`);
      say('See the configuration table in README.md.');
      process.exit(2);
    }
    throw err;
  }
}

function fail(err: unknown): never {
  if (err instanceof DataDirLockedError) {
    say(`lastro: ${err.message}`);
    process.exit(1);
  }
  say(`lastro: could not start — ${(err as Error).message}`);
  process.exit(1);
}

function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `PGlite (embedded) at ${config.dataDir}`;
  const u = new URL(config.databaseUrl);
  return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

async function run(mode: RunMode): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.logLevel);

  // Signals are handled from the first moment: one that arrives while starting is honoured as
  // soon as start-up has finished, with the same drain as later.
  let app: App | undefined = undefined; // set once started; the signal handler reads it
  let requested: string | undefined;
  let signals = 0;
  const shutdown = (signal: string): void => {
    signals += 1;
    if (signals > 1) {
      say('lastro: second signal, exiting now');
      process.exit(130);
    }
    if (!app) {
      requested = signal;
      return;
    }
    // The budget holds whatever hangs: past it the main thread exits with status 1, and if even
    // that cannot run, a watchdog thread kills the process.
    killAfter(config.shutdownTimeoutMs + 3000);
    log.info({ signal }, 'shutting down: draining requests and jobs');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 2000);
    timer.unref();
    app.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  let created: App;
  try {
    created = await createApp({ config, mode, logger: log });
  } catch (err) {
    fail(err);
  }
  // Before listening: once /ready answers, the demo org it announces exists.
  const demo = mode === 'all' && created.platform.db.kind === 'pglite' ? await demoOrg(created, config) : undefined;
  const { url } = await created.start().catch(async (err: unknown) => {
    await created.stop().catch(() => {});
    fail(err);
  });

  const seconds = process.uptime().toFixed(1);
  log.info(
    { mode, url, database: created.platform.db.kind, installationId: created.installationId, startupSeconds: Number(seconds) },
    'lastro started',
  );
  say('');
  say(`Lastro ${API_VERSION} — ${mode === 'all' ? 'API and worker' : mode} started in ${seconds} s`);
  say(`  Database        ${describeDatabase(config)}`);
  if (url) {
    const base = url.replace('://0.0.0.0', '://127.0.0.1');
    say(`  API             ${base}`);
    say(`  API reference   ${base}/docs`);
    say(`  OpenAPI         ${base}/openapi.json`);
    say(`  Health          ${base}/health   Ready ${base}/ready`);
  }
  if (demo && url) {
    const base = url.replace('://0.0.0.0', '://127.0.0.1');
    say('');
    say(`  Demo org        ${demo.orgId} (sandbox)${demo.created ? ', created now' : ''}`);
    say(`  server_key      ${demo.serverKey}`);
    say(`  server_secret   ${demo.serverSecret}`);
    say(`  (kept in ${demo.file})`);
    say('  Get a token:');
    say(
      `    curl -s -X POST ${base}/passport/v2/s2s/access-token -H 'content-type: application/json' \\\n` +
        `      -d '{"server_key":"${demo.serverKey}","server_secret":"${demo.serverSecret}"}'`,
    );
    say('');
  }
  say('  Stop with Ctrl+C.');
  say('');

  app = created;
  if (requested) shutdown(requested);
}

interface DemoOrg {
  orgId: string;
  serverKey: string;
  serverSecret: string;
  file: string;
  created: boolean;
}

/**
 * The embedded sandbox gets a demo org on its first start. Its credential is kept (mode 0600)
 * beside the data dir, so later starts can show it again; the database keeps only its hash.
 */
async function demoOrg(app: App, config: Config): Promise<DemoOrg | undefined> {
  const file = join(dirname(config.dataDir), 'demo-org.json');
  const created = await createOrgsService(app.platform).ensureDemoOrg();
  if (created) {
    const demo = { orgId: created.org.id, serverKey: created.credential.server_key, serverSecret: created.credential.server_secret };
    writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
    return { ...demo, file, created: true };
  }
  if (!existsSync(file)) return undefined;
  try {
    return { ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<DemoOrg, 'file' | 'created'>), file, created: false };
  } catch {
    return undefined;
  }
}

async function runMigrate(): Promise<void> {
  const config = readConfig();
  let db;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  } catch (err) {
    fail(err);
  }
  try {
    const result = await migrate(db.pool, { onApply: (name) => say(`  applied ${name}`) });
    say(`lastro: ${result.applied.length} migration(s) applied, ${result.total} in total — ${describeDatabase(config)}`);
  } finally {
    await db.close();
  }
}

/** Runs the operator route in-process, so the CLI applies exactly the API's rules. */
async function runOrgCreate(opts: {
  officialName: string;
  orgName: string;
  documentNumber: string;
  responsible: string;
  currency: string;
  timezone: string;
  countryCode: string;
  language: string;
  sandbox: boolean;
}): Promise<void> {
  const adminToken = randomBytes(24).toString('hex');
  const config = { ...readConfig(), adminToken, logLevel: 'silent' as const };
  let app: App;
  try {
    app = await createApp({ config, mode: 'api', migrate: true, logger: createLogger('silent') });
  } catch (err) {
    fail(err);
  }
  try {
    const res = await app.http!.inject({
      method: 'POST',
      url: '/lastro/v1/orgs',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: {
        official_name: opts.officialName,
        org_name: opts.orgName,
        document_number: opts.documentNumber,
        responsible: opts.responsible,
        currency_numeric_code: opts.currency,
        timezone: opts.timezone,
        country_code: opts.countryCode,
        language: opts.language,
        sandbox: opts.sandbox,
      },
    });
    if (res.statusCode !== 201) {
      const body = res.json<{ message: string; details?: { field: string; reason: string }[] }>();
      say(`lastro: the org was not created — ${body.details ? body.details.map((d) => `${d.field} ${d.reason}`).join('; ') : body.message}`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${JSON.stringify(res.json(), null, 2)}\n`);
    say('The server_secret is shown only now: store it safely.');
  } finally {
    await app.stop();
  }
}

/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise. */
function progressBar(): (label: string, p: VerifyProgress) => void {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  let lastLabel = '';
  return (label, p) => {
    const ratio = p.total ? Math.min(1, p.done / p.total) : 1;
    const line = `${label} ${p.phase.padEnd(8)} [${'#'.repeat(Math.round(ratio * 30)).padEnd(30, '.')}] ${String(Math.round(ratio * 100)).padStart(3)}% ${p.done}/${p.total}`;
    if (tty) {
      process.stderr.write(`\r${line}`);
      if (ratio === 1) process.stderr.write('\n');
      return;
    }
    const tenth = Math.floor(ratio * 10);
    if (`${label}${p.phase}` !== lastLabel || tenth !== lastTenth) say(line);
    lastLabel = `${label}${p.phase}`;
    lastTenth = tenth;
  };
}

/** `lastro ledger verify`: the ledger's invariants for every org (or one); exit 1 on any difference. */
async function runLedgerVerify(opts: { org?: string }): Promise<void> {
  const config = { ...readConfig(), logLevel: 'silent' as const };
  let app: App;
  try {
    app = await createApp({ config, mode: 'api', migrate: true, logger: createLogger('silent') });
  } catch (err) {
    fail(err);
  }
  try {
    const bar = progressBar();
    const reports = await verifyOrgs(app.platform, { orgIds: opts.org ? [opts.org] : undefined, onProgress: (org, p) => bar(org, p) });
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    const bad = reports.filter((r) => !r.ok);
    say(bad.length ? `lastro: ${bad.length} of ${reports.length} org ledger(s) have differences` : `lastro: ${reports.length} org ledger(s) verified, no difference`);
    if (bad.length) process.exitCode = 1;
  } finally {
    await app.stop();
  }
}

const program = new Command()
  .name('lastro')
  .description('Lastro — open-source processing platform for banking and payments (Pismo-compatible API).')
  .version(API_VERSION)
  .addHelpText(
    'after',
    '\nConfiguration comes from environment variables (PORT, DATABASE_URL, LASTRO_DATA_DIR, …); see README.md.\n' +
      'Without DATABASE_URL, Lastro runs on embedded PGlite stored in LASTRO_DATA_DIR (default ./.lastro/data).',
  );

program
  .command('start', { isDefault: true })
  .description('run the API and the job worker in one process (migrates first)')
  .action(() => run('all'));
program.command('api').description('run the HTTP API only (stateless; scale horizontally)').action(() => run('api'));
program.command('worker').description('run background jobs only (migrates first; run several)').action(() => run('worker'));
program.command('migrate').description('apply database migrations and exit').action(runMigrate);

const org = program.command('org').description('manage organizations (tenants) directly on the database');
org
  .command('create')
  .description('create an org and print it with its first credential (the secret is shown once)')
  .requiredOption('--official-name <name>', "company's legal name (≤ 100)")
  .requiredOption('--org-name <name>', 'preferred name on the platform (≤ 80)')
  .requiredOption('--document-number <number>', 'company document number (≤ 20)')
  .requiredOption('--responsible <email>', 'email of the person to contact')
  .requiredOption('--currency <code>', 'ISO 4217 numeric currency code, e.g. 986')
  .requiredOption('--timezone <zone>', 'IANA time zone, e.g. America/Sao_Paulo')
  .requiredOption('--country-code <code>', 'ISO 3166-1 alpha-3 country code, e.g. BRA')
  .option('--language <language>', 'en-US or pt-BR', 'en-US')
  .option('--sandbox', 'a sandbox org (gets a test clock)', false)
  .action(runOrgCreate);

const ledger = program.command('ledger').description("check the ledger's invariants directly on the database");
ledger
  .command('verify')
  .description('every journal entry sums to zero and every stored balance equals the sum of its postings; prints the differences as JSON')
  .option('--org <id>', 'only this org (TN-…)')
  .action(runLedgerVerify);

// `start` is the default command, so commander would take an unknown command for an argument of
// `start` ("too many arguments for 'start'"): name the real mistake instead.
const first = process.argv[2];
const known = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
if (first !== undefined && !first.startsWith('-') && !known.has(first)) {
  program.error(`lastro: unknown command '${first}'. Commands: ${[...known].filter((c) => c !== 'help').join(', ')} (see lastro --help).`);
}

await program.parseAsync();
