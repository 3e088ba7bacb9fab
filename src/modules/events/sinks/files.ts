// Batch file sink: events as gzip NDJSON (one envelope per line), one folder per org and
// subscription. A file is written as <name>.part while open and closed after roll_seconds from
// its first event or at roll_bytes of NDJSON; closing fsyncs it, renames it, writes its manifest
// (<name>.manifest.json) and then, in one transaction, lists it and moves the cursor past it.
// A crash before that transaction loses only the .part: the next worker reads the same events
// again from the cursor and writes the same file name (named after its first event).
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { envelopeJson } from '../events.envelope.js';
import type { RawOutboxRow as OutboxRow } from '../events.repo.js';
import { insertFile } from '../files.repo.js';
import type { SubscriptionRow } from '../subscriptions.repo.js';
import { SubscriptionReader, positionOfRow, type RelayDeps, type SinkWorker } from './sink.js';

const BATCH = 5000;

/** Where a subscription's files are: one folder per org and subscription under LASTRO_EVENTS_DIR. */
export function fileDir(eventsDir: string, orgId: string, subscriptionId: string): string {
  return join(eventsDir, orgId, subscriptionId);
}

interface OpenFile {
  name: string;
  partPath: string;
  gzip: Gzip;
  written: Promise<void>;
  hash: ReturnType<typeof createHash>;
  compressedBytes: number;
  ndjsonBytes: number;
  count: number;
  first: OutboxRow;
  last: OutboxRow;
  openedAt: number;
}

/** File name: first event's time, then its position, so a rewrite after a crash has the same name. */
export const eventFileName = (first: OutboxRow): string =>
  `${first.occurred_at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}_${first.tx_id}-${first.seq}.ndjson.gz`;

export function fileWorker(deps: RelayDeps, subscription: SubscriptionRow): SinkWorker {
  const { config, clock, ids } = deps;
  const reader = new SubscriptionReader(deps, subscription);
  const dir = fileDir(config.eventsDir, subscription.org_id, subscription.id);
  const rollMs = (subscription.sink.roll_seconds ?? config.eventFileRollSeconds) * 1000;
  const rollBytes = subscription.sink.roll_bytes ?? config.eventFileRollBytes;
  let current: OpenFile | undefined;
  let prepared = false;

  const prepare = async () => {
    if (prepared) return;
    await mkdir(dir, { recursive: true });
    // Left by a worker that stopped or crashed with a file open: its events are read again.
    for (const f of await readdir(dir)) if (f.endsWith('.part')) await rm(join(dir, f), { force: true });
    prepared = true;
  };

  const openFile = (first: OutboxRow): OpenFile => {
    const name = eventFileName(first);
    const partPath = join(dir, `${name}.part`);
    const gzip = createGzip();
    const hash = createHash('sha256');
    const file: OpenFile = {
      name,
      partPath,
      gzip,
      hash,
      compressedBytes: 0,
      ndjsonBytes: 0,
      count: 0,
      first,
      last: first,
      openedAt: clock.now().getTime(),
      written: Promise.resolve(),
    };
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        file.compressedBytes += chunk.length;
        done(null, chunk);
      },
    });
    const out: WriteStream = createWriteStream(partPath);
    file.written = pipeline(gzip, counter, out);
    file.written.catch(() => {}); // observed in close()
    return file;
  };

  const write = async (f: OpenFile, row: OutboxRow) => {
    const line = `${envelopeJson(row)}\n`;
    f.ndjsonBytes += Buffer.byteLength(line);
    f.count += 1;
    f.last = row;
    if (!f.gzip.write(line)) await new Promise<void>((resolve) => f.gzip.once('drain', resolve));
  };

  const close = async (f: OpenFile) => {
    f.gzip.end();
    await f.written;
    const handle = await open(f.partPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const finalPath = join(dir, f.name);
    await rename(f.partPath, finalPath);
    const sha256 = f.hash.digest('hex');
    const manifest = {
      name: f.name,
      count: f.count,
      bytes: f.compressedBytes,
      sha256,
      first_event_id: f.first.event_id,
      last_event_id: f.last.event_id,
      first_timestamp: f.first.occurred_at.toISOString(),
      last_timestamp: f.last.occurred_at.toISOString(),
    };
    await writeFile(join(dir, `${f.name}.manifest.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    await deps.db.transaction(
      async (tx) => {
        await insertFile(tx, {
          id: ids.uuid(),
          org_id: subscription.org_id,
          subscription_id: subscription.id,
          name: f.name,
          event_count: f.count,
          bytes: BigInt(f.compressedBytes),
          sha256,
          first_event_id: f.first.event_id,
          last_event_id: f.last.event_id,
          first_timestamp: f.first.occurred_at,
          last_timestamp: f.last.occurred_at,
          created_at: clock.now(),
        });
        await reader.commit(tx, positionOfRow(f.last));
      },
      { orgId: subscription.org_id },
    );
  };

  const closeCurrent = async () => {
    const f = current;
    current = undefined;
    if (f) await close(f);
  };

  return {
    subscription,
    async pump() {
      await prepare();
      const rows = await reader.next(BATCH);
      for (const row of rows) {
        current ??= openFile(row);
        await write(current, row);
        reader.position = positionOfRow(row);
        if (current.ndjsonBytes >= rollBytes) await closeCurrent();
      }
      return rows.length > 0;
    },
    async tick() {
      if (current && clock.now().getTime() - current.openedAt >= rollMs) await closeCurrent();
    },
    async stop() {
      const f = current;
      current = undefined;
      if (!f) return;
      f.gzip.destroy();
      await f.written.catch(() => {});
      await rm(f.partPath, { force: true });
    },
  };
}
