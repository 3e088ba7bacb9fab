// Benchmark runner: `npm run bench -- <name> [options]`. Progress goes to stderr; stdout gets
// exactly one JSON object, so results can be piped or appended to a history file.
import { authBenchmark } from './auth.js';
import { clockBenchmark } from './clock.js';
import { eventsBenchmark } from './events.js';
import { httpBenchmark } from './http.js';
import { ledgerBenchmark } from './ledger.js';
import { ledgerGroupsBenchmark } from './ledger-groups.js';
import { lendingBenchmark } from './lending.js';
import { writesBenchmark } from './writes.js';
import { type Benchmark, UsageError, say } from './lib.js';

// Add a benchmark by writing a module that exports a Benchmark and listing it here.
const BENCHMARKS: Record<string, Benchmark> = {
  http: httpBenchmark,
  auth: authBenchmark,
  events: eventsBenchmark,
  writes: writesBenchmark,
  clock: clockBenchmark,
  lending: lendingBenchmark,
  ledger: ledgerBenchmark,
  'ledger-groups': ledgerGroupsBenchmark,
};

function usage(): string {
  const lines = ['usage: npm run bench -- <name> [options]', '', 'benchmarks:'];
  for (const [name, b] of Object.entries(BENCHMARKS)) {
    lines.push(`  ${name.padEnd(8)} ${b.summary}`);
    for (const opt of b.options) lines.push(`           ${opt}`);
  }
  return lines.join('\n');
}

const [name, ...args] = process.argv.slice(2);
if (name === '--help' || name === '-h') {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}
const bench = name !== undefined && Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
if (!bench) {
  if (name !== undefined) process.stderr.write(`unknown benchmark "${name}"\n\n`);
  process.stderr.write(`${usage()}\n`);
  process.exit(2);
}

try {
  const result = await bench.run(args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${usage()}\n`);
    process.exit(2);
  }
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}
// Don't wait on stray handles (autocannon timers, sockets); the exit hook still cleans up.
process.exit(0);
