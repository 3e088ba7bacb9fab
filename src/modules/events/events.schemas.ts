// Request and response schemas of the event catalog, replay and stream.
import { Type } from 'typebox';

export const CatalogSummary = Type.Object({
  domain: Type.String(),
  event_type: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
});

export const CatalogParams = Type.Object({ domain: Type.String(), event_type: Type.String(), version: Type.Integer({ minimum: 1 }) });

export const CatalogEntry = Type.Object({
  ...CatalogSummary.properties,
  schema: Type.Record(Type.String(), Type.Unknown()),
  example: Type.Unknown(),
  envelope_example: Type.Record(Type.String(), Type.Unknown()),
});

/** The envelope, as Pismo delivers events. */
export const Envelope = Type.Object(
  {
    event_id: Type.String({ description: 'Unique id: the consumer\'s dedupe key.' }),
    domain: Type.String(),
    event_type: Type.String(),
    schema_version: Type.Integer(),
    org_id: Type.String(),
    cid: Type.Optional(Type.String({ description: 'x-cid of the request that caused the event.' })),
    timestamp: Type.String({ format: 'date-time' }),
    business_date: Type.Optional(
      Type.String({ format: 'date', description: 'Lastro: the business day the event belongs to (events emitted while closing a day).' }),
    ),
    data: Type.Unknown(),
  },
  { title: 'Event' },
);

export const ReplayQuery = Type.Object({
  after: Type.Optional(Type.String({ description: 'next_cursor from a previous page; omit to start from the oldest event.' })),
  domain: Type.Optional(Type.String()),
  event_type: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const ReplayPage = Type.Object({
  items: Type.Array(Envelope),
  next_cursor: Type.Optional(Type.String({ description: 'Opaque; pass back exactly as received.' })),
  has_next: Type.Boolean(),
});

export const StreamQuery = Type.Object({
  after: Type.Optional(Type.String({ description: 'Start after this cursor; omit for events from now on.' })),
  domain: Type.Optional(Type.String()),
  event_type: Type.Optional(Type.String()),
});

export const StreamHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.String()) });
