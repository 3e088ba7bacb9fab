import { readdirSync } from 'node:fs';
import { it } from 'vitest';
import { SPECS_DIR, compileProblems, listOperations, loadSpec } from './pismo-spec.js';
it('walk', () => {
  let ops = 0; const bad: string[] = []; const repairs: string[] = [];
  for (const folder of ['published-apis/', 'older/']) for (const f of readdirSync(new URL(folder, SPECS_DIR))) {
    const spec = loadSpec(f);
    repairs.push(...spec.repairs.map((r) => `${f} ${r}`));
    for (const op of listOperations(spec)) { ops++; const p = compileProblems(spec, op.pointer); if (p.length) bad.push(`${f} ${op.method} ${op.template}: ${p.join('; ')}`); }
  }
  console.log(ops, bad.length); console.log(bad.map((b) => b.slice(0, 400)).join('\n')); console.log(repairs.join('\n'));
});
