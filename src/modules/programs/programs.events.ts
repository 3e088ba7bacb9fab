// Data events of the programs module. Program created and Program updated are Pismo's events
// (slugs programs-creation-1 and programs-update-1: domain `programs`, types `creation` and
// `update`). Holiday calendar events belong to the calendars module.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

export const PROGRAMS_DOMAIN = 'programs';

const ProgramEventData = Type.Object({
  org_id: Type.String(),
  program_id: Type.Integer(),
  program_name: Type.String(),
  program_type: Type.String(),
  program_type_id: Type.Integer(),
  status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('PENDING')]),
  currency_numeric_code: Type.String(),
  country_code: Type.String(),
  timezone: Type.String(),
  base_program_id: Type.Optional(Type.Integer({ description: 'For a copy: the program copied.' })),
  program_import_id: Type.Optional(Type.Integer({ description: 'For an asynchronous creation: its import id.' })),
  changed_fields: Type.Optional(Type.Array(Type.String(), { description: 'Program updated: the fields that changed.' })),
});

const programExample = {
  org_id: 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11',
  program_id: 1504,
  program_name: 'Acme credit',
  program_type: 'CREDITO',
  program_type_id: 1,
  status: 'ACTIVE' as const,
  currency_numeric_code: '986',
  country_code: 'BRA',
  timezone: 'America/Sao_Paulo',
};

export const ProgramEvents = {
  programCreated: defineEvent({
    domain: PROGRAMS_DOMAIN,
    eventType: 'creation',
    version: 1,
    title: 'Program created',
    description: 'A program was created: from a template, as a copy, synchronously or by an asynchronous import.',
    schema: ProgramEventData,
    example: { ...programExample, program_import_id: 12 },
  }),
  programUpdated: defineEvent({
    domain: PROGRAMS_DOMAIN,
    eventType: 'update',
    version: 1,
    title: 'Program updated',
    description: 'Fields of a program changed (PATCH /programs/v1/programs/{id}).',
    schema: ProgramEventData,
    example: { ...programExample, changed_fields: ['name', 'due_dates'] },
  }),
};

/** Every event type of the programs module, for the catalog. */
export const PROGRAM_EVENTS = Object.values(ProgramEvents);

export type ProgramEventData = Static<typeof ProgramEventData>;
