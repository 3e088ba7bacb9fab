// HTTP routes of Pismo's passport API (public: the caller has no token yet) and the JWKS that
// verifies Lastro's tokens.
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { decodeFormComponent, formBodyParser } from '../../platform/http/form-body.js';
import { textProblem } from '../../platform/http/text.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { OAuthErrors } from './orgs.errors.js';
import { OAuthError, OAuthTokenBody, OAuthTokenResponse, OidcTokenBody, OidcTokenResponse, S2sTokenBody, S2sTokenResponse } from './orgs.schemas.js';
import type { PassportService } from './passport.service.js';

export async function passportRoutes(app: HttpApp, platform: Platform, passport: PassportService): Promise<void> {
  // RFC 6749 token requests are form-encoded; this parser is scoped to these routes.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, formBodyParser);
  const tags = ['authentication'];

  app.post(
    '/passport/v2/s2s/access-token',
    {
      config: { auth: routeAuth.public() },
      schema: { tags, summary: 'Basic (client credentials) access token', body: S2sTokenBody, response: { 201: S2sTokenResponse } },
    },
    async (req, reply) => reply.status(201).send(await passport.s2sToken(req.body)),
  );
  app.post(
    '/passport/v1/oauth2/token',
    {
      config: { auth: routeAuth.public() },
      schema: { tags, summary: 'OpenID Connect for servers: exchange a client-signed JWT', body: OidcTokenBody, response: { 201: OidcTokenResponse } },
    },
    async (req, reply) => reply.status(201).send(await passport.oidcToken(req.body.token)),
  );
  app.post(
    '/passport/v2/oauth/token',
    {
      // A malformed request (a body that does not parse or validate, text that cannot be stored)
      // is RFC 6749's invalid_request, with the offending fields, not the platform's VALIDATION_ERROR.
      config: { auth: routeAuth.public(), refusedRequest: (err) => OAuthErrors.invalidRequest(err.message, err.details) },
      schema: {
        tags,
        summary: 'OAuth2 (RFC 6749): client_credentials and refresh_token grants',
        body: OAuthTokenBody,
        response: { 200: OAuthTokenResponse, 400: OAuthError, 401: OAuthError },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      // RFC 6749 §2.3.1: client credentials may come as HTTP Basic instead of in the body.
      const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw OAuthErrors.invalidRequest('malformed Basic authorization');
        const id = decodeFormComponent(decoded.slice(0, colon));
        const secret = decodeFormComponent(decoded.slice(colon + 1));
        // Text no query may carry is refused here: the header is read by this route alone.
        if (id === undefined || secret === undefined || textProblem(id) || textProblem(secret)) {
          throw OAuthErrors.invalidRequest('malformed Basic authorization');
        }
        return passport.oauthToken({ ...req.body, client_id: id, client_secret: secret, client_secret_string: undefined });
      }
      return passport.oauthToken(req.body);
    },
  );
  app.get(
    '/.well-known/jwks.json',
    {
      config: { auth: routeAuth.public() },
      schema: {
        tags,
        summary: "Public keys that verify Lastro's access tokens",
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async () => platform.auth.tokens.jwks(),
  );
}
