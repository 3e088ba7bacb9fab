// NATS JetStream sink: each event is published to [<prefix>.]lastro.<org_id>.<domain>.<event_type> with
// Nats-Msg-Id = event_id, so JetStream drops a re-publish within its duplicate window. The
// cursor moves once JetStream has acknowledged every event of the batch.
import { connect, createInbox, headers, nanos, StringCodec, type NatsConnection } from 'nats';
import type { Logger } from '../../../platform/logger.js';
import { envelopeJson } from '../events.envelope.js';
import type { RawOutboxRow } from '../events.repo.js';
import type { SubscriptionRow } from '../subscriptions.repo.js';
import { SubscriptionReader, positionOfRow, type RelayDeps, type SinkWorker } from './sink.js';

/**
 * The stream and subjects of one deployment. With LASTRO_NATS_PREFIX (`acme`) they are
 * `ACME_LASTRO_EVENTS` and `acme.lastro.>`, so several deployments can share a NATS server
 * without reading or purging each other's events; without it, `LASTRO_EVENTS` and `lastro.>`.
 */
export function natsNames(prefix: string | undefined): { stream: string; root: string } {
  return prefix
    ? { stream: `${prefix.toUpperCase().replace(/-/g, '_')}_LASTRO_EVENTS`, root: `${prefix}.lastro` }
    : { stream: 'LASTRO_EVENTS', root: 'lastro' };
}
const BATCH = 5000;
const sc = StringCodec();

/** One subject token: NATS forbids `.`, spaces and wildcards inside a token. */
const token = (s: string) => s.replace(/[.\s*>]/g, '_');

export const natsSubject = (root: string, orgId: string, domain: string, eventType: string): string =>
  `${root}.${token(orgId)}.${token(domain)}.${token(eventType)}`;

export interface NatsLink {
  /**
   * Publishes the events to JetStream and resolves once the stream has acknowledged every one
   * (a duplicate within the stream's window counts as acknowledged).
   */
  publishBatch(rows: RawOutboxRow[]): Promise<void>;
  close(): Promise<void>;
}

const ACK_TIMEOUT_MS = 30_000;

interface PendingBatch {
  remaining: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A lazy connection to NATS_URL; the deployment's stream (`natsNames`) is created if
 * missing. Messages are published as JetStream does asynchronously: each carries a reply
 * subject under one inbox per connection, and the acks are counted per batch — no request,
 * promise and timer per message.
 */
export function createNatsLink(servers: string, log: Logger, prefix?: string): NatsLink {
  const { stream, root } = natsNames(prefix);
  let ready: Promise<{ nc: NatsConnection; inbox: string; batches: Map<string, PendingBatch> }> | undefined;
  let next = 0;
  const open = async () => {
    const nc = await connect({ servers: servers.split(',').map((s) => s.trim()), name: 'lastro-relay', maxReconnectAttempts: -1 });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [`${root}.>`], duplicate_window: nanos(120_000) });
      log.info({ stream }, 'created the JetStream stream for events');
    }
    const inbox = createInbox();
    const batches = new Map<string, PendingBatch>();
    const fail = (token: string, batch: PendingBatch, err: Error) => {
      clearTimeout(batch.timer);
      batches.delete(token);
      batch.reject(err);
    };
    nc.subscribe(`${inbox}.*`, {
      callback: (_err, msg) => {
        const token = msg.subject.slice(inbox.length + 1);
        const batch = batches.get(token);
        if (!batch) return;
        if (msg.headers?.hasError) return fail(token, batch, new Error(`JetStream: ${msg.headers.code} ${msg.headers.description}`));
        let ack: { error?: { description?: string } };
        try {
          ack = JSON.parse(sc.decode(msg.data)) as typeof ack;
        } catch {
          return fail(token, batch, new Error('JetStream sent an unreadable acknowledgement'));
        }
        if (ack.error) return fail(token, batch, new Error(`JetStream refused an event: ${ack.error.description ?? 'unknown error'}`));
        batch.remaining -= 1;
        if (batch.remaining === 0) {
          clearTimeout(batch.timer);
          batches.delete(token);
          batch.resolve();
        }
      },
    });
    void nc.closed().then(() => {
      ready = undefined;
      for (const [token, batch] of batches) fail(token, batch, new Error('the NATS connection closed'));
    });
    return { nc, inbox, batches };
  };
  const connection = () =>
    (ready ??= open().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));
  return {
    async publishBatch(rows) {
      if (!rows.length) return;
      const { nc, inbox, batches } = await connection();
      const token = String(next++);
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          batches.delete(token);
          reject(new Error(`JetStream did not acknowledge ${rows.length} events within ${ACK_TIMEOUT_MS} ms`));
        }, ACK_TIMEOUT_MS);
        batches.set(token, { remaining: rows.length, resolve, reject, timer });
      });
      const reply = `${inbox}.${token}`;
      for (const r of rows) {
        const h = headers();
        h.set('Nats-Msg-Id', r.event_id);
        nc.publish(natsSubject(root, r.org_id, r.domain, r.event_type), sc.encode(envelopeJson(r)), { headers: h, reply });
      }
      return done;
    },
    async close() {
      const r = ready;
      ready = undefined;
      if (r) await (await r.catch(() => undefined))?.nc.drain().catch(() => {});
    },
  };
}

/** Batches published but not yet acknowledged and stored, per subscription. */
const IN_FLIGHT_BATCHES = 3;

export function natsWorker(deps: Pick<RelayDeps, 'db'>, subscription: SubscriptionRow, link: NatsLink): SinkWorker {
  const reader = new SubscriptionReader(deps, subscription);
  // Batches are published while earlier ones wait for their acks; the cursor moves batch by
  // batch, in order, each once JetStream has acknowledged all of it.
  let settled: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let failure: Error | undefined;
  return {
    subscription,
    async pump() {
      if (failure !== undefined) throw failure;
      if (inFlight >= IN_FLIGHT_BATCHES) await settled;
      const rows = await reader.next(BATCH);
      if (!rows.length) {
        await settled; // surfaces a failed batch
        return false;
      }
      const acks = link.publishBatch(rows);
      const last = positionOfRow(rows.at(-1)!);
      reader.position = last;
      inFlight += 1;
      const previous = settled;
      settled = (async () => {
        try {
          await acks;
          await previous;
          await reader.commitAlone(last);
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
          throw err;
        } finally {
          inFlight -= 1;
        }
      })();
      settled.catch(() => {}); // observed by the next pump or stop
      return true;
    },
    async stop() {
      await settled.catch(() => {});
    },
  };
}
