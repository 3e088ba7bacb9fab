// The event catalog: every data event type, with its JSON Schema (draft-07) and an example.
// Public, as Pismo's event reference is: it describes types, never an org's events.
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { AppError } from '../../platform/errors.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { publishedSchema } from '../../platform/outbox.js';

const Summary = Type.Object({
  domain: Type.String(),
  event_type: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
});

export function eventsRoutes(app: HttpApp, platform: Platform): void {
  const sorted = [...platform.catalog].sort(
    (a, b) => a.domain.localeCompare(b.domain) || a.eventType.localeCompare(b.eventType) || a.version - b.version,
  );
  const summary = (d: (typeof sorted)[number]) => ({
    domain: d.domain,
    event_type: d.eventType,
    version: d.version,
    title: d.title,
    description: d.description,
  });

  app.get(
    '/lastro/v1/events/catalog',
    {
      config: { auth: routeAuth.public() },
      schema: { tags: ['events'], summary: 'List every data event type', response: { 200: Type.Object({ items: Type.Array(Summary) }) } },
    },
    async () => ({ items: sorted.map(summary) }),
  );

  app.get(
    '/lastro/v1/events/catalog/:domain/:event_type/:version',
    {
      config: { auth: routeAuth.public() },
      schema: {
        tags: ['events'],
        summary: "An event type's JSON Schema (draft-07) and example",
        params: Type.Object({ domain: Type.String(), event_type: Type.String(), version: Type.Integer({ minimum: 1 }) }),
        response: {
          200: Type.Object({
            ...Summary.properties,
            schema: Type.Record(Type.String(), Type.Unknown()),
            example: Type.Unknown(),
            envelope_example: Type.Record(Type.String(), Type.Unknown()),
          }),
        },
      },
    },
    async (req) => {
      const { domain, event_type, version } = req.params;
      const def = sorted.find((d) => d.domain === domain && d.eventType === event_type && d.version === version);
      if (!def) throw new AppError(404, 'EVENT_TYPE_NOT_FOUND', `No event type ${domain}/${event_type} version ${version}`);
      return {
        ...summary(def),
        schema: publishedSchema(def),
        example: def.example,
        envelope_example: {
          event_id: '252212bf-cde2-43f9-b28f-33ea2b452b32',
          domain: def.domain,
          event_type: def.eventType,
          schema_version: def.version,
          org_id: 'TN-a1db4e4e-315f-4a67-9036-ecacd370b561',
          cid: '8a3f650b-c80c-451f-993d-7368dba4c715',
          timestamp: '2026-11-23T12:00:00.000Z',
          data: def.example,
        },
      };
    },
  );
}
