// Writes openapi.json from the route schemas, or with --check fails when the committed file
// differs from what the code generates (CI runs the check).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApi } from './openapi-document.js';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
const text = await generateOpenApi();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing counts as drift
  }
  if (committed !== text) {
    process.stderr.write('openapi.json is out of date with the route schemas: run `npm run openapi` and commit the result.\n');
    process.exit(1);
  }
  process.stderr.write('openapi.json matches the route schemas.\n');
} else {
  writeFileSync(target, text);
  process.stderr.write(`wrote ${target}\n`);
}
