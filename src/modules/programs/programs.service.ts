// Programs: create from a template or as a copy (synchronously, or asynchronously through a
// durable job), list, get and update. Every rule of Pismo's ProgramFromTemplate is enforced the
// same way on every path, so an asynchronous creation fails at once for the same input a
// synchronous one refuses.
import { Type } from 'typebox';
import type { RequestContext } from '../../platform/context.js';
import { afterCommit, sendLast, violates } from '../../platform/db/database.js';
import { savepoint } from '../../platform/db/savepoint.js';
import { AppError, isTransient } from '../../platform/errors.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import { defineJob, NonRetryableJobError, type JobContext } from '../../platform/jobs.js';
import type { Platform } from '../../platform/module.js';
import { eventOf, eventStatements, recordEvent } from '../../platform/outbox.js';
import { pageRequest, pismoPage } from '../../platform/paging.js';
import type { TenantScope, TenantTx } from '../../platform/tenant.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';
import { calendarOwnersChanged, resolveCalendarRef, type CalendarOwners } from '../calendars/index.js';
import { ProgramErrors } from './programs.errors.js';
import { ProgramEvents } from './programs.events.js';
import * as repo from './programs.repo.js';
import {
  BRAND_IDS,
  PROGRAM_TYPE_IDS,
  binIssues,
  dueDateIssues,
  issuesCards,
  modeOf,
  needsDueDates,
  programIssues,
  programModeOf,
  type ProgramMode,
  typeOfId,
  type RuleIssue,
} from './programs.rules.js';
import {
  SUBMITTED_MESSAGE,
  type Brand,
  type CopyProgram,
  type Program,
  type ProgramDetails,
  type ProgramFromTemplate,
  type ProgramImportWithSteps,
  type ProgramListQuery,
  type ProgramPatch,
  type ProgramType,
} from './programs.schemas.js';

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toProgram(r: repo.ProgramRow, dueDates?: readonly Pick<repo.DueDateRow, 'due_date_id' | 'day' | 'active'>[]): Program {
  return {
    id: Number(r.program_id),
    name: r.name,
    type: typeOfId(r.type_id),
    ...(r.bin_value !== null ? { bin: { value: r.bin_value, start_range: r.bin_start_range ?? '', end_range: r.bin_end_range ?? '' } } : {}),
    brand: opt(r.brand),
    base_program_id: r.base_program_id === null ? undefined : Number(r.base_program_id),
    currency_numeric_code: r.currency_numeric_code,
    timezone: r.timezone,
    country_code: r.country_code,
    created_at: isoSeconds(r.created_at),
    status: r.status,
    language: r.language,
    cycle_closing: opt(r.cycle_closing),
    holiday_calendar_id: r.holiday_calendar_id === null ? undefined : String(r.holiday_calendar_id),
    ...(dueDates?.length ? { due_dates: dueDates.map((d) => ({ id: Number(d.due_date_id), day: d.day, active: d.active })) } : {}),
  };
}

function toDetails(r: repo.ProgramRow, dueDates: repo.DueDateRow[]): ProgramDetails {
  const base = toProgram(r, dueDates);
  const type = typeOfId(r.type_id);
  const brand = r.brand as Brand | null;
  return {
    ...base,
    type: { id: r.type_id, description: type, mode: modeOf(type) },
    brand: brand ? { id: BRAND_IDS[brand], description: brand, pci: true } : undefined,
  };
}

function toImport(r: repo.ImportRow): ProgramImportWithSteps {
  const done = r.finished_at ? isoSeconds(r.finished_at) : undefined;
  // The stored spec carries the resolved type, a copy's too (its body has none).
  const steps: ('PROGRAM' | 'DUEDATES')[] = (r.request as Partial<StoredSpec>).type === 'CREDITO' ? ['PROGRAM', 'DUEDATES'] : ['PROGRAM'];
  return {
    id: Number(r.program_import_id),
    program_id: r.program_id === null ? undefined : Number(r.program_id),
    status: r.status,
    details: opt(r.details),
    started_at: isoSeconds(r.started_at),
    finished_at: done,
    program_import_steps: steps.map((name, i) => ({
      id: Number(r.program_import_id) * 10 + i + 1,
      name,
      order: i + 1,
      status: r.status,
      started_at: isoSeconds(r.started_at),
      finished_at: done,
    })),
  };
}

/** What a template body or a copy resolves to before it is stored. */
type ProgramSpec = ProgramFromTemplate & { base_program_id?: number };

/**
 * An import's program as resolved when the request was accepted: the copy's base program already
 * read, and holiday_calendar_id the calendar's id (not a reference to resolve again).
 */
type StoredSpec = ProgramSpec;

/** Retries of an import job after its first attempt; the last failure ends the import in ERROR. */
const IMPORT_RETRY_LIMIT = 5;

/**
 * The spec without the due date ids a create body may carry (Pismo's ProgramDueDate has one): the
 * program's due dates are new and get ids of their own, so a sent id is not kept anywhere.
 */
const withNewDueDates = (spec: ProgramSpec): ProgramSpec =>
  spec.due_dates ? { ...spec, due_dates: spec.due_dates.map(({ day, active }) => ({ day, active })) } : spec;

const throwIfAny = (issues: RuleIssue[]) => {
  if (issues.length) throw ProgramErrors.rules(issues);
};

const ImportJobData = Type.Object({ org_id: Type.String(), program_import_id: Type.String({ pattern: '^[0-9]+$' }) });

/**
 * What calendars ask programs (wired in src/modules/index.ts): a program's calendar, and whether
 * any program names a calendar, for the 409 of a calendar delete.
 */
export const programCalendars: Pick<CalendarOwners, 'programCalendar' | 'usedByProgram'> = {
  async programCalendar(t, programId) {
    const id = await repo.programCalendarId(t.db, t.orgId, programId);
    if (id === undefined) throw ProgramErrors.programNotFound(programId);
    return id;
  },
  usedByProgram: (t, calendarId) => repo.calendarUsedByProgram(t.db, t.orgId, calendarId),
};

export type ProgramsService = ReturnType<typeof createProgramsService>;

export function createProgramsService(deps: Pick<Platform, 'clock' | 'ids' | 'jobs' | 'tenant' | 'dates'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  /** The calendar a body names (locked FOR KEY SHARE until the transaction ends), or an issue. */
  async function calendarOf(t: TenantTx, ref: string | null | undefined): Promise<{ id: bigint | null; issues: RuleIssue[] }> {
    if (ref === undefined || ref === null) return { id: null, issues: [] };
    const id = await resolveCalendarRef(t, ref);
    if (id !== undefined) return { id, issues: [] };
    return { id: null, issues: [{ code: 'VALIDATION_ERROR', field: 'body.holiday_calendar_id', reason: 'does not name a holiday calendar of this org' }] };
  }

  /** Rules and the calendar reference of a spec: one 400 naming every bad field, or the calendar id. */
  async function checkSpec(t: TenantTx, spec: ProgramSpec): Promise<bigint | null> {
    const calendar = await calendarOf(t, spec.holiday_calendar_id);
    throwIfAny([...programIssues(spec), ...calendar.issues]);
    return calendar.id;
  }

  /** A copy: the base program's type, card data, due dates and settings, overridden by the body. */
  async function copySpec(t: TenantTx, body: CopyProgram): Promise<ProgramSpec> {
    const base = await repo.findProgram(t.db, t.orgId, BigInt(body.base_program_id));
    if (!base) throw ProgramErrors.programNotFound(body.base_program_id);
    const baseDueDates = await repo.listDueDates(t.db, t.orgId, base.program_id);
    const from = toProgram(base, baseDueDates);
    return {
      type: from.type as ProgramSpec['type'],
      ...(from.bin ? { bin: from.bin } : {}),
      ...(from.brand ? { brand: from.brand as Brand } : {}),
      ...(from.due_dates ? { due_dates: from.due_dates.map(({ day, active }) => ({ day, active })) } : {}),
      language: from.language as 'en-US' | 'pt-BR',
      ...(from.cycle_closing ? { cycle_closing: from.cycle_closing } : {}),
      ...(from.holiday_calendar_id ? { holiday_calendar_id: from.holiday_calendar_id } : {}),
      ...body,
    };
  }

  /** Inserts the program (its rules already checked) and its due dates and records Program created. */
  async function insertProgram(t: TenantTx, spec: ProgramSpec, calendarId: bigint | null, cid: string | undefined, importId?: bigint) {
    const orgId = t.orgId;
    const now = clock.now();
    const newRow: repo.NewProgram = {
      org_id: orgId,
      name: spec.name,
      type_id: PROGRAM_TYPE_IDS[spec.type],
      // Lastro has no PCI or accounting set-up stage a program waits for: it is usable at once.
      status: 'ACTIVE',
      timezone: spec.timezone,
      currency_numeric_code: spec.currency_numeric_code,
      country_code: spec.country_code,
      language: spec.language ?? 'en-US',
      cycle_closing: spec.cycle_closing ?? null,
      brand: spec.brand ?? null,
      bin_value: spec.bin?.value ?? null,
      bin_start_range: spec.bin?.start_range ?? null,
      bin_end_range: spec.bin?.end_range ?? null,
      holiday_calendar_id: calendarId,
      base_program_id: spec.base_program_id !== undefined ? BigInt(spec.base_program_id) : null,
      created_at: now,
      updated_at: now,
    };
    const insert = repo.insertProgramWithDueDates(newRow, spec.due_dates ?? []);
    // The event goes in the same pipeline, after the insert: its program_id (0 here, which the
    // schema check accepts) is set by PostgreSQL to the id the insert took. With nothing sent
    // before (no calendar to resolve, no idempotency key), BEGIN, the insert, the event and the
    // commit are one round trip.
    const event = eventStatements(
      t.db,
      events,
      eventOf(ProgramEvents.programCreated, {
        orgId,
        cid,
        data: {
          ...programEventData({ ...newRow, program_id: 0n }),
          ...(importId !== undefined ? { program_import_id: Number(importId) } : {}),
        },
      }),
      { field: 'program_id', sql: repo.NEW_PROGRAM_ID_SQL },
    );
    const [inserted] = await sendLast(t.db, [insert.query, ...event]);
    const { program: row, dueDates } = insert.read(inserted!.rows);
    return { row, dueDates };
  }

  const programEventData = (row: repo.ProgramRow) => ({
    org_id: row.org_id,
    program_id: Number(row.program_id),
    program_name: row.name,
    program_type: typeOfId(row.type_id),
    program_type_id: row.type_id,
    status: row.status,
    currency_numeric_code: row.currency_numeric_code,
    country_code: row.country_code,
    timezone: row.timezone,
    ...(row.base_program_id !== null ? { base_program_id: Number(row.base_program_id) } : {}),
  });

  /**
   * A foreign-key violation of the calendar: it was deleted after the request named it. The
   * constraint is on the programs table, so only this module decodes it.
   */
  const calendarGone = (err: unknown): unknown =>
    violates(err, 'programs_holiday_calendar_fk') ? ProgramErrors.unknownCalendar('body.holiday_calendar_id') : err;

  /**
   * Runs an import: creates its program once, however often the job is delivered. Each step is a
   * tenant transaction of its own. The import is marked PROCESS first (committed, so a GET shows
   * it). The insert runs under a savepoint: when it breaks a rule (the calendar deleted since the
   * request), it is rolled back whole and the import ends in ERROR with the reason. Any other
   * failure is thrown for a retry; on the last attempt (`lastAttempt`) the import is set to ERROR
   * in a transaction of its own first, so it never stays PENDING or PROCESS once its job has
   * given up.
   */
  async function runImport(orgId: string, importId: bigint, opts: { lastAttempt?: boolean } = {}): Promise<void> {
    const scope: TenantScope = { orgId, cid: undefined, actor: 'job:programs.import' };
    try {
      const todo = await deps.tenant(scope, async (t) => {
        const imp = await repo.lockImport(t.db, orgId, importId);
        if (!imp) throw new NonRetryableJobError(`program import ${importId} of ${orgId} does not exist`);
        if (imp.status === 'SUCCESS' || imp.status === 'ERROR') return false; // already done: a redelivery
        if (imp.status === 'PENDING') await repo.updateImport(t.db, orgId, importId, { status: 'PROCESS' });
        return true;
      });
      if (!todo) return;
      await deps.tenant(scope, async (t) => {
        const imp = await repo.lockImport(t.db, orgId, importId);
        if (!imp || imp.status === 'SUCCESS' || imp.status === 'ERROR') return; // finished by a concurrent delivery
        const spec = imp.request as unknown as StoredSpec;
        const calendarId = spec.holiday_calendar_id === undefined ? null : BigInt(spec.holiday_calendar_id);
        try {
          const { row } = await savepoint(t.db, 'program_import', async () => {
            throwIfAny(programIssues(spec));
            return insertProgram(t, spec, calendarId, imp.cid ?? undefined, importId).catch((err: unknown) => {
              throw calendarGone(err);
            });
          });
          await repo.updateImport(t.db, orgId, importId, { status: 'SUCCESS', program_id: row.program_id, finished_at: clock.now() });
        } catch (err) {
          // A rule the stored request breaks now will not heal on retry: nothing of the program
          // stays (the savepoint was rolled back), and the import ends in ERROR with the reason.
          // Anything else is retried.
          if (!(err instanceof AppError) || isTransient(err)) throw err;
          await repo.updateImport(t.db, orgId, importId, { status: 'ERROR', details: err.message, finished_at: clock.now() });
        }
      });
    } catch (err) {
      if (opts.lastAttempt && !(err instanceof NonRetryableJobError)) {
        await deps.tenant(scope, (t) =>
          repo.updateImport(t.db, orgId, importId, {
            status: 'ERROR',
            details: 'The program could not be created (an internal error); submit the request again.',
            finished_at: clock.now(),
          }),
        );
      }
      throw err;
    }
  }

  const importJob = defineJob({
    name: 'programs.import',
    schema: ImportJobData,
    retryLimit: IMPORT_RETRY_LIMIT,
    async handler(data, ctx: JobContext) {
      // JobContext.attempt counts from 1; attempt retryLimit + 1 is the last one pg-boss makes.
      await runImport(data.org_id, BigInt(data.program_import_id), { lastAttempt: ctx.attempt > IMPORT_RETRY_LIMIT });
    },
  });

  /** Writes the import and its job in the caller's transaction (both or neither), after checking every rule. */
  async function submitImport(
    t: TenantTx,
    kind: 'TEMPLATE' | 'COPY',
    body: ProgramFromTemplate | CopyProgram,
    ctx: Pick<RequestContext, 'idempotencyKey'>,
    operation: string,
  ) {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation, payload: body };
    const res = await maybeIdempotent(t.db, clock, once, async () => {
      const spec = withNewDueDates(kind === 'COPY' ? await copySpec(t, body as CopyProgram) : (body as ProgramFromTemplate));
      const calendarId = await checkSpec(t, spec);
      // What the job will insert, resolved now: the base program as it is at this request, and
      // the calendar by its id (a reference could name another calendar by the time it runs).
      const { holiday_calendar_id: _ref, ...rest } = spec;
      const stored: StoredSpec = { ...rest, ...(calendarId !== null ? { holiday_calendar_id: String(calendarId) } : {}) };
      const imp = await repo.insertImport(t.db, {
        org_id: t.orgId,
        kind,
        request: JSON.stringify(stored),
        status: 'PENDING',
        program_id: null,
        details: null,
        cid: t.cid ?? null,
        started_at: clock.now(),
        finished_at: null,
      });
      await deps.jobs.send(importJob, { org_id: t.orgId, program_import_id: String(imp.program_import_id) }, { tx: t.db });
      return { status: 201, body: Number(imp.program_import_id) };
    });
    return res.body;
  }

  async function createSync(
    t: TenantTx,
    specOf: () => Promise<ProgramSpec>,
    payload: unknown,
    ctx: Pick<RequestContext, 'idempotencyKey'>,
    operation: string,
  ) {
    const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation, payload };
    try {
      const res = await maybeIdempotent(t.db, clock, once, async () => {
        const spec = withNewDueDates(await specOf());
        const calendarId = await checkSpec(t, spec);
        const { row, dueDates } = await insertProgram(t, spec, calendarId, t.cid);
        return { status: 200, body: toProgram(row, dueDates) };
      });
      return res.body;
    } catch (err) {
      throw calendarGone(err);
    }
  }

  /** The program with this id (undefined: an id no program can have), or 404. */
  async function mustFind(t: TenantTx, id: bigint | undefined, raw: string) {
    const row = id === undefined ? undefined : await repo.findProgram(t.db, t.orgId, id);
    if (!row) throw ProgramErrors.programNotFound(raw);
    return row;
  }

  return {
    importJob,
    runImport,

    /** POST /programs/v1/programs/template: the program, or the reason it cannot be created. */
    createFromTemplate: (t: TenantTx, body: ProgramFromTemplate, ctx: Pick<RequestContext, 'idempotencyKey'>) =>
      createSync(t, async () => body, body, ctx, 'POST /programs/v1/programs/template'),

    /** POST /programs/v1/programs/copy. */
    copy: (t: TenantTx, body: CopyProgram, ctx: Pick<RequestContext, 'idempotencyKey'>) =>
      createSync(t, () => copySpec(t, body), body, ctx, 'POST /programs/v1/programs/copy'),

    /** POST /programs/v2/programs/template: the import id at once; a job creates the program. */
    async createFromTemplateAsync(t: TenantTx, body: ProgramFromTemplate, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      const id = await submitImport(t, 'TEMPLATE', body, ctx, 'POST /programs/v2/programs/template');
      return { program_import_id: id, message: SUBMITTED_MESSAGE };
    },

    /** POST /programs/v2/programs/copy. */
    async copyAsync(t: TenantTx, body: CopyProgram, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      const id = await submitImport(t, 'COPY', body, ctx, 'POST /programs/v2/programs/copy');
      return { program_export_id: id, message: SUBMITTED_MESSAGE };
    },

    async get(t: TenantTx, rawId: string): Promise<Program> {
      const row = await mustFind(t, int8Id(rawId), rawId);
      return toProgram(row, await repo.listDueDates(t.db, t.orgId, row.program_id));
    },

    async getDetails(t: TenantTx, rawId: string): Promise<ProgramDetails> {
      const row = await mustFind(t, int8Id(rawId), rawId);
      return toDetails(row, await repo.listDueDates(t.db, t.orgId, row.program_id));
    },

    async list(t: TenantTx, q: ProgramListQuery) {
      const page = pageRequest(q.page, q.perPage);
      const filter: repo.ProgramFilter = {
        ...(q.id !== undefined ? { id: BigInt(q.id) } : {}),
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.type !== undefined ? { typeId: PROGRAM_TYPE_IDS[q.type] } : {}),
        ...(q.binValue !== undefined ? { binValue: q.binValue } : {}),
      };
      const { rows, total } = await repo.listPrograms(t.db, t.orgId, filter, { by: q.orderBy ?? 'ID', order: q.order ?? 'ASC' }, page);
      return pismoPage(page, total, rows.map((r) => toProgram(r)));
    },

    async getImport(t: TenantTx, rawId: string): Promise<ProgramImportWithSteps> {
      const id = int8Id(rawId);
      const row = id === undefined ? undefined : await repo.findImport(t.db, t.orgId, id);
      if (!row) throw ProgramErrors.importNotFound(rawId);
      return toImport(row);
    },

    async getImportOfProgram(t: TenantTx, rawId: string): Promise<ProgramImportWithSteps> {
      const id = int8Id(rawId);
      const row = id === undefined ? undefined : await repo.findImportOfProgram(t.db, t.orgId, id);
      if (!row) throw ProgramErrors.importForProgramNotFound(rawId);
      return toImport(row);
    },

    /** PATCH /programs/v1/programs/{id}: the rules of creation hold for the program as it will be. */
    async patch(t: TenantTx, rawId: string, body: ProgramPatch): Promise<void> {
      try {
        await patchProgram(t, rawId, body);
      } catch (err) {
        throw calendarGone(err);
      }
    },
  };

  async function patchProgram(t: TenantTx, rawId: string, body: ProgramPatch): Promise<void> {
    const orgId = t.orgId;
    const id = int8Id(rawId);
    const before = id === undefined ? undefined : await repo.lockProgram(t.db, orgId, id);
    if (!before) throw ProgramErrors.programNotFound(rawId);
    const type = typeOfId(before.type_id);
    const issues: RuleIssue[] = [];
    const cards = issuesCards(type);
    for (const f of ['bin', 'brand', 'due_dates'] as const) {
      if (body[f] === undefined) continue;
      if (!cards) issues.push({ code: 'EOA0055', field: `body.${f}`, reason: `is not allowed for ${type} programs, which issue no cards` });
      else if (f === 'due_dates' && !needsDueDates(type)) {
        issues.push({ code: 'EOA0055', field: 'body.due_dates', reason: `is only for CREDITO programs, not ${type}` });
      }
    }
    const bin = {
      value: before.bin_value ?? undefined,
      start_range: before.bin_start_range ?? undefined,
      end_range: before.bin_end_range ?? undefined,
      ...body.bin,
    };
    if (body.bin && cards) issues.push(...binIssues(bin));
    if (body.brand !== undefined && cards && before.brand !== null && before.brand !== body.brand) {
      issues.push({ code: 'EOA0059', field: 'body.brand', reason: `is already ${before.brand}` });
    }
    const existing = await repo.listDueDates(t.db, orgId, before.program_id);
    if (body.due_dates && needsDueDates(type)) {
      const dupes = dueDateIssues(type, body.due_dates).filter((i) => i.code === 'VALIDATION_ERROR');
      const merged = new Map(existing.map((d) => [d.day, d.active]));
      for (const d of body.due_dates) merged.set(d.day, d.active);
      issues.push(...dupes, ...dueDateIssues(type, [...merged].map(([day, active]) => ({ day, active }))));
    }
    // The calendar is resolved before the 400, so one answer names every bad field.
    const calendar = body.holiday_calendar_id !== undefined ? await calendarOf(t, body.holiday_calendar_id) : undefined;
    issues.push(...(calendar?.issues ?? []));
    throwIfAny(issues);

    const changed: string[] = [];
    const changes: Partial<repo.ProgramRow> = {};
    const set = <K extends keyof repo.ProgramRow>(field: string, column: K, value: repo.ProgramRow[K]) => {
      if (before[column] === value) return;
      changes[column] = value;
      if (!changed.includes(field)) changed.push(field);
    };
    if (body.name !== undefined) set('name', 'name', body.name);
    if (body.timezone !== undefined) set('timezone', 'timezone', body.timezone);
    if (body.country_code !== undefined) set('country_code', 'country_code', body.country_code);
    if (body.language !== undefined) set('language', 'language', body.language);
    if (body.cycle_closing !== undefined) set('cycle_closing', 'cycle_closing', body.cycle_closing);
    if (body.brand !== undefined) set('brand', 'brand', body.brand);
    if (body.bin) {
      set('bin', 'bin_value', bin.value ?? null);
      set('bin', 'bin_start_range', bin.start_range ?? null);
      set('bin', 'bin_end_range', bin.end_range ?? null);
    }
    if (calendar && before.holiday_calendar_id !== calendar.id) {
      changes.holiday_calendar_id = calendar.id;
      changed.push('holiday_calendar_id');
      calendarOwnersChanged(t.db, orgId);
    }
    if (body.due_dates) {
      const byDay = new Map(existing.map((d) => [d.day, d]));
      const added = body.due_dates.filter((d) => !byDay.has(d.day));
      await repo.insertDueDates(t.db, added.map((d) => ({ org_id: orgId, program_id: before.program_id, day: d.day, active: d.active })));
      const toggled = body.due_dates.filter((d) => byDay.has(d.day) && byDay.get(d.day)!.active !== d.active);
      for (const d of toggled) await repo.setDueDateActive(t.db, orgId, byDay.get(d.day)!.due_date_id, d.active);
      if (added.length || toggled.length) changed.push('due_dates');
    }
    if (!changed.length) return;
    // Its zone or cycle closing may change: business dates read them again after commit.
    if (changes.timezone !== undefined || changes.cycle_closing !== undefined) afterCommit(t.db, () => deps.dates.forget(orgId));
    const after = await repo.updateProgram(t.db, orgId, before.program_id, { ...changes, updated_at: clock.now() });
    await recordEvent(t.db, events, ProgramEvents.programUpdated, {
      orgId,
      cid: t.cid,
      data: { ...programEventData(after), changed_fields: changed },
    });
  }
}

/** What the accounts module needs of a program to open an account in it. */
export interface ProgramForAccounts {
  programId: bigint;
  name: string;
  type: ProgramType;
  typeId: number;
  mode: ProgramMode;
  status: 'ACTIVE' | 'PENDING';
  currencyNumericCode: string;
  /** Whether accounts must name one of its active due dates (full balance credit). */
  needsDueDate: boolean;
  dueDates: { id: bigint; day: number; active: boolean }[];
}

/**
 * The program (locked FOR KEY SHARE until the transaction ends, so it cannot go while an account
 * is opened in it), or undefined when the org has no such program.
 */
export async function programForAccounts(t: TenantTx, programId: bigint): Promise<ProgramForAccounts | undefined> {
  const found = await repo.programWithDueDates(t.db, t.orgId, programId);
  if (!found) return undefined;
  const type = typeOfId(found.program.type_id);
  return {
    programId: found.program.program_id,
    name: found.program.name,
    type,
    typeId: found.program.type_id,
    mode: programModeOf(type),
    status: found.program.status,
    currencyNumericCode: found.program.currency_numeric_code,
    needsDueDate: needsDueDates(type),
    dueDates: found.dueDates.map((d) => ({ id: d.due_date_id, day: d.day, active: d.active })),
  };
}

/** Names and types of programs of the org, by id (ids the org has not are absent). */
export async function programSummaries(t: TenantTx, programIds: bigint[]): Promise<Map<string, { name: string; type: ProgramType }>> {
  const rows = await repo.programNames(t.db, t.orgId, programIds);
  return new Map(rows.map((r) => [String(r.program_id), { name: r.name, type: typeOfId(r.type_id) }]));
}
