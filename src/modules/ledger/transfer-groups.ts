// Group commit of P2P transfers. Each transfer is one short transaction whose cost is mostly its
// COMMIT (a WAL flush) and its round trips. Concurrent transfers of one org with a tracking_id
// (Pismo's own idempotency key) are committed together instead: while an org's transactions of
// transfers are in flight (at most LASTRO_LEDGER_GROUPS_IN_FLIGHT per process), the transfers that
// arrive wait; when one ends, those waiting (up to LASTRO_LEDGER_GROUP_MAX) run as the next group,
// in one transaction: one round trip reads and locks what all of them need, each is accepted or
// declined on its own in arrival order (a declined one writes nothing), and one COMMIT writes
// them all. A lone transfer runs alone at once: grouping adds no wait when there is no queue.
// A group is answered as soon as it commits; the next group then waits, for at most a short
// window, until as many transfers are queued as were just answered or left waiting (collect).
//
// Under a steady load of closed-loop clients every client is in every group, so the group's
// phases run one after another: PostgreSQL waits while Lastro answers and reads the next
// requests, and Lastro waits while PostgreSQL reads and writes. With enough of an org's transfers
// in the process (queued or in groups in flight) for each group to have LASTRO_LEDGER_GROUP_SPLIT_MIN
// of them, they are shared between up to LASTRO_LEDGER_GROUPS_IN_FLIGHT groups of equal size,
// which then take turns: one is read and written while Lastro answers another's clients. Fewer
// transfers stay in one group: a small group costs more per transfer than the overlap gives.
//
// A group whose transaction fails as a whole (a tracking_id a concurrent request took at COMMIT,
// a deadlock, a lost connection) runs each of its transfers again on its own, so each still gets
// its own answer; the tracking_id makes that safe even when the group's COMMIT did happen.
// Transfers without a tracking_id (an Idempotency-Key, or none) always run on their own.
import type { RequestContext } from '../../platform/context.js';
import type { TenantRunner, TenantScope } from '../../platform/tenant.js';
import type { PaymentsModel, PaymentsResponse } from './payments.schemas.js';
import type { PaymentsService } from './payments.service.js';

interface Waiting {
  /** The accounts its request names (from and to), as text ids. */
  accounts: string[];
  scope: TenantScope;
  body: PaymentsModel;
  tokenAccount: string;
  ctx: RequestContext;
  resolve: (value: PaymentsResponse) => void;
  reject: (err: unknown) => void;
}

export interface TransferGroups {
  /** Runs a transfer, grouped with concurrent ones of its org when it has a tracking_id. */
  transfer(scope: TenantScope, body: PaymentsModel, tokenAccount: string, ctx: RequestContext): Promise<PaymentsResponse>;
  /** Called with the size of each group committed (metrics). */
  onGroup: ((size: number) => void) | undefined;
}

/**
 * A transfer's transaction runs its statements' generic plans: each reaches its rows by
 * primary-key probes (test/integration/ledger-lock-plans.test.ts checks those plans), and left to
 * choose, PostgreSQL planned the probes again at every execution (a generic plan costed for 100
 * ids against a custom one for the few sent): about 0.75 ms per group in its statement log.
 */
export const TRANSFER_TX = { plans: 'generic' } as const;

/** The accounts a transfer request names (its from and to sides' `account.id`). */
function accountsOf(body: PaymentsModel): string[] {
  const out: string[] = [];
  for (const m of [...body.from, ...body.to]) if (m.account !== undefined) out.push(String(m.account.id));
  return out;
}

export function createTransferGroups(deps: {
  tenant: TenantRunner;
  payments: PaymentsService;
  maxSize: number;
  inFlight: number;
  /** The fewest transfers each group gets when an org's transfers are shared between groups in flight. */
  splitMin: number;
  /** The longest the next group waits for company after a group is answered (ms); 0: no wait. */
  windowMs: number;
}): TransferGroups {
  const { tenant, payments } = deps;
  const waiting = new Map<string, Waiting[]>();
  const running = new Map<string, number>();
  /** Per org, the accounts of the groups in flight (how many groups name each). */
  const busy = new Map<string, Map<string, number>>();
  /** Per org, the transfers in groups in flight. */
  const held = new Map<string, number>();

  const hold = (orgId: string, group: Waiting[], by: 1 | -1): void => {
    const n = (held.get(orgId) ?? 0) + by * group.length;
    if (n > 0) held.set(orgId, n);
    else held.delete(orgId);
    let accounts = busy.get(orgId);
    if (!accounts) busy.set(orgId, (accounts = new Map()));
    for (const w of group) {
      for (const a of w.accounts) {
        const n = (accounts.get(a) ?? 0) + by;
        if (n > 0) accounts.set(a, n);
        else accounts.delete(a);
      }
    }
    if (!accounts.size) busy.delete(orgId);
  };

  const alone = (w: Waiting): Promise<void> =>
    tenant(w.scope, (t) => payments.transfer(t, w.body, w.tokenAccount, w.ctx), TRANSFER_TX).then(w.resolve, w.reject);

  /**
   * The next group: up to its share of the org's transfers (maxSize at most) of those
   * waiting, one per tracking_id (a repeat waits for the next group), none naming an account of a
   * group in flight (it would wait on that group's row locks: it waits for the next group instead,
   * and so does every later transfer naming one of its accounts, which would otherwise pass it
   * again and again). Past its share, a transfer naming an account of the group joins it all the
   * same (maxSize at most): beside it, it would only wait for its locks (a hot account's transfers
   * make one group); the others are left for a group beside it, and so is every later transfer
   * naming one of their accounts. With another group in flight (`alongside`), a group of one is
   * not worth a transaction of its own: it stays queued for that group's next turn.
   */
  function take(orgId: string, queue: Waiting[], alongside: boolean): Waiting[] {
    // The org's transfers in the process (queued and in groups in flight) are shared between as
    // many groups as give each at least splitMin (one at least, inFlight at most), equally.
    const inProcess = queue.length + (held.get(orgId) ?? 0);
    const shares = Math.max(1, Math.min(deps.inFlight, Math.floor(inProcess / deps.splitMin)));
    const size = shares === 1 ? deps.maxSize : Math.min(deps.maxSize, Math.ceil(inProcess / shares));
    const group: Waiting[] = [];
    const ids = new Set<string>();
    const inFlight = busy.get(orgId);
    // The accounts of transfers left queued because of a group in flight, this turn.
    const passed = new Set<string>();
    // Past the share: the group's accounts, and those of the transfers left for a group beside.
    const mine = new Set<string>();
    const left = new Set<string>();
    const at: number[] = [];
    for (let i = 0; i < queue.length && group.length < deps.maxSize; i++) {
      const w = queue[i]!;
      if (ids.has(w.body.tracking_id!)) continue;
      if (inFlight && w.accounts.some((a) => inFlight.has(a) || passed.has(a))) {
        for (const a of w.accounts) passed.add(a);
        continue;
      }
      if (group.length >= size && (w.accounts.some((a) => left.has(a)) || !w.accounts.some((a) => mine.has(a)))) {
        for (const a of w.accounts) left.add(a);
        continue;
      }
      ids.add(w.body.tracking_id!);
      group.push(w);
      at.push(i);
      if (size < deps.maxSize) for (const a of w.accounts) mine.add(a);
    }
    if (alongside && group.length < 2) return [];
    for (let k = at.length - 1; k >= 0; k--) queue.splice(at[k]!, 1);
    return group;
  }

  /**
   * Runs a group. A group of two or more returns its answers, for the drain loop to write once
   * the group has committed; one transfer alone, or a group that failed as a whole (its transfers
   * then run again each on its own), has been answered already.
   */
  async function run(group: Waiting[]): Promise<(() => void) | undefined> {
    if (group.length === 1) {
      await alone(group[0]!);
      return undefined;
    }
    let outcomes;
    try {
      outcomes = await tenant(
        group[0]!.scope,
        (t) => payments.transferMany(t, group.map((w) => ({ body: w.body, tokenAccount: w.tokenAccount, cid: w.scope.cid }))),
        TRANSFER_TX,
      );
    } catch {
      // Failed before deciding, or at COMMIT: each transfer on its own, for its own answer.
      await Promise.all(group.map(alone));
      return undefined;
    }
    self.onGroup?.(group.length);
    return () => outcomes.forEach((o, i) => (o.ok ? group[i]!.resolve(o.value) : group[i]!.reject(o.error)));
  }

  /** Per org, the drain loop waiting for its next group to fill (collect). */
  const collecting = new Map<string, { want: number; go: () => void }>();

  /**
   * Waits until `want` transfers of the org are queued, or `windowMs` has passed. Called once a
   * group's answers are written: under a steady load its clients send their next requests at
   * once, and a group started with the first of them would leave the rest to a group of their own
   * (on the project machine the clients then split into two halves taking turns, each group half
   * as large and each transfer dearer). A load that does not come back costs its next transfer at
   * most the window. One loop of an org waits at a time: with another already waiting (more than
   * one group in flight), this one goes on with what is queued.
   */
  function collect(orgId: string, want: number): Promise<void> {
    if (deps.windowMs <= 0 || collecting.has(orgId) || (waiting.get(orgId)?.length ?? 0) >= want) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const go = (): void => {
        clearTimeout(timer);
        collecting.delete(orgId);
        resolve();
      };
      const timer = setTimeout(go, deps.windowMs);
      collecting.set(orgId, { want, go });
    });
  }

  async function drain(orgId: string): Promise<void> {
    running.set(orgId, (running.get(orgId) ?? 0) + 1);
    try {
      for (;;) {
        const queue = waiting.get(orgId);
        // Transfers this turn leaves queued are taken by a group in flight when it is done.
        const group = queue ? take(orgId, queue, running.get(orgId)! > 1) : [];
        if (queue && !queue.length) waiting.delete(orgId);
        if (!group.length) return;
        hold(orgId, group, 1);
        // What this group left queued may be another's share, to run beside it.
        if (queue?.length) start(orgId);
        let answers: (() => void) | undefined;
        try {
          answers = await run(group);
        } catch (err) {
          // Never a request left waiting (settling an answered one again does nothing).
          for (const w of group) w.reject(err);
        } finally {
          hold(orgId, group, -1);
        }
        if (answers) {
          answers();
          // The clients just answered, and those already waiting, make the next group.
          await collect(orgId, Math.min(deps.maxSize, group.length + (waiting.get(orgId)?.length ?? 0)));
        }
      }
    } finally {
      const n = running.get(orgId)! - 1;
      if (n) running.set(orgId, n);
      else running.delete(orgId);
    }
  }

  /**
   * Starts a drain loop for the org if it may have another and what is queued is worth one: with
   * none running, any transfer; beside a running one, splitMin transfers (fewer wait for that
   * one's next turn: a small group costs each transfer more than the overlap gives), and never
   * while a loop is collecting its next group (it takes them).
   */
  function start(orgId: string): void {
    const n = running.get(orgId) ?? 0;
    if (n >= deps.inFlight) return;
    if (n > 0 && (collecting.has(orgId) || (waiting.get(orgId)?.length ?? 0) < Math.max(2, deps.splitMin))) return;
    void drain(orgId);
  }

  const self: TransferGroups = {
    onGroup: undefined,
    transfer(scope, body, tokenAccount, ctx) {
      if (body.tracking_id === undefined || deps.maxSize === 1) return tenant(scope, (t) => payments.transfer(t, body, tokenAccount, ctx), TRANSFER_TX);
      return new Promise<PaymentsResponse>((resolve, reject) => {
        const queue = waiting.get(scope.orgId);
        const w = { accounts: accountsOf(body), scope, body, tokenAccount, ctx, resolve, reject };
        if (queue) queue.push(w);
        else waiting.set(scope.orgId, [w]);
        // A loop collecting its next group takes it when it has enough (no other loop starts for it).
        const c = collecting.get(scope.orgId);
        if (c) {
          if (waiting.get(scope.orgId)!.length >= c.want) c.go();
        } else start(scope.orgId);
      });
    },
  };
  return self;
}
