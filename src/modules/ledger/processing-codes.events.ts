// Data events of processing codes: Pismo's Orgs operation created and Orgs operation updated
// (slugs orgs-operation-create-1 and orgs-operation-update-1: domain `orgs-operation`, types
// `create` and `update`). One event per code: creating an authorization code that names a new
// reversal code emits one for each. Lastro's standard codes, seeded for every org, emit none.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

export const ORGS_OPERATION_DOMAIN = 'orgs-operation';

const OrgOperationData = Type.Object({
  org_id: Type.String(),
  processing_code: Type.String(),
  org_operation_id: Type.Integer(),
  type: Type.Union([Type.Literal('AUTHORIZATION'), Type.Literal('REVERSAL')], { description: 'Processing code type.' }),
  balance_impact: Type.Union([Type.Literal(1), Type.Literal(0), Type.Literal(-1)]),
  description: Type.String(),
  standard: Type.Boolean(),
  reversal_processing_code: Type.Optional(Type.String()),
  partial_reversal_processing_code: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('PENDING')]),
  tags: Type.Array(Type.String()),
  changed_fields: Type.Optional(Type.Array(Type.String(), { description: 'Orgs operation updated: the fields that changed.' })),
});
export type OrgOperationData = Static<typeof OrgOperationData>;

const example: OrgOperationData = {
  org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11',
  processing_code: 'I87654',
  org_operation_id: 4021,
  type: 'AUTHORIZATION',
  balance_impact: -1,
  description: 'Card purchase abroad',
  standard: false,
  reversal_processing_code: '578739',
  partial_reversal_processing_code: '578739',
  status: 'PENDING',
  tags: ['GLOBAL'],
};

export const ProcessingCodeEvents = {
  created: defineEvent({
    domain: ORGS_OPERATION_DOMAIN,
    eventType: 'create',
    version: 1,
    title: 'Orgs operation created',
    description: 'A processing code was created: an authorization code, or a reversal code (by itself or named by a new authorization code).',
    schema: OrgOperationData,
    example,
  }),
  updated: defineEvent({
    domain: ORGS_OPERATION_DOMAIN,
    eventType: 'update',
    version: 1,
    title: 'Orgs operation updated',
    description: 'Fields of a processing code changed (PATCH /orgs-operation/v1/processing-codes/{processingCode}).',
    schema: OrgOperationData,
    example: { ...example, description: 'Purchase abroad', changed_fields: ['description'] },
  }),
};
