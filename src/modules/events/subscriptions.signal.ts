// Tells the relay of this process that subscriptions or their deliveries changed, so it reloads
// them (and looks for due deliveries) at once instead of at its next poll.
import { EventEmitter } from 'node:events';
import { afterCommit, type Tx } from '../../platform/db/database.js';

/** Emits 'changed' after a transaction that changed a subscription or a delivery commits. */
export const subscriptionSignal = new EventEmitter().setMaxListeners(0);

const emitChanged = () => subscriptionSignal.emit('changed');

/** Signals the change once `tx` has committed (never if it rolls back). */
export const signalChangeOnCommit = (tx: Tx): void => afterCommit(tx, emitChanged);
