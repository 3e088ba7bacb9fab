// Isolation seed of programs: a CREDITO program with due dates (synchronous create) and a program
// made by the import job (v2), with its import record; and the routes that name a program or a
// calendar in their body.
import type { IsolationSeed, WalkCase } from '../walk.js';

const credit = (name: string) => ({
  name,
  type: 'CREDITO',
  timezone: 'America/Sao_Paulo',
  currency_numeric_code: '986',
  country_code: 'BRA',
  bin: { value: '999999', start_range: '0', end_range: '999999999' },
  brand: 'VISA',
  due_dates: [
    { day: 5, active: true },
    { day: 15, active: false },
  ],
});

const emptyList = (label: string, query: string): WalkCase => ({
  label,
  query,
  expect: { status: 200, reason: "a filter on another org's object matches nothing" },
  check: (res) => (res.json().total_items === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
});

/** The generated body names the first program type, CREDITO, which also needs bin, brand and due dates. */
const currentAccounts = (generated: unknown) => ({ ...(generated as object), type: 'CURRENT ACCOUNTS' });

export const programsSeed: IsolationSeed = {
  module: 'programs',
  async seed(s) {
    const program = await s.call('POST', '/programs/v1/programs/template', credit(s.mark('credit')));
    const accepted = await s.call('POST', '/programs/v2/programs/template', {
      name: s.mark('imported'),
      type: 'CURRENT ACCOUNTS',
      timezone: 'Europe/London',
      currency_numeric_code: '826',
      country_code: 'GBR',
    });
    const importId = String(accepted.program_import_id);
    // The worker runs the import job; the walk needs the program it made.
    const deadline = performance.now() + 20_000;
    let done: any;
    for (;;) {
      done = await s.call('GET', `/programs/v1/programs/import/${importId}`);
      if (done.status === 'SUCCESS') break;
      if (done.status === 'ERROR' || performance.now() > deadline) throw new Error(`program import ${importId}: ${JSON.stringify(done)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const id = String(program.id);
    const imported = String(done.program_id);
    return {
      params: {
        '/programs/v1/programs/{id}': [{ id }],
        '/programs/v2/programs/{id}': [{ id }, { id: imported }],
        '/programs/v1/programs/import/{id}': [{ id: importId }],
        '/programs/v1/programs/import/program/{id}': [{ id: imported }],
      },
      values: { program: id, programName: s.mark('credit'), importedProgram: imported, programImport: importId },
      markers: [s.mark('credit'), s.mark('imported')],
      snapshot: ['/programs/v1/programs?perPage=100', `/programs/v2/programs/${id}`, `/programs/v2/programs/${imported}`, `/programs/v1/programs/import/${importId}`],
    };
  },
  routes: {
    'GET /programs/v1/programs': {
      cases: ({ a }) => [emptyList("A's program id", `id=${a.value('program')}`), emptyList("A's program name", `name=${encodeURIComponent(a.value('programName'))}`)],
    },
    'POST /programs/v1/programs/template': {
      body: ({ generated }) => currentAccounts(generated),
      cases: ({ a, generated }) => [
        {
          label: "A's calendar",
          body: { ...currentAccounts(generated), name: 'walk with A calendar', holiday_calendar_id: a.value('calendar') },
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.holiday_calendar_id', reason: "a program names a calendar of its own org; another org's is an invalid field" },
        },
      ],
    },
    'POST /programs/v2/programs/template': {
      body: ({ generated }) => currentAccounts(generated),
      cases: ({ a, generated }) => [
        {
          label: "A's calendar",
          body: { ...currentAccounts(generated), name: 'walk v2 with A calendar', holiday_calendar_id: a.value('calendarExternalId') },
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.holiday_calendar_id', reason: "a program names a calendar of its own org; another org's is an invalid field" },
        },
      ],
    },
    'POST /programs/v1/programs/copy': {
      // A copy names its base program: B's own for the default case.
      body: ({ b, generated }) => ({ ...(generated as object), base_program_id: Number(b.value('program')) }),
      cases: ({ a, generated }) => [
        {
          label: "A's program as base",
          body: { ...(generated as object), base_program_id: Number(a.value('program')) },
          expect: { status: 404, reason: "another org's program is not found (EOA0020)" },
        },
      ],
    },
    'POST /programs/v2/programs/copy': {
      body: ({ b, generated }) => ({ ...(generated as object), base_program_id: Number(b.value('program')) }),
      cases: ({ a, generated }) => [
        {
          label: "A's program as base",
          body: { ...(generated as object), base_program_id: Number(a.value('program')) },
          expect: { status: 404, reason: "another org's program is not found (EOA0020)" },
        },
      ],
    },
  },
};
