// The tenant transaction: one database transaction bound to one org (role lastro_app, SET LOCAL
// lastro.org_id), with who asks and the org's business date. Routes and jobs open it once and pass
// it down; every public module function takes it, so one procedure that spans modules (book a loan:
// lending rows, ledger postings, events) commits or rolls back as one unit.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestContext } from './context.js';
import type { Database, Read, TransactionOptions, Tx } from './db/database.js';

/** "What day is it" for one org, in its own (or a program's) time zone: ISO dates `YYYY-MM-DD`. */
export interface TenantDates {
  /** The business date of the org, or of one of its programs (the program's time zone). */
  today(programId?: bigint | string): Promise<string>;
  /**
   * What `today` reads of the database for the org and every program (the last closed days), as
   * a Read a caller sends together with its own statements (readTogether): `today` then reads
   * nothing more but the zones and closing times the process does not keep. Undefined when
   * nothing would be read (a day handler's fixed instant, or read already).
   */
  readAhead(): Read<void> | undefined;
  /** Whether the org is a sandbox (test clocks; past dates allowed where Lastro says so). */
  isSandbox(): Promise<boolean>;
}

/** Binds business dates to an org inside a transaction (implemented by platform/business-date). */
export interface BusinessDateSource {
  /** `asOf`: the dates at that instant instead of now (a day handler sees the instant its day closed). */
  forTenant(tx: Tx, orgId: string, opts?: { asOf?: Date }): TenantDates;
  /** Forgets what the process keeps of the org's and its programs' zones and closing times (after a change commits). */
  forget(orgId: string): void;
}

export interface TenantTx {
  /** The Kysely transaction; row-level security shows only this org's rows. */
  readonly db: Tx;
  readonly orgId: string;
  readonly cid: string | undefined;
  readonly actor: string;
  readonly dates: TenantDates;
}

/**
 * `t` for another request's `cid` (its rows and events), in the same transaction: a group of
 * transfers runs each in its own. Written out rather than `{ ...t, cid }` (eslint.config.js,
 * no-restricted-syntax); its dates are `t`'s own.
 */
export const withCid = (t: TenantTx, cid: string | undefined): TenantTx => ({
  db: t.db,
  orgId: t.orgId,
  cid,
  actor: t.actor,
  get dates() {
    return t.dates;
  },
});

export type TenantScope = { orgId: string } & Pick<RequestContext, 'cid' | 'actor'>;

export interface TenantRunner {
  /**
   * Runs `fn` in a new tenant transaction: committed when `fn` resolves, rolled back when it
   * throws. `opts.plans` as Database.transaction's.
   */
  <T>(scope: TenantScope, fn: (t: TenantTx) => Promise<T>, opts?: Pick<TransactionOptions, 'plans'>): Promise<T>;
  /**
   * Runs `fn` as tenant work of `scope.orgId` inside `tx`, an open system transaction, bound to
   * the org while `fn` runs: creating an org seeds its defaults (each module's OrgSetup) in the
   * transaction that creates it. Not for anything else.
   */
  within<T>(tx: Tx, scope: TenantScope, fn: (t: TenantTx) => Promise<T>): Promise<T>;
}

/**
 * The open tenant transaction of the current async context, for the nesting guard. An
 * AsyncLocalStorage makes Node run a promise hook on every promise the process creates (about 8 %
 * of the CPU of a one-row read), so the guard runs where mistakes are found — tests
 * (`VITEST`), and wherever `LASTRO_TX_GUARD=1` — and a production process pays nothing for it.
 */
const open: Pick<AsyncLocalStorage<TenantScope>, 'getStore' | 'run'> =
  process.env.VITEST || process.env.LASTRO_TX_GUARD === '1'
    ? new AsyncLocalStorage<TenantScope>()
    : { getStore: () => undefined, run: <R>(_scope: TenantScope, fn: () => R): R => fn() };

/** Thrown when code holding a tenant transaction opens another: it would commit apart from it. */
export class NestedTenantTxError extends Error {
  constructor(outer: TenantScope) {
    super(`a tenant transaction of ${outer.orgId} is already open here; pass it down instead of opening another`);
    this.name = 'NestedTenantTxError';
  }
}

export function createTenantRunner(deps: { db: Database; dates: BusinessDateSource }): TenantRunner {
  // The dates are bound on first use: most reads never ask what day it is. An own getter, so a
  // copy (withCid) shares them.
  const tenantTx = (tx: Tx, scope: TenantScope): TenantTx => {
    let dates: TenantDates | undefined;
    return {
      db: tx,
      orgId: scope.orgId,
      cid: scope.cid,
      actor: scope.actor,
      get dates() {
        return (dates ??= deps.dates.forTenant(tx, scope.orgId));
      },
    };
  };
  const run = <T>(scope: TenantScope, fn: (t: TenantTx) => Promise<T>, opts?: Pick<TransactionOptions, 'plans'>): Promise<T> => {
    const outer = open.getStore();
    if (outer) return Promise.reject(new NestedTenantTxError(outer));
    return open.run(scope, () => deps.db.transaction((tx) => fn(tenantTx(tx, scope)), { orgId: scope.orgId, ...opts }));
  };
  const within = <T>(tx: Tx, scope: TenantScope, fn: (t: TenantTx) => Promise<T>): Promise<T> => {
    const outer = open.getStore();
    if (outer) return Promise.reject(new NestedTenantTxError(outer));
    return open.run(scope, () => deps.db.asOrg(tx, scope.orgId, () => fn(tenantTx(tx, scope))));
  };
  return Object.assign(run, { within });
}

/** Whether the caller runs inside a tenant transaction (work that must not start one checks it). */
export const insideTenantTx = (): boolean => open.getStore() !== undefined;
