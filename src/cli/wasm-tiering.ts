// PGlite's WebAssembly during start-up. V8 runs each function first as quickly compiled code and
// has its optimising compiler recompile, on background threads, the ones that have run enough
// (its tiering budget). A start runs many statements once (catalog reads, the job queues'
// checks): dozens of PGlite's functions, among them the largest (the parser, the planner), were
// recompiled, seconds of CPU competing with the start for the machine's cores (2 on a small
// server), for code that mostly never runs again. Until start-up is over the budget is ten times
// V8's; the functions that are hot afterwards are optimised as before.
import v8 from 'node:v8';

/** V8's default `--wasm-tiering-budget` (Node.js 20). */
const V8_BUDGET = 1_800_000;
const STARTUP_BUDGET = 10 * V8_BUDGET;

/** Whether Node's command line (or NODE_OPTIONS) sets the budget: then it is left as given. */
function budgetGiven(): boolean {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return args.some((a) => /^--wasm[-_]tiering[-_]budget\b/.test(a));
}

/**
 * Raises the budget; the returned function sets V8's again. Raise it before the start bundle is
 * compiled and lower it after its code cache is written: V8 stamps the cache with its flags, and
 * a cache made under other flags is refused.
 */
export function raiseWasmTieringBudget(): () => void {
  if (budgetGiven()) return () => {};
  v8.setFlagsFromString(`--wasm-tiering-budget=${STARTUP_BUDGET}`);
  return () => v8.setFlagsFromString(`--wasm-tiering-budget=${V8_BUDGET}`);
}
