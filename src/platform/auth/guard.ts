// Authentication and authorization for every route, decided by the route's `config.auth`:
//   public   — no credentials (health, JWKS, token endpoints);
//   operator — `Authorization: Bearer <LASTRO_ADMIN_TOKEN>`; off (404) when it is unset;
//   tenant   — a Lastro access token: signature and claims, org active and subject not revoked,
//              x-tenant equal to the token's tenant, account scope, permission group, rate limits.
// Account scope: an account token (claim `acc`) is limited to its account. A route about one
// account names it in a path parameter (`accountParam`) or, as Pismo's account APIs do
// (transactions, payments, cards, prepayments), takes it from the token (`account: 'token'`).
// A route that declares nothing is refused at registration: forgetting auth cannot open a route.
import type { FastifyRequest } from 'fastify';
import { AppError, PlatformErrors } from '../errors.js';
import type { HttpApp } from '../module.js';
import { allows, type PermissionGroups } from './permissions.js';
import { createRateCounter, type RateCounter } from './rate-limits.js';
import { safeEqual } from './secrets.js';
import type { SubjectState } from './subjects.js';
import type { TokenService, VerifiedToken } from './tokens.js';
import { AuthErrors } from './tokens.js';

export interface TenantRouteAuth {
  kind: 'tenant';
  /**
   * Permission group, as in `pismo-v1:<group>:rw`. GET/HEAD need ro or rw; other methods rw.
   * `null`: any valid token of the org (e.g. token introspection).
   */
  group: string | null;
  /** `required`: a missing x-tenant header is an error (Pismo requires it on some APIs). */
  tenantHeader?: 'required' | 'optional';
  /**
   * For routes about one account named in the path: the path parameter holding its id. An
   * account token must name the same account; an org-wide token may name any.
   */
  accountParam?: string;
  /**
   * `token`: the route has no account in its path and acts on the account of the token (Pismo's
   * "this endpoint takes an account token"). An org-wide token is refused (`errors.accountRequired`)
   * unless the route also accepts `accountHeader`.
   */
  account?: 'token';
  /**
   * With `account: 'token'`: the `x-account-id` header may name the account (Pismo's payments
   * APIs declare it). An org-wide token then acts on that account; an account token's header must
   * equal its own account (`errors.accountMismatch`).
   */
  accountHeader?: boolean;
  /** Pismo's own codes for x-tenant and account problems on this API, where Pismo documents them. */
  errors?: {
    missingTenant?: () => AppError;
    tenantMismatch?: () => AppError;
    accountMismatch?: () => AppError;
    /** An org-wide token (and no x-account-id where accepted) on an `account: 'token'` route. */
    accountRequired?: () => AppError;
  };
}

export type RouteAuth = { kind: 'public' } | { kind: 'operator' } | TenantRouteAuth;

export const routeAuth = {
  public: (): RouteAuth => ({ kind: 'public' }),
  operator: (): RouteAuth => ({ kind: 'operator' }),
  tenant: (group: string | null, opts: Omit<TenantRouteAuth, 'kind' | 'group'> = {}): RouteAuth => ({ kind: 'tenant', group, ...opts }),
};

/** Who is calling, once authenticated. */
export interface RequestAuth {
  orgId: string;
  /** `credential:<id>` or `oidc_key:<id>`. */
  subject: string;
  permissions: string[];
  /**
   * The account the request acts on: on an account-scoped route, the one the guard resolved
   * (token, x-account-id header or path); elsewhere the account token's own account, if any.
   */
  accountId?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    auth?: RequestAuth;
  }
}

export const GuardErrors = {
  forbidden: (why: string) => new AppError('forbidden', 'FORBIDDEN', why),
  tenantMismatch: () => new AppError('forbidden', 'TENANT_MISMATCH', 'The x-tenant header does not match the token'),
  missingTenant: () => new AppError('invalid', 'MISSING_TENANT_HEADER', 'Missing x-tenant header'),
  accountMismatch: () => new AppError('forbidden', 'ACCOUNT_MISMATCH', 'This account token is for another account'),
  accountTokenScope: () =>
    new AppError('forbidden', 'ACCOUNT_TOKEN_NOT_ALLOWED', 'An account token can only be used on routes of its own account'),
  accountRequired: () =>
    new AppError('forbidden', 'ACCOUNT_TOKEN_REQUIRED', 'This route acts on one account: call it with an account token'),
  badAccountHeader: () =>
    PlatformErrors.validation([{ field: 'headers.x-account-id', reason: 'must be an account id (a positive integer)' }]),
  inactive: () => new AppError('unauthenticated', 'INVALID_TOKEN', 'Invalid token: the organization is inactive or the credential was revoked'),
  rateLimited: (seconds: number) =>
    new AppError('rate_limited', 'RATE_LIMITED', `Too many requests; retry in ${seconds} s`, undefined, { 'retry-after': String(seconds) }),
};

export interface GuardDeps {
  tokens: TokenService;
  /** Filled with every tenant route's group as routes register. */
  groups: PermissionGroups;
  subjects: SubjectState;
  adminToken: string | undefined;
  rateLimitOrgPerMinute: number;
  rateLimitCredentialPerMinute: number;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
// What a token's text may hold, in the form clients send it (`Bearer <token>`): then the header
// needs no regular expression.
const PLAIN_TOKEN = /^[\w.~+/=-]+$/;

export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  if (h.startsWith('Bearer ')) {
    const token = h.slice(7);
    if (PLAIN_TOKEN.test(token)) return token;
  }
  return BEARER.exec(h)?.[1];
}

/** Installs the guard on `app`. Call before any route is registered. */
export async function installGuard(app: HttpApp, deps: GuardDeps): Promise<void> {
  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth;
    if (!auth) throw new Error(`route ${String(route.method)} ${route.url} declares no config.auth`);
    if (auth.kind === 'tenant' && auth.group !== null) deps.groups.add(auth.group);
    if (auth.kind === 'tenant' && auth.account === 'token' && auth.accountParam) {
      throw new Error(`route ${String(route.method)} ${route.url}: account 'token' and accountParam exclude each other`);
    }
    if (auth.kind === 'tenant' && auth.accountHeader && auth.account !== 'token') {
      throw new Error(`route ${String(route.method)} ${route.url}: accountHeader needs account 'token'`);
    }
  });

  // Each limit counts on its own; the credential's is counted only when the org's passed.
  const limits: { counter: RateCounter; scope: 'org' | 'credential' }[] = [];
  if (deps.rateLimitOrgPerMinute > 0) limits.push({ scope: 'org', counter: createRateCounter(deps.rateLimitOrgPerMinute, 60_000) });
  if (deps.rateLimitCredentialPerMinute > 0) limits.push({ scope: 'credential', counter: createRateCounter(deps.rateLimitCredentialPerMinute, 60_000) });

  /** The checks after the token and its subject, in the documented order; sets `request.auth`. */
  function admit(request: FastifyRequest, auth: TenantRouteAuth, claims: VerifiedToken): void {
    const header = request.headers['x-tenant'];
    if (typeof header === 'string' && header !== '') {
      if (header !== claims.tenant) throw (auth.errors?.tenantMismatch ?? GuardErrors.tenantMismatch)();
    } else if (auth.tenantHeader === 'required') {
      throw (auth.errors?.missingTenant ?? GuardErrors.missingTenant)();
    }

    const accountId = accountOfRequest(request, auth, claims.acc);

    const write = request.method !== 'GET' && request.method !== 'HEAD';
    if (auth.group !== null && !granted(claims.perms, auth.group, write)) {
      throw GuardErrors.forbidden(`The token lacks the permission pismo-v1:${auth.group}:${write ? 'rw' : 'ro'}`);
    }

    request.auth = { orgId: claims.tenant, subject: claims.sub, permissions: claims.perms, accountId };
    for (const { counter, scope } of limits) {
      const retryMs = counter.hit(scope === 'org' ? claims.tenant : claims.sub);
      if (retryMs !== undefined) {
        request.log.warn({ org: claims.tenant, subject: claims.sub, scope, limit: counter.max }, 'rate limit exceeded');
        throw GuardErrors.rateLimited(Math.max(1, Math.ceil(retryMs / 1000)));
      }
    }
  }

  async function verified(token: string): Promise<VerifiedToken> {
    const claims = await deps.tokens.verify(token);
    if (!(await deps.subjects.isActive(claims.tenant, claims.sub))) throw GuardErrors.inactive();
    return claims;
  }

  // A callback hook: a token verified before, of a subject whose state is held, is admitted
  // without a promise (an async hook costs each request a promise and microtask turns).
  app.addHook('onRequest', (request, _reply, done) => {
    const auth = request.routeOptions.config?.auth;
    if (!auth || auth.kind === 'public') return done();
    try {
      if (auth.kind === 'operator') {
        const given = bearer(request);
        if (!deps.adminToken) throw PlatformErrors.notFound();
        if (!given || !safeEqual(given, deps.adminToken)) throw new AppError('unauthenticated', 'UNAUTHORIZED', 'Invalid operator token');
        return done();
      }
      const token = bearer(request);
      if (!token) throw AuthErrors.missing();
      const claims = deps.tokens.known(token);
      const active = claims && deps.subjects.known(claims.tenant, claims.sub);
      if (claims === undefined || active === undefined) {
        verified(token).then((c) => {
          let err: unknown;
          try {
            admit(request, auth, c);
          } catch (e) {
            err = e;
          }
          done(err as Error | undefined);
        }, done);
        return;
      }
      if (!active) throw GuardErrors.inactive();
      admit(request, auth, claims);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
}

// `allows` per token and group, kept with the token's permission list: a verified token's claims
// are kept (tokens.ts), so its list is the same array on every request of the token.
const grantsOf = new WeakMap<readonly string[], { ro: Map<string, boolean>; rw: Map<string, boolean> }>();

function granted(perms: string[], group: string, write: boolean): boolean {
  let grants = grantsOf.get(perms);
  if (grants === undefined) grantsOf.set(perms, (grants = { ro: new Map(), rw: new Map() }));
  const byGroup = write ? grants.rw : grants.ro;
  let ok = byGroup.get(group);
  if (ok === undefined) byGroup.set(group, (ok = allows(perms, group, write)));
  return ok;
}

/** Pismo's account ids are positive int64s. */
const isAccountId = (v: string): boolean => /^[1-9][0-9]{0,18}$/.test(v) && BigInt(v) <= 0x7fff_ffff_ffff_ffffn;

/**
 * The account a tenant request acts on, or a refusal: an account token may act only on its own
 * account, and an `account: 'token'` route needs one account.
 */
function accountOfRequest(request: FastifyRequest, auth: TenantRouteAuth, tokenAccount: string | undefined): string | undefined {
  if (auth.account === 'token') {
    const header = auth.accountHeader ? request.headers['x-account-id'] : undefined;
    if (header !== undefined && header !== '') {
      if (typeof header !== 'string' || !isAccountId(header)) throw GuardErrors.badAccountHeader();
      if (tokenAccount !== undefined && header !== tokenAccount) throw (auth.errors?.accountMismatch ?? GuardErrors.accountMismatch)();
      return header;
    }
    if (tokenAccount === undefined) throw (auth.errors?.accountRequired ?? GuardErrors.accountRequired)();
    return tokenAccount;
  }
  if (auth.accountParam) {
    const param = (request.params as Record<string, string | undefined> | undefined)?.[auth.accountParam];
    const value = param === undefined ? undefined : String(param);
    if (tokenAccount !== undefined && value !== tokenAccount) throw (auth.errors?.accountMismatch ?? GuardErrors.accountMismatch)();
    return value;
  }
  // Routes about no account (org-wide) refuse account tokens; `group: null` routes (whoami) take any token.
  if (tokenAccount !== undefined && auth.group !== null) throw GuardErrors.accountTokenScope();
  return tokenAccount;
}

/** The authenticated caller of a tenant route (the guard has run). */
export function callerOf(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new Error('route is not tenant-authenticated');
  return request.auth;
}
