// Programs: create from a template or as a copy (synchronously, or asynchronously through a
// durable job), list, get and update. Every rule of Pismo's ProgramFromTemplate is enforced the
// same way on every path, so an asynchronous creation fails at once for the same input a
// synchronous one refuses.
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import type { Tx } from '../../platform/db/database.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import { defineJob, NonRetryableJobError } from '../../platform/jobs.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { isoSeconds, resolveCalendarRef } from './holidays.service.js';
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
  typeOfId,
  type RuleIssue,
} from './programs.rules.js';
import {
  SUBMITTED_MESSAGE,
  pageOf,
  type Brand,
  type CopyProgram,
  type Program,
  type ProgramDetails,
  type ProgramFromTemplate,
  type ProgramImportWithSteps,
  type ProgramListQuery,
  type ProgramPatch,
} from './programs.schemas.js';

export interface RequestContext {
  /** Correlation id of the request, carried into events. */
  cid: string | undefined;
  /** The client's Idempotency-Key, for operations that create something. */
  idempotencyKey?: string;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toProgram(r: repo.ProgramRow, dueDates?: repo.DueDateRow[]): Program {
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
  const steps: ('PROGRAM' | 'DUEDATES')[] = r.request.type === 'CREDITO' ? ['PROGRAM', 'DUEDATES'] : ['PROGRAM'];
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

const throwIfAny = (issues: RuleIssue[]) => {
  if (issues.length) throw ProgramErrors.rules(issues);
};

const ImportJobData = Type.Object({ org_id: Type.String(), program_import_id: Type.String({ pattern: '^[0-9]+$' }) });

export type ProgramsService = ReturnType<typeof createProgramsService>;

export function createProgramsService(p: Platform) {
  const { db, clock } = p;
  const events = { clock, ids: p.ids };

  async function calendarIdOf(tx: Tx, orgId: string, ref: string | null | undefined): Promise<bigint | null> {
    if (ref === undefined || ref === null) return null;
    const cal = await resolveCalendarRef(tx, orgId, ref);
    if (!cal) throw ProgramErrors.unknownCalendar('body.holiday_calendar_id');
    return cal.holiday_calendar_id;
  }

  /** A copy: the base program's type, card data, due dates and settings, overridden by the body. */
  async function copySpec(tx: Tx, orgId: string, body: CopyProgram): Promise<ProgramSpec> {
    const base = await repo.findProgram(tx, orgId, BigInt(body.base_program_id));
    if (!base) throw ProgramErrors.programNotFound(body.base_program_id);
    const baseDueDates = await repo.listDueDates(tx, orgId, base.program_id);
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

  /** Inserts the program and its due dates and records Program created. */
  async function insertProgram(tx: Tx, orgId: string, spec: ProgramSpec, cid: string | undefined, importId?: bigint) {
    throwIfAny(programIssues(spec));
    const calendarId = await calendarIdOf(tx, orgId, spec.holiday_calendar_id);
    const now = clock.now();
    const row = await repo.insertProgram(tx, {
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
    });
    const dueDates = await repo.insertDueDates(
      tx,
      (spec.due_dates ?? []).map((d) => ({ org_id: orgId, program_id: row.program_id, day: d.day, active: d.active })),
    );
    dueDates.sort((a, b) => a.day - b.day);
    await recordEvent(tx, events, ProgramEvents.programCreated, {
      orgId,
      cid,
      data: {
        ...programEventData(row),
        ...(importId !== undefined ? { program_import_id: Number(importId) } : {}),
      },
    });
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

  /** Runs an import: creates its program once, however often the job is delivered. */
  async function runImport(orgId: string, importId: bigint): Promise<void> {
    await db.transaction(async (tx) => {
      const imp = await repo.lockImport(tx, orgId, importId);
      if (!imp) throw new NonRetryableJobError(`program import ${importId} of ${orgId} does not exist`);
      if (imp.status === 'SUCCESS' || imp.status === 'ERROR') return; // already done: a redelivery
      const request = imp.request as unknown as ProgramSpec & CopyProgram;
      try {
        const spec = imp.kind === 'COPY' ? await copySpec(tx, orgId, request) : request;
        const { row } = await insertProgram(tx, orgId, spec, imp.cid ?? undefined, importId);
        await repo.updateImport(tx, orgId, importId, { status: 'SUCCESS', program_id: row.program_id, finished_at: clock.now() });
      } catch (err) {
        // A rule the input breaks now (a calendar or base program deleted since the request) will
        // not heal on retry: the import ends in ERROR with the reason. Anything else is retried.
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        await repo.updateImport(tx, orgId, importId, { status: 'ERROR', details: err.message, finished_at: clock.now() });
      }
    }, { orgId });
  }

  const importJob = defineJob({
    name: 'programs.import',
    schema: ImportJobData,
    async handler(data) {
      await runImport(data.org_id, BigInt(data.program_import_id));
    },
  });

  /** Writes the import and its job in one transaction (both or neither), after checking every rule. */
  async function submitImport(orgId: string, kind: 'TEMPLATE' | 'COPY', body: ProgramFromTemplate | CopyProgram, ctx: RequestContext, operation: string) {
    return db.transaction(async (tx) => {
      const once = { orgId, key: ctx.idempotencyKey, operation, payload: body };
      const res = await maybeIdempotent(tx, clock, once, async () => {
        const spec = kind === 'COPY' ? await copySpec(tx, orgId, body as CopyProgram) : (body as ProgramFromTemplate);
        throwIfAny(programIssues(spec));
        await calendarIdOf(tx, orgId, spec.holiday_calendar_id);
        const imp = await repo.insertImport(tx, {
          org_id: orgId,
          kind,
          request: JSON.stringify(body),
          status: 'PENDING',
          program_id: null,
          details: null,
          cid: ctx.cid ?? null,
          started_at: clock.now(),
          finished_at: null,
        });
        await p.jobs.send(importJob, { org_id: orgId, program_import_id: String(imp.program_import_id) }, { tx });
        return { status: 201, body: Number(imp.program_import_id) };
      });
      return res.body;
    }, { orgId });
  }

  async function createSync(orgId: string, spec: (tx: Tx) => Promise<ProgramSpec>, payload: unknown, ctx: RequestContext, operation: string) {
    return db.transaction(async (tx) => {
      const once = { orgId, key: ctx.idempotencyKey, operation, payload };
      const res = await maybeIdempotent(tx, clock, once, async () => {
        const { row, dueDates } = await insertProgram(tx, orgId, await spec(tx), ctx.cid);
        return { status: 200, body: toProgram(row, dueDates) };
      });
      return res.body;
    }, { orgId });
  }

  async function mustFind(tx: Tx, orgId: string, id: number) {
    const row = await repo.findProgram(tx, orgId, BigInt(id));
    if (!row) throw ProgramErrors.programNotFound(id);
    return row;
  }

  return {
    importJob,
    runImport,

    /** POST /programs/v1/programs/template: the program, or the reason it cannot be created. */
    createFromTemplate: (orgId: string, body: ProgramFromTemplate, ctx: RequestContext) =>
      createSync(orgId, async () => body, body, ctx, 'POST /programs/v1/programs/template'),

    /** POST /programs/v1/programs/copy. */
    copy: (orgId: string, body: CopyProgram, ctx: RequestContext) =>
      createSync(orgId, (tx) => copySpec(tx, orgId, body), body, ctx, 'POST /programs/v1/programs/copy'),

    /** POST /programs/v2/programs/template: the import id at once; a job creates the program. */
    async createFromTemplateAsync(orgId: string, body: ProgramFromTemplate, ctx: RequestContext) {
      const id = await submitImport(orgId, 'TEMPLATE', body, ctx, 'POST /programs/v2/programs/template');
      return { program_import_id: id, message: SUBMITTED_MESSAGE };
    },

    /** POST /programs/v2/programs/copy. */
    async copyAsync(orgId: string, body: CopyProgram, ctx: RequestContext) {
      const id = await submitImport(orgId, 'COPY', body, ctx, 'POST /programs/v2/programs/copy');
      return { program_export_id: id, message: SUBMITTED_MESSAGE };
    },

    async get(orgId: string, id: number): Promise<Program> {
      return db.transaction(async (tx) => {
        const row = await mustFind(tx, orgId, id);
        return toProgram(row, await repo.listDueDates(tx, orgId, row.program_id));
      }, { orgId });
    },

    async getDetails(orgId: string, id: number): Promise<ProgramDetails> {
      return db.transaction(async (tx) => {
        const row = await mustFind(tx, orgId, id);
        return toDetails(row, await repo.listDueDates(tx, orgId, row.program_id));
      }, { orgId });
    },

    async list(orgId: string, q: ProgramListQuery) {
      const page = q.page ?? 1;
      const perPage = q.perPage ?? 10;
      const filter: repo.ProgramFilter = {
        ...(q.id !== undefined ? { id: BigInt(q.id) } : {}),
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.type !== undefined ? { typeId: PROGRAM_TYPE_IDS[q.type] } : {}),
        ...(q.binValue !== undefined ? { binValue: q.binValue } : {}),
      };
      const { rows, total } = await db.transaction(
        (tx) => repo.listPrograms(tx, orgId, filter, { by: q.orderBy ?? 'ID', order: q.order ?? 'ASC' }, page, perPage),
        { orgId },
      );
      return pageOf(page, perPage, total, rows.map((r) => toProgram(r)));
    },

    async getImport(orgId: string, importId: number): Promise<ProgramImportWithSteps> {
      const row = await db.transaction((tx) => repo.findImport(tx, orgId, BigInt(importId)), { orgId });
      if (!row) throw ProgramErrors.importNotFound(importId);
      return toImport(row);
    },

    async getImportOfProgram(orgId: string, programId: number): Promise<ProgramImportWithSteps> {
      const row = await db.transaction((tx) => repo.findImportOfProgram(tx, orgId, BigInt(programId)), { orgId });
      if (!row) throw ProgramErrors.importForProgramNotFound(programId);
      return toImport(row);
    },

    /** PATCH /programs/v1/programs/{id}: the rules of creation hold for the program as it will be. */
    async patch(orgId: string, id: number, body: ProgramPatch, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const before = await repo.lockProgram(tx, orgId, BigInt(id));
        if (!before) throw ProgramErrors.programNotFound(id);
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
        const existing = await repo.listDueDates(tx, orgId, before.program_id);
        if (body.due_dates && needsDueDates(type)) {
          const dupes = dueDateIssues(type, body.due_dates).filter((i) => i.code === 'VALIDATION_ERROR');
          const merged = new Map(existing.map((d) => [d.day, d.active]));
          for (const d of body.due_dates) merged.set(d.day, d.active);
          issues.push(...dupes, ...dueDateIssues(type, [...merged].map(([day, active]) => ({ day, active }))));
        }
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
        if (body.holiday_calendar_id !== undefined) {
          const calendarId = await calendarIdOf(tx, orgId, body.holiday_calendar_id);
          if (before.holiday_calendar_id !== calendarId) {
            changes.holiday_calendar_id = calendarId;
            changed.push('holiday_calendar_id');
          }
        }
        if (body.due_dates) {
          const byDay = new Map(existing.map((d) => [d.day, d]));
          const added = body.due_dates.filter((d) => !byDay.has(d.day));
          await repo.insertDueDates(tx, added.map((d) => ({ org_id: orgId, program_id: before.program_id, day: d.day, active: d.active })));
          const toggled = body.due_dates.filter((d) => byDay.has(d.day) && byDay.get(d.day)!.active !== d.active);
          for (const d of toggled) await repo.setDueDateActive(tx, orgId, byDay.get(d.day)!.due_date_id, d.active);
          if (added.length || toggled.length) changed.push('due_dates');
        }
        if (!changed.length) return;
        const after = await repo.updateProgram(tx, orgId, before.program_id, { ...changes, updated_at: clock.now() });
        await recordEvent(tx, events, ProgramEvents.programUpdated, {
          orgId,
          cid: ctx.cid,
          data: { ...programEventData(after), changed_fields: changed },
        });
      }, { orgId });
    },
  };
}
