import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './dir-lock.js';

const dir = () => join(mkdtempSync(join(tmpdir(), 'lastro-lock-')), 'data');

describe('data directory lock', () => {
  it('refuses a second holder while the first is alive, and frees on release', () => {
    const d = dir();
    const first = lockDataDir(d);
    // Simulate another live process holding it: our parent is alive and is not us.
    writeFileSync(first.path, JSON.stringify({ pid: process.ppid, host: hostname() }));
    expect(() => lockDataDir(d)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(d)).toThrow(new RegExp(`pid ${process.ppid}`));
    writeFileSync(first.path, JSON.stringify({ pid: process.pid, host: hostname() }));
    first.release();
    expect(existsSync(first.path)).toBe(false);
    lockDataDir(d).release();
  });

  it('takes over a lock left by a process that died', async () => {
    const d = dir();
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    writeFileSync(`${d}.lock`, JSON.stringify({ pid, host: hostname() }));
    const lock = lockDataDir(d);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a half-written lock file', () => {
    const d = dir();
    writeFileSync(`${d}.lock`, '{"pid":');
    lockDataDir(d).release();
  });
});
