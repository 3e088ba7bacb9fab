// Whether a token's org is active and its subject (credential or OpenID key) not revoked.
// Checked on every authenticated request, so answers are cached briefly. A change made through
// this process (deactivate, revoke) invalidates the cache at once; other processes see it
// within CACHE_MS.
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { SubjectState } from './guard.js';

const CACHE_MS = 2000;

export interface SubjectStateCache extends SubjectState {
  /** Forget cached answers for an org (after it or one of its credentials changed). */
  invalidate(orgId: string): void;
}

export function createSubjectState(db: Database): SubjectStateCache {
  const cache = new Map<string, { ok: boolean; at: number }>();
  return {
    async isActive(orgId, subject) {
      const key = `${orgId}|${subject}`;
      const hit = cache.get(key);
      if (hit && performance.now() - hit.at < CACHE_MS) return hit.ok;
      const [kind, id] = subject.split(':', 2) as [string, string | undefined];
      const table = kind === 'credential' ? 'credentials' : kind === 'oidc_key' ? 'oidc_keys' : undefined;
      let ok = false;
      if (table && id) {
        const idColumn = table === 'credentials' ? 'credential_id' : 'key_id';
        const { rows } = await db.transaction(
          (tx) =>
            sql<{ ok: boolean }>`
              select (o.status = 'ACTIVE' and s.status = 'ACTIVE') as ok
              from orgs o join ${sql.table(table)} s on s.org_id = o.org_id
              where o.org_id = ${orgId} and s.${sql.ref(idColumn)} = ${id}`.execute(tx),
          { orgId },
        );
        ok = rows[0]?.ok === true;
      }
      if (cache.size > 100_000) cache.clear();
      cache.set(key, { ok, at: performance.now() });
      return ok;
    },
    invalidate(orgId) {
      for (const key of cache.keys()) if (key.startsWith(`${orgId}|`)) cache.delete(key);
    },
  };
}
