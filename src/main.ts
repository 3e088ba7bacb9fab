// The `lastro` command: start | api | worker | migrate | org create | ledger verify.
// Only commander and this file load before the arguments are read: each command imports what it
// runs, so `lastro --help` or a mistyped command answers without loading the app.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { OrgCreateOptions } from './cli/org-create.js';
import type { RunMode } from './app.js';
import { keepWritingWhenReaderGone } from './platform/stdio.js';
import { API_VERSION } from './platform/version.js';

// A reader of our output that has gone must never crash or stall Lastro.
keepWritingWhenReaderGone();

const program = new Command()
  .name('lastro')
  .description('Lastro — open-source processing platform for banking and payments (Pismo-compatible API).')
  .version(API_VERSION)
  .addHelpText(
    'after',
    '\nConfiguration comes from environment variables (PORT, DATABASE_URL, LASTRO_DATA_DIR, …); see README.md.\n' +
      'Without DATABASE_URL, Lastro runs on embedded PGlite stored in LASTRO_DATA_DIR (default ./.lastro/data).',
  );

/**
 * start | api | worker. Built, their code is one CommonJS file beside this bundle (start.cjs),
 * compiled through V8's code cache, which the first start writes once it has started (see
 * cli/code-cache.ts); otherwise (sources, unbundled dist/) the module itself. PGlite's
 * WebAssembly is optimised less eagerly until then (cli/wasm-tiering.ts): raised before the
 * bundle is compiled, lowered after its cache is written, so both see the same V8 flags.
 */
async function runStart(mode: RunMode): Promise<void> {
  const { raiseWasmTieringBudget } = await import('./cli/wasm-tiering.js');
  const lowerWasmTieringBudget = raiseWasmTieringBudget();
  const bundled = fileURLToPath(new URL('./start.cjs', import.meta.url));
  if (!existsSync(bundled)) {
    await (await import('./cli/start.js')).run(mode);
    lowerWasmTieringBudget();
    return;
  }
  const { loadCommonJs } = await import('./cli/code-cache.js');
  const start = loadCommonJs<typeof import('./cli/start.js')>(bundled);
  await start.exports.run(mode, { codeCache: start.cache });
  start.saveCache();
  lowerWasmTieringBudget();
}

program
  .command('start', { isDefault: true })
  .description('run the API and the job worker in one process (migrates first)')
  .action(() => runStart('all'));
program.command('api').description('run the HTTP API only (stateless; scale horizontally)').action(() => runStart('api'));
program.command('worker').description('run background jobs only (migrates first; run several)').action(() => runStart('worker'));
program.command('migrate').description('apply database migrations and exit').action(async () => (await import('./cli/migrate.js')).runMigrate());

const org = program.command('org').description('manage organizations (tenants) directly on the database');
org
  .command('create')
  .description('create an org and print it with its first credential (the secret is shown once)')
  .requiredOption('--official-name <name>', "company's legal name (≤ 100)")
  .requiredOption('--org-name <name>', 'preferred name on the platform (≤ 80)')
  .requiredOption('--document-number <number>', 'company document number (≤ 20)')
  .requiredOption('--responsible <text>', 'the person to contact, e.g. an email (≤ 255)')
  .requiredOption('--currency <code>', 'ISO 4217 numeric currency code, e.g. 986')
  .requiredOption('--timezone <zone>', 'IANA time zone, e.g. America/Sao_Paulo')
  .requiredOption('--country-code <code>', 'ISO 3166-1 alpha-3 country code, e.g. BRA')
  .option('--language <language>', 'en-US or pt-BR', 'en-US')
  .option('--sandbox', 'a sandbox org (gets a test clock)', false)
  .action(async (opts: OrgCreateOptions) => (await import('./cli/org-create.js')).runOrgCreate(opts));

const ledger = program.command('ledger').description("check the ledger's invariants directly on the database");
ledger
  .command('verify')
  .description('every journal entry sums to zero and every stored balance equals the sum of its postings; prints the differences as JSON')
  .option('--org <id>', 'only this org (TN-…)')
  .action(async (opts: { org?: string }) => (await import('./cli/ledger-verify.js')).runLedgerVerify(opts));

// `start` is the default command, so commander would take an unknown command for an argument of
// `start` ("too many arguments for 'start'"): name the real mistake instead.
const first = process.argv[2];
const known = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
if (first !== undefined && !first.startsWith('-') && !known.has(first)) {
  program.error(`lastro: unknown command '${first}'. Commands: ${[...known].filter((c) => c !== 'help').join(', ')} (see lastro --help).`);
}

await program.parseAsync();
