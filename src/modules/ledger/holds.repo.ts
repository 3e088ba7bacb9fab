// SQL of held funds. Every function takes the transaction and the org id, and filters on it.
import { CompiledQuery, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import { sendWithNext, type Read, type Tx } from '../../platform/db/database.js';
import { probe, PROBE_KEYS } from '../../platform/db/probes.js';
import type { Timestamp } from '../../platform/db/tables.js';

export interface LedgerHoldsTable {
  org_id: string;
  hold_id: Generated<bigint>;
  account_id: bigint;
  currency: string;
  amount_minor: bigint;
  status: 'BLOCKED' | 'UNBLOCKED' | 'TRANSFERRED' | 'EXPIRED';
  tracking_id: string | null;
  authorization_id: bigint;
  entry_id: bigint;
  release_entry_id: bigint | null;
  expires_on: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    ledger_holds: LedgerHoldsTable;
  }
}

export type HoldRow = Selectable<LedgerHoldsTable>;

export const insertHold = (tx: Tx, row: Insertable<LedgerHoldsTable>) => tx.insertInto('ledger_holds').values(row).execute();

/** insertHold, sent with the transaction's next statement or COMMIT. */
export const insertHoldWithNext = (tx: Tx, row: Insertable<LedgerHoldsTable>) => sendWithNext(tx, tx.insertInto('ledger_holds').values(row).compile());

/** The hold a block's tracking id made, locked until the transaction ends (a Read: readTogether). */
export const lockHoldByTrackingRead = (_tx: Tx, orgId: string, trackingId: string): Read<HoldRow | undefined> => ({
  query: CompiledQuery.raw(HOLD_BY_TRACKING, [orgId, [trackingId]]),
  read: (rows) => rows[0] as HoldRow | undefined,
});

// One probe of the tracking index (migration 0022), whatever the table's statistics (platform/db/probes.ts).
const HOLD_BY_TRACKING = `select h.* from ${PROBE_KEYS} ${probe('ledger_holds', 'h', 'tracking_id', 'hold_id')} for update of h`;

const updateHoldQuery = (tx: Tx, orgId: string, holdId: bigint, changes: Updateable<LedgerHoldsTable>) =>
  tx.updateTable('ledger_holds').set(changes).where('org_id', '=', orgId).where('hold_id', '=', holdId);

export const updateHold = (tx: Tx, orgId: string, holdId: bigint, changes: Updateable<LedgerHoldsTable>) => updateHoldQuery(tx, orgId, holdId, changes).execute();

/** updateHold, sent with the transaction's next statement or COMMIT. */
export const updateHoldWithNext = (tx: Tx, orgId: string, holdId: bigint, changes: Updateable<LedgerHoldsTable>) =>
  sendWithNext(tx, updateHoldQuery(tx, orgId, holdId, changes).compile());

/** Blocked holds whose last day is `date` or earlier, locked, in account order (as balances lock). */
export const lockExpiring = (tx: Tx, orgId: string, date: string) =>
  tx
    .selectFrom('ledger_holds')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'BLOCKED')
    .where('expires_on', '<=', date)
    .orderBy('account_id')
    .orderBy('hold_id')
    .forUpdate()
    .execute();

/** The transfer authorizations of a block. */
export const transfersOf = (tx: Tx, orgId: string, blockAuthorizationId: bigint) =>
  tx
    .selectFrom('ledger_authorizations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('original_authorization_id', '=', blockAuthorizationId)
    .where('operation', '=', 'HOLD_TRANSFER')
    .orderBy('authorization_id')
    .execute();

/** The hold an authorization made (a pre-authorized cash-out), locked until the transaction ends. */
export const lockHoldOfAuthorization = (tx: Tx, orgId: string, authorizationId: bigint) =>
  tx.selectFrom('ledger_holds').selectAll().where('org_id', '=', orgId).where('authorization_id', '=', authorizationId).forUpdate().executeTakeFirst();
