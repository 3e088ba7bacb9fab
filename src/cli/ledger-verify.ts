// `lastro ledger verify [--org]`: the ledger's invariants checked directly on the database, with a
// progress bar on stderr and the reports as JSON on stdout; exit 1 on any difference.
import { createApp, type App } from '../app.js';
import { verifyOrgs, type VerifyProgress } from '../modules/ledger/index.js';
import { createLogger } from '../platform/logger.js';
import { fail, readConfig, say } from './common.js';

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

export async function runLedgerVerify(opts: { org?: string }): Promise<void> {
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
