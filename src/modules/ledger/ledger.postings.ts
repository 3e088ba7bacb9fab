// The journal engine: what a financial transaction does to the ledger, as pure functions (no I/O).
// One financial transaction is one journal entry; its postings sum to zero per currency across
// customer accounts and the org's internal (GL) accounts. Amounts are integer minor units, signed
// from the customer's side: a positive posting on a customer bucket is money the org owes the
// customer (a credit), a negative one money the customer spent or owes (a debit).
//
// A customer account has two posted buckets: AVAILABLE (spendable own funds; negative while the
// account uses its credit or overdraft limit) and HELD (funds blocked by a hold). Its other
// buckets follow from them: current (the posted balance) = AVAILABLE + HELD, and credit used =
// what the posted balance is below zero. Internal accounts have one bucket, GL.

export type CustomerBucket = 'AVAILABLE' | 'HELD';
export type Bucket = CustomerBucket | 'GL';

/**
 * The org's internal accounts, one per currency (each sharded into sub-balances):
 * CASH is money entering or leaving the platform (cash-in, cash-out), SETTLEMENT the counterpart of
 * a movement on one customer account whose other side is outside Lastro (network, merchant,
 * lending), REVENUE fees and interest the org earns.
 */
export const INTERNAL_ACCOUNTS = ['CASH', 'SETTLEMENT', 'REVENUE'] as const;
export type InternalAccount = (typeof INTERNAL_ACCOUNTS)[number];

export type PostingTarget = { kind: 'customer'; accountId: string } | { kind: 'internal'; code: InternalAccount };

export interface Posting {
  target: PostingTarget;
  bucket: Bucket;
  currency: string;
  /** Minor units, never 0. */
  amount: bigint;
  processingCode: string | null;
}

/** What the ledger needs of a processing code: Pismo's balance_impact (1 credit, 0 none, −1 debit). */
export interface CodeImpact {
  code: string;
  balanceImpact: 1 | 0 | -1;
}

/** One side of a movement: `amount` (> 0) on a customer account under a processing code. */
export interface Leg {
  accountId: string;
  currency: string;
  amount: bigint;
  code: CodeImpact;
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

const customer = (accountId: string): PostingTarget => ({ kind: 'customer', accountId });
const internal = (code: InternalAccount): PostingTarget => ({ kind: 'internal', code });

function positive(amount: bigint, what: string): void {
  if (amount <= 0n) throw new JournalError(`${what} must be positive, got ${amount}`);
}

/**
 * A movement: each leg posts `balance_impact × amount` on its account's AVAILABLE bucket; what the
 * legs leave unbalanced per currency goes to the internal account `counterpart`. A P2P (debit one
 * account, credit another) balances on its own; a cash-in balances against CASH.
 */
export function movement(legs: readonly Leg[], counterpart: InternalAccount): Posting[] {
  const postings: Posting[] = [];
  const net = new Map<string, bigint>();
  for (const leg of legs) {
    positive(leg.amount, `the amount of ${leg.accountId}'s leg`);
    if (leg.code.balanceImpact === 0) continue; // a zero-balance code records a transaction and moves nothing
    const amount = BigInt(leg.code.balanceImpact) * leg.amount;
    postings.push({ target: customer(leg.accountId), bucket: 'AVAILABLE', currency: leg.currency, amount, processingCode: leg.code.code });
    net.set(leg.currency, (net.get(leg.currency) ?? 0n) + amount);
  }
  for (const [currency, amount] of net) {
    if (amount !== 0n) postings.push({ target: internal(counterpart), bucket: 'GL', currency, amount: -amount, processingCode: null });
  }
  return postings;
}

/** A hold blocks `amount` of the account's available funds: AVAILABLE → HELD. */
export function hold(accountId: string, currency: string, amount: bigint, code: string | null = null): Posting[] {
  positive(amount, 'a held amount');
  return [
    { target: customer(accountId), bucket: 'AVAILABLE', currency, amount: -amount, processingCode: code },
    { target: customer(accountId), bucket: 'HELD', currency, amount, processingCode: code },
  ];
}

/** Releasing a hold (unblock, expiry) gives the funds back: HELD → AVAILABLE. */
export function release(accountId: string, currency: string, amount: bigint, code: string | null = null): Posting[] {
  return hold(accountId, currency, amount, code).map((p) => ({ target: p.target, bucket: p.bucket, currency: p.currency, amount: -p.amount, processingCode: p.processingCode }));
}

/**
 * Transfers held funds: the hold's HELD amount leaves the account and is credited to `to` (another
 * account's AVAILABLE) or, without one, to the internal account `counterpart`.
 */
export function transferHeld(
  from: { accountId: string; currency: string; amount: bigint; code: string | null },
  to: { accountId: string; code: string | null } | undefined,
  counterpart: InternalAccount,
): Posting[] {
  positive(from.amount, 'a transferred held amount');
  return [
    { target: customer(from.accountId), bucket: 'HELD', currency: from.currency, amount: -from.amount, processingCode: from.code },
    to
      ? { target: customer(to.accountId), bucket: 'AVAILABLE', currency: from.currency, amount: from.amount, processingCode: to.code }
      : { target: internal(counterpart), bucket: 'GL', currency: from.currency, amount: from.amount, processingCode: null },
  ];
}

/**
 * The reversal of an entry: every posting negated, under the reversal code of its processing code
 * where there is one (`reversalOf`), so the entry and its reversal together move nothing.
 */
export function reversal(postings: readonly Posting[], reversalOf: (code: string) => string | null = () => null): Posting[] {
  return postings.map((p) => ({
    target: p.target,
    bucket: p.bucket,
    currency: p.currency,
    amount: -p.amount,
    processingCode: p.processingCode === null ? null : (reversalOf(p.processingCode) ?? p.processingCode),
  }));
}

/** Per currency, what the postings sum to: an entry is balanced when every sum is 0. */
export function sums(postings: readonly Posting[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const p of postings) out.set(p.currency, (out.get(p.currency) ?? 0n) + p.amount);
  return out;
}

/** Throws unless the postings make a valid entry: at least two, none zero, balanced per currency. */
export function assertBalanced(postings: readonly Posting[]): void {
  if (postings.length < 2) throw new JournalError(`an entry needs at least two postings, got ${postings.length}`);
  for (const p of postings) if (p.amount === 0n) throw new JournalError('a posting of 0 moves nothing');
  for (const [currency, sum] of sums(postings)) {
    if (sum !== 0n) throw new JournalError(`postings in ${currency} sum to ${sum}, not 0`);
  }
}

// ---- Buckets ----

/** The stored buckets of one customer account in one currency. */
export interface Buckets {
  available: bigint;
  held: bigint;
  /** The posted balance: available + held. */
  current: bigint;
  /** How far the posted balance is below zero: what the account owes against its limit. */
  creditUsed: bigint;
}

export const EMPTY_BUCKETS: Buckets = { available: 0n, held: 0n, current: 0n, creditUsed: 0n };

/** The buckets that posted sums of AVAILABLE and HELD make. */
export function bucketsOf(available: bigint, held: bigint): Buckets {
  const current = available + held;
  return { available, held, current, creditUsed: current < 0n ? -current : 0n };
}

/** The buckets of `accountId` in `currency` after `postings`. */
export function applyPostings(before: Buckets, accountId: string, currency: string, postings: readonly Posting[]): Buckets {
  let { available, held } = before;
  for (const p of postings) {
    if (p.target.kind !== 'customer' || p.target.accountId !== accountId || p.currency !== currency) continue;
    if (p.bucket === 'AVAILABLE') available += p.amount;
    else if (p.bucket === 'HELD') held += p.amount;
  }
  return bucketsOf(available, held);
}

/** Net change per customer account and currency (key `accountId|currency`), for the balance rows. */
export function customerDeltas(postings: readonly Posting[]): Map<string, { accountId: string; currency: string; available: bigint; held: bigint }> {
  const out = new Map<string, { accountId: string; currency: string; available: bigint; held: bigint }>();
  for (const p of postings) {
    if (p.target.kind !== 'customer') continue;
    const key = `${p.target.accountId}|${p.currency}`;
    const d = out.get(key) ?? { accountId: p.target.accountId, currency: p.currency, available: 0n, held: 0n };
    if (p.bucket === 'AVAILABLE') d.available += p.amount;
    else if (p.bucket === 'HELD') d.held += p.amount;
    out.set(key, d);
  }
  return out;
}

/** Net change per internal account and currency (key `code|currency`). */
export function internalDeltas(postings: readonly Posting[]): Map<string, { code: InternalAccount; currency: string; amount: bigint }> {
  const out = new Map<string, { code: InternalAccount; currency: string; amount: bigint }>();
  for (const p of postings) {
    if (p.target.kind !== 'internal') continue;
    const key = `${p.target.code}|${p.currency}`;
    const d = out.get(key) ?? { code: p.target.code, currency: p.currency, amount: 0n };
    d.amount += p.amount;
    out.set(key, d);
  }
  return out;
}

// ---- Spending rules ----

export type SpendMode = 'credit' | 'debit';

export interface SpendLimits {
  /** Credit accounts: total_credit_limit (what the account may owe). */
  creditLimit: bigint | null;
  /** Debit and prepaid accounts: total_overdraft_limit. */
  overdraftLimit: bigint | null;
}

/**
 * What the account may still spend: credit accounts spend against their credit limit, debit and
 * prepaid accounts against their balance plus their overdraft limit.
 */
export function spendable(buckets: Buckets, mode: SpendMode, limits: SpendLimits): bigint {
  const line = mode === 'credit' ? (limits.creditLimit ?? 0n) : (limits.overdraftLimit ?? 0n);
  return buckets.available + line;
}

export type Decision = { ok: true } | { ok: false; reason: 'INSUFFICIENT_FUNDS' | 'NO_CREDIT_LIMIT'; spendable: bigint };

/** Whether postings that take `debit` (> 0) from AVAILABLE are allowed. */
export function decideDebit(buckets: Buckets, mode: SpendMode, limits: SpendLimits, debit: bigint): Decision {
  const left = spendable(buckets, mode, limits);
  if (debit <= left) return { ok: true };
  return { ok: false, reason: mode === 'credit' ? 'NO_CREDIT_LIMIT' : 'INSUFFICIENT_FUNDS', spendable: left };
}

/**
 * The shard of an internal account an entry posts to: spread by the entry id, so concurrent
 * entries update different sub-balance rows and none waits on an org-wide row.
 */
export function shardOf(entryId: bigint, shards: number): number {
  // A multiplicative hash (Knuth) so consecutive ids do not walk the shards in step.
  const h = (entryId * 2654435761n) & 0xffffffffn;
  return Number(h % BigInt(shards));
}
