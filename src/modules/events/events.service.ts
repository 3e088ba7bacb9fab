// The event catalog (every data event type with its schema and example), replay of an org's
// events from a cursor, and the reads behind the live stream. Replay and stream serve events in
// the outbox's commit order (db/migrations/0003_event_order.sql): a cursor never skips an event
// whose transaction commits late.
import type { Platform } from '../../platform/module.js';
import { publishedSchema, type EventDefinition } from '../../platform/outbox.js';
import { cursorPage, decodeCursor, encodeCursor, type CursorKey } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { toEnvelope } from './events.envelope.js';
import { EventErrors } from './events.errors.js';
import { latestPosition, readAfter, type OutboxRow, type Position } from './events.repo.js';

/** seq is a bigint column: a larger value cannot be a position. */
const MAX_SEQ = 0x7fff_ffff_ffff_ffffn;

const keyOf = (p: Position): CursorKey => [BigInt(p.txId), p.seq];
const rowKey = (r: OutboxRow): CursorKey => [BigInt(r.tx_id), r.seq];

/**
 * Event cursors: base64url of `<txId>.<seq>`, the platform's cursor text. Clients keep them
 * (replay, the stream's Last-Event-ID, a subscription's start_after and position), so the text
 * must never change.
 */
export const positionCursor = {
  encode: (p: Position): string => encodeCursor(keyOf(p)),
  /** The position a cursor names, or undefined when it is not one this API made. */
  decode(text: string): Position | undefined {
    let key: CursorKey;
    try {
      key = decodeCursor(text, 2);
    } catch {
      return undefined;
    }
    const [txId, seq] = key as [bigint, bigint];
    return seq <= MAX_SEQ ? { txId: txId.toString(), seq } : undefined;
  },
};

/** The position of a cursor given to replay or the stream, or INVALID_CURSOR. */
function cursorPosition(text: string): Position {
  const p = positionCursor.decode(text);
  if (!p) throw EventErrors.invalidCursor();
  return p;
}

export interface EventQuery {
  domain?: string | undefined;
  event_type?: string | undefined;
}

/** How many events one stream read takes at most; a full read is followed by another at once. */
export const STREAM_BATCH = 500;

export function createEventsService(deps: Pick<Platform, 'catalog'>) {
  // Sorted on the first catalog read, not at start-up: the first localeCompare sets up ICU's
  // collator, some 15 ms of a start.
  let kept: EventDefinition[] | undefined;
  const sorted = (): EventDefinition[] =>
    (kept ??= [...deps.catalog].sort(
      (a, b) => a.domain.localeCompare(b.domain) || a.eventType.localeCompare(b.eventType) || a.version - b.version,
    ));
  const summary = (d: EventDefinition) => ({
    domain: d.domain,
    event_type: d.eventType,
    version: d.version,
    title: d.title,
    description: d.description,
  });

  return {
    /** Every event type, by domain, type and version. */
    catalog: () => ({ items: sorted().map(summary) }),

    /** One event type's published JSON Schema (draft-07), its example and an example envelope. */
    catalogEntry(domain: string, eventType: string, version: number) {
      const def = sorted().find((d) => d.domain === domain && d.eventType === eventType && d.version === version);
      if (!def) throw EventErrors.typeNotFound(domain, eventType, version);
      return {
        ...summary(def),
        schema: publishedSchema(def),
        example: def.example,
        envelope_example: {
          event_id: '252212bf-cde2-43f9-b28f-33ea2b452b32',
          domain: def.domain,
          event_type: def.eventType,
          schema_version: def.version,
          org_id: 'TN-a1db4e4e-315f-4a67-9036-ecacd370b561',
          cid: '8a3f650b-c80c-451f-993d-7368dba4c715',
          timestamp: '2026-11-23T12:00:00.000Z',
          data: def.example,
        },
      };
    },

    /**
     * One page of the org's events after the cursor. The last page still carries a cursor (the
     * caller's own when nothing new came), so a consumer keeps its place and polls with it.
     */
    async replay(t: TenantTx, query: EventQuery & { after?: string | undefined; limit?: number | undefined }) {
      const after = query.after ? cursorPosition(query.after) : undefined;
      const limit = query.limit ?? 100;
      const rows = await readAfter(t.db, t.orgId, after, { domain: query.domain, eventType: query.event_type }, limit + 1);
      const page = cursorPage(rows, limit, rowKey);
      const last = page.items.at(-1);
      const next = page.next_cursor ?? (last ? encodeCursor(rowKey(last)) : query.after || undefined);
      return {
        items: page.items.map(toEnvelope),
        ...(next ? { next_cursor: next } : {}),
        has_next: page.next_cursor !== undefined,
      };
    },

    /** Where a stream starts: after the cursor it resumes from, or after the org's newest event. */
    async streamStart(t: TenantTx, resumeFrom: string | undefined): Promise<Position | undefined> {
      return resumeFrom ? cursorPosition(resumeFrom) : latestPosition(t.db, t.orgId);
    },

    /** The next events of a stream after `position`, each with its cursor (the message id). */
    async streamNext(t: TenantTx, position: Position | undefined, query: EventQuery) {
      const rows = await readAfter(t.db, t.orgId, position, { domain: query.domain, eventType: query.event_type }, STREAM_BATCH);
      const last = rows.at(-1);
      return {
        items: rows.map((r) => ({ cursor: encodeCursor(rowKey(r)), event_type: r.event_type, envelope: toEnvelope(r) })),
        position: last ? { txId: last.tx_id, seq: last.seq } : position,
        more: rows.length === STREAM_BATCH,
      };
    },
  };
}

export type EventsService = ReturnType<typeof createEventsService>;
