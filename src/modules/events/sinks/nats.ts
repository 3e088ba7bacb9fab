// NATS JetStream sink: each event is published to lastro.<org_id>.<domain>.<event_type> with
// Nats-Msg-Id = event_id, so JetStream drops a re-publish within its duplicate window. The
// cursor moves once JetStream has acknowledged every event of the batch.
import { connect, nanos, StringCodec, type JetStreamClient, type NatsConnection } from 'nats';
import type { Logger } from '../../../platform/logger.js';
import type { Platform } from '../../../platform/module.js';
import { toEnvelope } from '../events.routes.js';
import type { SubscriptionRow } from '../subscriptions.repo.js';
import { SubscriptionReader, positionOfRow, type SinkWorker } from './sink.js';

export const NATS_STREAM = 'LASTRO_EVENTS';
const BATCH = 1000;
const sc = StringCodec();

/** One subject token: NATS forbids `.`, spaces and wildcards inside a token. */
const token = (s: string) => s.replace(/[.\s*>]/g, '_');

export const natsSubject = (orgId: string, domain: string, eventType: string): string =>
  `lastro.${token(orgId)}.${token(domain)}.${token(eventType)}`;

export interface NatsLink {
  jetstream(): Promise<JetStreamClient>;
  close(): Promise<void>;
}

/** A lazy connection to NATS_URL; the stream LASTRO_EVENTS (subjects lastro.>) is created if missing. */
export function createNatsLink(servers: string, log: Logger): NatsLink {
  let ready: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
  const open = async () => {
    const nc = await connect({ servers: servers.split(',').map((s) => s.trim()), name: 'lastro-relay', maxReconnectAttempts: -1 });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.info(NATS_STREAM);
    } catch {
      await jsm.streams.add({ name: NATS_STREAM, subjects: ['lastro.>'], duplicate_window: nanos(120_000) });
      log.info({ stream: NATS_STREAM }, 'created the JetStream stream for events');
    }
    void nc.closed().then(() => {
      ready = undefined;
    });
    return { nc, js: nc.jetstream() };
  };
  return {
    async jetstream() {
      ready ??= open().catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      return (await ready).js;
    },
    async close() {
      const r = ready;
      ready = undefined;
      if (r) await (await r.catch(() => undefined))?.nc.drain().catch(() => {});
    },
  };
}

export function natsWorker(platform: Platform, subscription: SubscriptionRow, link: NatsLink): SinkWorker {
  const reader = new SubscriptionReader(platform, subscription);
  return {
    subscription,
    async pump() {
      const rows = await reader.next(BATCH);
      if (!rows.length) return false;
      const js = await link.jetstream();
      await Promise.all(
        rows.map((r) =>
          js.publish(natsSubject(r.org_id, r.domain, r.event_type), sc.encode(JSON.stringify(toEnvelope(r))), { msgID: r.event_id }),
        ),
      );
      const last = positionOfRow(rows.at(-1)!);
      await reader.commitAlone(last);
      reader.position = last;
      return true;
    },
    async stop() {},
  };
}
