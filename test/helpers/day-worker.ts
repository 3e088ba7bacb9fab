// A `lastro worker` process with one extra, test-only module whose day handlers record every
// call in test_day_calls (inside the handler's transaction). Run with
// `node --import tsx test/helpers/day-worker.ts`; configuration from the environment, plus:
//   LASTRO_TEST_NOW         the worker's wall clock, fixed at this instant (ISO)
//   LASTRO_TEST_BLOCK       <org id>:<date>: test.two blocks forever on that day…
//   LASTRO_TEST_BLOCK_FILE  …after writing this file (so the test knows it is mid-day)
//   LASTRO_TEST_DELAY_MS    each handler call waits this long first
import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { createApp } from '../../src/app.js';
import { modules } from '../../src/modules/index.js';
import { ManualClock, systemClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { onBusinessDay, type DayContext } from '../../src/platform/day-close.js';
import { createLogger } from '../../src/platform/logger.js';
import type { LastroModule } from '../../src/platform/module.js';

const env = process.env;
const delay = Number(env.LASTRO_TEST_DELAY_MS ?? 0);

const record = (handler: string) => async ({ t, date, programId }: DayContext) => {
  if (delay) await new Promise((r) => setTimeout(r, delay));
  if (handler === 'two' && env.LASTRO_TEST_BLOCK === `${t.orgId}:${date}`) {
    writeFileSync(env.LASTRO_TEST_BLOCK_FILE!, String(process.pid));
    await new Promise(() => {}); // until the process is killed
  }
  await sql`insert into test_day_calls (org_id, program_id, date, handler, pid)
            values (${t.orgId}, ${programId === null ? null : String(programId)}, ${date}, ${handler}, ${process.pid})`.execute(t.db);
};

const recorder: LastroModule = {
  name: 'test-days',
  dayHandlers: () => [onBusinessDay('test.one', record('one')), onBusinessDay('test.two', record('two'))],
};

const config = loadConfig(env);
const app = await createApp({
  config,
  mode: 'worker',
  clock: env.LASTRO_TEST_NOW ? new ManualClock(env.LASTRO_TEST_NOW) : systemClock,
  logger: createLogger(config.logLevel),
  modules: [...modules, recorder],
});
await app.start();
process.stdout.write('day worker started\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void app.stop().then(() => process.exit(0));
  });
}
