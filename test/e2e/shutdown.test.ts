// A stop signal always stops Lastro, even when whoever read its output has gone (a parent that
// spawned it with piped output and exited, a log collector that died): logging to a closed pipe
// must not hold up the shutdown, and the shutdown budget holds.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { engine } from '../helpers/db.js';
import { runLastro, type LastroProcess } from '../helpers/process.js';

let p: LastroProcess | undefined;
afterEach(() => {
  if (p && p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
});

describe.skipIf(engine() !== 'pglite')('stopping with nobody reading the output', () => {
  it('exits cleanly on SIGTERM after its stdout and stderr readers have gone', async () => {
    p = runLastro(['start'], {
      LASTRO_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'lastro-pipe-')), 'data'),
      LASTRO_SHUTDOWN_TIMEOUT_MS: '2000',
    });
    const url = await p.started();
    // The reader goes away: our ends of both pipes close, as when the parent process exits.
    p.proc.stdout!.destroy();
    p.proc.stderr!.destroy();
    // Lastro keeps serving (and logging into the void) until told to stop.
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/lastro/v1/nothing-here`)).status).toBe(404);

    const signalled = performance.now();
    p.proc.kill('SIGTERM');
    const { code, signal } = await p.exited;
    const seconds = (performance.now() - signalled) / 1000;
    // Well inside the budget (2 s drain + 2 s grace); it used to stay alive indefinitely.
    expect(seconds).toBeLessThan(10);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

describe.skipIf(engine() !== 'pglite')('the shutdown watchdog', () => {
  it('kills a process whose main thread hangs for good', async () => {
    const watchdog = fileURLToPath(new URL('../../src/platform/watchdog.ts', import.meta.url));
    // The main thread blocks forever: no JavaScript timer of its own can ever run again.
    const script = `const { killAfter } = await import(${JSON.stringify(watchdog)}); killAfter(300);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const started = performance.now();
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
