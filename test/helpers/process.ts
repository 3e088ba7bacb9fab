// Runs the real `lastro` command as a child process, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/lastro.mjs', import.meta.url));

export interface LastroProcess {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** JSON log lines written so far. */
  logs: () => Record<string, unknown>[];
  /** Resolves with the API base URL once the banner says it started. */
  started: () => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `bin`: the script to run, bin/lastro.mjs unless a test built its own. */
export function runLastro(args: string[], env: Record<string, string | undefined>, bin = BIN): LastroProcess {
  const proc = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
    started: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`lastro did not start in time:\n${err}\n${out}`)), 60_000);
        // Resolve once the banner is complete and the "lastro started" log line is out (stdout
        // and stderr are separate pipes, so either may arrive first).
        const check = () => {
          if (!/Stop with Ctrl\+C/.test(err) || !/"lastro started"/.test(out)) return;
          clearTimeout(timer);
          resolve(/API\s+(http:\/\/\S+)/.exec(err)?.[1] ?? '');
        };
        proc.stdout.on('data', check);
        proc.stderr.on('data', check);
        void exited.then(({ code }) => {
          clearTimeout(timer);
          reject(new Error(`lastro exited with ${code} before starting:\n${err}\n${out}`));
        });
        check();
      }),
  };
}
