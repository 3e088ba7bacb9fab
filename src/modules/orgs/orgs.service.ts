// Organizations: the operator creates, lists, changes, deactivates and reactivates them; an org
// reads and changes its own record through Pismo's Organizations API. Creating an org also
// creates its first credential and seeds every module's per-org defaults, in one transaction.
import { randomUUID } from 'node:crypto';
import { afterCommit, violates } from '../../platform/db/database.js';
import type { RequestContext } from '../../platform/context.js';
import type { FieldIssue } from '../../platform/errors.js';
import { isOrgId, newOrgId } from '../../platform/ids.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { pismoPage, type PageRequest, type PismoPageBody } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { calendarOwnersChanged } from '../calendars/index.js';
import { ALL_PERMISSIONS, credentialMaterial, insertCredential } from './credentials.service.js';
import { OrgErrors } from './orgs.errors.js';
import { OrgEvents } from './orgs.events.js';
import * as repo from './orgs.repo.js';
import type { CreateOrgBody, NewCredential, OperatorOrg, OperatorPatchOrgBody, OrgDetails, PatchOrgBody } from './orgs.schemas.js';
import { applyOrgSetups } from './orgs.setups.js';

/** Idempotency scope of the operator's requests, which belong to no org. */
const OPERATOR_SCOPE = 'operator';

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

function toOrgDetails(r: repo.OrgRow): OrgDetails {
  return {
    id: r.org_id,
    official_name: r.official_name,
    org_name: r.org_name,
    start_date: opt(r.start_date),
    expiration_date: opt(r.expiration_date),
    document_number: r.document_number,
    address: opt(r.address),
    number: opt(r.number),
    complementary_address: opt(r.complementary_address),
    neighborhood: opt(r.neighborhood),
    zipcode: opt(r.zipcode),
    city: opt(r.city),
    state: opt(r.state),
    country: opt(r.country),
    legal_proxy_name: opt(r.legal_proxy_name),
    legal_proxy_document: opt(r.legal_proxy_document),
    responsible: r.responsible,
    currency_numeric_code: r.currency_numeric_code,
    timezone: r.timezone,
    language: r.language,
    country_code: r.country_code,
    cycle_closing: opt(r.cycle_closing),
    holiday_calendar_id: r.holiday_calendar_id === null ? undefined : Number(r.holiday_calendar_id),
  };
}

const toOperatorOrg = (r: repo.OrgRow): OperatorOrg => ({
  ...toOrgDetails(r),
  sandbox: r.sandbox,
  status: r.status,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

/** Rules that span fields (single-field rules are formats in the schema). */
function semanticIssues(fields: Partial<CreateOrgBody>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (fields.start_date && fields.expiration_date && new Date(fields.expiration_date) < new Date(fields.start_date)) {
    issues.push({ field: 'body.expiration_date', reason: 'is before start_date' });
  }
  return issues;
}

/** The org's holiday_calendar_id must name one of its calendars (a foreign key says so). */
const unknownCalendar = (err: unknown): never => {
  if (violates(err, 'orgs_holiday_calendar_fk')) {
    throw OrgErrors.invalid([{ field: 'body.holiday_calendar_id', reason: 'is not a holiday calendar of this org (create it at /holidays-core/v1/holiday-calendar)' }]);
  }
  throw err;
};

export type OrgsService = ReturnType<typeof createOrgsService>;

export function createOrgsService(deps: Pick<Platform, 'db' | 'clock' | 'ids' | 'auth' | 'tenant' | 'orgSetups' | 'dates'>) {
  const { db, clock, ids, auth } = deps;

  async function recordOrgEvent(t: Pick<TenantTx, 'db' | 'cid'>, kind: 'orgCreated' | 'orgUpdated', row: repo.OrgRow, changed?: string[]) {
    await recordEvent(t.db, { clock, ids }, OrgEvents[kind], {
      orgId: row.org_id,
      cid: t.cid,
      data: { org_id: row.org_id, org_name: row.org_name, status: row.status, sandbox: row.sandbox, ...(changed ? { changed_fields: changed } : {}) },
    });
  }

  async function applyOrgChanges(t: TenantTx, body: OperatorPatchOrgBody): Promise<repo.OrgRow> {
    // Its zone or cycle closing may change: business dates read them again after commit.
    afterCommit(t.db, () => deps.dates.forget(t.orgId));
    // Its holiday calendar may change: business days read it again.
    if (body.holiday_calendar_id !== undefined) calendarOwnersChanged(t.db, t.orgId);
    const before = await repo.findOrg(t.db, t.orgId);
    if (!before) throw OrgErrors.orgNotFound();
    // Rules across fields hold for the org as it will be, not only for the patch.
    const issues = semanticIssues({
      start_date: body.start_date ?? before.start_date ?? undefined,
      expiration_date: body.expiration_date ?? before.expiration_date ?? undefined,
    });
    if (issues.length) throw OrgErrors.invalid(issues);
    const changes: Record<string, unknown> = {};
    const changed: string[] = [];
    for (const [k, v] of Object.entries(body)) {
      const value = k === 'holiday_calendar_id' && v !== null && v !== undefined ? BigInt(v) : v;
      if (value === undefined) continue;
      const old = (before as unknown as Record<string, unknown>)[k];
      if (old !== value && String(old) !== String(value)) changed.push(k);
      changes[k] = value;
    }
    const after = await repo.updateOrg(t.db, t.orgId, { ...changes, updated_at: clock.now() }).catch(unknownCalendar);
    if (changed.length) await recordOrgEvent(t, 'orgUpdated', after!, changed);
    return after!;
  }

  /** A changed org (status, sandbox…) is re-read by the guard at once in this process, after commit. */
  const invalidateOnCommit = (t: TenantTx) => afterCommit(t.db, () => auth.subjects.invalidate(t.orgId));

  const service = {
    /**
     * Operator: creates an org, its first credential (secret returned once) and every module's
     * defaults for it, in one system transaction (the operator's idempotency key belongs to no org).
     */
    async createOrg(body: CreateOrgBody, ctx: RequestContext): Promise<{ org: OperatorOrg; credential: NewCredential }> {
      const issues = semanticIssues(body);
      const permissions = body.permissions ?? ALL_PERMISSIONS;
      permissions.forEach((perm, i) => {
        const problem = deps.auth.groups.problem(perm);
        if (problem) issues.push({ field: `body.permissions[${i}]`, reason: problem });
      });
      if (body.holiday_calendar_id != null) {
        issues.push({ field: 'body.holiday_calendar_id', reason: 'a new org has no holiday calendars yet: create one, then set it with PATCH' });
      }
      if (issues.length) throw OrgErrors.invalid(issues);
      const material = await credentialMaterial(deps, permissions, 'First credential'); // slow: before the transaction
      const orgId = newOrgId(ids);
      const now = clock.now();
      return db.transaction(
        async (tx) => {
          const once = { orgId: OPERATOR_SCOPE, key: ctx.idempotencyKey, operation: 'POST /lastro/v1/orgs', payload: body };
          const result = await maybeIdempotent(tx, clock, once, async () => {
            const { permissions: _p, sandbox, holiday_calendar_id, cycle_closing, language, ...fields } = body;
            const org = await repo.insertOrg(tx, {
              ...fields,
              org_id: orgId,
              language: language ?? 'en-US',
              cycle_closing: cycle_closing ?? null,
              holiday_calendar_id: holiday_calendar_id ? BigInt(holiday_calendar_id) : null,
              sandbox: sandbox ?? false,
              status: 'ACTIVE',
              created_at: now,
              updated_at: now,
            });
            // The rest is the new org's own: done bound to it, as any tenant transaction is.
            const credential = await deps.tenant.within(tx, { orgId, cid: ctx.cid, actor: ctx.actor }, async (t) => {
              await recordOrgEvent(t, 'orgCreated', org);
              const cred = await insertCredential(deps, t, material);
              await applyOrgSetups(t, deps.orgSetups, now);
              return cred;
            });
            return { status: 201, body: { org: toOperatorOrg(org), credential } };
          });
          return result.body;
        },
        { system: true },
      );
    },

    async operatorGetOrg(orgId: string): Promise<OperatorOrg> {
      if (!isOrgId(orgId)) throw OrgErrors.orgNotFound();
      const row = await db.transaction((tx) => repo.findOrg(tx, orgId), { system: true });
      if (!row) throw OrgErrors.orgNotFound();
      return toOperatorOrg(row);
    },

    async operatorListOrgs(page: PageRequest): Promise<PismoPageBody<OperatorOrg>> {
      const { rows, total } = await db.transaction((tx) => repo.listOrgs(tx, page), { system: true });
      return pismoPage(page, total, rows.map(toOperatorOrg));
    },

    /** Operator: changes any field of the org `t` is bound to (also `sandbox`, `legal_proxy_document`). */
    async operatorPatchOrg(t: TenantTx, body: OperatorPatchOrgBody): Promise<OperatorOrg> {
      const row = await applyOrgChanges(t, body);
      invalidateOnCommit(t);
      return toOperatorOrg(row);
    },

    /** Operator: deactivation stops the org's tokens at once (and credentials from getting new ones). */
    async setOrgStatus(t: TenantTx, status: 'ACTIVE' | 'INACTIVE'): Promise<OperatorOrg> {
      const before = await repo.findOrg(t.db, t.orgId);
      if (!before) throw OrgErrors.orgNotFound();
      invalidateOnCommit(t);
      if (before.status === status) return toOperatorOrg(before);
      const after = await repo.updateOrg(t.db, t.orgId, {
        status,
        deactivated_at: status === 'INACTIVE' ? clock.now() : null,
        updated_at: clock.now(),
      });
      await recordOrgEvent(t, 'orgUpdated', after!, ['status']);
      return toOperatorOrg(after!);
    },

    /** Pismo GET /orgs-core/v1/orgs/{id}: only the caller's own org exists for it. */
    async getOrg(t: TenantTx, id: string): Promise<OrgDetails> {
      if (id !== t.orgId) throw OrgErrors.orgNotFound();
      const row = await repo.findOrg(t.db, t.orgId);
      if (!row) throw OrgErrors.orgNotFound();
      return toOrgDetails(row);
    },

    /** Pismo PATCH /orgs-core/v1/orgs: the caller's own org. */
    async patchOrg(t: TenantTx, body: PatchOrgBody): Promise<OrgDetails> {
      return toOrgDetails(await applyOrgChanges(t, body));
    },

    /** On an empty embedded database: a sandbox org to try the API with. */
    async ensureDemoOrg(): Promise<{ org: OperatorOrg; credential: NewCredential } | undefined> {
      const existing = await db.transaction((tx) => repo.countOrgs(tx), { system: true });
      if (existing > 0) return undefined;
      return service.createOrg(
        {
          official_name: 'Lastro Demo Org',
          org_name: 'Demo',
          document_number: '00000000000191',
          responsible: 'demo@example.com',
          currency_numeric_code: '986',
          timezone: 'America/Sao_Paulo',
          country_code: 'BRA',
          language: 'en-US',
          sandbox: true,
        },
        { cid: `startup-${randomUUID()}`, actor: 'system' },
      );
    },
  };
  return service;
}
