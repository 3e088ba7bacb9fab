// Request validation: two Ajv instances with the same formats and keywords, one per kind of input.
//
// A JSON body has types: `"name": 123` is a number where a string is declared, and is refused
// (400 naming the field) instead of being stored as "123"; a string is never read as a number or a
// boolean either. The path, the query string and headers are text by nature, so there a declared
// integer, number or boolean is read from its text ("page=2", "include=true") — but a number only
// when it is written in decimal and a float64 keeps it exactly: `page=99999999999999999999`,
// `limit=1e309`, `0x10`, `Infinity` or ` 7` are refused, never rounded or turned into Infinity.
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { LosslessNumber, isSafeNumber } from 'lossless-json';
import { amountKeyword } from './amount.js';
import { FORMATS } from './formats.js';

type AjvPlugin = (ajv: Ajv) => unknown;

// verbose: errors carry the offending value, so a number kept as text (a LosslessNumber) in a
// number or integer field is reported as such, not as "must be number".
const COMMON: Options = { allErrors: true, useDefaults: true, removeAdditional: false, verbose: true, addUsedSchema: false };

function ajvFor(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...COMMON, coerceTypes });
  (ajvFormats as unknown as AjvPlugin)(ajv);
  // After ajv-formats: Lastro's own `date` and `date-time` (years 0001–9999) replace its.
  for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, validate);
  amountKeyword(ajv as never);
  return ajv;
}

/**
 * The validator compiler of every route: bodies without type coercion, text parts with it.
 * A schema is compiled on the route's first request, not when the route is registered: compiling
 * every route's schemas was a third of start-up, and most processes serve few of the routes. The
 * API fuzz test sends every route of the OpenAPI document a request, so each schema is compiled
 * in CI.
 */
export function requestValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  let ajvs: { body: Ajv; text: Ajv } | undefined;
  return ({ schema, httpPart }) =>
    compiledOnFirstUse(() => {
      ajvs ??= { body: ajvFor(false), text: ajvFor('array') };
      const ajv = httpPart === 'body' ? ajvs.body : ajvs.text;
      const id = (schema as { $id?: string }).$id;
      const validate = (id && ajv.getSchema(id)) || ajv.compile(schema as object);
      return httpPart === 'body' ? orNoBody(validate, isOptional(schema)) : readingNumbers(validate, schema as JsonSchema);
    });
}

/** TypeBox marks `Type.Optional(…)` with a `~optional` property JSON Schema does not show. */
const isOptional = (schema: unknown): boolean => (schema as Record<string, unknown>)['~optional'] === true;

/** What a route requiring a body answers a request without one: `body` is required. */
const BODY_REQUIRED = { instancePath: '', schemaPath: '#/required', keyword: 'required', params: {}, message: 'is required' };

/**
 * `validate` for a body, where Fastify hands a request without a body (none sent, or a zero-length
 * one: json-body.ts) as `null`: valid when the route's body is optional (`Type.Optional`), else
 * one issue naming `body` instead of "must be object".
 */
function orNoBody(validate: ValidateFunction, optional: boolean): ValidateFunction {
  const wrapped = ((data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) => {
    if (data === null || data === undefined) {
      wrapped.errors = optional ? null : [BODY_REQUIRED];
      return optional;
    }
    const ok = validate(data, dataCxt);
    wrapped.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  wrapped.errors = null;
  Object.defineProperty(wrapped, 'schemaEnv', { value: validate.schemaEnv });
  return wrapped;
}

/** A validate function that compiles itself (`make`) when first called; Fastify reads its `errors`. */
function compiledOnFirstUse(make: () => ValidateFunction): ValidateFunction {
  let validate: ValidateFunction | undefined;
  const compiled = (): ValidateFunction => (validate ??= make());
  const lazy = ((data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) => {
    const v = compiled();
    const ok = v(data, dataCxt);
    lazy.errors = v.errors;
    return ok;
  }) as ValidateFunction;
  lazy.errors = null;
  // Fastify hands Ajv the data's parent (so a root value can be coerced in place) only to a
  // function with a schemaEnv, as Ajv's compiled ones have: answer as the compiled one does.
  Object.defineProperty(lazy, 'schemaEnv', { get: () => compiled().schemaEnv });
  return lazy;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

/** JSON's number syntax (leading zeros allowed): the only way a number may be written in a URL or header. */
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** What a text is given to the validator as, where a number is declared. */
function numberFromText(text: string): unknown {
  if (!DECIMAL.test(text)) return NOT_A_NUMBER;
  // As the body parser does: a number a float64 does not keep exactly stays text, and the one
  // error mapper says why (too large, beyond 2^53, too many digits).
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text);
}

/** Stands for a text that is no number at all: no coercion turns it into one ("must be integer"). */
const NOT_A_NUMBER: Readonly<Record<string, never>> = Object.freeze({});

const isNumeric = (s: JsonSchema | undefined): boolean => {
  const types = s?.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  return types.includes('integer') || types.includes('number');
};

/**
 * `validate` for a path, query string or headers schema, reading the text of each property
 * declared a number (or an array of numbers) first. Other properties are left to Ajv's coercion.
 */
function readingNumbers(validate: ValidateFunction, schema: JsonSchema): ValidateFunction {
  const props = Object.entries(schema.properties ?? {});
  const scalars = props.filter(([, s]) => isNumeric(s)).map(([name]) => name);
  const arrays = props.filter(([, s]) => s.type === 'array' && isNumeric(s.items)).map(([name]) => name);
  if (!scalars.length && !arrays.length) return validate;
  const wrapped = ((data: unknown) => {
    if (data !== null && typeof data === 'object') {
      const values = data as Record<string, unknown>;
      for (const name of scalars) {
        const v = values[name];
        if (typeof v === 'string') values[name] = numberFromText(v);
      }
      for (const name of arrays) {
        const v = values[name];
        if (typeof v === 'string') values[name] = [numberFromText(v)];
        else if (Array.isArray(v)) values[name] = v.map((x) => (typeof x === 'string' ? numberFromText(x) : x));
      }
    }
    const ok = validate(data);
    wrapped.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  wrapped.errors = null;
  return wrapped;
}
