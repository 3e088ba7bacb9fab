// PGlite does not lock its data directory, and two processes writing one directory corrupt it.
// We hold a lock file beside the directory naming our pid. A lock left by a process that died
// (kill -9, power loss) is taken over: its pid is no longer alive.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The data directory ${dataDir} is in use by another Lastro process (pid ${pid}). ` +
        `Stop that process first, or point LASTRO_DATA_DIR at another directory.`,
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockContent {
  pid: number;
  host: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch {
    return undefined; // missing, or half-written by a process that died while writing it
  }
}

export interface DirLock {
  readonly path: string;
  release(): void;
}

export function lockDataDir(dataDir: string): DirLock {
  const dir = resolve(dataDir);
  const path = `${dir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const mine: LockContent = { pid: process.pid, host: hostname() };

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      return {
        path,
        release: () => {
          const held = readLock(path);
          if (held?.pid === mine.pid && held.host === mine.host) unlinkSync(path);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = readLock(path);
      // Same pid as ours means a previous life of this process slot (pid 1 in a container).
      if (held && held.host === mine.host && held.pid !== mine.pid && isAlive(held.pid)) {
        throw new DataDirLockedError(dir, held.pid);
      }
      if (held && held.host !== mine.host) {
        throw new DataDirLockedError(dir, held.pid);
      }
      unlinkSync(path); // stale: its owner is gone
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
