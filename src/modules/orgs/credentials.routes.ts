// HTTP routes of an org's own credentials and OpenID keys (Lastro's self-service API,
// permission group `credentials`): /lastro/v1/credentials…, /lastro/v1/oidc-keys….
import { Type } from 'typebox';
import { callerOf, routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import { IdempotentHeaders } from '../../platform/http/headers.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { PagePerPageQuery, PismoPage, pageRequest } from '../../platform/paging.js';
import type { CredentialsService } from './credentials.service.js';
import { changeScope } from './orgs.routes.js';
import { CreateCredentialBody, Credential, NewCredential, OidcKey, RegisterOidcKeyBody } from './orgs.schemas.js';

const IdParams = Type.Object({ id: Type.String() });
const selfService = routeAuth.tenant('credentials');
const tags = ['credentials'];

export function credentialsRoutes(app: HttpApp, platform: Platform, credentials: CredentialsService): void {
  const { tenant } = platform;

  // --- Credentials (server_key / server_secret) ---
  app.post(
    '/lastro/v1/credentials',
    {
      config: { auth: selfService },
      schema: {
        tags,
        summary: 'Create a credential (the secret is shown once)',
        headers: IdempotentHeaders,
        body: CreateCredentialBody,
        response: { 201: NewCredential },
      },
    },
    async (req, reply) => {
      const { idempotencyKey } = requestContext(req);
      const material = await credentials.prepare(callerOf(req).permissions, req.body);
      const created = await tenant(tenantScope(req), (t) => credentials.create(t, material, { idempotencyKey, payload: req.body }));
      return reply.status(201).send(created);
    },
  );
  app.get(
    '/lastro/v1/credentials',
    {
      config: { auth: selfService },
      schema: { tags, summary: 'List credentials', querystring: Type.Object(PagePerPageQuery), response: { 200: PismoPage(Credential, 'CredentialPage') } },
    },
    async (req) => tenant(tenantScope(req), (t) => credentials.list(t, pageRequest(req.query.page, req.query.perPage))),
  );
  app.get(
    '/lastro/v1/credentials/:id',
    { config: { auth: selfService }, schema: { tags, summary: 'Get a credential', params: IdParams, response: { 200: Credential } } },
    async (req) => tenant(tenantScope(req), (t) => credentials.get(t, req.params.id)),
  );
  app.delete(
    '/lastro/v1/credentials/:id',
    {
      config: { auth: selfService },
      schema: { tags, summary: 'Revoke a credential; its tokens stop working at once', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await tenant(changeScope(req), (t) => credentials.revoke(t, req.params.id));
      return reply.status(204).send(null);
    },
  );

  // --- OpenID Connect client keys ---
  app.post(
    '/lastro/v1/oidc-keys',
    {
      config: { auth: selfService },
      schema: {
        tags,
        summary: 'Register an RSA public key for client-signed JWTs',
        headers: IdempotentHeaders,
        body: RegisterOidcKeyBody,
        response: { 201: OidcKey },
      },
    },
    async (req, reply) => {
      const { idempotencyKey } = requestContext(req);
      const granter = callerOf(req).permissions;
      const key = await tenant(tenantScope(req), (t) => credentials.registerOidcKey(t, granter, req.body, idempotencyKey));
      return reply.status(201).send(key);
    },
  );
  app.get(
    '/lastro/v1/oidc-keys',
    { config: { auth: selfService }, schema: { tags, summary: 'List OpenID keys', response: { 200: Type.Object({ items: Type.Array(OidcKey) }) } } },
    async (req) => ({ items: await tenant(tenantScope(req), (t) => credentials.listOidcKeys(t)) }),
  );
  app.delete(
    '/lastro/v1/oidc-keys/:id',
    {
      config: { auth: selfService },
      schema: { tags, summary: 'Revoke an OpenID key', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await tenant(changeScope(req), (t) => credentials.revokeOidcKey(t, req.params.id));
      return reply.status(204).send(null);
    },
  );
}
