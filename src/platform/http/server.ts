// The HTTP app: Fastify with TypeBox schemas, one error body, correlation ids, metrics, the
// generated OpenAPI document and its reference page. Modules add routes; nothing here knows them.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  LogController,
  errorCodes,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
  type FastifySchemaCompiler,
  type FastifyServerOptions,
} from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, PlatformErrors } from '../errors.js';
import { isValidCid } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { HttpApp, LastroModule, Platform } from '../module.js';
import { amountsInOpenApi } from './amount.js';
import { ErrorBody, STATUS_OF_KIND, inexactNumberIssues, pointerIssues, statusOf, toAppError, type ErrorStatusOverrides } from './errors.js';
import { healthRoutes } from './health.js';
import { docsRoutes } from './docs.js';
import { parseJsonBody } from './json-body.js';
import { BAD_PERCENT_ENCODING, MAX_URL_LENGTH, checkUrl, uriTooLong } from './url.js';
import { lazySerializers } from './serialization.js';
import { lazyRequestLogger } from './request-logger.js';
import { requestValidatorCompiler } from './validation.js';
import { installGuard, routeAuth } from '../auth/guard.js';
import { readFileSync } from 'node:fs';
import { API_VERSION } from '../version.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Statuses this route answers instead of its error kinds' usual ones (Pismo's documented answers). */
    errorStatus?: ErrorStatusOverrides;
    /**
     * How this route words a request the platform refused before its handler ran (a body that does
     * not parse, text that cannot be stored, a failed validation, a bad URL): RFC 6749's token
     * endpoint answers them as `invalid_request`. The refusal's message and details are given.
     */
    refusedRequest?: (err: AppError) => AppError;
  }
}

const METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** The platform's codes for a request refused before its handler ran (see `refusedRequest`). */
const REFUSALS = new Set(['VALIDATION_ERROR', 'MALFORMED_JSON', 'INVALID_CONTENT_LENGTH', 'BAD_REQUEST']);
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

  const validators = requestValidatorCompiler();
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(https ? ({ https } as object) : {}),
    loggerInstance: deps.logger,
    // One "request completed" line per request is written by our onResponse hook instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'cid' }),
    requestIdHeader: false,
    childLoggerFactory: lazyRequestLogger,
    genReqId: (req) => {
      const given = req.headers['x-cid'];
      return typeof given === 'string' && isValidCid(given) ? given : randomUUID();
    },
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    // Lastro's own validator compiler, given here (not only through setValidatorCompiler) so that
    // Fastify never builds its default one: loading @fastify/ajv-compiler (and Ajv's JTD) was
    // some 15 ms of every start.
    schemaController: { compilersFactory: { buildValidator: validatorFactory(validators), buildSerializer: lazySerializers() } },
    // Errors Fastify meets before a route runs (a path that does not decode, a parameter past
    // the router's length limit) and those Node's parser meets before Fastify (a header block too
    // large, a malformed Content-Length) are answered in the one error body too, with a cid.
    frameworkErrors: (err, request, reply) => {
      const appErr = frameworkError(err);
      // No route ran, so no "request completed" line: this one lets the operator find it by cid.
      request.log.info({ method: request.method, status: STATUS_OF_KIND[appErr.kind], code: appErr.code }, 'client error');
      reply.header('x-cid', request.id);
      sendError(request, reply, appErr);
    },
    clientErrorHandler: (err, socket) => answerClientError(err as unknown as ParserError, socket, deps.logger),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated without type coercion, the path, query string and headers with it
  // (validation.ts).
  app.setValidatorCompiler(validators);

  // JSON only: text/plain and other bodies are 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');

  // JSON bodies keep each number's exact text (json-body.ts). Otherwise as Fastify's own parser:
  // the same body limit, the same error for a malformed body, `__proto__` refused. A zero-length
  // body is no body, whatever the content type says: the route's body validator accepts that when
  // its body is optional and names `body` as required otherwise (validation.ts).
  // The bytes are decoded here, not by Fastify: bytes that are not UTF-8 are refused naming the
  // field, where a decoder would silently have made them U+FFFD. So are a NUL and a lone surrogate.
  const withInexactNumbers = new WeakSet<FastifyRequest>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    let parsed: ReturnType<typeof parseJsonBody>;
    try {
      parsed = parseJsonBody(body);
    } catch {
      return done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
    }
    if (parsed.unstorable.length) return done(PlatformErrors.validation(pointerIssues('body', parsed.unstorable)), undefined);
    if (parsed.inexact) withInexactNumbers.add(request);
    done(null, parsed.value);
  });
  // After validation, a number still kept as text sits where no schema read it (a free-form
  // object, a route without a body schema): the handler would get an object, or round it. 400.
  // A route validating for itself (attachValidation) sees its own error first.
  // The hooks that run on every request take Fastify's callback, not a promise: an async hook
  // costs each request a promise and a microtask turn more.
  app.addHook('preHandler', (request, _reply, done) => {
    if (!withInexactNumbers.has(request) || request.validationError) return done();
    const issues = inexactNumberIssues(request.body);
    done(issues.length ? PlatformErrors.validation(issues) : undefined);
  });

  // A second router holding every route, to tell 405 (path exists, other method) from 404. It is
  // built on the first unknown request, not at start-up (compiling ~200 routes twice is start-up time).
  const declared: { method: HTTPMethod; url: string }[] = [];
  let known: ReturnType<typeof FindMyWay> | undefined;
  const knownRoutes = () => {
    if (!known) {
      known = FindMyWay();
      for (const r of declared) if (!known.hasRoute(r.method, r.url)) known.on(r.method, r.url, () => {});
    }
    return known;
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (METHODS.includes(m as HTTPMethod)) declared.push({ method: m as HTTPMethod, url: route.url });
    }
    known = undefined;
    // Every documented route answers errors in the one error body.
    if (route.schema && !route.schema.hide) {
      const response = (route.schema.response ?? {}) as Record<string, unknown>;
      route.schema.response = { '4xx': ErrorBody, '5xx': ErrorBody, ...response };
    }
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-cid', request.id);
    // Before authentication: a URL too long, or a parameter holding text no query may carry.
    try {
      checkUrl(request);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });

  // While draining, answers to in-flight requests close their keep-alive connection, so the
  // server can finish closing instead of waiting for clients to hang up.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (!QUIET_ROUTES.has(route) && deps.logger.isLevelEnabled('info')) {
      request.log.info(
        { method: request.method, route, path: pathOf(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request completed',
      );
    }
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    let appErr = toAppError(err, config.bodyLimit, request.headers['content-type']);
    const reword = request.routeOptions.config?.refusedRequest;
    if (reword && REFUSALS.has(appErr.code)) appErr = reword(appErr);
    if (appErr.kind === 'internal' || appErr.kind === 'unavailable') request.log.error({ err }, 'request failed');
    sendError(request, reply, appErr);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const routes = knownRoutes();
    const allowed = METHODS.filter((m) => m !== request.method && routes.find(m, path));
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

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;

/** `compiler` as a validator factory (typed after @fastify/ajv-compiler's, which it replaces). */
const validatorFactory = (compiler: FastifySchemaCompiler<FastifySchema>): ValidatorFactory => (() => compiler) as unknown as ValidatorFactory;

/** An error Fastify raised before routing, as the AppError it means. */
function frameworkError(err: FastifyError): AppError {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      // The router cannot tell which parameter held it: the path as a whole is named.
      return PlatformErrors.validation([{ field: 'path', reason: BAD_PERCENT_ENCODING }]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('uri_too_long', 'URI_TOO_LONG', 'A path parameter is longer than the limit of 100 characters');
    default:
      return toAppError(err, 0);
  }
}

/** An error of Node's HTTP parser: `rawPacket` is the data it was reading when it failed. */
type ParserError = Error & { code?: string; rawPacket?: Buffer };

/** Node's HTTP parser errors (before any request exists), as the AppError each means. */
function clientError(err: ParserError): AppError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      // A request line past the URL limit is a URL too long; anything else, headers too large.
      return isRequestLine(err.rawPacket)
        ? uriTooLong()
        : new AppError('header_too_large', 'HEADER_TOO_LARGE', 'The request headers are larger than the limit of 16384 bytes');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new AppError('invalid', 'INVALID_CONTENT_LENGTH', 'The Content-Length header is not valid');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      // Node's headersTimeout (60 s): a client that never finishes its headers.
      return new AppError('timeout', 'REQUEST_TIMEOUT', 'The request was not received in time');
    default:
      return new AppError('invalid', 'BAD_REQUEST', 'The request is not valid HTTP');
  }
}

const REQUEST_LINE_START = /^[A-Z]+ /;

/** Whether the data the parser failed on starts with a request line longer than a URL may be. */
function isRequestLine(packet: Buffer | undefined): boolean {
  if (!packet || !REQUEST_LINE_START.test(packet.subarray(0, 16).toString('latin1'))) return false;
  const eol = packet.indexOf('\n');
  return eol === -1 || eol > MAX_URL_LENGTH;
}

/**
 * Answers a request Node could not parse, in the one error body with a fresh cid (the request's
 * own x-cid could not be read), logged so the operator can find it, then closes the connection.
 */
function answerClientError(err: ParserError, socket: Socket, log: Logger): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const appErr = clientError(err);
  const status = STATUS_OF_KIND[appErr.kind];
  const cid = randomUUID();
  log.info({ cid, status, code: appErr.code, parserError: err.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify({ code: appErr.code, message: appErr.message, cid });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-cid: ${cid}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function sendError(request: FastifyRequest, reply: FastifyReply, err: AppError): void {
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
