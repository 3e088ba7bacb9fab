// The HTTP app: Fastify with TypeBox schemas, one error body, correlation ids, metrics, the
// generated OpenAPI document and its reference page. Modules add routes; nothing here knows them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, errorCodes, type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import ajvFormats from 'ajv-formats';

type AjvPlugin = (ajv: unknown, options?: unknown) => unknown;
import { AppError, PlatformErrors } from '../errors.js';
import { isValidCid } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { HttpApp, LastroModule, Platform } from '../module.js';
import { amountKeyword, amountsInOpenApi } from './amount.js';
import { ErrorBody, inexactNumberIssues, statusOf, toAppError, type ErrorStatusOverrides } from './errors.js';
import { healthRoutes } from './health.js';
import { docsRoutes } from './docs.js';
import { FORMATS } from './formats.js';
import { parseJsonBody } from './json-body.js';
import { installGuard, routeAuth } from '../auth/guard.js';
import { readFileSync } from 'node:fs';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Statuses this route answers instead of its error kinds' usual ones (Pismo's documented answers). */
    errorStatus?: ErrorStatusOverrides;
  }
}

export const API_VERSION = '0.1.0';

const METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Probes and scrapes would drown the request log.
const QUIET_ROUTES = new Set(['/health', '/ready', '/metrics']);

export interface ServerDeps {
  platform: Platform;
  metrics: Metrics;
  modules: LastroModule[];
  /** The pino logger requests log through (with `cid` bound per request). */
  logger: Logger;
}

export async function buildServer(deps: ServerDeps): Promise<HttpApp> {
  const { platform, metrics } = deps;
  const { config } = platform;

  // HTTPS when TLS_CERT/TLS_KEY are set; with TLS_CLIENT_CA, mutual TLS: the handshake fails for
  // a client without a certificate signed by that CA.
  const https = config.tlsCert
    ? {
        cert: readFileSync(config.tlsCert),
        key: readFileSync(config.tlsKey!),
        ...(config.tlsClientCa ? { ca: readFileSync(config.tlsClientCa), requestCert: true, rejectUnauthorized: true } : {}),
      }
    : null;

  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(https ? ({ https } as object) : {}),
    loggerInstance: deps.logger,
    // One "request completed" line per request is written by our onResponse hook instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'cid' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-cid'];
      return typeof given === 'string' && isValidCid(given) ? given : randomUUID();
    },
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    ajv: {
      // verbose: errors carry the offending value, so a number kept as text (a LosslessNumber)
      // in a number or integer field is reported as such, not as "must be number".
      customOptions: { allErrors: true, coerceTypes: 'array', useDefaults: true, removeAdditional: false, formats: FORMATS, verbose: true },
      plugins: [ajvFormats as unknown as AjvPlugin as never, amountKeyword as unknown as AjvPlugin as never],
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: text/plain and other bodies are 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');

  // JSON bodies keep each number's exact text (json-body.ts). Otherwise as Fastify's own parser:
  // the same body limit, the same errors for an empty or malformed body, `__proto__` refused.
  const withInexactNumbers = new WeakSet<FastifyRequest>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    try {
      const parsed = parseJsonBody(body as string);
      if (parsed.inexact) withInexactNumbers.add(request);
      done(null, parsed.value);
    } catch {
      done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
    }
  });
  // After validation, a number still kept as text sits where no schema read it (a free-form
  // object, a route without a body schema): the handler would get an object, or round it. 400.
  // A route validating for itself (attachValidation) sees its own error first.
  app.addHook('preHandler', async (request) => {
    if (!withInexactNumbers.has(request) || request.validationError) return;
    const issues = inexactNumberIssues(request.body);
    if (issues.length) throw PlatformErrors.validation(issues);
  });

  // A second router holding every route, to tell 405 (path exists, other method) from 404.
  const known = FindMyWay();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (METHODS.includes(m as HTTPMethod) && !known.hasRoute(m as HTTPMethod, route.url)) {
        known.on(m as HTTPMethod, route.url, () => {});
      }
    }
    // Every documented route answers errors in the one error body.
    if (route.schema && !route.schema.hide) {
      const response = (route.schema.response ?? {}) as Record<string, unknown>;
      route.schema.response = { '4xx': ErrorBody, '5xx': ErrorBody, ...response };
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-cid', request.id);
  });

  // While draining, answers to in-flight requests close their keep-alive connection, so the
  // server can finish closing instead of waiting for clients to hang up.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (!QUIET_ROUTES.has(route)) {
      request.log.info(
        { method: request.method, route, path: pathOf(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request completed',
      );
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err, config.bodyLimit, request.headers['content-type']);
    if (appErr.kind === 'internal' || appErr.kind === 'unavailable') request.log.error({ err }, 'request failed');
    sendError(request, reply, appErr);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const allowed = METHODS.filter((m) => m !== request.method && known.find(m, path));
    const err = allowed.length
      ? PlatformErrors.methodNotAllowed(request.method, allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed)
      : PlatformErrors.notFound();
    sendError(request, reply, err);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lastro API',
        version: API_VERSION,
        description:
          'Lastro is an open-source processing platform for banking and payments. Its public API follows ' +
          "Pismo's published OpenAPI files; Lastro-only features live under /lastro/v1.",
        license: { name: 'Apache-2.0' },
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    // Amount fields have no `type` for Ajv (amount.ts); the document shows the one Pismo declares.
    transformObject: (doc) => ('openapiObject' in doc ? amountsInOpenApi(doc.openapiObject) : doc.swaggerObject),
  });

  await installGuard(app, {
    tokens: platform.auth.tokens,
    subjects: platform.auth.subjects,
    groups: platform.auth.groups,
    adminToken: config.adminToken,
    rateLimitOrgPerMinute: config.rateLimitOrg,
    rateLimitCredentialPerMinute: config.rateLimitCredential,
  });

  await app.register(healthRoutes, { platform, metrics });
  for (const mod of deps.modules) {
    if (mod.routes) await app.register(async (scope) => mod.routes!(scope, platform));
  }

  app.get('/openapi.json', { schema: { hide: true }, config: { auth: routeAuth.public() } }, async () => app.swagger());
  docsRoutes(app);

  return app;
}

function sendError(request: FastifyRequest, reply: { status: (n: number) => unknown; headers: (h: Record<string, string>) => unknown; send: (b: unknown) => unknown }, err: AppError): void {
  if (err.headers) reply.headers(err.headers);
  reply.status(statusOf(err, request.routeOptions.config?.errorStatus));
  const body: Record<string, unknown> = { ...err.extra, code: err.code, message: err.message };
  if (err.details !== undefined) body.details = err.details;
  body.cid = request.id;
  reply.send(body);
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}
