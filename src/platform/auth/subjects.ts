// Whether a token's org is active and its subject (credential or OpenID key) not revoked.
// Checked on every authenticated request, so answers are cached briefly. A change made through
// this process (deactivate, revoke) invalidates the cache at once; other processes see it
// within CACHE_MS. The answer itself comes from the orgs module (its tables), wired in app.ts:
// the platform reads no module's tables.

const CACHE_MS = 2000;

/** Is the org active and the token's subject (credential, OpenID key) not revoked? */
export interface SubjectState {
  isActive(orgId: string, subject: string): Promise<boolean>;
}

/** Reads the answer from the database, uncached. `subject` is `credential:<id>` or `oidc_key:<id>`. */
export type SubjectLookup = (orgId: string, subject: string) => Promise<boolean>;

export interface SubjectStateCache extends SubjectState {
  /** Forget cached answers for an org (after it or one of its credentials changed). */
  invalidate(orgId: string): void;
}

export function createSubjectState(lookup: SubjectLookup): SubjectStateCache {
  const cache = new Map<string, { ok: boolean; at: number }>();
  return {
    async isActive(orgId, subject) {
      const key = `${orgId}|${subject}`;
      const hit = cache.get(key);
      if (hit && performance.now() - hit.at < CACHE_MS) return hit.ok;
      const ok = await lookup(orgId, subject);
      if (cache.size > 100_000) cache.clear();
      cache.set(key, { ok, at: performance.now() });
      return ok;
    },
    invalidate(orgId) {
      for (const key of cache.keys()) if (key.startsWith(`${orgId}|`)) cache.delete(key);
    },
  };
}
