// Processing codes (Pismo's Orgs operation API): what a financial operation does to a balance.
// An AUTHORIZATION code (POST /processing-codes) names the REVERSAL codes that undo it, wholly and
// partly; each reversal code has the opposite balance impact. A code is PENDING until it (and, for
// an authorization code, its reversal codes) has a transaction flow, then SUCCESS.
import type { RequestContext } from '../../platform/context.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { decodeCursor, encodeCursor } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { ProcessingCodeErrors } from './processing-codes.errors.js';
import { ProcessingCodeEvents, type OrgOperationData } from './processing-codes.events.js';
import * as repo from './processing-codes.repo.js';
import type {
  ProcessingCodeCreateRequest,
  ProcessingCodeCreateResponse,
  ProcessingCodeItem,
  ProcessingCodeListQuery,
  ProcessingCodePage,
  ProcessingCodeResponse,
  ProcessingCodeUpdateRequest,
  ReversalCreateResponse,
  ReversalProcessingCodeCreateRequest,
} from './processing-codes.schemas.js';
import { DEFAULT_PARTIAL_REVERSAL } from './ledger.setup.js';
import { codeRulesGeneration, keepCodeRule, keptCodeRule } from './ledger.cache.js';

/** What the journal needs to know about a processing code (see processingCodeRule). */
export interface ProcessingCodeRule {
  code: string;
  /** 1 credit, 0 no impact, -1 debit. */
  balanceImpact: 1 | 0 | -1;
  kind: repo.CodeKind;
  description: string;
  /** The code that reverses it wholly (authorization codes only). */
  reversalCode: string | undefined;
  /** The code that reverses it partly (authorization codes only). */
  partialReversalCode: string | undefined;
  /** SUCCESS: the code and its reversal codes have transaction flows; PENDING: not usable yet. */
  status: repo.CodeStatus;
  /** The transaction type of its main flow (PRINCIPAL, else CONTRACT, else INSTALLMENT, else the first); none while PENDING without a flow. */
  transactionTypeId: number | undefined;
  /** The main flow's type is a credit; without a flow, whether the balance impact is 1. */
  credit: boolean;
  /** The main flow's type is posted on statements (false for zero-balance types). */
  postedTransaction: boolean | undefined;
  /** Every flow of the code, by transaction type id. */
  flows: { transactionTypeId: number; key: string; customKey: string | undefined; credit: boolean }[];
}

const MAIN_KEYS = ['PRINCIPAL', 'CONTRACT', 'INSTALLMENT'];

/** The code's balance impact, kind, reversal codes, status and transaction type, or undefined when the org has no such code. */
export async function processingCodeRule(t: TenantTx, code: string): Promise<ProcessingCodeRule | undefined> {
  // Read on every money movement and changed only by configuration: kept per org (ledger.cache.ts).
  const kept = keptCodeRule<ProcessingCodeRule>(t.orgId, code);
  if (kept) return kept;
  const generation = codeRulesGeneration(t.orgId);
  const rule = await readCodeRule(t, code);
  if (rule) keepCodeRule(t.db, t.orgId, rule, generation);
  return rule;
}

async function readCodeRule(t: TenantTx, code: string): Promise<ProcessingCodeRule | undefined> {
  const row = await repo.codeRule(t.db, t.orgId, code);
  if (!row) return undefined;
  const main = MAIN_KEYS.map((k) => row.flows.find((f) => f.key === k)).find((f) => f !== undefined) ?? row.flows[0];
  const impact = row.balance_impact as 1 | 0 | -1;
  return {
    code: row.processing_code,
    balanceImpact: impact,
    kind: row.kind,
    description: row.description,
    reversalCode: row.reversal_processing_code ?? undefined,
    partialReversalCode: row.partial_reversal_processing_code ?? undefined,
    status: row.status,
    transactionTypeId: main ? Number(main.transaction_type_id) : undefined,
    credit: main ? main.credit : impact === 1,
    postedTransaction: main?.posted_transaction,
    flows: row.flows.map((f) => ({ transactionTypeId: Number(f.transaction_type_id), key: f.key, customKey: f.custom_key ?? undefined, credit: f.credit })),
  };
}

/**
 * Why a code cannot be created by an org, or undefined: Pismo reserves the prefix PSM for the
 * platform's codes and 2-digit codes for the card networks.
 */
export function reservedReason(code: string): string | undefined {
  if (/^psm/i.test(code)) return 'starts with PSM, a prefix reserved for standard processing codes';
  if (code.length === 2) return 'has 2 characters: 2-digit processing codes are reserved for network processing';
  return undefined;
}

/** "REV " + the description, within the 50 characters a description may have. */
export const reversalDescription = (description: string): string => `REV ${description}`.slice(0, 50);

const dedupe = <T>(xs: T[]): T[] => [...new Set(xs)];

function eventData(r: repo.CodeRow, changed?: string[]): OrgOperationData {
  return {
    org_id: r.org_id,
    processing_code: r.processing_code,
    org_operation_id: Number(r.org_operation_id),
    type: r.kind,
    balance_impact: r.balance_impact as 1 | 0 | -1,
    description: r.description,
    standard: r.standard,
    ...(r.reversal_processing_code !== null ? { reversal_processing_code: r.reversal_processing_code } : {}),
    ...(r.partial_reversal_processing_code !== null ? { partial_reversal_processing_code: r.partial_reversal_processing_code } : {}),
    status: r.status,
    tags: r.tags,
    ...(changed ? { changed_fields: changed } : {}),
  };
}

const common = (r: repo.CodeRow) => ({
  org_operation_id: Number(r.org_operation_id),
  balance_impact: r.balance_impact,
  description: r.description,
  standard: r.standard,
  ...(r.reversal_processing_code !== null ? { reversal_processing_code: r.reversal_processing_code } : {}),
  ...(r.partial_reversal_processing_code !== null ? { partial_reversal_processing_code: r.partial_reversal_processing_code } : {}),
  status: r.status,
  tags: r.tags,
});

const toItem = (r: repo.CodeRow): ProcessingCodeItem => ({ processing_codes: r.processing_code, ...common(r), translations: r.translations });

export type ProcessingCodesService = ReturnType<typeof createProcessingCodesService>;

export function createProcessingCodesService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  const emit = async (t: TenantTx, def: typeof ProcessingCodeEvents.created, row: repo.CodeRow, changed?: string[]) =>
    recordEvent(t.db, events, def, { orgId: t.orgId, cid: t.cid, data: eventData(row, changed) });

  /** An existing code named as a reversal of a code with `impact`: a REVERSAL code of the opposite impact. */
  function checkReversal(field: string, found: repo.CodeRow, impact: number): void {
    if (found.kind !== 'REVERSAL') throw ProcessingCodeErrors.badReversal(field, `names ${found.processing_code}, an authorization code, not a reversal code`);
    if (found.balance_impact !== -impact) {
      throw ProcessingCodeErrors.badReversal(field, `names ${found.processing_code}, of balance_impact ${found.balance_impact}; a reversal of balance_impact ${impact} must have ${-impact}`);
    }
  }

  /**
   * The reversal code `code` for a code of balance impact `impact`: checked when it exists, else
   * created (REVERSAL, opposite impact) with `description`. Returns the row it created, if any.
   */
  async function ensureReversal(
    t: TenantTx,
    field: string,
    code: string,
    impact: number,
    description: string,
    translations: repo.Translation[],
  ): Promise<repo.CodeRow | undefined> {
    const [found] = await repo.findCodes(t.db, t.orgId, [code]);
    if (found) {
      checkReversal(field, found, impact);
      return undefined;
    }
    const reserved = reservedReason(code);
    if (reserved) throw ProcessingCodeErrors.reserved(field, `names no existing code, and a new one cannot be created: ${reserved}`);
    const now = clock.now();
    const [inserted] = await repo.insertCodes(t.db, [
      {
        org_id: t.orgId,
        processing_code: code,
        kind: 'REVERSAL',
        balance_impact: -impact,
        description,
        standard: false,
        reversal_processing_code: null,
        partial_reversal_processing_code: null,
        tags: [],
        translations: JSON.stringify(translations),
        created_at: now,
        updated_at: now,
      },
    ]);
    if (inserted) return { ...inserted, status: 'PENDING' };
    // Created by a concurrent request since it was looked up: it must still fit.
    const [raced] = await repo.findCodes(t.db, t.orgId, [code]);
    if (raced) checkReversal(field, raced, impact);
    return undefined;
  }

  async function mustFind(t: TenantTx, code: string): Promise<repo.CodeRow> {
    const row = await repo.findCode(t.db, t.orgId, code);
    if (!row) throw ProcessingCodeErrors.notFound(code);
    return row;
  }

  return {
    /** POST /orgs-operation/v1/processing-codes: an AUTHORIZATION code, with its reversal codes where they are new. */
    async create(t: TenantTx, body: ProcessingCodeCreateRequest, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<ProcessingCodeCreateResponse> {
      const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /orgs-operation/v1/processing-codes', payload: body };
      const res = await maybeIdempotent(t.db, clock, once, async () => {
        const code = body.processing_code;
        const impact = body.balance_impact;
        const reserved = reservedReason(code);
        if (reserved) throw ProcessingCodeErrors.reserved('body.processing_code', reserved);
        const reversal = body.reversal_processing_code;
        const partial = body.partial_reversal_processing_code ?? DEFAULT_PARTIAL_REVERSAL[impact];
        for (const [field, value] of [
          ['body.reversal_processing_code', reversal],
          ['body.partial_reversal_processing_code', partial],
        ] as const) {
          if (value === code) throw ProcessingCodeErrors.badReversal(field, 'names the processing code itself; a code cannot reverse itself');
        }
        if (await repo.findCode(t.db, t.orgId, code)) throw ProcessingCodeErrors.exists('body.processing_code', code);
        const translations = body.translations ?? [];
        const pick = (k: 'description' | 'reversal_description' | 'partial_reversal_description') =>
          translations.filter((x) => x[k] !== undefined).map((x) => ({ ...(x.language !== undefined ? { language: x.language } : {}), description: x[k] }));

        const created: repo.CodeRow[] = [];
        const reversalRow = await ensureReversal(
          t,
          'body.reversal_processing_code',
          reversal,
          impact,
          body.reversal_description ?? reversalDescription(body.description),
          pick('reversal_description'),
        );
        if (reversalRow) created.push(reversalRow);
        if (partial !== reversal) {
          const exists = (await repo.findCodes(t.db, t.orgId, [partial])).length > 0;
          if (!exists && body.partial_reversal_description === undefined) {
            throw ProcessingCodeErrors.missing('body.partial_reversal_description', 'is required when partial_reversal_processing_code names a new code');
          }
          const partialRow = await ensureReversal(
            t,
            'body.partial_reversal_processing_code',
            partial,
            impact,
            body.partial_reversal_description ?? reversalDescription(body.description),
            pick('partial_reversal_description'),
          );
          if (partialRow) created.push(partialRow);
        }
        const now = clock.now();
        const [row] = await repo.insertCodes(t.db, [
          {
            org_id: t.orgId,
            processing_code: code,
            kind: 'AUTHORIZATION',
            balance_impact: impact,
            description: body.description,
            standard: false,
            reversal_processing_code: reversal,
            partial_reversal_processing_code: partial,
            tags: dedupe(body.tags ?? []),
            translations: JSON.stringify(pick('description')),
            created_at: now,
            updated_at: now,
          },
        ]);
        // Created by a concurrent request since it was looked up.
        if (!row) throw ProcessingCodeErrors.exists('body.processing_code', code);
        created.push({ ...row, status: 'PENDING' });
        for (const c of created) await emit(t, ProcessingCodeEvents.created, c);
        return {
          status: 201,
          body: { processing_code: code, reversal_processing_code: reversal, partial_reversal_processing_code: partial, status: 'PENDING' as const },
        };
      });
      return res.body;
    },

    /** POST /orgs-operation/v1/reversal-processing-codes: a REVERSAL code that authorization codes may name. */
    async createReversal(t: TenantTx, body: ReversalProcessingCodeCreateRequest, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<ReversalCreateResponse> {
      const once = { orgId: t.orgId, key: ctx.idempotencyKey, operation: 'POST /orgs-operation/v1/reversal-processing-codes', payload: body };
      const res = await maybeIdempotent(t.db, clock, once, async () => {
        const code = body.processing_code;
        const reserved = reservedReason(code);
        if (reserved) throw ProcessingCodeErrors.reserved('body.processing_code', reserved);
        const now = clock.now();
        const [row] = await repo.insertCodes(t.db, [
          {
            org_id: t.orgId,
            processing_code: code,
            kind: 'REVERSAL',
            // Most reversals undo a debit (purchases, withdrawals, cash-outs): credit unless told.
            balance_impact: body.balance_impact ?? 1,
            description: body.description,
            standard: false,
            reversal_processing_code: null,
            partial_reversal_processing_code: null,
            tags: [],
            translations: JSON.stringify(body.translations ?? []),
            created_at: now,
            updated_at: now,
          },
        ]);
        if (!row) throw ProcessingCodeErrors.exists('body.processing_code', code);
        await emit(t, ProcessingCodeEvents.created, { ...row, status: 'PENDING' });
        return { status: 201, body: { processing_code: code, status: 'PENDING' as const } };
      });
      return res.body;
    },

    /** GET /orgs-operation/v1/processing-codes: the org's codes, standard ones first, by cursor. */
    async list(t: TenantTx, q: ProcessingCodeListQuery): Promise<ProcessingCodePage> {
      const limit = q.limit ?? 100;
      const after = q.nextCursor === undefined ? undefined : decodeCursor(q.nextCursor, 1, 'query.nextCursor')[0];
      const rows = await repo.pageCodes(t.db, t.orgId, after, limit);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const more = rows.length > limit && last !== undefined;
      return {
        has_next: more,
        ...(more ? { next_cursor: encodeCursor([last.org_operation_id]) } : {}),
        count: items.length,
        items: items.map(toItem),
      };
    },

    /** GET /orgs-operation/v1/processing-codes/{processingCode}, its description in `language` where translated. */
    async get(t: TenantTx, code: string, language?: string): Promise<ProcessingCodeResponse> {
      const row = await mustFind(t, code);
      const wanted = language?.toLowerCase();
      const translated = wanted === undefined ? undefined : row.translations.find((x) => x.language?.toLowerCase() === wanted)?.description;
      return { processing_code: row.processing_code, ...common(row), ...(translated ? { description: translated } : {}) };
    },

    /** PATCH /orgs-operation/v1/processing-codes/{processingCode}: the fields given; emits Orgs operation updated when one changes. */
    async patch(t: TenantTx, code: string, body: ProcessingCodeUpdateRequest): Promise<void> {
      if (!(await repo.lockCode(t.db, t.orgId, code))) throw ProcessingCodeErrors.notFound(code);
      const row = await mustFind(t, code);
      if (row.kind === 'REVERSAL') {
        for (const f of ['reversal_processing_code', 'partial_reversal_processing_code', 'tags'] as const) {
          if (body[f] !== undefined) throw ProcessingCodeErrors.notForReversal(`body.${f}`);
        }
      }
      const description = body.description ?? row.description;
      const changes: Partial<repo.NewCode> = {};
      const changed: string[] = [];
      const created: repo.CodeRow[] = [];
      if (body.description !== undefined && body.description !== row.description) {
        changes.description = body.description;
        changed.push('description');
      }
      for (const [f, current] of [
        ['reversal_processing_code', row.reversal_processing_code],
        ['partial_reversal_processing_code', row.partial_reversal_processing_code],
      ] as const) {
        const next = body[f];
        if (next === undefined || next === current) continue;
        if (next === code) throw ProcessingCodeErrors.badReversal(`body.${f}`, 'names the processing code itself; a code cannot reverse itself');
        const made = await ensureReversal(t, `body.${f}`, next, row.balance_impact, reversalDescription(description), []);
        if (made) created.push(made);
        changes[f] = next;
        changed.push(f);
      }
      if (body.tags !== undefined) {
        const tags = dedupe(body.tags);
        if (JSON.stringify(tags) !== JSON.stringify(row.tags)) {
          changes.tags = tags;
          changed.push('tags');
        }
      }
      if (body.translations !== undefined && JSON.stringify(body.translations) !== JSON.stringify(row.translations)) {
        changes.translations = JSON.stringify(body.translations);
        changed.push('translations');
      }
      if (!changed.length) return;
      await repo.updateCode(t.db, t.orgId, code, { ...changes, updated_at: clock.now() });
      for (const c of created) await emit(t, ProcessingCodeEvents.created, c);
      await emit(t, ProcessingCodeEvents.updated, await mustFind(t, code), changed);
    },
  };
}
