// `lastro start | api | worker`: the app in one of its run modes, until a signal stops it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createApp, type App, type RunMode } from '../app.js';
import type { Config } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { API_VERSION } from '../platform/version.js';
import { killAfter } from '../platform/watchdog.js';
import { createOrgsService } from '../modules/orgs/index.js';
import { describeDatabase, fail, readConfig, say } from './common.js';

export interface RunOptions {
  /** How V8's code cache served this start (main.ts, when it runs the start bundle); logged. */
  codeCache?: string;
}

export async function run(mode: RunMode, opts: RunOptions = {}): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.logLevel);

  // Signals are handled from the first moment: one that arrives while starting is honoured as
  // soon as start-up has finished, with the same drain as later.
  let app: App | undefined = undefined; // set once started; the signal handler reads it
  let requested: string | undefined;
  let signals = 0;
  const onSignal = (signal: string): void => {
    signals += 1;
    if (signals > 1) {
      say('lastro: second signal, exiting now');
      process.exit(130);
    }
    if (app) shutdown(app, signal);
    else requested = signal;
  };
  const shutdown = (running: App, signal: string): void => {
    // The budget holds whatever hangs: past it the main thread exits with status 1, and if even
    // that cannot run, a watchdog thread kills the process.
    killAfter(config.shutdownTimeoutMs + 3000);
    log.info({ signal }, 'shutting down: draining requests and jobs');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 2000);
    timer.unref();
    running.stop().then(
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
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  // Until start-up is done, a timer keeps Node's event loop from running empty. Awaiting PGlite's
  // WebAssembly compilation holds no libuv handle: the loop would end its run, and Node then waits
  // for every V8 background task (PGlite's functions being optimised, hundreds of ms) before it
  // runs the loop again, at start-up's first I/O or timer. With the loop kept running, those
  // compilations go on beside start-up instead of in front of it.
  const holdLoop = setInterval(() => {}, 60_000);
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

  clearInterval(holdLoop);
  const seconds = process.uptime().toFixed(1);
  log.info(
    {
      mode,
      url,
      database: created.platform.db.kind,
      installationId: created.installationId,
      startupSeconds: Number(seconds),
      ...(opts.codeCache ? { codeCache: opts.codeCache } : {}),
    },
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
  if (requested) shutdown(created, requested);
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
