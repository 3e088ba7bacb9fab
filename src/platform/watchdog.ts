// A last-resort stop that no hang of the main thread can hold up.
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { workerData } = require('node:worker_threads');
setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);
`;

/**
 * Kills this process with SIGKILL after `ms` unless it has exited by then. The timer runs on a
 * thread of its own, so it fires even when the main thread is stuck (a blocking write to a log
 * pipe nobody reads, a busy loop) and no JavaScript timer of the main thread can run.
 */
export function killAfter(ms: number): void {
  // No execArgv: a module loader (--import) would make the thread wait on the main thread.
  const worker = new Worker(SOURCE, { eval: true, execArgv: [], workerData: { ms, pid: process.pid } });
  worker.unref(); // never the reason the process stays alive
}
