// Request and response shapes of the event subscription API (Lastro-only).
import { Type, type Static } from 'typebox';
import { Envelope } from './events.schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9_.-]*$' });

export const Filter = Type.Object(
  {
    domains: Type.Optional(Type.Array(Name, { maxItems: 50, uniqueItems: true, description: 'Only events of these domains; empty or absent: every domain.' })),
    event_types: Type.Optional(
      Type.Array(Name, { maxItems: 100, uniqueItems: true, description: 'Only events of these types; empty or absent: every type.' }),
    ),
  },
  { additionalProperties: false },
);

export const WebhookSinkInput = Type.Object(
  {
    type: Type.Literal('webhook'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL that receives each event as a signed POST.' }),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000, description: 'Time the endpoint has to answer. Default LASTRO_WEBHOOK_TIMEOUT_MS.' })),
  },
  { additionalProperties: false, title: 'WebhookSink' },
);

export const NatsSinkInput = Type.Object(
  { type: Type.Literal('nats') },
  {
    additionalProperties: false,
    title: 'NatsSink',
    description: 'Publishes to NATS JetStream (NATS_URL): subject lastro.<org_id>.<domain>.<event_type>, Nats-Msg-Id = event_id.',
  },
);

export const FileSinkInput = Type.Object(
  {
    type: Type.Literal('file'),
    roll_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400, description: 'Close a file this long after its first event. Default LASTRO_EVENT_FILE_ROLL_SECONDS (300).' })),
    roll_bytes: Type.Optional(
      Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024, description: 'Close a file at this much NDJSON (before gzip). Default LASTRO_EVENT_FILE_ROLL_BYTES (10 MiB).' }),
    ),
  },
  { additionalProperties: false, title: 'FileSink', description: 'gzip NDJSON batch files with manifests, listed at /lastro/v1/event-files.' },
);

export const SinkInput = Type.Union([WebhookSinkInput, NatsSinkInput, FileSinkInput]);
export type SinkInput = Static<typeof SinkInput>;

export const CreateSubscriptionBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 200 })),
    filter: Type.Optional(Filter),
    sink: SinkInput,
    start_after: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Where delivery starts: a cursor from GET /lastro/v1/events, or `earliest` for every stored event. Default: events from now on.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateSubscriptionBody = Static<typeof CreateSubscriptionBody>;

export const PatchSubscriptionBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 200 })),
    filter: Type.Optional(Filter),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')], { description: '`active` re-enables a disabled subscription; delivery resumes where it stopped.' })),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'webhook sinks: a new URL.' })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000, description: 'webhook sinks.' })),
    roll_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400, description: 'file sinks.' })),
    roll_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024, description: 'file sinks.' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchSubscriptionBody = Static<typeof PatchSubscriptionBody>;

export const SinkOutput = Type.Object({
  type: Type.Union([Type.Literal('webhook'), Type.Literal('nats'), Type.Literal('file')]),
  url: Type.Optional(Type.String()),
  timeout_ms: Type.Optional(Type.Integer()),
  roll_seconds: Type.Optional(Type.Integer()),
  roll_bytes: Type.Optional(Type.Integer()),
  subject_prefix: Type.Optional(Type.String({ description: 'nats sinks: subjects are <subject_prefix>.<domain>.<event_type>.' })),
});

export const Subscription = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    description: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    disabled_reason: Type.Optional(Type.String()),
    filter: Type.Object({ domains: Type.Array(Type.String()), event_types: Type.Array(Type.String()) }),
    sink: SinkOutput,
    position: Type.Optional(Type.String({ description: 'Cursor of the last event the sink has taken (same form as the replay API).' })),
    consecutive_failures: Type.Integer({ description: 'webhook sinks: failed attempts since the last success.' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'EventSubscription' },
);
export type Subscription = Static<typeof Subscription>;

export const NewSubscription = Type.Object(
  {
    ...Subscription.properties,
    secret: Type.Optional(Type.String({ description: 'webhook sinks: the signing secret (whsec_…). Shown once.' })),
  },
  { title: 'NewEventSubscription' },
);

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  after: Type.Optional(Type.String({ description: 'next_cursor of the previous page.' })),
});

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  started_at: Type.String({ format: 'date-time' }),
  duration_ms: Type.Integer(),
  status_code: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  response_body: Type.Optional(Type.String({ description: 'The first KiB of the answer.' })),
});

export const Delivery = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    subscription_id: Type.String({ format: 'uuid' }),
    event_id: Type.String({ format: 'uuid' }),
    event_type: Type.Optional(Type.String()),
    status: DeliveryStatus,
    attempts: Type.Integer(),
    next_attempt_at: Type.Optional(Type.String({ format: 'date-time' })),
    last_status_code: Type.Optional(Type.Integer()),
    last_error: Type.Optional(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'EventDelivery' },
);

export const DeliveryDetail = Type.Object(
  { ...Delivery.properties, attempt_log: Type.Array(Attempt), event: Type.Optional(Envelope) },
  { title: 'EventDeliveryDetail' },
);

export const DeliveryQuery = Type.Object({
  status: Type.Optional(DeliveryStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  after: Type.Optional(Type.String({ description: 'next_cursor of the previous page (newest first).' })),
});

export const EventFile = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    subscription_id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    count: Type.Integer(),
    bytes: Type.Integer(),
    sha256: Type.String(),
    first_event_id: Type.String({ format: 'uuid' }),
    last_event_id: Type.String({ format: 'uuid' }),
    first_timestamp: Type.String({ format: 'date-time' }),
    last_timestamp: Type.String({ format: 'date-time' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'EventFile', description: 'The manifest of one gzip NDJSON batch file.' },
);
export type EventFile = Static<typeof EventFile>;

export const EventFileQuery = Type.Object({
  subscription_id: Type.Optional(Type.String({ format: 'uuid' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  after: Type.Optional(Type.String({ description: 'next_cursor of the previous page (oldest first).' })),
});

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Optional(Type.String()),
    has_next: Type.Boolean(),
  });
