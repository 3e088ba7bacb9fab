// What a process keeps of an org's slowly changing rows (loan products, calendars): per org, kept
// only once the transaction that read them has committed (it may have read its own uncommitted
// change), and forgotten by every write through this process, in the writing transaction and
// again once it commits. A generation per org keeps a read that began before such a write from
// storing what it read. Optionally entries expire (`ttlMs`): a change made through another process
// is seen within that time.
import { afterCommit, type Tx } from './db/database.js';

export class KeptPerOrg<K, V> {
  readonly #orgs = new Map<string, Map<K, { value: V; at: number }>>();
  readonly #generations = new Map<string, number>();
  #size = 0;

  constructor(private readonly opts: { maxEntries: number; ttlMs?: number }) {}

  /** The org's kept value of `key`, if kept (and, with a ttlMs, kept less than that ago). */
  get(orgId: string, key: K): V | undefined {
    const hit = this.#orgs.get(orgId)?.get(key);
    if (!hit) return undefined;
    return this.opts.ttlMs === undefined || performance.now() - hit.at < this.opts.ttlMs ? hit.value : undefined;
  }

  /** Keeps a value read in `tx` once `tx` commits, unless the org's values changed meanwhile. */
  keepAfterCommit(tx: Tx, orgId: string, key: K, value: V): void {
    const g = this.#generation(orgId);
    afterCommit(tx, () => {
      if (this.#generation(orgId) !== g) return;
      if (this.#size >= this.opts.maxEntries) {
        this.#orgs.clear();
        this.#size = 0;
      }
      let org = this.#orgs.get(orgId);
      if (!org) this.#orgs.set(orgId, (org = new Map()));
      if (!org.has(key)) this.#size += 1;
      org.set(key, { value, at: performance.now() });
    });
  }

  /** `tx` writes the org's values: forgets them now and once `tx` commits. Returns `tx`. */
  changed(tx: Tx, orgId: string): Tx {
    this.#forget(orgId);
    afterCommit(tx, () => this.#forget(orgId));
    return tx;
  }

  #generation(orgId: string): number {
    return this.#generations.get(orgId) ?? 0;
  }

  #forget(orgId: string): void {
    this.#generations.set(orgId, this.#generation(orgId) + 1);
    this.#size -= this.#orgs.get(orgId)?.size ?? 0;
    this.#orgs.delete(orgId);
  }
}
