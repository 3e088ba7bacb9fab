// The event relay: one process of a deployment (the leader, holding a PostgreSQL advisory lock;
// on PGlite, the only process) runs a worker per active subscription, each delivering from the
// subscription's cursor in commit order. It wakes when events commit in this process, on
// PostgreSQL NOTIFY from other processes, and otherwise every LASTRO_RELAY_POLL_MS. If the
// leader dies, another worker process takes the lock within a few seconds and continues from
// the stored cursors.
import pg from 'pg';
import type { BackgroundService } from '../../platform/module.js';
import { OUTBOX_CHANNEL } from '../../platform/db/outbox.repo.js';
import { outboxSignal } from '../../platform/outbox.js';
import { createNatsLink, natsWorker, type NatsLink } from './sinks/nats.js';
import { fileWorker } from './sinks/files.js';
import { StaleSubscription, type RelayDeps, type SinkWorker } from './sinks/sink.js';
import { createWebhookDispatcher, webhookWorker, type WebhookTarget } from './sinks/webhook.js';
import { createWebhookSender } from './sinks/webhook-http.js';
import { activeSubscriptions, type SubscriptionRow } from './subscriptions.repo.js';
import { subscriptionSignal } from './subscriptions.signal.js';
import { listenForEvents, tryLeaderLock } from './relay.repo.js';

const RELOAD_MS = 2_000;
const LEADER_RETRY_MS = 3_000;
const WORKER_BACKOFF_MS = 2_000;
/** How often due webhook retries are looked for. */
const DUE_INTERVAL_MS = 100;
/** Arbitrary, fixed: the advisory lock key of the relay leader. */
const RELAY_LOCK = 7_342_019_288;

interface Leadership {
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

function leadership(platform: Pick<RelayDeps, 'db' | 'config' | 'log'>, onNotify: () => void): Leadership {
  if (platform.db.kind === 'pglite') return { acquire: async () => true, release: async () => {} };
  let client: pg.Client | undefined;
  let held = false;
  const drop = () => {
    held = false;
    platform.db.listeningHere(OUTBOX_CHANNEL, false);
    const c = client;
    client = undefined;
    void c?.end().catch(() => {});
  };
  return {
    async acquire() {
      if (held) return true;
      try {
        // A process that is not the leader keeps its session and asks for the lock again on it
        // (a new connection every few seconds per process costs PostgreSQL a backend each time).
        if (!client) {
          const c = new pg.Client({ connectionString: platform.config.databaseUrl, application_name: 'lastro-relay' });
          c.on('error', (err) => {
            platform.log.warn({ err }, held ? 'event relay lost its database session; leadership released' : 'event relay lost its database session');
            if (client === c) drop();
          });
          client = c;
          await c.connect();
        }
        if (!(await tryLeaderLock(client, RELAY_LOCK))) return false;
        client.on('notification', onNotify);
        await listenForEvents(client);
        held = true;
        // Commits in this process wake this relay through outboxSignal: they need not NOTIFY.
        platform.db.listeningHere(OUTBOX_CHANNEL, true);
        platform.log.info('this process now runs the event relay');
        return true;
      } catch (err) {
        platform.log.warn({ err }, 'event relay could not reach the database');
        drop();
        return false;
      }
    },
    async release() {
      drop();
    },
  };
}

export function createRelay(platform: RelayDeps): BackgroundService {
  const { config, log, sealer } = platform;
  const sender = createWebhookSender({ allowPrivate: config.webhookAllowPrivate, userAgent: 'Lastro-Webhooks/1' });
  const dispatcher = createWebhookDispatcher(platform, sender);
  let nats: NatsLink | undefined;
  const workers = new Map<string, SinkWorker>();
  const targets = new Map<string, WebhookTarget>();
  const backoff = new Map<string, number>();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let lastReload = 0;
  let reloadWanted = true;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  let lastDue = 0;
  const onChanged = () => {
    reloadWanted = true;
    lastDue = 0; // a redelivery may be due now
    wake();
  };
  const lead = leadership(platform, wake);
  dispatcher.onIdle(wake);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const build = (s: SubscriptionRow): SinkWorker => {
    switch (s.sink_type) {
      case 'webhook': {
        const target: WebhookTarget = {
          subscriptionId: s.id,
          url: s.sink.url ?? '',
          secret: sealer.open(s.secret ?? ''),
          ...(s.previous_secret && s.previous_secret_until
            ? { previous: { secret: sealer.open(s.previous_secret), until: new Date(s.previous_secret_until) } }
            : {}),
          timeoutMs: s.sink.timeout_ms ?? config.webhookTimeoutMs,
        };
        targets.set(s.id, target);
        return webhookWorker(platform, s, target, dispatcher);
      }
      case 'nats':
        if (!config.natsUrl) throw new Error('NATS_URL is not set on this worker');
        nats ??= createNatsLink(config.natsUrl, log, config.natsPrefix);
        return natsWorker(platform, s, nats);
      case 'file':
        return fileWorker(platform, s);
    }
  };

  const retire = async (id: string) => {
    const w = workers.get(id);
    workers.delete(id);
    targets.delete(id);
    await w?.stop().catch((err: unknown) => log.warn({ err, subscription: id }, 'event sink did not stop cleanly'));
  };

  const reload = async () => {
    reloadWanted = false;
    lastReload = performance.now();
    const active = await platform.db.transaction((tx) => activeSubscriptions(tx), { system: true });
    const seen = new Set<string>();
    for (const s of active) {
      seen.add(s.id);
      const current = workers.get(s.id);
      if (current && current.subscription.revision === s.revision) continue;
      if (current) await retire(s.id);
      if ((backoff.get(s.id) ?? 0) > performance.now()) continue;
      try {
        workers.set(s.id, build(s));
      } catch (err) {
        log.error({ err, subscription: s.id }, 'cannot start the event sink');
        backoff.set(s.id, performance.now() + WORKER_BACKOFF_MS * 5);
      }
    }
    for (const id of [...workers.keys()]) if (!seen.has(id)) await retire(id);
  };

  const cycle = async (): Promise<boolean> => {
    if (reloadWanted || performance.now() - lastReload > RELOAD_MS) await reload();
    let busy = false;
    for (const [id, w] of [...workers]) {
      try {
        if (await w.pump()) busy = true;
        await w.tick?.();
      } catch (err) {
        if (!(err instanceof StaleSubscription)) log.error({ err, subscription: id }, 'event sink failed; retrying from its cursor');
        await retire(id);
        if (!(err instanceof StaleSubscription)) backoff.set(id, performance.now() + WORKER_BACKOFF_MS);
        reloadWanted = true;
      }
    }
    if (performance.now() - lastDue >= DUE_INTERVAL_MS) {
      lastDue = performance.now();
      try {
        if (await dispatcher.pumpDue(targets)) {
          busy = true;
          lastDue = 0; // more may be due
        }
      } catch (err) {
        log.error({ err }, 'could not lease due webhook deliveries');
      }
    }
    return busy;
  };

  let leading = false;
  const run = async () => {
    while (!stopping) {
      woken = false;
      if (!(await lead.acquire())) {
        if (leading) {
          leading = false;
          for (const id of [...workers.keys()]) await retire(id);
        }
        await sleep(LEADER_RETRY_MS);
        continue;
      }
      if (!leading) {
        // Deliveries leased by a previous leader that died are due again.
        await dispatcher.releaseLeases().catch((err: unknown) => log.warn({ err }, 'could not release webhook leases'));
        leading = true;
        reloadWanted = true;
      }
      let busy = false;
      try {
        busy = await cycle();
      } catch (err) {
        log.error({ err }, 'event relay cycle failed');
      }
      if (!busy) await sleep(config.relayPollMs);
    }
  };

  return {
    name: 'event-relay',
    async start() {
      outboxSignal.on('committed', wake);
      subscriptionSignal.on('changed', onChanged);
      loop = run();
    },
    async stop(timeoutMs) {
      stopping = true;
      outboxSignal.off('committed', wake);
      subscriptionSignal.off('changed', onChanged);
      wake();
      await loop;
      await dispatcher.drain(timeoutMs);
      for (const id of [...workers.keys()]) await retire(id);
      await nats?.close();
      sender.close();
      await lead.release();
    },
  };
}
