// Data events of the orgs module. Pismo publishes no org or credential events; these follow
// Pismo's naming style (title "Org created", type slug "org-created"). Schemas are draft-07.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

export const ORG_DOMAIN = 'org';

const OrgEventData = Type.Object({
  org_id: Type.String(),
  org_name: Type.String(),
  status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE')]),
  sandbox: Type.Boolean(),
  changed_fields: Type.Optional(Type.Array(Type.String())),
});

const CredentialEventData = Type.Object({
  org_id: Type.String(),
  credential_id: Type.String(),
  kind: Type.Union([Type.Literal('server_key'), Type.Literal('oidc_key')]),
  server_key: Type.Optional(Type.String()),
  permissions: Type.Array(Type.String()),
});

const credentialExample = {
  org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11',
  credential_id: '0c7e2a52-3b8f-4d44-a3de-5b2f5f3b8a10',
  kind: 'server_key' as const,
  server_key: 'sk_Zm9vYmFyYmF6',
  permissions: ['pismo-v1:*:rw'],
};

export const OrgEvents = {
  orgCreated: defineEvent({
    domain: ORG_DOMAIN,
    eventType: 'org-created',
    version: 1,
    title: 'Org created',
    description: 'An organization (tenant) was created.',
    schema: OrgEventData,
    example: { org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11', org_name: 'Acme', status: 'ACTIVE', sandbox: true },
  }),
  orgUpdated: defineEvent({
    domain: ORG_DOMAIN,
    eventType: 'org-updated',
    version: 1,
    title: 'Org updated',
    description: 'Fields of an organization changed, or it was deactivated or reactivated.',
    schema: OrgEventData,
    example: {
      org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11',
      org_name: 'Acme',
      status: 'INACTIVE',
      sandbox: true,
      changed_fields: ['status'],
    },
  }),
  credentialCreated: defineEvent({
    domain: ORG_DOMAIN,
    eventType: 'credential-created',
    version: 1,
    title: 'Credential created',
    description: 'A server_key/server_secret pair or an OpenID public key was added to an organization.',
    schema: CredentialEventData,
    example: credentialExample,
  }),
  credentialRevoked: defineEvent({
    domain: ORG_DOMAIN,
    eventType: 'credential-revoked',
    version: 1,
    title: 'Credential revoked',
    description: 'A credential or OpenID key was revoked; tokens it obtained stop working.',
    schema: CredentialEventData,
    example: credentialExample,
  }),
};

/** Every event type of the orgs module, for the catalog. */
export const ORG_EVENTS = Object.values(OrgEvents);

export type OrgEventData = Static<typeof OrgEventData>;
export type CredentialEventData = Static<typeof CredentialEventData>;
