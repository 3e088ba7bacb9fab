// The OpenAPI document as generated from the route schemas, in the committed file's format.
// Routes do not touch the database while registering, so an in-memory PGlite suffices.
import { PGlite } from '@electric-sql/pglite';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/logger.js';

export async function generateOpenApi(): Promise<string> {
  const pglite = await PGlite.create('memory://');
  const app = await createApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    mode: 'api',
    migrate: false,
    pglite,
    logger: createLogger('silent'),
  });
  try {
    await app.http!.ready();
    return `${JSON.stringify(app.http!.swagger(), null, 2)}\n`;
  } finally {
    await app.stop();
    await pglite.close();
  }
}
