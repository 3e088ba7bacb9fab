// Process-local caches of what a money movement reads on every request and that changes only when
// the org configures its ledger: processing code rules (codes, flows, transaction types) and the
// internal accounts' shard counts. Keyed by org id, so no entry is ever shared between orgs.
//
// Processing code rules: a write to processing_codes, transaction_flows or transaction_types (the
// ledger's repos are their only writers) forgets the org's rules in this process at once and again
// once its transaction commits; a generation per org keeps a read that began before the commit
// from storing what it read. Other processes (a second `lastro start`, a worker) see a change
// within RULE_TTL_MS: PostgreSQL has no change feed the platform listens to for configuration, so
// a short lifetime bounds how long they may use the old rule. Only usable (SUCCESS) rules are
// kept: a code that is missing or PENDING is read again on every use, so a code configured in one
// process is usable in every other as soon as it commits.
//
// Internal accounts: opened once per org and currency with a fixed shard count and never changed
// or closed, so they are kept for the life of the process, and only once their opening committed.
import { afterCommit, type Tx } from '../../platform/db/database.js';

/** How long another process may use a rule after it changed (see above). */
export const RULE_TTL_MS = 5_000;
const MAX_ORGS = 10_000;

interface Kept<T> {
  value: T;
  /** Monotonic time (performance.now) it was read; not the business clock. */
  at: number;
}

class PerOrg<T> {
  readonly #orgs = new Map<string, Map<string, Kept<T>>>();
  readonly #generation = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  generation(orgId: string): number {
    return this.#generation.get(orgId) ?? 0;
  }

  get(orgId: string, key: string): T | undefined {
    const kept = this.#orgs.get(orgId)?.get(key);
    if (!kept) return undefined;
    if (performance.now() - kept.at > this.ttlMs) {
      this.#orgs.get(orgId)!.delete(key);
      return undefined;
    }
    return kept.value;
  }

  /** Keeps `value` unless the org's entries were forgotten since `generation` was taken. */
  set(orgId: string, key: string, value: T, generation: number): void {
    if (this.generation(orgId) !== generation) return;
    let org = this.#orgs.get(orgId);
    if (!org) {
      if (this.#orgs.size >= MAX_ORGS) this.#orgs.clear();
      this.#orgs.set(orgId, (org = new Map()));
    }
    org.set(key, { value, at: performance.now() });
  }

  forget(orgId: string): void {
    this.#generation.set(orgId, this.generation(orgId) + 1);
    this.#orgs.delete(orgId);
  }
}

/** What the cache needs of a processing code rule (processing-codes.service.ts builds the whole). */
interface CachedRule {
  code: string;
  status: string;
}

const codeRules = new PerOrg<CachedRule>(RULE_TTL_MS);
/** Transactions that changed rules: what they read is not kept (it may roll back). */
const changing = new WeakSet<Tx>();

/**
 * `tx` is about to change the org's processing codes, flows or transaction types (their repos call
 * it on every write): forgets the org's kept rules now and once `tx` commits. Returns `tx`.
 */
export function codeRulesChanged(tx: Tx, orgId: string): Tx {
  changing.add(tx);
  codeRules.forget(orgId);
  afterCommit(tx, () => codeRules.forget(orgId));
  return tx;
}

/** The org's kept rule of `code`, if any. */
export const keptCodeRule = <R extends CachedRule>(orgId: string, code: string): R | undefined => codeRules.get(orgId, code) as R | undefined;

/** What a later keepCodeRule compares against: take it before reading the rule. */
export const codeRulesGeneration = (orgId: string): number => codeRules.generation(orgId);

/** Keeps a usable rule read in `tx`, unless the org's rules changed since `generation` or in `tx` itself. */
export function keepCodeRule(tx: Tx, orgId: string, rule: CachedRule, generation: number): void {
  if (rule.status !== 'SUCCESS' || changing.has(tx)) return;
  codeRules.set(orgId, rule.code, rule, generation);
}

const internalShardCounts = new PerOrg<ReadonlyMap<string, number>>(Number.POSITIVE_INFINITY);

/** The org's internal accounts (`code|currency` → shards), when known to be open. */
export const knownInternalShards = (orgId: string): ReadonlyMap<string, number> | undefined => internalShardCounts.get(orgId, '');

/** Keeps the internal accounts read in `tx`, once it commits (a rolled-back opening is not kept). */
export function keepInternalShards(tx: Tx, orgId: string, shards: ReadonlyMap<string, number>): void {
  const generation = internalShardCounts.generation(orgId);
  afterCommit(tx, () => internalShardCounts.set(orgId, '', shards, generation));
}
