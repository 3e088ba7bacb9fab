// The scheduling of grouped transfers, with a tenant runner and a payments service that record
// what they are asked (the transfers themselves are tested against the database in
// test/integration/ledger-transfer-groups.test.ts).
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../platform/context.js';
import type { TenantRunner, TenantScope, TenantTx } from '../../platform/tenant.js';
import type { PaymentsModel, PaymentsResponse } from './payments.schemas.js';
import type { PaymentsService, TransferOutcome } from './payments.service.js';
import { createTransferGroups } from './transfer-groups.js';

const answer = (trackingId: string): PaymentsResponse => ({ authorization_id: 1, authorization_ids: {}, event_date: '2026-11-30T00:00:00Z', tracking_id: trackingId, available_credit_limit: 0 });
const body = (trackingId?: string, accounts: string[] = []) =>
  ({ ...(trackingId ? { tracking_id: trackingId } : {}), from: accounts.slice(0, 1).map((id) => ({ account: { id } })), to: accounts.slice(1).map((id) => ({ account: { id } })) }) as unknown as PaymentsModel;
const ctx = {} as RequestContext;
const scope = (cid: string): TenantScope => ({ orgId: 'org-1', cid, actor: 'test' });

/** A runner whose transactions each wait for `release()`; `calls` says what ran, in order. */
function harness(opts: { failMany?: boolean; maxSize?: number; inFlight?: number; splitMin?: number; windowMs?: number } = {}) {
  const calls: string[] = [];
  const gates: Array<() => void> = [];
  /** The options each transaction was opened with. */
  const txOpts: unknown[] = [];
  const tenant = (async (_scope: TenantScope, fn: (t: TenantTx) => Promise<unknown>, o?: unknown) => {
    txOpts.push(o);
    await new Promise<void>((resolve) => gates.push(resolve));
    return fn({} as TenantTx);
  }) as TenantRunner;
  const payments = {
    async transfer(_t: TenantTx, b: PaymentsModel) {
      calls.push(`alone ${b.tracking_id ?? '-'}`);
      return answer(b.tracking_id ?? '-');
    },
    async transferMany(_t: TenantTx, items: { body: PaymentsModel; cid: string | undefined }[]): Promise<TransferOutcome[]> {
      calls.push(`group ${items.map((i) => `${i.body.tracking_id}@${i.cid}`).join(',')}`);
      if (opts.failMany) throw new Error('COMMIT failed');
      return items.map((i) => (i.body.tracking_id === 'declined' ? { ok: false, error: new Error('declined') } : { ok: true, value: answer(i.body.tracking_id!) }));
    },
  } as unknown as PaymentsService;
  const sizes: number[] = [];
  const groups = createTransferGroups({ tenant, payments, maxSize: opts.maxSize ?? 64, inFlight: opts.inFlight ?? 1, splitMin: opts.splitMin ?? 2, windowMs: opts.windowMs ?? 0 });
  groups.onGroup = (n) => sizes.push(n);
  const release = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    gates.splice(0).forEach((g) => g());
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  const send = (trackingId?: string, cid = trackingId ?? '-', accounts: string[] = []) => groups.transfer(scope(cid), body(trackingId, accounts), '1', ctx).then((v) => v.tracking_id, (e: Error) => `error ${e.message}`);
  /** Lets only the oldest waiting transaction run. */
  const releaseOne = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    gates.shift()?.();
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  /** Transactions opened and waiting for a release (groups in flight). */
  const open = () => gates.length;
  return { calls, sizes, txOpts, release, releaseOne, send, open };
}

async function settle<T>(h: { release(): Promise<void> }, promises: Promise<T>[]): Promise<T[]> {
  let done = false;
  const all = Promise.all(promises).finally(() => (done = true));
  for (let i = 0; i < 50 && !done; i++) await h.release();
  return all;
}

describe('transfer groups', () => {
  it('a lone transfer runs at once; those arriving meanwhile run next as one group, each answered on its own', async () => {
    const h = harness();
    const first = h.send('t1');
    const rest = ['t2', 'declined', 't3'].map((id) => h.send(id));
    expect(await settle(h, [first, ...rest])).toEqual(['t1', 't2', 'error declined', 't3']);
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,declined@declined,t3@t3']);
    expect(h.sizes).toEqual([3]);
  });

  it("every transfer's transaction runs generic plans: alone, in a group, and without a tracking_id", async () => {
    const h = harness();
    const sent = [h.send('t1'), h.send('t2'), h.send('t3'), h.send(undefined)];
    expect(await settle(h, sent)).toEqual(['t1', 't2', 't3', '-']);
    expect(h.calls).toEqual(['alone t1', 'alone -', 'group t2@t2,t3@t3']);
    expect(h.txOpts).toEqual([{ plans: 'generic' }, { plans: 'generic' }, { plans: 'generic' }]);
  });

  it('a group is answered as soon as it commits, before the next group has read anything', async () => {
    const h = harness();
    const answered: string[] = [];
    const track = (p: Promise<string>) => p.then((v) => (answered.push(v), v));
    const first = track(h.send('t1'));
    const second = ['t2', 't3'].map((id) => track(h.send(id)));
    await h.release(); // t1 runs alone and is answered; [t2, t3] opens its transaction
    const third = ['t4', 't5'].map((id) => track(h.send(id)));
    await h.release(); // [t2, t3] commits and is answered; [t4, t5] waits for its transaction
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3']);
    expect(answered).toEqual(['t1', 't2', 't3']);
    expect(await settle(h, [first, ...second, ...third])).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3', 'group t4@t4,t5@t5']);
    expect(h.sizes).toEqual([2, 2]);
  });

  it('after a group is answered, the next one waits for as many transfers as it answered and left queued', async () => {
    const h = harness({ windowMs: 60_000 });
    const all = [h.send('t1'), h.send('t2'), h.send('t3')];
    await h.release(); // t1 alone; [t2, t3] opens its transaction
    all.push(h.send('q1'));
    await h.release(); // [t2, t3] commits and is answered, q1 queued meanwhile: the next group wants 3
    expect(await Promise.all(all.slice(0, 3))).toEqual(['t1', 't2', 't3']);
    all.push(h.send('t4'));
    await h.release();
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3']);
    all.push(h.send('t5')); // the third: the group starts
    expect(await settle(h, all)).toEqual(['t1', 't2', 't3', 'q1', 't4', 't5']);
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3', 'group q1@q1,t4@t4,t5@t5']);
  });

  it('the next group starts with what came when the window ends, and no wait follows a transfer alone', async () => {
    const h = harness({ windowMs: 20 });
    const all = [h.send('t1'), h.send('t2'), h.send('t3')];
    await h.release(); // t1 alone; [t2, t3] opens its transaction
    await h.release(); // [t2, t3] commits and is answered: the next group wants 2
    all.push(h.send('t4'));
    await h.release();
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3']);
    await new Promise((r) => setTimeout(r, 60));
    expect(await settle(h, all)).toEqual(['t1', 't2', 't3', 't4']);
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3', 'alone t4']);
    // t4 ran alone: nothing waits after it, and a transfer arriving now starts at once.
    const late = h.send('t5');
    await h.release();
    expect(h.calls.at(-1)).toBe('alone t5');
    expect(await late).toBe('t5');
  });

  it('a group whose transaction fails runs each of its transfers on its own', async () => {
    const h = harness({ failMany: true });
    const all = [h.send('t1'), h.send('t2'), h.send('t3')];
    expect(await settle(h, all)).toEqual(['t1', 't2', 't3']);
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3', 'alone t2', 'alone t3']);
    expect(h.sizes).toEqual([]);
  });

  it('a tracking_id repeated waits for the next group; groups hold at most the maximum; without a tracking_id a transfer runs alone', async () => {
    const h = harness({ maxSize: 2 });
    const all = [h.send('t1'), h.send('t2'), h.send('t2', 'again'), h.send('t3'), h.send('t4'), h.send(undefined)];
    expect(await settle(h, all)).toEqual(['t1', 't2', 't2', 't3', 't4', '-']);
    expect(h.calls).toContain('alone -');
    expect(h.calls.filter((c) => c !== 'alone -')).toEqual(['alone t1', 'group t2@t2,t3@t3', 'group t2@again,t4@t4']);
  });

  it('up to the in-flight count, groups run at once in their own transactions; beside another, one transfer alone waits for company', async () => {
    const h = harness({ inFlight: 2 });
    const all = [h.send('t1'), h.send('t2'), h.send('t3'), h.send('t4')];
    expect(await settle(h, all)).toEqual(['t1', 't2', 't3', 't4']);
    // t2 arrives while t1 runs: alone beside it, it would cost a transaction of its own; with t3 it is a group.
    expect(h.calls.slice(0, 2)).toEqual(['alone t1', 'group t2@t2,t3@t3']);
    // t4 waits for the first of the two to finish, which takes it.
    expect(h.calls.slice(2)).toEqual(['alone t4']);
  });

  it('a transfer naming an account of a group in flight waits for the next group, the others run beside it', async () => {
    const h = harness({ inFlight: 2 });
    const first = h.send('t1', 't1', ['1', '2']);
    const later = [h.send('t2', 't2', ['2', '3']), h.send('t3', 't3', ['4', '5']), h.send('t4', 't4', ['6', '7']), h.send('t5', 't5', ['1', '8'])];
    expect(await settle(h, [first, ...later])).toEqual(['t1', 't2', 't3', 't4', 't5']);
    // t2 and t5 share accounts 2 and 1 with t1, in flight: t3 and t4 go beside it; t2 and t5 follow t1 once it is done.
    expect(h.calls).toEqual(['alone t1', 'group t3@t3,t4@t4', 'group t2@t2,t5@t5']);
  });

  it('a transfer left queued for a group in flight is not passed by later transfers of its accounts', async () => {
    const h = harness({ inFlight: 2 });
    const a = h.send('t1', 't1', ['1', '10']);
    const b = [h.send('t2', 't2', ['2', '20']), h.send('t3', 't3', ['3', '30'])];
    // q names account 1 (t1's) and account 2 (t2's); t4 and t6 name account 1, t5 account 2.
    const later = [h.send('q', 'q', ['1', '2']), h.send('t4', 't4', ['1', '40']), h.send('t5', 't5', ['2', '50']), h.send('t6', 't6', ['1', '60'])];
    // t1 is done while t2's group still holds account 2: q waits for it, and so do t4 and t6 (account 1),
    // which would otherwise form a group holding account 1 against q when t2's group is done.
    await h.releaseOne();
    expect(h.calls).toEqual(['alone t1']);
    expect(await settle(h, [a, ...b, ...later])).toEqual(['t1', 't2', 't3', 'q', 't4', 't5', 't6']);
    // Then q first; t5 (account 2) and t6 (account 1) name accounts of its group: they join it.
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3', 'group q@q,t4@t4,t5@t5,t6@t6']);
  });

  // a1 holds accounts 1 and 2; t1–t3 name account 1, t4–t6 account 2: all six wait for a1.
  const sixBehindOne = (h: ReturnType<typeof harness>) => [
    h.send('a1', 'a1', ['1', '2']),
    ...['11', '12', '13'].map((a, i) => h.send(`t${i + 1}`, `t${i + 1}`, ['1', a])),
    ...['14', '15', '16'].map((a, i) => h.send(`t${i + 4}`, `t${i + 4}`, ['2', a])),
  ];

  it('with splitMin for each, the transfers queued are shared between groups of equal size, in flight at once', async () => {
    const h = harness({ inFlight: 2, splitMin: 3 });
    const all = sixBehindOne(h);
    expect(h.open()).toBe(1); // a1 alone; the others wait for its accounts
    await h.releaseOne();
    // Six queued, two groups may run, each gets at least 3: two groups of three, opened together.
    expect(h.calls).toEqual(['alone a1']);
    expect(h.open()).toBe(2);
    expect(await settle(h, all)).toEqual(['a1', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(h.calls.slice(1).sort()).toEqual(['group t1@t1,t2@t2,t3@t3', 'group t4@t4,t5@t5,t6@t6']);
    expect(h.sizes).toEqual([3, 3]);
  });

  it('past its share, a transfer naming an account of the group joins it: a hot account makes one group', async () => {
    const h = harness({ inFlight: 2, splitMin: 3 });
    // a0 holds h; t1–t6 each move money from h to an account of their own.
    const all = [h.send('a0', 'a0', ['h', 'x']), ...[1, 2, 3, 4, 5, 6].map((i) => h.send(`t${i}`, `t${i}`, ['h', `a${i}`]))];
    await h.releaseOne();
    // Shares of three, but t4–t6 would only wait for t1–t3's lock on h: one group of six.
    expect(h.open()).toBe(1);
    expect(await settle(h, all)).toEqual(['a0', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(h.calls.slice(1)).toEqual(['group t1@t1,t2@t2,t3@t3,t4@t4,t5@t5,t6@t6']);
  });

  it('past its share, a transfer is not taken ahead of an earlier one left for the group beside', async () => {
    const h = harness({ inFlight: 2, splitMin: 2 });
    // Behind a0 (accounts 1, 2): t1, t2 (account 1); q (accounts 2, 9), left past the share; t3
    // names 1 (the group's) and 9 (q's): it waits behind q rather than join the first group.
    const all = [
      h.send('a0', 'a0', ['1', '2']),
      h.send('t1', 't1', ['1', '11']),
      h.send('t2', 't2', ['1', '12']),
      h.send('q', 'q', ['2', '9']),
      h.send('t3', 't3', ['1', '9']),
    ];
    await h.releaseOne();
    expect(await settle(h, all)).toEqual(['a0', 't1', 't2', 'q', 't3']);
    expect(h.calls.slice(1)).toEqual(['group t1@t1,t2@t2', 'group q@q,t3@t3']);
  });

  it('with too few for each group to get splitMin, one group takes them all', async () => {
    const h = harness({ inFlight: 2, splitMin: 4 });
    const all = sixBehindOne(h);
    await h.releaseOne();
    expect(h.open()).toBe(1);
    expect(await settle(h, all)).toEqual(['a1', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(h.calls.slice(1)).toEqual(['group t1@t1,t2@t2,t3@t3,t4@t4,t5@t5,t6@t6']);
  });

  it('beside a group in flight, fewer than splitMin transfers wait for its next turn', async () => {
    const h = harness({ inFlight: 2, splitMin: 3 });
    const all = [h.send('t1'), h.send('t2'), h.send('t3')];
    // t1 runs alone; t2 and t3 are two, fewer than 3: no second transaction opens for them.
    expect(h.open()).toBe(1);
    expect(await settle(h, all)).toEqual(['t1', 't2', 't3']);
    expect(h.calls).toEqual(['alone t1', 'group t2@t2,t3@t3']);
  });
});
