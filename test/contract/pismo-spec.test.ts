// Proves the contract harness against the real Pismo spec files with hand-written exchanges, and
// walks every spec to show how much of Pismo's API it can check.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  SPECS_DIR,
  checkExchange,
  checkRequest,
  checkResponse,
  compileProblems,
  describeContract,
  expectConforms,
  findOperation,
  listOperations,
  loadSpec,
  specsAvailable,
} from './pismo-spec.js';

const AUTH = 'Platform_authentication.yaml';
const ORGS = 'Platform_setup_-_Organizations.yaml';
const PROGRAMS = 'Platform_setup_-_Programs.yaml';
const HOLIDAYS = 'Platform_setup_-_Holidays.yaml';
const LENDING = 'Lending.yaml';

const S2S = '/passport/v2/s2s/access-token';
// The 201 example of POST /v2/s2s/access-token, plus the token fields the example leaves out.
const s2sToken = {
  server_key: '5d8252ea2e6729223f30d477d79a5c3cb45f8e03',
  tenant: 'TN-ab8b08af-8a20-44e3-a7ad-8329b3e42fa4',
  account_id: 123,
  external_account_id: '5512990-642',
  program_ids: [1, 2, 3],
  roles: ['onboarding-server', 'account-server', 'crm-server'],
  token: 'eyJhbGciOi...',
  refresh: 'eyJhbGciOi...',
};
const orgDetails = {
  id: 'TN-00000000000001',
  official_name: 'Acme Corp',
  org_name: 'Acme',
  document_number: '123456789',
  number: 25,
  currency_numeric_code: '986',
  timezone: 'America/New_York',
  language: 'en-US',
  country_code: 'USA',
};
const tenantHeaders = { authorization: 'Bearer t0k3n', 'x-tenant': 'TN-00000000000001' };
const json = { 'content-type': 'application/json; charset=utf-8' };

it('resolves the specs folder as a sibling of the repository', () => {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  expect(fileURLToPath(SPECS_DIR)).toBe(resolve(repoRoot, '../shared/reference/pismo-api-specs') + '/');
  expect(typeof specsAvailable()).toBe('boolean');
});

describeContract('Pismo contract harness', () => {
  describe('loadSpec', () => {
    it('parses once, from published-apis/ or older/', () => {
      const auth = loadSpec(AUTH);
      expect(loadSpec(AUTH)).toBe(auth);
      expect(auth.version).toBe('3.1.0');
      expect(loadSpec(PROGRAMS).version).toBe('3.0.1');
      expect(loadSpec('Lending-v1-2026-03-17.yaml').location).toMatch(/older\/Lending-v1-2026-03-17\.yaml$/);
      expect(() => loadSpec('No_such_spec.yaml')).toThrow(/not found/);
    });

    it('translates OpenAPI 3.0 nullable into a JSON Schema type union', () => {
      const disputes = loadSpec('Card_issuing_-_Disputes.yaml'); // openapi 3.0.1
      const comment = (disputes.doc.components as { schemas: Record<string, { type?: unknown; nullable?: unknown }> }).schemas.Comment;
      expect(comment?.type).toEqual(['string', 'null']);
      expect(comment).not.toHaveProperty('nullable');
    });
  });

  describe('findOperation', () => {
    it('matches paths written relative to a server base path, with or without the prefix', () => {
      const op = findOperation(AUTH, 'POST', S2S);
      expect(op).toMatchObject({ template: '/v2/s2s/access-token', fullTemplate: S2S, operationId: 'post-passport-v2-s2s-access-token' });
      expect(findOperation(AUTH, 'post', '/v2/s2s/access-token')?.operationId).toBe('post-passport-v2-s2s-access-token');
      expect(findOperation(LENDING, 'GET', '/lending/v2/loans/L-1')).toMatchObject({ template: '/v2/loans/{loanId}', pathParams: { loanId: 'L-1' } });
      expect(findOperation(AUTH, 'GET', S2S)).toBeUndefined();
      expect(findOperation(AUTH, 'POST', '/passport/v3/nothing')).toBeUndefined();
    });

    it('fills path templates, preferring literal segments over parameters', () => {
      expect(findOperation(ORGS, 'GET', '/orgs-core/v1/orgs/TN-123')).toMatchObject({ operationId: 'get-v1-org', pathParams: { id: 'TN-123' } });
      expect(findOperation(ORGS, 'GET', '/orgs-core/v1/orgs/holidays')?.operationId).toBe('get-v1-orgs-holidays');
      expect(findOperation(PROGRAMS, 'GET', '/programs/v1/programs/42')).toMatchObject({ template: '/programs/v1/programs/{id}', pathParams: { id: '42' } });
      expect(findOperation(PROGRAMS, 'GET', '/programs/v1/programs/export')?.template).toBe('/programs/v1/programs/export');
      expect(findOperation(PROGRAMS, 'PUT', '/programs/v1/programs/42/parameters/7')?.pathParams).toEqual({ program_id: '42', program_parameter_id: '7' });
    });

    it('ignores query strings and trailing slashes, and decodes parameters', () => {
      expect(findOperation(ORGS, 'GET', '/orgs-core/v1/orgs/TN%2D1/?x=1')?.pathParams).toEqual({ id: 'TN-1' });
    });

    it('handles a spec that writes some paths with the service prefix and some without', () => {
      // Holidays: server https://…/holidays-core, paths '/holidays-core/v1/holiday…' and '/v1/holiday-calendar…'.
      expect(findOperation(HOLIDAYS, 'POST', '/holidays-core/v1/holiday/validate')?.template).toBe('/holidays-core/v1/holiday/validate');
      expect(findOperation(HOLIDAYS, 'GET', '/holidays-core/v1/holiday-calendar/5')).toMatchObject({
        template: '/v1/holiday-calendar/{holiday_calendar_id}',
        pathParams: { holiday_calendar_id: '5' },
      });
    });
  });

  describe('checkRequest', () => {
    it('accepts a request body that matches the schema', () => {
      expect(checkRequest(AUTH, { method: 'POST', path: S2S, body: { server_key: 'k', server_secret: 's', account_id: 123 } })).toEqual([]);
    });

    it('reports missing required fields and wrong types in the body', () => {
      expect(checkRequest(AUTH, { method: 'POST', path: S2S, body: { server_key: 'k' } })).toEqual([
        "request body must have required property 'server_secret'",
      ]);
      expect(checkRequest(AUTH, { method: 'POST', path: S2S, body: { server_key: 'k', server_secret: 's', account_id: '123' } })).toEqual([
        'request body /account_id must be number, got "123"',
      ]);
    });

    it('requires declared header parameters and the security scheme', () => {
      const path = '/orgs-core/v1/orgs/TN-00000000000001';
      expect(checkRequest(ORGS, { method: 'GET', path, headers: tenantHeaders })).toEqual([]);
      expect(checkRequest(ORGS, { method: 'GET', path, headers: { Authorization: 'Bearer t' } })).toEqual([
        'header parameter x-tenant is required but missing',
      ]);
      expect(checkRequest(ORGS, { method: 'GET', path, headers: { 'X-Tenant': 'TN-1' } })).toEqual([
        'missing credentials: the operation requires S2SAuthentication (e.g. Authorization: Bearer <token>)',
      ]);
    });

    it('validates path and query parameters after decoding them from strings', () => {
      const headers = { authorization: 'Bearer t' };
      expect(checkRequest(PROGRAMS, { method: 'GET', path: '/programs/v1/programs/42', headers })).toEqual([]);
      expect(checkRequest(PROGRAMS, { method: 'GET', path: '/programs/v1/programs/abc', headers })).toEqual(['path parameter id must be integer, got "abc"']);
      const list = '/orgs-core/v1/orgs/holidays';
      expect(checkRequest(ORGS, { method: 'GET', path: `${list}?page=2&perPage=20&order=DESC`, headers: tenantHeaders })).toEqual([]);
      expect(checkRequest(ORGS, { method: 'GET', path: `${list}?page=x`, query: { order: 'UP' }, headers: tenantHeaders })).toEqual([
        'query parameter page must be integer, got "x"',
        'query parameter order must be equal to one of the allowed values ["ASC","DESC"], got "UP"',
      ]);
    });

    it('reports an undeclared method or path', () => {
      expect(checkRequest(ORGS, { method: 'PUT', path: '/orgs-core/v1/orgs/TN-1' })).toEqual(['PUT is not declared for /orgs-core/v1/orgs/TN-1 (declared: GET)']);
      expect(checkRequest(ORGS, { method: 'GET', path: '/nope' })).toEqual([`no operation in ${ORGS} matches GET /nope`]);
    });
  });

  describe('checkResponse', () => {
    const s2s = { method: 'POST', path: S2S, headers: json };

    it('accepts a body shaped like the spec example', () => {
      expect(checkResponse(AUTH, { ...s2s, status: 201, body: s2sToken })).toEqual([]);
      expect(checkResponse(AUTH, { ...s2s, status: 401, body: { message: 'Invalid credentials' } })).toEqual([]);
    });

    it('reports wrong types, missing required fields and empty bodies', () => {
      expect(checkResponse(AUTH, { ...s2s, status: 201, body: { ...s2sToken, program_ids: '1,2,3' } })).toEqual([
        'response body /program_ids must be array, got "1,2,3"',
      ]);
      expect(checkResponse(AUTH, { ...s2s, status: 201, body: { ...s2sToken, program_ids: [1.5] } })).toEqual([
        'response body /program_ids/0 must be integer, got 1.5',
      ]);
      expect(checkResponse(AUTH, { ...s2s, status: 401, body: { code: 'X' } })).toEqual(["response body must have required property 'message'"]);
      expect(checkResponse(AUTH, { ...s2s, status: 201 })).toEqual(['response body is empty, but status 201 declares application/json content']);
      // Pismo declares the OpenID token's expires_in as a string ('3600').
      expect(checkResponse(AUTH, { method: 'POST', path: '/passport/v1/oauth2/token', status: 201, body: { token: 't', expires_in: 3600 } })).toEqual([
        'response body /expires_in must be string, got 3600',
      ]);
    });

    it('reports a status code the operation does not declare', () => {
      expect(checkResponse(AUTH, { ...s2s, status: 200, body: s2sToken })).toEqual(['status 200 is not declared (declared: 201, 401, 500)']);
    });

    it('follows $refs into components and checks enums and integer formats', () => {
      const get = { method: 'GET', path: '/orgs-core/v1/orgs/TN-00000000000001', headers: json };
      expect(checkResponse(ORGS, { ...get, status: 200, body: orgDetails })).toEqual([]);
      expect(checkResponse(ORGS, { ...get, status: 200, body: { ...orgDetails, number: '25', language: 'fr-FR' } })).toEqual([
        'response body /number must be integer, got "25"',
        'response body /language must be equal to one of the allowed values ["en-US","pt-BR"], got "fr-FR"',
      ]);
      expect(checkResponse(ORGS, { ...get, status: 400, body: { code: 'EOA0030', message: 'Missing x-tenant header' } })).toEqual([]);
      // 401/404 are declared without content, so any body is accepted.
      expect(checkResponse(ORGS, { ...get, status: 404, body: { code: 'NOT_FOUND' } })).toEqual([]);
      expect(checkResponse(ORGS, { method: 'DELETE', path: '/orgs-core/v1/orgs/holidays/7', status: 204 })).toEqual([]);
    });

    it('reports a content type the status does not declare', () => {
      expect(checkResponse(AUTH, { ...s2s, headers: { 'content-type': 'text/plain' }, status: 401, body: 'nope' })).toEqual([
        'response content-type text/plain is not declared (declared: application/json)',
        'response body must be object, got "nope"',
      ]);
    });
  });

  describe('checkExchange and expectConforms', () => {
    const request = { method: 'POST', path: S2S, body: { server_key: 'k', server_secret: 's' } };

    it('checks a real Fastify inject response together with its request', async () => {
      const app = Fastify();
      app.post(S2S, async (_req, reply) => reply.status(201).send(s2sToken));
      app.post('/passport/v1/oauth2/token', async (_req, reply) => reply.status(201).header('content-type', 'application/json').send('{"token":'));
      try {
        const res = await app.inject({ method: 'POST', url: S2S, payload: request.body });
        expect(checkExchange(AUTH, request, res)).toEqual([]);
        expectConforms(AUTH, { request, response: res });
        const broken = await app.inject({ method: 'POST', url: '/passport/v1/oauth2/token', payload: {} });
        expect(checkExchange(AUTH, { method: 'POST', path: '/passport/v1/oauth2/token', body: {} }, broken)).toEqual([
          "request: request body must have required property 'token'",
          expect.stringMatching(/^response: response body is not valid JSON/),
          'response: response body must be object, got "{\\"token\\":"',
        ]);
      } finally {
        await app.close();
      }
    });

    it('throws one assertion error listing every problem', () => {
      const exchange = {
        request: { method: 'POST', path: S2S, body: { server_key: 'k' } },
        response: { status: 201, headers: json, body: { ...s2sToken, roles: 'admin', account_id: 'x' } },
      };
      expect(() => expectConforms(AUTH, exchange)).toThrow(
        [
          `POST ${S2S} → 201 does not conform to ${AUTH} (post-passport-v2-s2s-access-token):`,
          "  - request: request body must have required property 'server_secret'",
          '  - response: response body /account_id must be number, got "x"',
          '  - response: response body /roles must be array, got "admin"',
        ].join('\n'),
      );
      // Negative tests send bad requests on purpose and only check the answer.
      const rejected = { request: exchange.request, response: { status: 401, headers: json, body: { message: 'Invalid credentials' } } };
      expect(() => expectConforms(AUTH, rejected, { request: false })).not.toThrow();
      expect(() => expectConforms(AUTH, { request: { method: 'GET', path: '/passport/v9/x' }, response: rejected.response })).toThrow(
        `GET /passport/v9/x → 401 does not conform to ${AUTH}:\n  - no operation in ${AUTH} matches GET /passport/v9/x`,
      );
    });
  });

  describe('every Pismo spec', () => {
    const files = ['published-apis/', 'older/'].flatMap((folder) =>
      readdirSync(new URL(folder, SPECS_DIR)).filter((f) => f.endsWith('.yaml')),
    );

    it('loads, and every operation’s schemas compile', () => {
      let operations = 0;
      const failures: string[] = [];
      for (const file of files) {
        const spec = loadSpec(file);
        for (const op of listOperations(spec)) {
          operations++;
          const problems = compileProblems(spec, op.pointer);
          if (problems.length > 0) failures.push(`${file} ${op.method.toUpperCase()} ${op.template}: ${problems.join('; ')}`);
        }
      }
      console.info(`[contract] ${files.length} specs, ${operations - failures.length}/${operations} operations compile`);
      expect(operations).toBeGreaterThan(1000);
      expect(failures).toEqual([]);
    });

    it('accepts nearly all of the specs’ own JSON examples (the rest are errors in the examples)', () => {
      let total = 0;
      let rejected = 0;
      for (const file of files) {
        const spec = loadSpec(file);
        for (const op of listOperations(spec)) {
          const path = op.template.replace(/\{[^}]+\}/g, '1');
          const operation = deref(spec.doc, op.pointer) as Operation;
          for (const [status, response] of Object.entries(operation.responses ?? {})) {
            for (const body of examplesOf(spec.doc, (deref(spec.doc, response) as MediaHolder | undefined)?.content)) {
              total++;
              if (checkResponse(spec, { method: op.method, path, status: Number(status), headers: json, body }).length > 0) rejected++;
            }
          }
          for (const body of examplesOf(spec.doc, (deref(spec.doc, operation.requestBody) as MediaHolder | undefined)?.content)) {
            total++;
            if (checkRequest(spec, { method: op.method, path, body }).some((p) => p.startsWith('request body'))) rejected++;
          }
        }
      }
      console.info(`[contract] ${total - rejected}/${total} spec examples conform`);
      expect(total).toBeGreaterThan(5000);
      expect(rejected / total).toBeLessThan(0.03);
    });
  });
});

interface Operation {
  responses?: Record<string, unknown>;
  requestBody?: unknown;
}
interface MediaHolder {
  content?: Record<string, { example?: unknown; examples?: Record<string, unknown> }>;
}

/** Follows a local $ref (or reads a '#/…' pointer) in a spec document. */
function deref(doc: unknown, node: unknown): unknown {
  let current = typeof node === 'string' ? { $ref: node } : node;
  for (let i = 0; i < 20 && current && typeof (current as { $ref?: unknown }).$ref === 'string'; i++) {
    const pointer = (current as { $ref: string }).$ref.slice(2);
    current = pointer.split('/').reduce<unknown>((at, token) => {
      const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
      return at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    }, doc);
  }
  return current;
}

/** The example values of a content map's application/json media type. */
function examplesOf(doc: unknown, content: MediaHolder['content']): unknown[] {
  const media = content?.['application/json'];
  if (!media) return [];
  const values = Object.values(media.examples ?? {}).map((e) => (deref(doc, e) as { value?: unknown } | undefined)?.value);
  return [media.example, ...values].filter((v) => v !== undefined);
}
