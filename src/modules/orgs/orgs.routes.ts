// HTTP routes of org administration.
//   Operator (LASTRO_ADMIN_TOKEN):   /lastro/v1/orgs…, /lastro/v1/signing-keys/rotate
//   Pismo Organizations API:         GET /orgs-core/v1/orgs/{id}, PATCH /orgs-core/v1/orgs
//   Any token of the org:            GET /lastro/v1/whoami
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { callerOf, routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import { IdempotentHeaders, TenantHeaders } from '../../platform/http/headers.js';
import { isOrgId } from '../../platform/ids.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { PagePerPageQuery, PismoPage, pageRequest } from '../../platform/paging.js';
import type { TenantScope } from '../../platform/tenant.js';
import { ALL_PERMISSIONS, type CredentialsService } from './credentials.service.js';
import { OrgErrors } from './orgs.errors.js';
import {
  CreateCredentialBody,
  CreateOrgBody,
  NewCredential,
  OperatorOrg,
  OperatorPatchOrgBody,
  OrgDetails,
  OrgWithCredential,
  PatchOrgBody,
} from './orgs.schemas.js';
import type { OrgsService } from './orgs.service.js';

const OrgIdParams = Type.Object({ id: Type.String({ description: 'Org id, TN-<uuid>.' }) });

// Pismo's Organizations API answers x-tenant problems with its own codes.
const orgsCoreAuth = routeAuth.tenant('orgs', {
  tenantHeader: 'required',
  errors: { missingTenant: OrgErrors.missingTenant, tenantMismatch: OrgErrors.tenantMismatch },
});
const operator = { tags: ['operator'], security: [{ bearerAuth: [] }] };

/** The operator acts on the org named in the path; another id format is simply not found. */
function operatorScope(req: FastifyRequest, orgId: string): TenantScope {
  const { cid, actor } = requestContext(req); // checks an Idempotency-Key header, as every change does
  if (!isOrgId(orgId)) throw OrgErrors.orgNotFound();
  return { orgId, cid, actor };
}

/** The caller's org, for a change: an Idempotency-Key header is checked as on every change. */
export function changeScope(req: FastifyRequest): TenantScope {
  requestContext(req);
  return tenantScope(req);
}

export function orgsRoutes(app: HttpApp, platform: Platform, orgs: OrgsService, credentials: CredentialsService): void {
  const { tenant } = platform;

  // --- Operator API ---
  app.post(
    '/lastro/v1/orgs',
    {
      config: { auth: routeAuth.operator() },
      schema: {
        ...operator,
        summary: 'Create an org and its first credential',
        headers: IdempotentHeaders,
        body: CreateOrgBody,
        response: { 201: OrgWithCredential },
      },
    },
    async (req, reply) => reply.status(201).send(await orgs.createOrg(req.body, requestContext(req))),
  );
  app.get(
    '/lastro/v1/orgs',
    {
      config: { auth: routeAuth.operator() },
      schema: { ...operator, summary: 'List orgs', querystring: Type.Object(PagePerPageQuery), response: { 200: PismoPage(OperatorOrg, 'OperatorOrgPage') } },
    },
    async (req) => orgs.operatorListOrgs(pageRequest(req.query.page, req.query.perPage)),
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
    async (req) => tenant(operatorScope(req, req.params.id), (t) => orgs.operatorPatchOrg(t, req.body)),
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
      async (req) => tenant(operatorScope(req, req.params.id), (t) => orgs.setOrgStatus(t, status)),
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
        headers: IdempotentHeaders,
        body: CreateCredentialBody,
        response: { 201: NewCredential },
      },
    },
    async (req, reply) => {
      const { idempotencyKey } = requestContext(req);
      await orgs.operatorGetOrg(req.params.id); // not found before the (slow) secret is made
      const material = await credentials.prepare(ALL_PERMISSIONS, req.body);
      const created = await tenant(operatorScope(req, req.params.id), (t) =>
        credentials.create(t, material, { idempotencyKey, payload: req.body, operation: 'POST /lastro/v1/orgs/{id}/credentials' }),
      );
      return reply.status(201).send(created);
    },
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
      schema: { tags: ['organizations'], summary: 'Get organization', params: OrgIdParams, headers: TenantHeaders, response: { 200: OrgDetails } },
    },
    async (req) => tenant(tenantScope(req), (t) => orgs.getOrg(t, req.params.id)),
  );
  app.patch(
    '/orgs-core/v1/orgs',
    {
      config: { auth: orgsCoreAuth },
      schema: { tags: ['organizations'], summary: 'Update organization', headers: TenantHeaders, body: PatchOrgBody, response: { 200: OrgDetails } },
    },
    async (req) => tenant(changeScope(req), (t) => orgs.patchOrg(t, req.body)),
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
}
