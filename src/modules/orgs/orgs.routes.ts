// HTTP routes of the orgs module.
//   Operator (LASTRO_ADMIN_TOKEN):   /lastro/v1/orgs…, /lastro/v1/signing-keys/rotate
//   Pismo Organizations API:         GET /orgs-core/v1/orgs/{id}, PATCH /orgs-core/v1/orgs
//   Org self-service (Lastro):       /lastro/v1/credentials…, /lastro/v1/oidc-keys…
//   Pismo passport (public):         token endpoints, /.well-known/jwks.json
import { Type } from 'typebox';
import { callerOf, routeAuth } from '../../platform/auth/guard.js';
import { idempotencyKeyOf } from '../../platform/idempotency.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { OAuthErrors, OrgErrors } from './orgs.errors.js';
import {
  CreateCredentialBody,
  CreateOrgBody,
  Credential,
  NewCredential,
  OAuthError,
  OAuthTokenBody,
  OAuthTokenResponse,
  OidcKey,
  OidcTokenBody,
  OidcTokenResponse,
  OperatorOrg,
  OperatorPatchOrgBody,
  OrgDetails,
  OrgWithCredential,
  PageQuery,
  PatchOrgBody,
  RegisterOidcKeyBody,
  S2sTokenBody,
  S2sTokenResponse,
  page,
} from './orgs.schemas.js';
import type { OrgsService } from './orgs.service.js';

const OrgIdParams = Type.Object({ id: Type.String({ description: 'Org id, TN-<uuid>.' }) });
const IdParams = Type.Object({ id: Type.String() });
const TenantHeader = Type.Object({ 'x-tenant': Type.Optional(Type.String({ description: 'Org id; must match the token.' })) });

// Pismo's Organizations API answers x-tenant problems with its own codes.
const orgsCoreAuth = routeAuth.tenant('orgs', {
  tenantHeader: 'required',
  errors: { missingTenant: OrgErrors.missingTenant, tenantMismatch: OrgErrors.tenantMismatch },
});
const selfService = routeAuth.tenant('credentials');
const operator = { tags: ['operator'], security: [{ bearerAuth: [] }] };
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes the request safe to retry: the same key and body replay the first answer for 24 h.' }),
  ),
  'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
});

export function orgsRoutes(app: HttpApp, platform: Platform, orgs: OrgsService): void {
  const ctx = (req: { id: string; headers: Record<string, string | string[] | undefined> }) => ({
    cid: req.id,
    idempotencyKey: idempotencyKeyOf(req.headers),
  });

  // --- Operator API ---
  app.post(
    '/lastro/v1/orgs',
    {
      config: { auth: routeAuth.operator() },
      schema: {
        ...operator,
        summary: 'Create an org and its first credential',
        headers: IdempotencyHeaders,
        body: CreateOrgBody,
        response: { 201: OrgWithCredential },
      },
    },
    async (req, reply) => reply.status(201).send(await orgs.createOrg(req.body, ctx(req))),
  );
  app.get(
    '/lastro/v1/orgs',
    {
      config: { auth: routeAuth.operator() },
      schema: { ...operator, summary: 'List orgs', querystring: PageQuery, response: { 200: page(OperatorOrg) } },
    },
    async (req) => orgs.operatorListOrgs(req.query.page ?? 1, req.query.perPage ?? 10),
  );
  app.get(
    '/lastro/v1/orgs/:id',
    { config: { auth: routeAuth.operator() }, schema: { ...operator, summary: 'Get an org', params: OrgIdParams, response: { 200: OperatorOrg } } },
    async (req) => orgs.operatorGetOrg(req.params.id),
  );
  app.patch(
    '/lastro/v1/orgs/:id',
    {
      config: { auth: routeAuth.operator() },
      schema: { ...operator, summary: 'Update an org', params: OrgIdParams, body: OperatorPatchOrgBody, response: { 200: OperatorOrg } },
    },
    async (req) => orgs.operatorPatchOrg(req.params.id, req.body, ctx(req)),
  );
  for (const [action, status] of [['deactivate', 'INACTIVE'], ['activate', 'ACTIVE']] as const) {
    app.post(
      `/lastro/v1/orgs/:id/${action}`,
      {
        config: { auth: routeAuth.operator() },
        schema: {
          ...operator,
          summary: action === 'deactivate' ? "Deactivate an org: its tokens stop working at once" : 'Reactivate an org',
          params: OrgIdParams,
          response: { 200: OperatorOrg },
        },
      },
      async (req) => orgs.setOrgStatus(req.params.id, status, ctx(req)),
    );
  }
  app.post(
    '/lastro/v1/orgs/:id/credentials',
    {
      config: { auth: routeAuth.operator() },
      schema: {
        ...operator,
        summary: "Issue a credential for an org (e.g. after it revoked its own); the secret is shown once",
        params: OrgIdParams,
        headers: IdempotencyHeaders,
        body: CreateCredentialBody,
        response: { 201: NewCredential },
      },
    },
    async (req, reply) => reply.status(201).send(await orgs.operatorCreateCredential(req.params.id, req.body, ctx(req))),
  );
  app.post(
    '/lastro/v1/signing-keys/rotate',
    {
      config: { auth: routeAuth.operator() },
      schema: {
        ...operator,
        summary: "Rotate Lastro's token signing key; tokens signed by the previous key verify until they expire",
        response: { 200: Type.Object({ kid: Type.String(), retired_kid: Type.Optional(Type.String()) }) },
      },
    },
    async () => {
      const r = await platform.auth.tokens.rotate();
      return { kid: r.kid, ...(r.retired ? { retired_kid: r.retired } : {}) };
    },
  );

  // --- Pismo Organizations API ---
  app.get(
    '/orgs-core/v1/orgs/:id',
    {
      config: { auth: orgsCoreAuth },
      schema: { tags: ['organizations'], summary: 'Get organization', params: OrgIdParams, headers: TenantHeader, response: { 200: OrgDetails } },
    },
    async (req) => orgs.getOrg(callerOf(req).orgId, req.params.id),
  );
  app.patch(
    '/orgs-core/v1/orgs',
    {
      config: { auth: orgsCoreAuth },
      schema: { tags: ['organizations'], summary: 'Update organization', headers: TenantHeader, body: PatchOrgBody, response: { 200: OrgDetails } },
    },
    async (req) => orgs.patchOrg(callerOf(req).orgId, req.body, ctx(req)),
  );

  app.get(
    '/lastro/v1/whoami',
    {
      config: { auth: routeAuth.tenant(null) },
      schema: {
        tags: ['credentials'],
        summary: 'What the presented token grants: org, subject, permission groups, account',
        response: {
          200: Type.Object({
            org_id: Type.String(),
            subject: Type.String(),
            permissions: Type.Array(Type.String()),
            account_id: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      const c = callerOf(req);
      return { org_id: c.orgId, subject: c.subject, permissions: c.permissions, ...(c.accountId ? { account_id: c.accountId } : {}) };
    },
  );

  // --- Credentials (server_key / server_secret) ---
  app.post(
    '/lastro/v1/credentials',
    {
      config: { auth: selfService },
      schema: {
        tags: ['credentials'],
        summary: 'Create a credential (the secret is shown once)',
        headers: IdempotencyHeaders,
        body: CreateCredentialBody,
        response: { 201: NewCredential },
      },
    },
    async (req, reply) => {
      const caller = callerOf(req);
      return reply.status(201).send(await orgs.createCredential(caller.orgId, caller.permissions, req.body, ctx(req)));
    },
  );
  app.get(
    '/lastro/v1/credentials',
    { config: { auth: selfService }, schema: { tags: ['credentials'], summary: 'List credentials', querystring: PageQuery, response: { 200: page(Credential) } } },
    async (req) => orgs.listCredentials(callerOf(req).orgId, req.query.page ?? 1, req.query.perPage ?? 10),
  );
  app.get(
    '/lastro/v1/credentials/:id',
    { config: { auth: selfService }, schema: { tags: ['credentials'], summary: 'Get a credential', params: IdParams, response: { 200: Credential } } },
    async (req) => orgs.getCredential(callerOf(req).orgId, req.params.id),
  );
  app.delete(
    '/lastro/v1/credentials/:id',
    {
      config: { auth: selfService },
      schema: { tags: ['credentials'], summary: 'Revoke a credential; its tokens stop working at once', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await orgs.revokeCredential(callerOf(req).orgId, req.params.id, ctx(req));
      return reply.status(204).send(null);
    },
  );

  // --- OpenID Connect client keys ---
  app.post(
    '/lastro/v1/oidc-keys',
    {
      config: { auth: selfService },
      schema: {
        tags: ['credentials'],
        summary: 'Register an RSA public key for client-signed JWTs',
        headers: IdempotencyHeaders,
        body: RegisterOidcKeyBody,
        response: { 201: OidcKey },
      },
    },
    async (req, reply) => {
      const caller = callerOf(req);
      return reply.status(201).send(await orgs.registerOidcKey(caller.orgId, caller.permissions, req.body, ctx(req)));
    },
  );
  app.get(
    '/lastro/v1/oidc-keys',
    { config: { auth: selfService }, schema: { tags: ['credentials'], summary: 'List OpenID keys', response: { 200: Type.Object({ items: Type.Array(OidcKey) }) } } },
    async (req) => ({ items: await orgs.listOidcKeys(callerOf(req).orgId) }),
  );
  app.delete(
    '/lastro/v1/oidc-keys/:id',
    {
      config: { auth: selfService },
      schema: { tags: ['credentials'], summary: 'Revoke an OpenID key', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await orgs.revokeOidcKey(callerOf(req).orgId, req.params.id, ctx(req));
      return reply.status(204).send(null);
    },
  );
}

export async function passportRoutes(app: HttpApp, platform: Platform, orgs: OrgsService): Promise<void> {
  // RFC 6749 token requests are form-encoded; this parser is scoped to these routes.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const passport = { tags: ['authentication'] };

  app.post(
    '/passport/v2/s2s/access-token',
    {
      config: { auth: routeAuth.public() },
      schema: { ...passport, summary: 'Basic (client credentials) access token', body: S2sTokenBody, response: { 201: S2sTokenResponse } },
    },
    async (req, reply) => reply.status(201).send(await orgs.s2sToken(req.body)),
  );
  app.post(
    '/passport/v1/oauth2/token',
    {
      config: { auth: routeAuth.public() },
      schema: { ...passport, summary: 'OpenID Connect for servers: exchange a client-signed JWT', body: OidcTokenBody, response: { 201: OidcTokenResponse } },
    },
    async (req, reply) => reply.status(201).send(await orgs.oidcToken(req.body.token)),
  );
  app.post(
    '/passport/v2/oauth/token',
    {
      config: { auth: routeAuth.public() },
      // A malformed request is RFC 6749's invalid_request, not the platform's VALIDATION_ERROR.
      attachValidation: true,
      schema: {
        ...passport,
        summary: 'OAuth2 (RFC 6749): client_credentials and refresh_token grants',
        body: OAuthTokenBody,
        response: { 200: OAuthTokenResponse, 400: OAuthError, 401: OAuthError },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      if (req.validationError) throw OAuthErrors.invalidRequest(req.validationError.message);
      // RFC 6749 §2.3.1: client credentials may come as HTTP Basic instead of in the body.
      const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw OAuthErrors.invalidRequest('malformed Basic authorization');
        const id = decodeURIComponent(decoded.slice(0, colon));
        const secret = decodeURIComponent(decoded.slice(colon + 1));
        return orgs.oauthToken({ ...req.body, client_id: id, client_secret: secret, client_secret_string: undefined });
      }
      return orgs.oauthToken(req.body);
    },
  );
  app.get(
    '/.well-known/jwks.json',
    {
      config: { auth: routeAuth.public() },
      schema: {
        ...passport,
        summary: "Public keys that verify Lastro's access tokens",
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async () => platform.auth.tokens.jwks(),
  );
}
