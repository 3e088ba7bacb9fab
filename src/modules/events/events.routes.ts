// The event catalog (public, as Pismo's event reference is: it describes types, never an org's
// events), replay of the org's events and their live stream.
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { tenantScope } from '../../platform/http/context.js';
import type { HttpApp } from '../../platform/module.js';
import type { TenantRunner } from '../../platform/tenant.js';
import { CatalogEntry, CatalogParams, CatalogSummary, ReplayPage, ReplayQuery, StreamHeaders, StreamQuery } from './events.schemas.js';
import type { EventsService } from './events.service.js';

export function eventsRoutes(app: HttpApp, events: EventsService): void {
  app.get(
    '/lastro/v1/events/catalog',
    {
      config: { auth: routeAuth.public() },
      schema: { tags: ['events'], summary: 'List every data event type', response: { 200: Type.Object({ items: Type.Array(CatalogSummary) }) } },
    },
    async () => events.catalog(),
  );

  app.get(
    '/lastro/v1/events/catalog/:domain/:event_type/:version',
    {
      config: { auth: routeAuth.public() },
      schema: {
        tags: ['events'],
        summary: "An event type's JSON Schema (draft-07) and example",
        params: CatalogParams,
        response: { 200: CatalogEntry },
      },
    },
    async (req) => events.catalogEntry(req.params.domain, req.params.event_type, req.params.version),
  );
}

export function replayRoutes(app: HttpApp, tenant: TenantRunner, events: EventsService): void {
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
        querystring: ReplayQuery,
        response: { 200: ReplayPage },
      },
    },
    async (req) => tenant(tenantScope(req), (t) => events.replay(t, req.query)),
  );
}

const STREAM_POLL_MS = 250;
const STREAM_HEARTBEAT_MS = 15_000;

/**
 * GET /lastro/v1/events/stream: the org's events as server-sent events, live. Each message's
 * `id` is a replay cursor, so a client that reconnects with Last-Event-ID (or ?after=) resumes
 * exactly where it stopped. Same order and guarantees as GET /lastro/v1/events. Each poll reads
 * in a tenant transaction of its own: one held for the stream's life would pin a connection
 * (PGlite has one) and the snapshot every reader's order depends on.
 */
export function streamRoutes(app: HttpApp, tenant: TenantRunner, events: EventsService): void {
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
        querystring: StreamQuery,
        headers: StreamHeaders,
      },
    },
    async (req, reply) => {
      const scope = tenantScope(req);
      const query = { domain: req.query.domain, event_type: req.query.event_type };
      // Without a cursor: events from now on.
      let position = await tenant(scope, (t) => events.streamStart(t, req.headers['last-event-id'] ?? req.query.after));

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
          const batch = await tenant(scope, (t) => events.streamNext(t, position, query));
          for (const e of batch.items) res.write(`id: ${e.cursor}\nevent: ${e.event_type}\ndata: ${JSON.stringify(e.envelope)}\n\n`);
          if (batch.items.length) lastWrite = performance.now();
          position = batch.position;
          if (batch.more) continue; // more waiting: no pause
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
