// What the relay needs of a sink: a worker per subscription that takes events in commit order
// from the subscription's cursor and moves the cursor only once the sink holds them durably.
import type { Tx } from '../../../platform/db/database.js';
import type { Platform } from '../../../platform/module.js';
import { commitWithoutFlush, readAfterRaw, type Position, type RawOutboxRow } from '../events.repo.js';
import { advanceCursor, positionOf, type SubscriptionRow } from '../subscriptions.repo.js';

/**
 * What the relay and its sinks use of the platform. The relay is system work: it reads each
 * subscription's events in a transaction bound to the subscription's org, and keeps its own
 * bookkeeping (leases, results) in system transactions.
 */
export type RelayDeps = Pick<Platform, 'db' | 'clock' | 'ids' | 'config' | 'log' | 'sealer'>;

export interface SinkWorker {
  readonly subscription: SubscriptionRow;
  /** Takes the next events, if any. True when it did work (the relay looks again at once). */
  pump(): Promise<boolean>;
  /** Time-based work (closing a batch file), called on every relay cycle. */
  tick?(): Promise<void>;
  /** Stops; work not yet durable is dropped and taken again from the cursor by the next worker. */
  stop(): Promise<void>;
}

/** Thrown when the subscription changed or was disabled under a worker: the relay reloads it. */
export class StaleSubscription extends Error {
  override name = 'StaleSubscription';
}

/** Reading the subscription's events and moving its cursor, shared by every sink. */
export class SubscriptionReader {
  /** The position of the last event handed to the sink (ahead of the stored cursor for batch files). */
  position: Position | undefined;

  constructor(
    private readonly deps: Pick<RelayDeps, 'db'>,
    readonly subscription: SubscriptionRow,
  ) {
    this.position = positionOf(subscription);
  }

  /** The next events after `position`, in commit order, matching the subscription's filter. */
  async next(limit: number): Promise<RawOutboxRow[]> {
    const s = this.subscription;
    return this.deps.db.transaction(
      (tx) => readAfterRaw(tx, s.org_id, this.position, { domains: s.domains, eventTypes: s.event_types }, limit),
      { orgId: s.org_id },
    );
  }

  /**
   * Stores `to` as the cursor, in `tx` (with the sink's own writes). Throws StaleSubscription if
   * it changed. The commit does not wait for the WAL flush: if the database itself crashes and
   * loses it, the cursor is simply older and those events are delivered again (at least once).
   */
  async commit(tx: Tx, to: Position): Promise<void> {
    await commitWithoutFlush(tx);
    if (!(await advanceCursor(tx, this.subscription, to, this.subscription.revision))) {
      throw new StaleSubscription(`subscription ${this.subscription.id} changed or was disabled`);
    }
  }

  /** commit() in a transaction of its own. */
  async commitAlone(to: Position): Promise<void> {
    await this.deps.db.transaction((tx) => this.commit(tx, to), { orgId: this.subscription.org_id });
  }
}

export const positionOfRow = (r: Pick<RawOutboxRow, 'tx_id' | 'seq'>): Position => ({ txId: r.tx_id, seq: r.seq });
