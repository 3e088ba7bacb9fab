// Whether a token's org is active and its subject (credential or OpenID key) not revoked.
// Checked on every authenticated request, so answers are cached briefly. A change made through
// this process (deactivate, revoke) invalidates the cache at once; other processes see it
// within CACHE_MS. The answer itself comes from the orgs module (its tables), wired in app.ts:
// the platform reads no module's tables.

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

export function createSubjectState(lookup: SubjectLookup): SubjectStateCache {
  // Per org, then per subject: the guard asks with the strings of a cached token's claims, whose
  // hashes V8 keeps, so a hit builds no key; and forgetting an org is one delete.
  const cache = new Map<string, Map<string, { ok: boolean; at: number }>>();
  let size = 0;
  const known = (orgId: string, subject: string): boolean | undefined => {
    const hit = cache.get(orgId)?.get(subject);
    return hit !== undefined && performance.now() - hit.at < CACHE_MS ? hit.ok : undefined;
  };
  return {
    known,
    async isActive(orgId, subject) {
      const hit = known(orgId, subject);
      if (hit !== undefined) return hit;
      const ok = await lookup(orgId, subject);
      if (size > MAX_ENTRIES) {
        cache.clear();
        size = 0;
      }
      let subjects = cache.get(orgId);
      if (!subjects) cache.set(orgId, (subjects = new Map()));
      if (!subjects.has(subject)) size++;
      subjects.set(subject, { ok, at: performance.now() });
      return ok;
    },
    invalidate(orgId) {
      size -= cache.get(orgId)?.size ?? 0;
      cache.delete(orgId);
    },
  };
}
