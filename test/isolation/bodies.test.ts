// The body builder: values valid for the schemas Lastro's routes declare, and a clear refusal
// where a schema cannot say what a valid value is.
import { describe, expect, it } from 'vitest';
import { buildValue, UnbuildableValue } from './bodies.js';

describe('buildValue', () => {
  it('fills required properties only, with enums, formats and bounds respected', () => {
    expect(
      buildValue({
        type: 'object',
        required: ['name', 'type', 'timezone', 'day', 'when'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 50 },
          type: { enum: ['CREDITO', 'DEBITO'] },
          timezone: { type: 'string', format: 'iana-timezone' },
          day: { type: 'integer', minimum: 1, maximum: 28 },
          when: { anyOf: [{ type: 'string', enum: ['now'] }, { type: 'string', enum: ['later'] }] },
          optional: { type: 'string' },
        },
      }),
    ).toEqual({ name: 'walk', type: 'CREDITO', timezone: 'America/Sao_Paulo', day: 1, when: 'now' });
  });

  it('adds optional properties in order up to minProperties, and minItems items', () => {
    expect(buildValue({ type: 'object', minProperties: 1, properties: { name: { type: 'string' }, other: { type: 'string' } } })).toEqual({ name: 'walk' });
    expect(buildValue({ type: 'array', minItems: 2, items: { type: 'integer', minimum: 3 } })).toEqual([3, 3]);
    expect(buildValue({ type: 'string', minLength: 6, maxLength: 6 })).toBe('walkkk');
  });

  it('prefers examples and defaults to invented values', () => {
    expect(buildValue({ type: 'string', examples: ['986'] })).toBe('986');
    expect(buildValue({ type: 'integer', default: 20 })).toBe(20);
  });

  it('refuses a pattern or a format it has no sample for, naming the field', () => {
    const pattern = () => buildValue({ type: 'object', required: ['bin'], properties: { bin: { type: 'string', pattern: '^[0-9]{6}$' } } });
    expect(pattern).toThrow(UnbuildableValue);
    expect(pattern).toThrow(/body\.bin/);
    expect(() => buildValue({ type: 'string', format: 'hostname' })).toThrow(/format "hostname"/);
  });
});
