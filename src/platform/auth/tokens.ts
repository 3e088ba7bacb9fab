// Lastro's access tokens: RS256 JWTs signed with a key from `signing_keys`, published at
// /.well-known/jwks.json. Rotation makes a new key active; the old one keeps verifying until
// the last token it signed has expired. Verification pins RS256 and checks iss, aud, exp, nbf,
// iat and the lifetime bound (exp − iat ≤ 3600 s).
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Json, Timestamp } from '../db/tables.js';
import { AppError } from '../errors.js';
import type { Sealer } from './sealed.js';
import * as keys from './signing-keys.repo.js';

const generateKeyPair = promisify(generateKeyPairCb);

export const MAX_TOKEN_LIFETIME_SECONDS = 3600;

declare module '../db/tables.js' {
  interface Tables {
    signing_keys: {
      kid: string;
      private_key: string;
      public_jwk: Json<JWK>;
      status: 'ACTIVE' | 'RETIRED';
      created_at: Timestamp;
      retired_at: Timestamp | null;
      verify_until: Timestamp | null;
    };
  }
}

/** What a Lastro access token says about its bearer. */
export interface TokenSubject {
  /** The org (tenant) id, `TN-…`. */
  tenant: string;
  /** `credential:<id>` or `oidc_key:<id>`. */
  sub: string;
  /** Permission groups, Pismo's form: `pismo-v1:<group>:rw|ro`. */
  perms: string[];
  /** Account id for an account token. */
  acc?: string;
}

export interface VerifiedToken extends TokenSubject {
  jti: string;
  exp: number;
}

export const AuthErrors = {
  missing: () => new AppError('unauthenticated', 'UNAUTHORIZED', 'Missing bearer token'),
  invalid: (why: string) => new AppError('unauthenticated', 'INVALID_TOKEN', `Invalid token: ${why}`),
  expired: () => new AppError('unauthenticated', 'TOKEN_EXPIRED', 'Token expired'),
};

interface VerifyKey {
  key: KeyObject;
  verifyUntil: Date | null;
}

export interface TokenService {
  /** Loads the keys, creating the first one if there is none. */
  init(): Promise<void>;
  issue(subject: TokenSubject): Promise<{ token: string; expiresIn: number; jti: string }>;
  /** Throws AppError 401 for anything that is not a valid, current Lastro token. */
  verify(token: string): Promise<VerifiedToken>;
  /**
   * The claims of `token` if `verify` accepted this exact text before and it has neither expired
   * nor outlived its key; otherwise undefined (then `verify` decides). Synchronous, so the guard
   * can admit a request without a promise.
   */
  known(token: string): VerifiedToken | undefined;
  jwks(): Promise<{ keys: JWK[] }>;
  /** Makes a new key active; the previous one verifies until its tokens expire. */
  rotate(): Promise<{ kid: string; retired: string | undefined }>;
}

export function createTokenService(deps: {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}): TokenService {
  const { db, clock, sealer } = deps;
  let active: { kid: string; key: KeyObject } | undefined;
  // Tokens already verified, by their exact text, until they expire or their key retires. An RSA
  // verification costs tens of microseconds and clients reuse a token for up to an hour; what can
  // change meanwhile (revocation, deactivation) is checked on every request by the guard.
  const verified = new Map<string, { claims: VerifiedToken; until: number }>();
  const VERIFIED_MAX = 50_000;
  let verifyKeys = new Map<string, VerifyKey>();
  let published: JWK[] = [];
  let lastReload = 0;

  // Another process may rotate the keys: signing and publishing reload what they hold when it is
  // older than this, so every process signs with the active key within seconds of a rotation.
  const RELOAD_MS = 5000;
  const fresh = async (): Promise<void> => {
    if (performance.now() - lastReload > RELOAD_MS) await load();
  };
  const expired = (k: VerifyKey | undefined): boolean => !k || (k.verifyUntil !== null && k.verifyUntil <= clock.now());

  async function load(): Promise<void> {
    const rows = await keys.listSigningKeys(db.kysely);
    const now = clock.now();
    const next = new Map<string, VerifyKey>();
    const jwks: JWK[] = [];
    let nextActive: typeof active;
    for (const r of rows) {
      if (r.status === 'RETIRED' && r.verify_until && r.verify_until <= now) continue;
      const jwk = r.public_jwk;
      next.set(r.kid, { key: createPublicKey({ key: jwk as never, format: 'jwk' }), verifyUntil: r.verify_until });
      jwks.push(jwk);
      if (r.status === 'ACTIVE') nextActive = { kid: r.kid, key: createPrivateKey(sealer.open(r.private_key)) };
    }
    verifyKeys = next;
    published = jwks;
    active = nextActive;
    lastReload = performance.now();
  }

  async function newKey(): Promise<{ kid: string; privatePem: string; jwk: JWK }> {
    const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' };
    return { kid, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), jwk };
  }

  async function ensureActive(): Promise<void> {
    await load();
    if (active) return;
    const k = await newKey();
    // Several processes may start together: the partial unique index lets one key win.
    await keys.insertFirstActiveKey(db.kysely, { kid: k.kid, privateKey: sealer.seal(k.privatePem), publicJwk: JSON.stringify(k.jwk), createdAt: clock.now() });
    await load();
    if (!active) throw new Error('no active signing key after creating one');
  }

  function known(token: string): VerifiedToken | undefined {
    const hit = verified.get(token);
    if (hit === undefined) return undefined;
    if (clock.now().getTime() < hit.until) return hit.claims;
    verified.delete(token);
    return undefined;
  }

  return {
    init: ensureActive,

    async issue(subject) {
      await fresh();
      if (!active) await ensureActive();
      const now = Math.floor(clock.now().getTime() / 1000);
      const jti = randomUUID();
      const claims: Record<string, unknown> = { tenant: subject.tenant, perms: subject.perms };
      if (subject.acc) claims.acc = subject.acc;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: active!.kid, typ: 'JWT' })
        .setIssuer(deps.issuer)
        .setAudience(deps.audience)
        .setSubject(subject.sub)
        .setJti(jti)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + deps.ttlSeconds)
        .sign(active!.key);
      return { token, expiresIn: deps.ttlSeconds, jti };
    },

    known,

    async verify(token) {
      const hit = known(token);
      if (hit) return hit;
      let kid: string | undefined;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== 'RS256') throw AuthErrors.invalid(`algorithm ${String(header.alg)} is not accepted`);
        kid = header.kid;
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw AuthErrors.invalid('not a JWT');
      }
      if (!kid) throw AuthErrors.invalid('no key id');
      let entry = verifyKeys.get(kid);
      // Another process may have rotated: reload at most once a second on an unknown kid.
      if (!entry && performance.now() - lastReload > 1000) {
        await load();
        entry = verifyKeys.get(kid);
      }
      if (!entry) throw AuthErrors.invalid('unknown key id');
      const now = clock.now();
      if (entry.verifyUntil && entry.verifyUntil <= now) throw AuthErrors.invalid('signing key retired');
      try {
        const { payload } = await jwtVerify(token, entry.key, {
          algorithms: ['RS256'],
          issuer: deps.issuer,
          audience: deps.audience,
          currentDate: now,
          requiredClaims: ['exp', 'iat', 'nbf', 'sub', 'jti'],
        });
        if (payload.exp! - payload.iat! > MAX_TOKEN_LIFETIME_SECONDS) throw AuthErrors.invalid('lifetime over 3600 s');
        if (typeof payload.tenant !== 'string' || !Array.isArray(payload.perms)) throw AuthErrors.invalid('missing claims');
        const claims: VerifiedToken = {
          tenant: payload.tenant,
          sub: payload.sub!,
          perms: payload.perms as string[],
          acc: typeof payload.acc === 'string' ? payload.acc : undefined,
          jti: payload.jti!,
          exp: payload.exp!,
        };
        const until = Math.min(claims.exp * 1000, entry.verifyUntil?.getTime() ?? Number.POSITIVE_INFINITY);
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!); // oldest first
        verified.set(token, { claims, until });
        return claims;
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof joseErrors.JWTExpired) throw AuthErrors.expired();
        if (err instanceof joseErrors.JWTClaimValidationFailed) throw AuthErrors.invalid(`claim ${err.claim} ${err.reason}`);
        throw AuthErrors.invalid('signature or format');
      }
    },

    // A retired key leaves the set as soon as it stops verifying, without waiting for a reload.
    async jwks() {
      await fresh();
      return { keys: published.filter((k) => !expired(verifyKeys.get(k.kid!))) };
    },

    async rotate() {
      const k = await newKey();
      const now = clock.now();
      const verifyUntil = new Date(now.getTime() + (deps.ttlSeconds + 60) * 1000);
      const row = { kid: k.kid, privateKey: sealer.seal(k.privatePem), publicJwk: JSON.stringify(k.jwk), createdAt: now };
      const retired = await db.transaction((tx) => keys.replaceActiveKey(tx, row, verifyUntil));
      await load();
      verified.clear(); // entries carry the old key's retirement only from now on
      return { kid: k.kid, retired };
    },
  };
}
