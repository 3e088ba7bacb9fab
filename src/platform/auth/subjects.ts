// Whether a token's org is active and its subject (credential or OpenID key) not revoked.
// Checked on every authenticated request, so answers are cached briefly. A change made through
// this process (deactivate, revoke) invalidates the cache at once; other processes see it
// within CACHE_MS. A subject in use is read again in the background before its answer expires,
// and concurrent asks share one read: the requests of a busy credential never wait for it (each
// used to, every CACHE_MS, all at once, each with a transaction of its own). The answer itself
// comes from the orgs module (its tables), wired in app.ts: the platform reads no module's tables.

const CACHE_MS = 2000;

/** Is the org active and the token's subject (credential, OpenID key) not revoked? */
export interface SubjectState {
  isActive(orgId: string, subject: string): Promise<boolean>;
  /**
   * The answer `isActive` would give from what it holds, if that is fresh; undefined when it must
   * read it. Synchronous, so the guard can admit a request without a promise.
   */
  known(orgId: string, subject: string): boolean | undefined;
}

/** Reads the answer from the database, uncached. `subject` is `credential:<id>` or `oidc_key:<id>`. */
export type SubjectLookup = (orgId: string, subject: string) => Promise<boolean>;

export interface SubjectStateCache extends SubjectState {
  /** Forget cached answers for an org (after it or one of its credentials changed). */
  invalidate(orgId: string): void;
}

const MAX_ENTRIES = 100_000;
/**
 * An answer older than this is still served (until CACHE_MS), and read again in the background:
 * a subject in steady use never waits for the read, and its requests never all miss at once.
 */
const REFRESH_MS = CACHE_MS / 2;

interface Held {
  ok: boolean;
  at: number;
}

export function createSubjectState(lookup: SubjectLookup, now: () => number = () => performance.now()): SubjectStateCache {
  // Per org, then per subject: the guard asks with the strings of a cached token's claims, whose
  // hashes V8 keeps, so a hit builds no key; and forgetting an org is one delete.
  const cache = new Map<string, Map<string, Held>>();
  let size = 0;
  // One read at a time per org and subject, whoever asks while it is out waits for it.
  const reading = new Map<string, Map<string, Promise<boolean>>>();
  // Bumped by every invalidate: a read that began before it may have seen the old state, so its
  // answer is given to those who waited for it but not kept.
  let epoch = 0;

  function read(orgId: string, subject: string): Promise<boolean> {
    let byOrg = reading.get(orgId);
    const out = byOrg?.get(subject);
    if (out) return out;
    const began = epoch;
    const p = lookup(orgId, subject).then(
      (ok) => {
        forget();
        if (began === epoch) keep(orgId, subject, ok);
        return ok;
      },
      (err: unknown) => {
        forget();
        throw err;
      },
    );
    function forget(): void {
      const m = reading.get(orgId);
      if (m?.get(subject) === p) {
        m.delete(subject);
        if (!m.size) reading.delete(orgId);
      }
    }
    if (!byOrg) reading.set(orgId, (byOrg = new Map()));
    byOrg.set(subject, p);
    return p;
  }

  function keep(orgId: string, subject: string, ok: boolean): void {
    if (size > MAX_ENTRIES) {
      cache.clear();
      size = 0;
    }
    let subjects = cache.get(orgId);
    if (!subjects) cache.set(orgId, (subjects = new Map()));
    if (!subjects.has(subject)) size++;
    subjects.set(subject, { ok, at: now() });
  }

  const known = (orgId: string, subject: string): boolean | undefined => {
    const hit = cache.get(orgId)?.get(subject);
    if (hit === undefined) return undefined;
    const age = now() - hit.at;
    if (age >= CACHE_MS) return undefined;
    // A failed background read leaves the answer to expire; the next ask then waits for a read.
    if (age >= REFRESH_MS && !reading.get(orgId)?.has(subject)) read(orgId, subject).catch(() => {});
    return hit.ok;
  };

  return {
    known,
    isActive(orgId, subject) {
      const hit = known(orgId, subject);
      return hit !== undefined ? Promise.resolve(hit) : read(orgId, subject);
    },
    invalidate(orgId) {
      epoch++;
      size -= cache.get(orgId)?.size ?? 0;
      cache.delete(orgId);
      // Reads already out may answer the old state: the next ask reads again.
      reading.delete(orgId);
    },
  };
}
