// Valid request values built from a route's JSON Schema (as the OpenAPI document holds it): the
// walk sends them so that a route answers from its lookup, not from its validator. A value the
// schema cannot describe (a pattern without an example) is an error naming the field, so the
// route gets a rule with an explicit body instead of a guess.

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minProperties?: number;
  nullable?: boolean;
};

export class UnbuildableValue extends Error {
  constructor(readonly field: string, reason: string) {
    super(`cannot build ${field}: ${reason}`);
    this.name = 'UnbuildableValue';
  }
}

/** A valid value for each format Lastro's routes declare (src/platform/http/formats.ts and ajv-formats). */
const FORMAT_VALUES: Record<string, string> = {
  'iana-timezone': 'America/Sao_Paulo',
  'iso4217-numeric': '986',
  'iso3166-alpha3': 'BRA',
  'time-hms': '12:00:00',
  date: '2026-12-24',
  'date-time': '2026-11-23T12:00:00Z',
  time: '12:00:00Z',
  email: 'walk@example.com',
  uri: 'https://example.com/walk',
  url: 'https://example.com/walk',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/** A value valid for `schema` (required properties only, plus enough optional ones for minProperties). */
export function buildValue(schema: JsonSchema, field = 'body'): unknown {
  if (schema.examples?.length) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (branch) return buildValue(branch, field);
  if (schema.allOf?.length) {
    return schema.allOf.reduce<unknown>((acc, s) => {
      const v = buildValue(s, field);
      return isObject(acc) && isObject(v) ? { ...acc, ...v } : v;
    }, undefined);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = schema.properties ?? {};
      for (const name of schema.required ?? []) {
        const sub = props[name];
        if (!sub) throw new UnbuildableValue(`${field}.${name}`, 'required but not described');
        out[name] = buildValue(sub, `${field}.${name}`);
      }
      for (const [name, sub] of Object.entries(props)) {
        if (Object.keys(out).length >= (schema.minProperties ?? 0)) break;
        if (!(name in out)) out[name] = buildValue(sub, `${field}.${name}`);
      }
      return out;
    }
    case 'array': {
      const n = schema.minItems ?? 0;
      if (n > 0 && !schema.items) throw new UnbuildableValue(field, 'array items are not described');
      return Array.from({ length: n }, (_, i) => buildValue(schema.items!, `${field}[${i}]`));
    }
    case 'string': {
      if (schema.format) {
        const v = FORMAT_VALUES[schema.format];
        if (v === undefined) throw new UnbuildableValue(field, `no sample value for format "${schema.format}"`);
        return v;
      }
      if (schema.pattern) throw new UnbuildableValue(field, `pattern ${schema.pattern} without an example`);
      const min = schema.minLength ?? 1;
      const max = schema.maxLength ?? Math.max(min, 8);
      return 'walk'.padEnd(min, 'k').slice(0, Math.max(min, Math.min(max, 4)));
    }
    case 'integer':
    case 'number': {
      const low = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? 1);
      const v = Math.max(low, 1);
      return schema.maximum !== undefined ? Math.min(v, schema.maximum) : v;
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      throw new UnbuildableValue(field, `no type (${JSON.stringify(schema).slice(0, 120)})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
