// Contract-test harness: checks HTTP exchanges against Pismo's published OpenAPI files.
// The specs are read in place from shared/reference/pismo-api-specs beside the repository (or
// PISMO_SPECS_DIR), never copied into it; where they are absent, describeContract() skips.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { describe, it } from 'vitest';

const SPEC_FOLDERS = ['published-apis/', 'older/'] as const;

/**
 * The folder holding published-apis/ and older/: PISMO_SPECS_DIR if set, else
 * shared/reference/pismo-api-specs beside the repository or beside one of its parent folders
 * (a checkout anywhere under the folder that holds shared/ finds it).
 */
function findSpecsDir(): URL {
  const fromEnv = process.env.PISMO_SPECS_DIR;
  if (fromEnv) return pathToFileURL(fromEnv.endsWith('/') ? fromEnv : `${fromEnv}/`);
  const repo = new URL('../../', import.meta.url);
  for (let dir = new URL('../', repo); ; dir = new URL('../', dir)) {
    const candidate = new URL('shared/reference/pismo-api-specs/', dir);
    if (existsSync(new URL(SPEC_FOLDERS[0], candidate))) return candidate;
    if (dir.pathname === '/') return new URL('../shared/reference/pismo-api-specs/', repo);
  }
}

export const SPECS_DIR = findSpecsDir();

export function specsAvailable(): boolean {
  return existsSync(new URL(SPEC_FOLDERS[0], SPECS_DIR));
}

type Json = Record<string, unknown>;
type HeaderValue = string | string[] | number | boolean | undefined;
type QueryValue = string | string[] | number | boolean | undefined;

export interface LoadedSpec {
  /** File name as passed to loadSpec, e.g. 'Platform_authentication.yaml'. */
  readonly file: string;
  /** Absolute path of the YAML file. */
  readonly location: string;
  /** The `openapi:` field, e.g. '3.1.0'. */
  readonly version: string;
  /** The document, normalised so that its schemas are plain JSON Schema 2020-12. */
  readonly doc: Json;
  /** Repairs made while normalising (3.0 → 2020-12 translations excluded), for diagnostics. */
  readonly repairs: readonly string[];
}

export interface MatchedOperation {
  method: string;
  /** The path key as written in the spec, e.g. '/v2/s2s/access-token'. */
  template: string;
  /** The template with the server base path it was matched with, e.g. '/passport/v2/s2s/access-token'. */
  fullTemplate: string;
  operationId: string | undefined;
  /** JSON pointer to the operation object inside spec.doc. */
  pointer: string;
  operation: Json;
  pathParams: Record<string, string>;
}

export interface RequestSample {
  method: string;
  /** Concrete path; a query string here is merged into `query`. */
  path: string;
  headers?: Record<string, HeaderValue>;
  query?: Record<string, QueryValue>;
  /** Parsed JSON body; undefined for none. */
  body?: unknown;
}

export interface ResponseSample {
  status: number;
  headers?: Record<string, HeaderValue>;
  /** Parsed JSON body (or raw text for non-JSON); undefined or '' for none. */
  body?: unknown;
}

/** The parts of a Fastify/light-my-request inject response that we read. */
export interface InjectResponseLike {
  statusCode: number;
  headers: Record<string, HeaderValue>;
  body: string;
}

export interface Exchange {
  request: RequestSample;
  response?: ResponseSample | InjectResponseLike;
}

export interface ConformOptions {
  /** Check the request too (default true); turn off for tests that send invalid requests on purpose. */
  request?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Loading and normalising
// ---------------------------------------------------------------------------------------------

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Internals {
  id: string;
  bodyAjv: Ajv2020;
  paramAjv: Ajv2020;
  validators: Map<string, ValidateFunction | Error>;
  routes: Route[];
}

interface Route {
  regex: RegExp;
  names: string[];
  literalSegments: number;
  literalChars: number;
  template: string;
  fullTemplate: string;
  methods: Map<string, string>; // method → pointer to the operation
}

const cache = new Map<string, LoadedSpec>();
const internals = new WeakMap<LoadedSpec, Internals>();

/** Parses a spec from published-apis/ or older/ (first found), once per process. */
export function loadSpec(fileName: string): LoadedSpec {
  const cached = cache.get(fileName);
  if (cached) return cached;
  const url = SPEC_FOLDERS.map((folder) => new URL(folder + fileName, SPECS_DIR)).find((u) => existsSync(u));
  if (!url) throw new Error(`Pismo spec ${fileName} not found in ${fileURLToPath(SPECS_DIR)}{${SPEC_FOLDERS.join(',')}}`);
  // Some specs share nodes through YAML aliases; lift the alias limit meant for untrusted input.
  const doc = parseYaml(readFileSync(url, 'utf8'), { maxAliasCount: -1 }) as Json;
  const version = typeof doc.openapi === 'string' ? doc.openapi : '';
  if (!version.startsWith('3.')) throw new Error(`${fileName}: unsupported openapi version ${String(doc.openapi)}`);
  const repairs: string[] = [];
  normaliseDocument(doc, repairs);
  const spec: LoadedSpec = { file: fileName, location: fileURLToPath(url), version, doc, repairs };
  internals.set(spec, buildInternals(spec));
  cache.set(fileName, spec);
  return spec;
}

function buildInternals(spec: LoadedSpec): Internals {
  const id = `https://lastro.invalid/pismo-specs/${encodeURIComponent(spec.file)}`;
  const make = (coerce: boolean): Ajv2020 => {
    const ajv = new Ajv2020({
      strict: false, // `example`, `x-*`, `discriminator`… are annotations to us
      allErrors: true, // list every problem, not the first
      allowUnionTypes: true,
      validateSchema: false, // the document is OpenAPI, not a schema; compile errors still surface
      unicodeRegExp: false, // Pismo patterns are written for plain (non-`u`) regexes
      coerceTypes: coerce ? 'array' : false, // parameters arrive as strings
      logger: { log: () => {}, warn: () => {}, error: () => {} }, // unknown formats: ignored, not noisy
    });
    // ajv-formats also covers OpenAPI's int32/int64/float/double/byte/binary/password.
    ajvFormats.default(ajv);
    // Pismo writes `format: time` as 'HH:MM:SS' everywhere, never with RFC 3339's offset.
    const isoTime = ajv.formats['iso-time'];
    if (isoTime) ajv.addFormat('time', isoTime);
    ajv.addSchema({ ...schemaOnly, $id: id });
    return ajv;
  };
  // Ajv scans every key of an added document for $id/$anchor, and Pismo's examples contain
  // whole JSON Schemas with clashing $ids, so Ajv gets a copy without examples.
  const schemaOnly = withoutExamples(spec.doc) as Json;
  return { id, bodyAjv: make(false), paramAjv: make(true), validators: new Map(), routes: buildRoutes(spec.doc) };
}

const MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions']);

// OpenAPI objects whose keys are names chosen by the spec author, not keywords.
const NAME_MAPS = new Set([...MAP_KEYWORDS, 'paths', 'responses', 'content', 'headers', 'schemas', 'parameters', 'requestBodies', 'securitySchemes', 'links', 'callbacks', 'encoding', 'variables']);

/** A deep copy without example data, which is not schema. */
function withoutExamples(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((x) => withoutExamples(x));
  const o = asObject(node);
  if (!o) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    // Under `properties` etc. the keys are names, so `examples` may be a real field.
    if (!NAME_MAPS.has(parentKey) && (k === 'example' || k === 'examples')) continue;
    out[k] = withoutExamples(v, k);
  }
  return out;
}

/** Rewrites every schema in the document into JSON Schema 2020-12 that Ajv compiles. */
function normaliseDocument(doc: Json, repairs: string[]): void {
  const seen = new WeakSet<object>();
  const schema = (s: unknown, at: string) => normaliseSchema(s, at, repairs, seen);
  const content = (c: unknown, at: string) => {
    for (const [mt, media] of entries(c)) schema(asObject(media)?.schema, `${at}/content/${esc(mt)}/schema`);
  };
  const parameterOrHeader = (p: unknown, at: string) => {
    schema(asObject(p)?.schema, `${at}/schema`);
    content(asObject(p)?.content, at);
  };
  const response = (r: unknown, at: string) => {
    content(asObject(r)?.content, at);
    for (const [h, header] of entries(asObject(r)?.headers)) parameterOrHeader(header, `${at}/headers/${esc(h)}`);
  };
  const components = asObject(doc.components);
  for (const [n, s] of entries(components?.schemas)) schema(s, `#/components/schemas/${esc(n)}`);
  for (const [n, p] of entries(components?.parameters)) parameterOrHeader(p, `#/components/parameters/${esc(n)}`);
  for (const [n, h] of entries(components?.headers)) parameterOrHeader(h, `#/components/headers/${esc(n)}`);
  for (const [n, r] of entries(components?.responses)) response(r, `#/components/responses/${esc(n)}`);
  for (const [n, b] of entries(components?.requestBodies)) content(asObject(b)?.content, `#/components/requestBodies/${esc(n)}`);
  for (const [p, item] of entries(doc.paths)) {
    const itemAt = `#/paths/${esc(p)}`;
    const list = (ps: unknown, at: string) => (Array.isArray(ps) ? ps : []).forEach((x, i) => parameterOrHeader(x, `${at}/parameters/${i}`));
    list(asObject(item)?.parameters, itemAt);
    for (const m of HTTP_METHODS) {
      const op = asObject(asObject(item)?.[m]);
      if (!op) continue;
      list(op.parameters, `${itemAt}/${m}`);
      content(asObject(op.requestBody)?.content, `${itemAt}/${m}/requestBody`);
      for (const [status, r] of entries(op.responses)) response(r, `${itemAt}/${m}/responses/${esc(status)}`);
    }
  }
}

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
// Keywords whose value is a schema, a list of schemas, or a map of schemas.
const SCHEMA_KEYWORDS = ['additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems'];
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_MAP_KEYWORDS = [...MAP_KEYWORDS];

function normaliseSchema(node: unknown, at: string, repairs: string[], seen: WeakSet<object>): void {
  const s = asObject(node);
  if (!s || seen.has(s)) return;
  seen.add(s);
  const repair = (what: string) => repairs.push(`${at}: ${what}`);

  // OpenAPI 3.0 `nullable` (also found in some of Pismo's 3.1 files) → a null alternative.
  if ('nullable' in s) {
    const nullable = s.nullable === true;
    delete s.nullable;
    if (nullable) {
      if (typeof s.type === 'string') s.type = [s.type, 'null'];
      else if (Array.isArray(s.type) && !s.type.includes('null')) s.type = [...s.type, 'null'];
      if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
      if (s.type === undefined) {
        // `$ref`/`allOf` with nullable: wrap the whole schema as one alternative.
        const inner: Json = { ...s };
        for (const k of Object.keys(s)) delete s[k];
        s.anyOf = [{ type: 'null' }, inner];
        normaliseSchema(inner, at, repairs, seen);
        return;
      }
    }
  }
  // OpenAPI 3.0 boolean exclusiveMinimum/Maximum → 2020-12 numeric form.
  for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof s[ex] === 'boolean') {
      if (s[ex] === true && typeof s[bound] === 'number') {
        s[ex] = s[bound];
        delete s[bound];
      } else delete s[ex];
    }
  }
  // 2020-12 renamed tuple `items` to `prefixItems`.
  if (Array.isArray(s.items)) {
    s.prefixItems = s.items;
    delete s.items;
  }

  // Sloppy values Ajv refuses to compile: drop them, and record that we did.
  if (s.type !== undefined) {
    const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t): t is string => typeof t === 'string' && JSON_TYPES.has(t));
    const original = JSON.stringify(s.type);
    if (types.length === 0) {
      delete s.type;
      repair(`dropped invalid type ${original}`);
    } else if (types.length !== (Array.isArray(s.type) ? s.type.length : 1)) {
      s.type = types;
      repair(`kept valid members of type ${original}`);
    }
  }
  if ('required' in s && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) {
    if (Array.isArray(s.required)) s.required = s.required.filter((r) => typeof r === 'string');
    else {
      if (s.required !== true && s.required !== false) repair(`dropped invalid required ${JSON.stringify(s.required)}`);
      delete s.required; // a 3.0-era `required: true` on a property schema means nothing in JSON Schema
    }
  }
  if ('enum' in s && !(Array.isArray(s.enum) && s.enum.length > 0)) {
    repair(`dropped invalid enum ${JSON.stringify(s.enum)}`);
    delete s.enum;
  }
  if ('format' in s && typeof s.format !== 'string') {
    repair(`dropped invalid format ${JSON.stringify(s.format)}`);
    delete s.format;
  }
  if (typeof s.pattern === 'string') {
    try {
      new RegExp(s.pattern);
    } catch {
      repair(`dropped invalid pattern ${s.pattern}`);
      delete s.pattern;
    }
  } else if ('pattern' in s) {
    repair(`dropped invalid pattern ${JSON.stringify(s.pattern)}`);
    delete s.pattern;
  }
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
    if (k in s && typeof s[k] !== 'number') {
      const n = typeof s[k] === 'string' ? Number(s[k]) : NaN;
      if (Number.isFinite(n) && (s[k] as string).trim() !== '') s[k] = n;
      else delete s[k];
      repair(`coerced/dropped non-numeric ${k} ${JSON.stringify(s[k])}`);
    }
  }
  for (const k of SCHEMA_MAP_KEYWORDS) {
    if (k in s && !asObject(s[k])) {
      repair(`dropped invalid ${k}`);
      delete s[k];
    }
  }
  for (const k of SCHEMA_LIST_KEYWORDS) {
    if (k in s && !(Array.isArray(s[k]) && s[k].length > 0)) {
      repair(`dropped invalid ${k}`);
      delete s[k];
    }
  }

  for (const k of SCHEMA_KEYWORDS) if (k in s) normaliseSchema(s[k], `${at}/${k}`, repairs, seen);
  for (const k of SCHEMA_LIST_KEYWORDS) if (Array.isArray(s[k])) s[k].forEach((x: unknown, i: number) => normaliseSchema(x, `${at}/${k}/${i}`, repairs, seen));
  for (const k of SCHEMA_MAP_KEYWORDS) for (const [n, x] of entries(s[k])) normaliseSchema(x, `${at}/${k}/${esc(n)}`, repairs, seen);
}

// ---------------------------------------------------------------------------------------------
// Finding operations
// ---------------------------------------------------------------------------------------------

/** Path components of server URLs, e.g. 'https://sandbox.pismolabs.io/passport' → '/passport'. */
function serverBasePaths(servers: unknown): string[] {
  const out: string[] = [];
  for (const server of Array.isArray(servers) ? servers : []) {
    const s = asObject(server);
    if (!s || typeof s.url !== 'string') continue;
    const url = s.url.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = asObject(asObject(s.variables)?.[name])?.default;
      return typeof value === 'string' ? value : '';
    });
    let path: string;
    try {
      path = /^[a-z][a-z0-9+.-]*:/i.test(url) ? new URL(url).pathname : url;
    } catch {
      continue;
    }
    path = trimSlash(path);
    if (path !== '' && !out.includes(path)) out.push(path);
  }
  return out;
}

function buildRoutes(doc: Json): Route[] {
  const rootBases = serverBasePaths(doc.servers);
  const routes = new Map<string, Route>();
  for (const [template, itemNode] of entries(doc.paths)) {
    const item = asObject(itemNode);
    if (!item) continue;
    for (const m of HTTP_METHODS) {
      const op = asObject(item[m]);
      if (!op) continue;
      // Pismo writes the service prefix either in the path or in servers[].url (sometimes both
      // ways in one file), so a path matches both with and without the server's base path.
      const bases = ['', ...(op.servers ? serverBasePaths(op.servers) : item.servers ? serverBasePaths(item.servers) : rootBases)];
      for (const base of bases) {
        const full = trimSlash(base + template) || '/';
        let route = routes.get(full);
        if (!route) {
          route = { ...compileTemplate(full), template, fullTemplate: full, methods: new Map() };
          routes.set(full, route);
        }
        if (!route.methods.has(m)) route.methods.set(m, `#/paths/${esc(template)}/${m}`);
      }
    }
  }
  // Most specific first, as OpenAPI requires: '/orgs/holidays' before '/orgs/{id}'.
  return [...routes.values()].sort((a, b) => b.literalSegments - a.literalSegments || b.literalChars - a.literalChars);
}

function compileTemplate(template: string): Pick<Route, 'regex' | 'names' | 'literalSegments' | 'literalChars'> {
  const names: string[] = [];
  let literalSegments = 0;
  let literalChars = 0;
  const parts = template.split('/').map((segment) => {
    if (!segment.includes('{')) {
      literalSegments++;
      literalChars += segment.length;
      return escapeRegex(segment);
    }
    return segment
      .split(/(\{[^}]+\})/)
      .map((piece) => {
        const m = /^\{([^}]+)\}$/.exec(piece);
        if (!m) {
          literalChars += piece.length;
          return escapeRegex(piece);
        }
        names.push(m[1]!);
        return '([^/]+)';
      })
      .join('');
  });
  return { regex: new RegExp(`^${parts.join('/')}$`), names, literalSegments, literalChars };
}

/** The operation whose path template (with or without a server base path) matches the concrete path. */
export function findOperation(specOrFile: LoadedSpec | string, method: string, concretePath: string): MatchedOperation | undefined {
  const spec = toSpec(specOrFile);
  const m = method.toLowerCase();
  const path = trimSlash(concretePath.split(/[?#]/)[0]!) || '/';
  for (const route of internalsOf(spec).routes) {
    const pointer = route.methods.get(m);
    if (!pointer) continue;
    const match = route.regex.exec(path);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    route.names.forEach((name, i) => (pathParams[name] = safeDecode(match[i + 1]!)));
    const operation = getPointer(spec.doc, pointer) as Json;
    const operationId = typeof operation.operationId === 'string' ? operation.operationId : undefined;
    return { method: m, template: route.template, fullTemplate: route.fullTemplate, operationId, pointer, operation, pathParams };
  }
  return undefined;
}

/** Every operation in a spec, with a concrete path template, e.g. for coverage walks. */
export function listOperations(specOrFile: LoadedSpec | string): { method: string; template: string; pointer: string; operationId: string | undefined }[] {
  const spec = toSpec(specOrFile);
  const out: { method: string; template: string; pointer: string; operationId: string | undefined }[] = [];
  for (const [template, item] of entries(spec.doc.paths)) {
    for (const m of HTTP_METHODS) {
      const op = asObject(asObject(item)?.[m]);
      if (op) out.push({ method: m, template, pointer: `#/paths/${esc(template)}/${m}`, operationId: typeof op.operationId === 'string' ? op.operationId : undefined });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

/** Problems with a request against its operation in the spec; empty when it conforms. */
export function checkRequest(specOrFile: LoadedSpec | string, req: RequestSample): string[] {
  const spec = toSpec(specOrFile);
  const found = findOperation(spec, req.method, req.path);
  if (!found) return [noOperation(spec, req.method, req.path)];
  const problems: string[] = [];
  const headers = lowerKeys(req.headers);
  const query = mergeQuery(req.path, req.query);

  for (const { param, pointer } of effectiveParameters(spec, found)) {
    const name = String(param.name);
    const where = String(param.in);
    let raw: HeaderValue;
    if (where === 'path') raw = found.pathParams[name];
    else if (where === 'query') raw = query[name];
    else if (where === 'header') {
      // OpenAPI: these three are described elsewhere and must be ignored as parameters.
      if (['accept', 'content-type', 'authorization'].includes(name.toLowerCase())) continue;
      raw = headers[name.toLowerCase()];
    } else continue; // cookies: not used by Pismo
    const label = `${where} parameter ${name}`;
    if (raw === undefined) {
      if (param.required === true) problems.push(`${label} is required but missing`);
      continue;
    }
    problems.push(...checkParameterValue(spec, param, pointer, raw, where, label));
  }

  problems.push(...checkSecurity(spec, found, headers, query));

  const body = resolveRef(spec.doc, found.operation.requestBody, `${found.pointer}/requestBody`);
  const hasBody = req.body !== undefined && req.body !== '';
  if (!body) {
    if (hasBody && !['get', 'head', 'delete'].includes(found.method)) problems.push('request body sent, but the operation declares none');
  } else if (!hasBody) {
    if (body.node.required === true) problems.push('request body is required but missing');
  } else {
    const media = jsonMedia(body.node.content);
    if (media) problems.push(...validate(spec, 'body', `${body.pointer}/content/${esc(media.type)}/schema`, media.schema, req.body, 'request body'));
  }
  return problems;
}

/** Problems with a response (status, headers, JSON body) against its operation; empty when it conforms. */
export function checkResponse(specOrFile: LoadedSpec | string, res: ResponseSample & { method: string; path: string }): string[] {
  const spec = toSpec(specOrFile);
  const found = findOperation(spec, res.method, res.path);
  if (!found) return [noOperation(spec, res.method, res.path)];
  const responses = asObject(found.operation.responses) ?? {};
  const status = String(res.status);
  const key = status in responses ? status : `${status[0]}XX` in responses ? `${status[0]}XX` : `${status[0]}xx` in responses ? `${status[0]}xx` : 'default' in responses ? 'default' : undefined;
  if (!key) {
    // Written down in docs/compatibility.md with its reason: Lastro's error body is all to check.
    if (documentedStatus(spec, found, res.status)) return errorBodyProblems(res.body);
    return [`status ${status} is not declared (declared: ${Object.keys(responses).join(', ') || 'none'})`];
  }
  const declared = resolveRef(spec.doc, responses[key], `${found.pointer}/responses/${esc(key)}`);
  if (!declared) return [];
  const problems: string[] = [];
  const headers = lowerKeys(res.headers);

  for (const [name, h] of entries(declared.node.headers)) {
    if (name.toLowerCase() === 'content-type') continue; // OpenAPI: ignored when listed as a header
    const header = resolveRef(spec.doc, h, `${declared.pointer}/headers/${esc(name)}`);
    if (!header) continue;
    const raw = headers[name.toLowerCase()];
    if (raw === undefined) {
      if (header.node.required === true) problems.push(`response header ${name} is required but missing`);
      continue;
    }
    problems.push(...checkParameterValue(spec, header.node, header.pointer, raw, 'header', `response header ${name}`));
  }

  const content = asObject(declared.node.content);
  const hasBody = res.body !== undefined && res.body !== '';
  // A 204 carries no body (RFC 9110 §15.3.5): content a spec declares for it cannot be sent.
  if (res.status === 204) {
    if (hasBody) problems.push(`response body must be empty on 204, got ${preview(res.body)}`);
    return problems;
  }
  if (!content || Object.keys(content).length === 0 || found.method === 'head') return problems;
  const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
  if (hasBody && contentType && !Object.keys(content).some((mt) => mediaMatches(mt, contentType))) {
    problems.push(`response content-type ${contentType} is not declared (declared: ${Object.keys(content).join(', ')})`);
  }
  const media = jsonMedia(content);
  if (!media) return problems;
  if (!hasBody) {
    problems.push(`response body is empty, but status ${key} declares ${media.type} content`);
    return problems;
  }
  const bodyProblems = validate(spec, 'body', `${declared.pointer}/content/${esc(media.type)}/schema`, media.schema, res.body, 'response body');
  const omitted = documentedOmissions(spec, found);
  // Lastro's one error body lists field problems in `details` as [{field, reason}], where some
  // Pismo APIs declare an object (docs/compatibility.md, "Error bodies"): not a difference to flag.
  const lastroError = res.status >= 400 && errorBodyProblems(res.body).length === 0 && typeof asObject(res.body)?.cid === 'string';
  problems.push(
    ...bodyProblems.filter((p) => !omitted.has(REQUIRED_PROBLEM.exec(p)?.[1] ?? '') && !(lastroError && DETAILS_PROBLEM.test(p))),
  );
  return problems;
}

/** A response problem about a missing required property: its name. */
const REQUIRED_PROBLEM = /^response body(?: \/[^ ]*)? must have required property '([^']+)'$/;
/** A response problem inside an error body's `details`. */
const DETAILS_PROBLEM = /^response body \/details(?:\/| )/;

/** Lastro's error body, `{ code, message, … }`, which carries the fields every Pismo error body has. */
function errorBodyProblems(body: unknown): string[] {
  const o = asObject(body);
  if (o && typeof o.code === 'string' && typeof o.message === 'string') return [];
  return [`response body of a documented status must be an error body with code and message, got ${preview(body)}`];
}

/** Turns an inject response into a ResponseSample, parsing a JSON body. */
export function toResponseSample(res: ResponseSample | InjectResponseLike): ResponseSample & { parseError?: string } {
  if (!('statusCode' in res)) return res;
  const contentType = String(res.headers['content-type'] ?? '');
  if (res.body === '' || !/json/i.test(contentType)) return { status: res.statusCode, headers: res.headers, body: res.body === '' ? undefined : res.body };
  try {
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
  } catch (err) {
    return { status: res.statusCode, headers: res.headers, body: res.body, parseError: `response body is not valid JSON: ${(err as Error).message}` };
  }
}

/** Runs both checks on a request and its (inject) response; returns every problem, labelled. */
export function checkExchange(
  specOrFile: LoadedSpec | string,
  request: RequestSample,
  response: ResponseSample | InjectResponseLike | undefined,
  options: ConformOptions = {},
): string[] {
  const spec = toSpec(specOrFile);
  // Without an operation there is nothing to check either side against.
  if (!findOperation(spec, request.method, request.path)) return [noOperation(spec, request.method, request.path)];
  const problems = options.request === false ? [] : checkRequest(spec, request).map((p) => `request: ${p}`);
  if (response) {
    const sample = toResponseSample(response);
    if (sample.parseError) problems.push(`response: ${sample.parseError}`);
    problems.push(...checkResponse(spec, { ...sample, method: request.method, path: request.path }).map((p) => `response: ${p}`));
  }
  return problems;
}

/** Throws an assertion error listing every problem when the exchange does not match the spec. */
export function expectConforms(specOrFile: LoadedSpec | string, exchange: Exchange, options: ConformOptions = {}): void {
  const spec = toSpec(specOrFile);
  const problems = checkExchange(spec, exchange.request, exchange.response, options);
  if (problems.length === 0) return;
  const { method, path } = exchange.request;
  const found = findOperation(spec, method, path);
  const status = exchange.response ? ` → ${'statusCode' in exchange.response ? exchange.response.statusCode : exchange.response.status}` : '';
  const op = found ? ` (${found.operationId ?? found.fullTemplate})` : '';
  const error = new Error(
    `${method.toUpperCase()} ${path}${status} does not conform to ${spec.file}${op}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  error.name = 'ContractError';
  throw error;
}

let warned = false;
/** describe() that skips, with a warning, where the Pismo specs are not checked out. */
export function describeContract(name: string, fn: () => void): void {
  if (specsAvailable()) {
    describe(name, fn);
    return;
  }
  const message = `Pismo specs not found at ${fileURLToPath(SPECS_DIR)}; contract tests skipped`;
  if (!warned) console.warn(message);
  warned = true;
  // The suite's body is not run at all: collecting it would already read the missing files.
  describe.skip(name, () => {
    it(message, () => {});
  });
}

/**
 * Compiles every schema an operation uses and returns the failures; the walk over all specs uses
 * it to show how much of Pismo's API the harness can check.
 */
export function compileProblems(specOrFile: LoadedSpec | string, operationPointer: string): string[] {
  const spec = toSpec(specOrFile);
  const operation = asObject(getPointer(spec.doc, operationPointer));
  if (!operation) return [`no operation at ${operationPointer}`];
  const problems: string[] = [];
  const tryCompile = (kind: 'body' | 'param', pointer: string, schema: unknown, label: string) => {
    if (schema === undefined) return;
    const v = validator(spec, kind, pointer);
    if (v instanceof Error) problems.push(`${label}: ${v.message}`);
  };
  const found: MatchedOperation = { method: '', template: '', fullTemplate: '', operationId: undefined, pointer: operationPointer, operation, pathParams: {} };
  for (const { param, pointer } of effectiveParameters(spec, found)) {
    const target = paramSchema(param, pointer);
    tryCompile('param', target.pointer, target.schema, `parameter ${String(param.name)}`);
  }
  const body = resolveRef(spec.doc, operation.requestBody, `${operationPointer}/requestBody`);
  const media = body && jsonMedia(body.node.content);
  if (body && media) tryCompile('body', `${body.pointer}/content/${esc(media.type)}/schema`, media.schema, 'request body');
  for (const [status, r] of entries(operation.responses)) {
    const resp = resolveRef(spec.doc, r, `${operationPointer}/responses/${esc(status)}`);
    if (!resp) {
      problems.push(`response ${status}: unresolvable $ref`);
      continue;
    }
    const m = jsonMedia(resp.node.content);
    if (m) tryCompile('body', `${resp.pointer}/content/${esc(m.type)}/schema`, m.schema, `response ${status}`);
    for (const [name, h] of entries(resp.node.headers)) {
      const header = resolveRef(spec.doc, h, `${resp.pointer}/headers/${esc(name)}`);
      if (!header) continue;
      const target = paramSchema(header.node, header.pointer);
      tryCompile('param', target.pointer, target.schema, `response ${status} header ${name}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The spec's own example requests
// ---------------------------------------------------------------------------------------------

export interface ExampleRequest {
  /** Query parameters from their examples, as strings; absent when the operation has none. */
  query: Record<string, string>;
  /** The request body built from the schema's examples; undefined when the operation takes none. */
  body: unknown;
}

/**
 * The request a validating proxy's static mode (Stoplight Prism) builds from the spec for an
 * operation: every query parameter and every body property, each from its `example` (else its
 * `default`, its first `enum` value, or a placeholder of its type and format). These are the
 * spec's golden examples of a valid request; ids in them name nothing of a test's org, so tests
 * override those and keep the rest. Path parameters come from the concrete path.
 */
export function exampleRequest(specOrFile: LoadedSpec | string, method: string, path: string): ExampleRequest {
  const spec = toSpec(specOrFile);
  const found = findOperation(spec, method, path);
  if (!found) throw new Error(noOperation(spec, method, path));
  const query: Record<string, string> = {};
  for (const { param } of effectiveParameters(spec, found)) {
    if (param.in !== 'query') continue;
    const value = param.example !== undefined ? param.example : exampleOf(spec.doc, param.schema);
    if (value === undefined || value === null) continue;
    // Query values are text: an array joins with commas (Pismo's `Use , as separator`), anything else as JSON writes it.
    query[String(param.name)] = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : JSON.stringify(value);
  }
  const body = resolveRef(spec.doc, found.operation.requestBody, `${found.pointer}/requestBody`);
  const media = body && jsonMedia(body.node.content);
  return { query, body: media ? exampleOf(spec.doc, media.schema) : undefined };
}

const PLACEHOLDER_STRINGS: Record<string, string> = {
  date: '2019-08-24',
  'date-time': '2019-08-24T14:15:22Z',
  datetime: '2019-08-24T14:15:22Z',
  time: '14:15:22',
  email: 'user@example.com',
  uuid: '095be615-a8ad-4c33-8e9b-c7612fbf6c9f',
  uri: 'http://example.com',
};

function exampleOf(doc: Json, node: unknown, depth = 0): unknown {
  const s = asObject(node);
  if (!s || depth > 32) return undefined;
  // An example beside a $ref (allowed since 3.1) speaks for the reference.
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (typeof s.$ref === 'string') return exampleOf(doc, resolveRef(doc, s, s.$ref)?.node, depth + 1);
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v) => v !== null) ?? s.enum[0];
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((x) => exampleOf(doc, x, depth + 1));
    return parts.every((p) => asObject(p)) ? Object.assign({}, ...parts) : parts.find((p) => p !== undefined);
  }
  for (const k of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(s[k])) {
      const first = s[k].find((x) => asObject(x)?.type !== 'null');
      return exampleOf(doc, first, depth + 1);
    }
  }
  const types = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : [s.type];
  const type = types[0] ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const [name, prop] of entries(s.properties)) {
        const value = exampleOf(doc, prop, depth + 1);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'array': {
      const item = exampleOf(doc, s.items, depth + 1);
      return item === undefined ? [] : [item];
    }
    case 'string':
      return (typeof s.format === 'string' && PLACEHOLDER_STRINGS[s.format]) || 'string';
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 0;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Statuses Lastro answers that a spec does not list
// ---------------------------------------------------------------------------------------------

/** A row of the table in docs/compatibility.md: a status Lastro answers that the operation does not declare. */
export interface DocumentedStatus {
  file: string;
  method: string;
  /** The path as Lastro serves it (the spec's template with its server base path), or as the spec writes it. */
  path: string;
  status: number;
}

const COMPATIBILITY_DOC = new URL('../../docs/compatibility.md', import.meta.url);
/** The heading of the table the harness reads. */
export const DOCUMENTED_STATUSES_HEADING = "### Statuses Pismo's specs do not list";
let documented: DocumentedStatus[] | undefined;

/**
 * The table under DOCUMENTED_STATUSES_HEADING in docs/compatibility.md, one entry per spec file,
 * method, path and status (a cell may list several, comma-separated). A status an operation does
 * not declare passes the response check only when this table lists it: where Lastro answers
 * better than the spec, the difference is written down with its reason.
 */
export function documentedStatuses(): readonly DocumentedStatus[] {
  if (documented) return documented;
  const out: DocumentedStatus[] = [];
  const text = existsSync(COMPATIBILITY_DOC) ? readFileSync(COMPATIBILITY_DOC, 'utf8') : '';
  const start = text.indexOf(`\n${DOCUMENTED_STATUSES_HEADING}\n`);
  if (start >= 0) {
    const rest = text.slice(start + DOCUMENTED_STATUSES_HEADING.length + 2);
    const end = rest.search(/\n#{1,3} /);
    for (const line of (end >= 0 ? rest.slice(0, end) : rest).split('\n')) {
      const cells = line.split('|').map((c) => c.trim().replace(/`/g, ''));
      // | Spec file | Method | Path | Status | Code | Why |
      if (cells.length < 6 || !cells[1]!.endsWith('.yaml')) continue;
      const [, file, methods, path, statuses] = cells as [string, string, string, string, string];
      for (const method of methods.split(',')) {
        for (const status of statuses.split(',')) out.push({ file, method: method.trim().toLowerCase(), path, status: Number(status.trim()) });
      }
    }
  }
  documented = out;
  return out;
}

/** The heading of the table of response fields a spec marks required that Lastro leaves out when they have no value. */
export const DOCUMENTED_OMISSIONS_HEADING = '### Response fields Pismo marks required that Lastro leaves out';
let omissions: { file: string; method: string; path: string; fields: string[] }[] | undefined;

/**
 * The table under DOCUMENTED_OMISSIONS_HEADING in docs/compatibility.md: | Spec file | Method |
 * Path | Fields | Why |. A response may lack a required property only when this table lists it
 * for the operation (a field with nothing to say, such as the reason of a status never changed).
 */
export function documentedOmissionsTable(): readonly { file: string; method: string; path: string; fields: string[] }[] {
  if (omissions) return omissions;
  const out: { file: string; method: string; path: string; fields: string[] }[] = [];
  const text = existsSync(COMPATIBILITY_DOC) ? readFileSync(COMPATIBILITY_DOC, 'utf8') : '';
  const start = text.indexOf(`\n${DOCUMENTED_OMISSIONS_HEADING}\n`);
  if (start >= 0) {
    const rest = text.slice(start + DOCUMENTED_OMISSIONS_HEADING.length + 2);
    const end = rest.search(/\n#{1,3} /);
    for (const line of (end >= 0 ? rest.slice(0, end) : rest).split('\n')) {
      const cells = line.split('|').map((c) => c.trim().replace(/`/g, ''));
      if (cells.length < 6 || !cells[1]!.endsWith('.yaml')) continue;
      const [, file, methods, path, fields] = cells as [string, string, string, string, string];
      for (const method of methods.split(',')) {
        out.push({ file, method: method.trim().toLowerCase(), path, fields: fields.split(',').map((f) => f.trim()).filter(Boolean) });
      }
    }
  }
  omissions = out;
  return out;
}

function documentedOmissions(spec: LoadedSpec, found: MatchedOperation): Set<string> {
  const rows = documentedOmissionsTable().filter(
    (d) => d.file === spec.file && d.method === found.method && (d.path === found.fullTemplate || d.path === found.template),
  );
  return new Set(rows.flatMap((r) => r.fields));
}

/** The table's entry for a response, if the operation does not declare its status but the table lists it. */
export function documentedStatus(spec: LoadedSpec, found: MatchedOperation, status: number): DocumentedStatus | undefined {
  return documentedStatuses().find(
    (d) => d.file === spec.file && d.method === found.method && d.status === status && (d.path === found.fullTemplate || d.path === found.template),
  );
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

function toSpec(specOrFile: LoadedSpec | string): LoadedSpec {
  return typeof specOrFile === 'string' ? loadSpec(specOrFile) : specOrFile;
}

function internalsOf(spec: LoadedSpec): Internals {
  const i = internals.get(spec);
  if (!i) throw new Error(`${spec.file} was not loaded through loadSpec()`);
  return i;
}

function noOperation(spec: LoadedSpec, method: string, path: string): string {
  const others = HTTP_METHODS.filter((m) => m !== method.toLowerCase() && findOperation(spec, m, path));
  return others.length > 0
    ? `${method.toUpperCase()} is not declared for ${path} (declared: ${others.map((m) => m.toUpperCase()).join(', ')})`
    : `no operation in ${spec.file} matches ${method.toUpperCase()} ${path}`;
}

/** Path-item parameters overridden by operation parameters of the same name and location. */
function effectiveParameters(spec: LoadedSpec, found: MatchedOperation): { param: Json; pointer: string }[] {
  const itemPointer = found.pointer.slice(0, found.pointer.lastIndexOf('/'));
  const item = asObject(getPointer(spec.doc, itemPointer)) ?? {};
  const byKey = new Map<string, { param: Json; pointer: string }>();
  const add = (list: unknown, at: string) => {
    (Array.isArray(list) ? list : []).forEach((p, i) => {
      const r = resolveRef(spec.doc, p, `${at}/parameters/${i}`);
      if (r && typeof r.node.name === 'string') byKey.set(`${String(r.node.in)}:${r.node.in === 'header' ? r.node.name.toLowerCase() : r.node.name}`, { param: r.node, pointer: r.pointer });
    });
  };
  add(item.parameters, itemPointer);
  add(found.operation.parameters, found.pointer);
  return [...byKey.values()];
}

/** The schema of a parameter or header: `schema`, or the JSON media type of `content`. */
function paramSchema(param: Json, pointer: string): { schema: unknown; pointer: string; json: boolean } {
  if (param.schema !== undefined) return { schema: param.schema, pointer: `${pointer}/schema`, json: false };
  const media = jsonMedia(param.content);
  if (media) return { schema: media.schema, pointer: `${pointer}/content/${esc(media.type)}/schema`, json: true };
  return { schema: undefined, pointer, json: false };
}

function checkParameterValue(spec: LoadedSpec, param: Json, pointer: string, raw: HeaderValue, where: string, label: string): string[] {
  const target = paramSchema(param, pointer);
  if (target.schema === undefined) return [];
  let value: unknown = Array.isArray(raw) ? raw.map(String) : String(raw);
  if (target.json) {
    try {
      value = JSON.parse(String(raw));
    } catch {
      return [`${label} is not valid JSON`];
    }
    return validate(spec, 'body', target.pointer, target.schema, value, label);
  }
  const resolved = resolveSchemaType(spec, target.schema);
  if (resolved === 'object') return []; // deepObject/form-object styles: presence is all we check
  // Arrays: repeated query keys arrive as arrays already; `simple`/non-exploded styles use commas.
  const explode = param.explode ?? (where === 'query' || where === 'cookie');
  if (resolved === 'array' && typeof value === 'string' && (where !== 'query' || explode === false)) value = value.split(',');
  return validate(spec, 'param', target.pointer, target.schema, value, label);
}

/** The declared top-level type of a schema, following $refs, for parameter decoding. */
function resolveSchemaType(spec: LoadedSpec, schema: unknown): string | undefined {
  let s = asObject(schema);
  for (let i = 0; s && typeof s.$ref === 'string' && i < 20; i++) s = asObject(getPointer(spec.doc, s.$ref));
  if (!s) return undefined;
  const types = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : [s.type];
  return typeof types[0] === 'string' ? types[0] : undefined;
}

function checkSecurity(spec: LoadedSpec, found: MatchedOperation, headers: Record<string, HeaderValue>, query: Record<string, QueryValue>): string[] {
  const requirements = found.operation.security ?? spec.doc.security;
  if (!Array.isArray(requirements) || requirements.length === 0) return [];
  const schemes = asObject(asObject(spec.doc.components)?.securitySchemes) ?? {};
  const satisfied = (name: string): boolean => {
    const scheme = asObject(schemes[name]);
    const auth = headers.authorization;
    if (scheme?.type === 'apiKey') {
      const key = typeof scheme.name === 'string' ? scheme.name : '';
      return scheme.in === 'query' ? query[key] !== undefined : scheme.in === 'header' ? headers[key.toLowerCase()] !== undefined : true;
    }
    if (scheme?.type === 'http' && typeof scheme.scheme === 'string') {
      return typeof auth === 'string' && auth.toLowerCase().startsWith(`${scheme.scheme.toLowerCase()} `);
    }
    return typeof auth === 'string' && auth.length > 0; // oauth2, openIdConnect, or an undeclared scheme
  };
  if (requirements.some((r) => Object.keys(asObject(r) ?? {}).every(satisfied))) return [];
  const names = requirements.map((r) => Object.keys(asObject(r) ?? {}).join(' + ')).join(' or ');
  return [`missing credentials: the operation requires ${names} (e.g. Authorization: Bearer <token>)`];
}

function validator(spec: LoadedSpec, kind: 'body' | 'param', pointer: string): ValidateFunction | Error {
  const i = internalsOf(spec);
  const key = `${kind}:${pointer}`;
  let v = i.validators.get(key);
  if (!v) {
    const ajv = kind === 'body' ? i.bodyAjv : i.paramAjv;
    const ref = { $ref: `${i.id}${pointerToUriFragment(pointer)}` };
    try {
      // Parameters are validated inside a wrapper object so that type coercion can write back.
      v = ajv.compile(kind === 'body' ? ref : { type: 'object', properties: { value: ref } });
    } catch (err) {
      v = err instanceof Error ? err : new Error(String(err));
    }
    i.validators.set(key, v);
  }
  return v;
}

function validate(spec: LoadedSpec, kind: 'body' | 'param', pointer: string, schema: unknown, value: unknown, label: string): string[] {
  if (schema === undefined || schema === true) return [];
  const v = validator(spec, kind, pointer);
  if (v instanceof Error) return [`${label}: the spec schema does not compile (${v.message}); not checked`];
  const data = kind === 'body' ? value : { value };
  if (v(data)) return [];
  return formatErrors(v.errors ?? [], label, kind === 'param' ? '/value' : '', data);
}

function formatErrors(errors: ErrorObject[], label: string, strip: string, data: unknown): string[] {
  const out: string[] = [];
  for (const e of errors) {
    // The null branch added for `nullable` only adds noise next to the real branch's errors.
    if (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null') continue;
    const path = e.instancePath.startsWith(strip) ? e.instancePath.slice(strip.length) : e.instancePath;
    let detail = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') detail += ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`;
    if (e.keyword === 'enum') detail += ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}`;
    if (e.keyword !== 'required' && e.keyword !== 'additionalProperties') detail += `, got ${preview(getPointer(data, e.instancePath))}`;
    const line = `${label}${path ? ` ${path}` : ''} ${detail}`;
    if (!out.includes(line)) out.push(line);
  }
  return out;
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The JSON media type of a content map: application/json, then any *json or *\/*. */
function jsonMedia(content: unknown): { type: string; schema: unknown } | undefined {
  const map = asObject(content);
  if (!map) return undefined;
  const types = Object.keys(map);
  const base = (t: string) => t.toLowerCase().split(';')[0]!.trim().replace(/:$/, '');
  const pick = types.find((t) => base(t) === 'application/json') ?? types.find((t) => /[/+]json$/.test(base(t))) ?? types.find((t) => base(t) === '*/*');
  if (pick === undefined) return undefined;
  const schema = asObject(map[pick])?.schema;
  return schema === undefined ? undefined : { type: pick, schema };
}

function mediaMatches(declared: string, actual: string): boolean {
  const norm = (t: string) => t.toLowerCase().split(';')[0]!.trim().replace(/:$/, '');
  const [dt, ds] = norm(declared).split('/');
  const [at, as] = norm(actual).split('/');
  return (dt === '*' || dt === at) && (ds === '*' || ds === as);
}

function resolveRef(doc: Json, node: unknown, pointer: string): { node: Json; pointer: string } | undefined {
  let current = asObject(node);
  let at = pointer;
  for (let i = 0; current && typeof current.$ref === 'string'; i++) {
    if (i > 20 || !current.$ref.startsWith('#')) return undefined;
    at = current.$ref;
    current = asObject(getPointer(doc, at));
  }
  return current ? { node: current, pointer: at } : undefined;
}

/** Reads '#/a/b~1c' (or '/a/b', URI-encoded or not) from a value. */
function getPointer(root: unknown, pointer: string): unknown {
  const p = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  if (p === '') return root;
  let node = root;
  for (const token of p.split('/').slice(1)) {
    const key = safeDecode(token).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** '#/paths/~1orgs~1{id}/get' → '#/paths/~1orgs~1%7Bid%7D/get', the form Ajv resolves. */
function pointerToUriFragment(pointer: string): string {
  const p = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  return '#' + p.split('/').map((t) => encodeURIComponent(safeDecode(t))).join('/');
}

function esc(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function asObject(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function entries(v: unknown): [string, unknown][] {
  const o = asObject(v);
  return o ? Object.entries(o) : [];
}

function lowerKeys(headers: Record<string, HeaderValue> | undefined): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function mergeQuery(path: string, query: Record<string, QueryValue> | undefined): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  const qs = path.includes('?') ? path.slice(path.indexOf('?') + 1).split('#')[0]! : '';
  for (const [k, v] of new URLSearchParams(qs)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [String(prev), v];
  }
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) out[k] = v;
  return out;
}
