import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../scripts/openapi-document.js';
import { testApp } from '../helpers/app.js';

describe('OpenAPI document', () => {
  it('the committed openapi.json matches the route schemas (run `npm run openapi` after changing routes)', async () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    expect(await generateOpenApi()).toBe(committed);
  });

  it('is served at /openapi.json and documents the one error body on every route', async () => {
    const app = await testApp();
    const doc = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.0.3');
    const ops = Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, any> }>>).flatMap((p) => Object.values(p));
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) {
      expect(op.responses['4XX'] ?? op.responses['4xx']).toBeDefined();
    }
    await app.close();
  });
});
