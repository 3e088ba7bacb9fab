// The event catalog: every data event type, with its JSON Schema (draft-07) and an example.
// Public, as Pismo's event reference is: it describes types, never an org's events.
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { AppError } from '../../platform/errors.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { publishedSchema } from '../../platform/outbox.js';
import { callerOf } from '../../platform/auth/guard.js';
import { latestPosition, readAfter, type OutboxRow, type Position } from './events.repo.js';

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
      if (!def) throw new AppError('not_found', 'EVENT_TYPE_NOT_FOUND', `No event type ${domain}/${event_type} version ${version}`);
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

export const toEnvelope = (r: OutboxRow) => ({
  event_id: r.event_id,
  domain: r.domain,
  event_type: r.event_type,
  schema_version: r.schema_version,
  org_id: r.org_id,
  ...(r.cid ? { cid: r.cid } : {}),
  timestamp: r.occurred_at.toISOString(),
  ...(r.business_date ? { business_date: r.business_date } : {}),
  data: r.data,
});

const badCursor = () => new AppError('invalid', 'INVALID_CURSOR', 'cursor is not one this API returned; pass next_cursor back exactly');

export const encodeCursor = (p: Position): string => Buffer.from(`${p.txId}.${p.seq}`).toString('base64url');

export function decodeCursor(cursor: string): Position {
  const m = /^(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badCursor();
  return { txId: m[1]!, seq: BigInt(m[2]!) };
}

export function replayRoutes(app: HttpApp, platform: Platform): void {
  app.get(
    '/lastro/v1/events',
    {
      config: { auth: routeAuth.tenant('events') },
      schema: {
        tags: ['events'],
        summary: "Replay the org's events in order, from a cursor",
        description:
          'Events of committed transactions only, in a stable order that a late-committing transaction cannot be skipped ' +
          'in: an event becomes visible once every transaction older than its own has finished. Poll with next_cursor.',
        querystring: Type.Object({
          after: Type.Optional(Type.String({ description: 'next_cursor from a previous page; omit to start from the oldest event.' })),
          domain: Type.Optional(Type.String()),
          event_type: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Envelope),
            next_cursor: Type.Optional(Type.String({ description: 'Opaque; pass back exactly as received.' })),
            has_next: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      const { orgId } = callerOf(req);
      const after = req.query.after ? decodeCursor(req.query.after) : undefined;
      const limit = req.query.limit ?? 100;
      const rows = await platform.db.transaction(
        (tx) => readAfter(tx, orgId, after, { domain: req.query.domain, eventType: req.query.event_type }, limit + 1),
        { orgId },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toEnvelope),
        // With no new event, the caller keeps its cursor: the answer repeats it.
        ...(last ? { next_cursor: encodeCursor({ txId: last.tx_id, seq: last.seq }) } : req.query.after ? { next_cursor: req.query.after } : {}),
        has_next: rows.length > limit,
      };
    },
  );
}

const STREAM_POLL_MS = 250;
const STREAM_HEARTBEAT_MS = 15_000;

/**
 * GET /lastro/v1/events/stream: the org's events as server-sent events, live. Each message's
 * `id` is a replay cursor, so a client that reconnects with Last-Event-ID (or ?after=) resumes
 * exactly where it stopped. Same order and guarantees as GET /lastro/v1/events.
 */
export function streamRoutes(app: HttpApp, platform: Platform): void {
  const open = new Set<() => void>();
  // Streams never finish by themselves: end them when the server starts draining.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(
    '/lastro/v1/events/stream',
    {
      config: { auth: routeAuth.tenant('events') },
      schema: {
        tags: ['events'],
        summary: "The org's events, live, as server-sent events (resumable)",
        description:
          'text/event-stream. Each message: `id` (a cursor), `event` (the event type) and `data` (the envelope, JSON). ' +
          'Reconnect with the Last-Event-ID header or ?after= to resume. A comment line is sent every 15 s.',
        querystring: Type.Object({
          after: Type.Optional(Type.String({ description: 'Start after this cursor; omit for events from now on.' })),
          domain: Type.Optional(Type.String()),
          event_type: Type.Optional(Type.String()),
        }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String()) }),
      },
    },
    async (req, reply) => {
      const { orgId } = callerOf(req);
      const filter = { domain: req.query.domain, eventType: req.query.event_type };
      const resumeFrom = req.headers['last-event-id'] ?? req.query.after;
      let cursor: Position | undefined = resumeFrom ? decodeCursor(resumeFrom) : undefined;
      // Without a cursor: events from now on.
      cursor ??= await platform.db.transaction((tx) => latestPosition(tx, orgId), { orgId });

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-cid': req.id,
      });
      res.write(': connected\n\n');

      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        open.delete(end);
        res.end();
      };
      open.add(end);
      req.raw.on('close', end);

      let lastWrite = performance.now();
      while (!ended) {
        try {
          const rows = await platform.db.transaction((tx) => readAfter(tx, orgId, cursor, filter, 500), { orgId });
          for (const r of rows) {
            cursor = { txId: r.tx_id, seq: r.seq };
            res.write(`id: ${encodeCursor(cursor)}\nevent: ${r.event_type}\ndata: ${JSON.stringify(toEnvelope(r))}\n\n`);
            lastWrite = performance.now();
          }
          if (rows.length === 500) continue; // more waiting: no pause
        } catch (err) {
          req.log.error({ err }, 'event stream read failed');
          end();
          break;
        }
        if (performance.now() - lastWrite > STREAM_HEARTBEAT_MS) {
          res.write(': heartbeat\n\n');
          lastWrite = performance.now();
        }
        await new Promise((r) => setTimeout(r, STREAM_POLL_MS));
      }
    },
  );
}
