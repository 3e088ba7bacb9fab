// Lastro-only routes: event subscriptions, their webhook delivery log, and batch event files.
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import { idempotencyHeaders } from '../../platform/http/headers.js';
import type { HttpApp } from '../../platform/module.js';
import type { TenantRunner } from '../../platform/tenant.js';
import type { DeliveriesService } from './deliveries.service.js';
import {
  CreateSubscriptionBody,
  Delivery,
  DeliveryDetail,
  DeliveryQuery,
  EventFile,
  EventFileQuery,
  ListQuery,
  NewSubscription,
  PatchSubscriptionBody,
  Subscription,
  pageOf,
} from './subscriptions.schemas.js';
import type { SubscriptionsService } from './subscriptions.service.js';

const auth = { auth: routeAuth.tenant('events') };
const tags = ['event delivery'];
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const DeliveryParams = Type.Object({ id: Type.String({ format: 'uuid' }), delivery_id: Type.String({ format: 'uuid' }) });
const IdempotencyHeaders = idempotencyHeaders('The same key and body replay the first answer (with the secret) for 24 h.');

export function subscriptionRoutes(
  app: HttpApp,
  deps: { tenant: TenantRunner; subscriptions: SubscriptionsService; deliveries: DeliveriesService },
): void {
  const { tenant, subscriptions: subs, deliveries } = deps;
  const base = '/lastro/v1/event-subscriptions';

  app.post(
    base,
    {
      config: auth,
      schema: {
        tags,
        summary: 'Subscribe to events: a filter and one sink (webhook, NATS JetStream or batch files)',
        description:
          'Delivery is at least once, from the subscription\'s cursor, deduplicated by event_id. Webhook sinks answer with ' +
          'their signing secret (whsec_…, Standard Webhooks), shown only here.',
        headers: IdempotencyHeaders,
        body: CreateSubscriptionBody,
        response: { 201: NewSubscription },
      },
    },
    async (req, reply) => {
      const { idempotencyKey } = requestContext(req);
      const created = await tenant(tenantScope(req), (t) => subs.create(t, req.body, { idempotencyKey }));
      return reply.code(201).send(created);
    },
  );

  app.get(
    base,
    { config: auth, schema: { tags, summary: "The org's event subscriptions", querystring: ListQuery, response: { 200: pageOf(Subscription) } } },
    async (req) => tenant(tenantScope(req), (t) => subs.list(t, req.query)),
  );

  app.get(
    `${base}/:id`,
    { config: auth, schema: { tags, summary: 'One event subscription', params: Id, response: { 200: Subscription } } },
    async (req) => tenant(tenantScope(req), (t) => subs.get(t, req.params.id)),
  );

  app.patch(
    `${base}/:id`,
    {
      config: auth,
      schema: {
        tags,
        summary: 'Change a subscription: description, filter, sink settings; disable or re-enable it',
        params: Id,
        body: PatchSubscriptionBody,
        response: { 200: Subscription },
      },
    },
    async (req) => tenant(tenantScope(req), (t) => subs.patch(t, req.params.id, req.body)),
  );

  app.delete(
    `${base}/:id`,
    {
      config: auth,
      schema: { tags, summary: 'Delete a subscription, its delivery log and its batch files', params: Id, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const removed = await tenant(tenantScope(req), (t) => subs.remove(t, req.params.id));
      await deliveries.discardFiles(removed);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${base}/:id/rotate-secret`,
    {
      config: auth,
      schema: {
        tags,
        summary: "Replace a webhook subscription's signing secret (the new one is shown once)",
        description:
          'Until previous_secret_valid_until (grace_seconds, default 86400) each delivery carries two signatures in ' +
          'webhook-signature, one per secret, so receivers can switch to the new secret without missing a request.',
        params: Id,
        body: Type.Optional(Type.Object({ grace_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86400 })) }, { additionalProperties: false })),
        response: { 200: Type.Object({ secret: Type.String(), previous_secret_valid_until: Type.String({ format: 'date-time' }) }) },
      },
    },
    async (req) => tenant(tenantScope(req), (t) => subs.rotateSecret(t, req.params.id, req.body?.grace_seconds ?? 86400)),
  );

  app.get(
    `${base}/:id/deliveries`,
    {
      config: auth,
      schema: {
        tags,
        summary: "A webhook subscription's deliveries, newest event first",
        params: Id,
        querystring: DeliveryQuery,
        response: { 200: pageOf(Delivery) },
      },
    },
    async (req) => tenant(tenantScope(req), (t) => deliveries.deliveries(t, req.params.id, req.query)),
  );

  app.get(
    `${base}/:id/deliveries/:delivery_id`,
    {
      config: auth,
      schema: { tags, summary: 'One delivery with every attempt (status, error, duration, answer)', params: DeliveryParams, response: { 200: DeliveryDetail } },
    },
    async (req) => tenant(tenantScope(req), (t) => deliveries.delivery(t, req.params.id, req.params.delivery_id)),
  );

  app.post(
    `${base}/:id/deliveries/:delivery_id/redeliver`,
    {
      config: auth,
      schema: {
        tags,
        summary: 'Send a delivery again now (a failed or succeeded one), with a fresh retry window',
        params: DeliveryParams,
        response: { 202: DeliveryDetail },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await tenant(tenantScope(req), (t) => deliveries.redeliver(t, req.params.id, req.params.delivery_id))),
  );

  app.post(
    `${base}/:id/redeliver-failed`,
    {
      config: auth,
      schema: {
        tags,
        summary: 'Send every dead-lettered (failed) delivery of the subscription again',
        params: Id,
        response: { 202: Type.Object({ redelivered: Type.Integer() }) },
      },
    },
    async (req, reply) => reply.code(202).send(await tenant(tenantScope(req), (t) => deliveries.redeliverFailed(t, req.params.id))),
  );

  app.get(
    '/lastro/v1/event-files',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Batch event files (gzip NDJSON) with their manifests, oldest first',
        querystring: EventFileQuery,
        response: { 200: pageOf(EventFile) },
      },
    },
    async (req) => tenant(tenantScope(req), (t) => deliveries.files(t, req.query)),
  );

  app.get(
    '/lastro/v1/event-files/:id',
    { config: auth, schema: { tags, summary: "One batch file's manifest", params: Id, response: { 200: EventFile } } },
    async (req) => tenant(tenantScope(req), (t) => deliveries.file(t, req.params.id)),
  );

  app.get(
    '/lastro/v1/event-files/:id/content',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Download a batch file: gzip NDJSON, one event envelope per line',
        description: 'application/gzip. The x-content-sha256 header and the manifest carry the SHA-256 of these bytes.',
        params: Id,
      },
    },
    async (req, reply) => {
      const { manifest, bytes, open } = await tenant(tenantScope(req), (t) => deliveries.fileContent(t, req.params.id));
      return reply
        .header('content-type', 'application/gzip')
        .header('content-length', bytes)
        .header('content-disposition', `attachment; filename="${manifest.name}"`)
        .header('x-content-sha256', manifest.sha256)
        .send(open());
    },
  );
}
