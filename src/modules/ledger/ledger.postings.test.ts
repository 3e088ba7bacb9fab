import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_BUCKETS,
  INTERNAL_ACCOUNTS,
  applyPostings,
  assertBalanced,
  bucketsOf,
  customerDeltas,
  decideDebit,
  hold,
  internalDeltas,
  movement,
  release,
  reversal,
  shardOf,
  sums,
  transferHeld,
  type Buckets,
  type CodeImpact,
  type Leg,
  type Posting,
} from './ledger.postings.js';
import { STANDARD_CODES } from './ledger.setup.js';

const amount = fc.bigInt({ min: 1n, max: 10n ** 15n });
const currency = fc.constantFrom('BRL', 'USD', 'JPY');
const accountId = fc.integer({ min: 1, max: 6 }).map(String);
const code: fc.Arbitrary<CodeImpact> = fc.record({
  code: fc.stringMatching(/^[0-9A-Z]{2,6}$/),
  balanceImpact: fc.constantFrom(1 as const, 0 as const, -1 as const),
});
const leg: fc.Arbitrary<Leg> = fc.record({ accountId, currency, amount, code });
const counterpart = fc.constantFrom(...INTERNAL_ACCOUNTS);

/** Any entry the engine makes. */
const entry: fc.Arbitrary<Posting[]> = fc.oneof(
  fc.tuple(fc.array(leg, { minLength: 1, maxLength: 5 }), counterpart).map(([legs, cp]) => movement(legs, cp)),
  fc.tuple(accountId, currency, amount).map(([a, c, x]) => hold(a, c, x)),
  fc.tuple(accountId, currency, amount).map(([a, c, x]) => release(a, c, x)),
  fc
    .tuple(accountId, currency, amount, fc.option(accountId, { nil: undefined }), counterpart)
    .map(([a, c, x, to, cp]) => transferHeld({ accountId: a, currency: c, amount: x, code: null }, to ? { accountId: to, code: null } : undefined, cp)),
);

const zeroSums = (ps: Posting[]) => [...sums(ps).values()].every((s) => s === 0n);

/** Every account's buckets after the postings, per currency. */
function ledgerOf(entries: Posting[][]): Map<string, Buckets> {
  const out = new Map<string, Buckets>();
  for (const ps of entries) {
    for (const d of customerDeltas(ps).values()) {
      const key = `${d.accountId}|${d.currency}`;
      const b = out.get(key) ?? EMPTY_BUCKETS;
      out.set(key, bucketsOf(b.available + d.available, b.held + d.held));
    }
  }
  return out;
}

describe('journal engine', () => {
  it('every processing code and its reversal post entries that sum to zero per currency', () => {
    fc.assert(
      fc.property(fc.array(leg, { minLength: 1, maxLength: 6 }), counterpart, fc.string(), (legs, cp, rev) => {
        const ps = movement(legs, cp);
        expect(zeroSums(ps)).toBe(true);
        const back = reversal(ps, () => rev || null);
        expect(zeroSums(back)).toBe(true);
        if (ps.length) {
          assertBalanced(ps);
          assertBalanced(back);
        }
      }),
    );
  });

  it('a reversal restores every bucket of every account, and every internal account', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), entry, (history, last) => {
        const before = ledgerOf(history);
        const after = ledgerOf([...history, last, reversal(last)]);
        for (const [key, b] of after) expect(b).toEqual(before.get(key) ?? EMPTY_BUCKETS);
        const gl = [...internalDeltas([...last, ...reversal(last)]).values()];
        expect(gl.every((d) => d.amount === 0n)).toBe(true);
      }),
    );
  });

  it('every standard processing code, alone or mixed in one entry, balances; its reversal balances under the code\'s own reversal code', () => {
    const reversalOf = new Map(STANDARD_CODES.map((c) => [c.code, c.reversal]));
    const standard = fc.constantFrom(...STANDARD_CODES).map((c): CodeImpact => ({ code: c.code, balanceImpact: c.impact }));
    // Each code on its own first: none is left out by chance.
    for (const c of STANDARD_CODES) {
      const ps = movement([{ accountId: '1', currency: 'BRL', amount: 1234n, code: { code: c.code, balanceImpact: c.impact } }], 'CASH');
      assertBalanced(ps);
      expect(ps[0]!.amount, c.code).toBe(BigInt(c.impact) * 1234n);
      const back = reversal(ps, (code) => reversalOf.get(code) ?? null);
      assertBalanced(back);
      expect(back[0]).toMatchObject({ amount: -ps[0]!.amount, processingCode: c.reversal });
    }
    fc.assert(
      fc.property(
        fc.array(fc.record({ accountId, currency, amount, code: standard }), { minLength: 1, maxLength: 8 }),
        counterpart,
        (legs, cp) => {
          const ps = movement(legs, cp);
          assertBalanced(ps);
          const back = reversal(ps, (code) => reversalOf.get(code) ?? null);
          assertBalanced(back);
          back.forEach((p, i) => {
            expect(p.amount).toBe(-ps[i]!.amount);
            expect(p.processingCode).toBe(ps[i]!.processingCode === null ? null : reversalOf.get(ps[i]!.processingCode));
          });
          // The entry and its reversal together move nothing on any account or internal account.
          expect([...customerDeltas([...ps, ...back]).values()].every((d) => d.available === 0n && d.held === 0n)).toBe(true);
          expect([...internalDeltas([...ps, ...back]).values()].every((d) => d.amount === 0n)).toBe(true);
        },
      ),
    );
  });

  it('a reversal in parts (partial reversals adding up to the whole) restores every bucket too', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.tuple(fc.array(leg, { minLength: 1, maxLength: 4 }), counterpart),
        fc.integer({ min: 2, max: 5 }),
        (history, [legs, cp], parts) => {
          // The movement split into `parts` movements of the same legs (amounts divided, the rest
          // on the last), each reversed on its own, as partial reversals are.
          const split = Array.from({ length: parts }, (_, k) =>
            legs
              .map((l) => ({ ...l, amount: k === parts - 1 ? l.amount - (l.amount / BigInt(parts)) * BigInt(parts - 1) : l.amount / BigInt(parts) }))
              .filter((l) => l.amount > 0n),
          );
          const whole = movement(legs, cp);
          const pieces = split.map((ls) => (ls.length ? movement(ls, cp) : []));
          const before = ledgerOf(history);
          const after = ledgerOf([...history, whole, ...pieces.map((ps) => reversal(ps))]);
          for (const [key, b] of after) expect(b, key).toEqual(before.get(key) ?? EMPTY_BUCKETS);
          for (const ps of pieces) if (ps.length) assertBalanced(reversal(ps));
        },
      ),
    );
  });

  it('the buckets after postings equal the buckets of the summed postings', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), accountId, currency, (entries, a, c) => {
        let b = EMPTY_BUCKETS;
        for (const ps of entries) b = applyPostings(b, a, c, ps);
        expect(b).toEqual(ledgerOf(entries).get(`${a}|${c}`) ?? EMPTY_BUCKETS);
        expect(b.current).toBe(b.available + b.held);
        expect(b.creditUsed).toBe(b.current < 0n ? -b.current : 0n);
      }),
    );
  });

  it('a P2P balances without an internal account; a cash-in balances against CASH', () => {
    const debit = { code: '002000', balanceImpact: -1 as const };
    const credit = { code: '004000', balanceImpact: 1 as const };
    const p2p = movement(
      [
        { accountId: '1', currency: 'BRL', amount: 1234n, code: debit },
        { accountId: '2', currency: 'BRL', amount: 1234n, code: credit },
      ],
      'SETTLEMENT',
    );
    expect(p2p.map((p) => [p.target, p.amount])).toEqual([
      [{ kind: 'customer', accountId: '1' }, -1234n],
      [{ kind: 'customer', accountId: '2' }, 1234n],
    ]);
    const cashIn = movement([{ accountId: '1', currency: 'BRL', amount: 1234n, code: credit }], 'CASH');
    expect(cashIn[1]).toMatchObject({ target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', amount: -1234n });
  });

  it('refuses an entry that does not balance, is too short or has an empty posting', () => {
    const p = (amount: bigint, currency = 'BRL'): Posting => ({ target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency, amount, processingCode: null });
    expect(() => assertBalanced([p(1n)])).toThrow(/at least two/);
    expect(() => assertBalanced([p(1n), p(-2n)])).toThrow(/sum to -1/);
    expect(() => assertBalanced([p(1n), p(-1n, 'USD')])).toThrow(/BRL/);
    expect(() => assertBalanced([p(0n), p(0n)])).toThrow(/0 moves nothing/);
    expect(() => hold('1', 'BRL', 0n)).toThrow(/positive/);
  });

  it('debit accounts spend balance plus overdraft; credit accounts their credit limit', () => {
    const b = bucketsOf(1000n, 0n);
    expect(decideDebit(b, 'debit', { creditLimit: null, overdraftLimit: 500n }, 1500n)).toEqual({ ok: true });
    expect(decideDebit(b, 'debit', { creditLimit: null, overdraftLimit: 500n }, 1501n)).toEqual({ ok: false, reason: 'INSUFFICIENT_FUNDS', spendable: 1500n });
    const used = bucketsOf(-700n, 200n);
    expect(decideDebit(used, 'credit', { creditLimit: 1000n, overdraftLimit: null }, 300n)).toEqual({ ok: true });
    expect(decideDebit(used, 'credit', { creditLimit: 1000n, overdraftLimit: null }, 301n)).toMatchObject({ ok: false, reason: 'NO_CREDIT_LIMIT' });
  });

  it('shards spread consecutive entries over every shard', () => {
    const seen = new Set<number>();
    for (let id = 1n; id <= 64n; id++) seen.add(shardOf(id, 8));
    expect(seen.size).toBe(8);
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), fc.integer({ min: 1, max: 64 }), (id, n) => {
      const s = shardOf(id, n);
      expect(s >= 0 && s < n).toBe(true);
    }));
  });
});
