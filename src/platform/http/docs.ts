// The API reference page at /docs: Scalar's standalone script (bundled in the npm package, never
// a CDN) reading /openapi.json. The 4 MB script is loaded on the first /docs request, not at
// start-up, where parsing it would cost a few hundred milliseconds of every start.
import Fastify from 'fastify';
import { routeAuth } from '../auth/guard.js';
import type { HttpApp } from '../module.js';

let script: Promise<string> | undefined;

// In the start bundle (dist/bundle/start.cjs), the loader (src/cli/code-cache.ts) passes an
// import() of its own: a script V8 compiled from its code cache has none on Node 20 (its import()
// throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). Elsewhere this name is not defined.
declare const lastroImportEsm: ((specifier: string) => Promise<unknown>) | undefined;

/** Scalar's Fastify plugin, an ES module package. */
async function loadScalar(): Promise<typeof import('@scalar/fastify-api-reference')> {
  if (typeof lastroImportEsm === 'function') {
    return (await lastroImportEsm('@scalar/fastify-api-reference')) as typeof import('@scalar/fastify-api-reference');
  }
  return import('@scalar/fastify-api-reference');
}

/** Scalar's standalone script, as its own Fastify plugin serves it. */
function scalarScript(): Promise<string> {
  script ??= (async () => {
    const { default: scalar } = await loadScalar();
    const scratch = Fastify();
    // It registers its routes only when it knows where the document is.
    await scratch.register(scalar, { routePrefix: '/r', configuration: { url: '/openapi.json' } });
    const res = await scratch.inject({ method: 'GET', url: '/r/js/scalar.js' });
    await scratch.close();
    if (res.statusCode !== 200) throw new Error(`could not load the API reference script (${res.statusCode})`);
    return res.body;
  })();
  script.catch(() => (script = undefined));
  return script;
}

// Offline: no hosted developer toolbar, AI agent, MCP or telemetry, which all call out to the
// vendor's services.
const CONFIGURATION = JSON.stringify({
  url: '/openapi.json',
  showDeveloperTools: 'never',
  agent: { disabled: true },
  mcp: { disabled: true },
  telemetry: false,
  hideClientButton: true,
  withDefaultFonts: false, // system fonts instead of the vendor's font CDN
}).replace(/"/g, '&quot;');

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Lastro API reference</title>
  </head>
  <body>
    <script id="api-reference" data-url="/openapi.json" data-configuration="${CONFIGURATION}"></script>
    <script src="/docs/js/scalar.js"></script>
  </body>
</html>
`;

export function docsRoutes(app: HttpApp): void {
  const config = { auth: routeAuth.public() };
  app.get('/docs', { schema: { hide: true }, config }, async (_req, reply) => reply.redirect('/docs/', 301));
  app.get('/docs/', { schema: { hide: true }, config }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/js/scalar.js', { schema: { hide: true }, config }, async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(await scalarScript()),
  );
}
