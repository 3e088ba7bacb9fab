import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, VARIABLES, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './.lastro/data', logLevel: 'info', databasePoolSize: 10 });
    expect(c.databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty', /PORT: must be a whole number/],
    ['PORT', '70000', /PORT: must be between 0 and 65535/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL: must use the postgres:\/\/ scheme/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: must be a URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: must be one of/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE: must be between 1 and 500/],
    ['LASTRO_JOB_POLL_SECONDS', '0.1', /LASTRO_JOB_POLL_SECONDS/],
    ['LASTRO_METRICS', 'yes', /LASTRO_METRICS: must be true or false/],
  ])('a bad %s stops start-up with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('every variable is documented in the README configuration table, with its default', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const spec of Object.values(VARIABLES)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${spec.name}\``));
      expect(row, `README row for ${spec.name}`).toBeDefined();
      if (spec.default !== undefined) expect(row).toContain(`\`${spec.default}\``);
    }
  });
});
