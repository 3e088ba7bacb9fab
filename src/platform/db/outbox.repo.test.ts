import { describe, expect, it } from 'vitest';
import { packOutboxRows, ROW_BYTES, ROW_EVENTS } from './outbox.repo.js';

const AT = '2026-12-02T09:00:00.000Z';
const event = (i: number, over: Record<string, unknown> = {}) => ({
  org_id: 'org-a',
  event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  domain: 'account',
  event_type: 'account-balances-balance-change',
  schema_version: 1,
  cid: i % 2 ? `cid-${i}` : null,
  occurred_at: AT,
  data: JSON.stringify({ n: i, text: 'quoted " \\ é \u2028' }),
  business_date: null,
  ...over,
});

/** The events a packed row holds, in order, as the view event_outbox_events expands them. */
const expand = (rows: ReturnType<typeof packOutboxRows>) =>
  rows.flatMap((r) => [
    { event_id: r.event_id, domain: r.domain, event_type: r.event_type, schema_version: r.schema_version, cid: r.cid ?? null, data: JSON.parse(String(r.data)) },
    ...(r.more ? (JSON.parse(String(r.more)) as unknown[]) : []),
  ]);

describe('packOutboxRows', () => {
  it('puts the events of one statement into one row, the first in its columns and the rest in `more`, in order', () => {
    const events = [1, 2, 3, 4, 5, 6].map((i) => event(i));
    const rows = packOutboxRows(events);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event_id).toBe(events[0]!.event_id);
    expect(rows[0]!.data).toBe(events[0]!.data);
    expect(expand(rows)).toEqual(
      events.map((e) => ({ event_id: e.event_id, domain: e.domain, event_type: e.event_type, schema_version: e.schema_version, cid: e.cid, data: JSON.parse(e.data) })),
    );
  });

  it('leaves a lone event as it was, without `more`', () => {
    const rows = packOutboxRows([event(1)]);
    expect(rows).toEqual([event(1)]);
  });

  it(`holds at most ${ROW_EVENTS} events per row (its seq steps by that much)`, () => {
    const events = Array.from({ length: 2 * ROW_EVENTS + 1 }, (_, i) => event(i, { domain: 'a', event_type: 't', cid: null, data: '{}' }));
    const rows = packOutboxRows(events);
    expect(rows.map((r) => 1 + (r.more ? (JSON.parse(String(r.more)) as unknown[]).length : 0))).toEqual([ROW_EVENTS, ROW_EVENTS, 1]);
    expect(expand(rows).map((e) => (e as { event_id: string }).event_id)).toEqual(events.map((e) => e.event_id));
  });

  it('keeps a row under a page of text: a large event starts a row of its own', () => {
    const big = 'x'.repeat(3000);
    const events = [1, 2, 3, 4].map((i) => event(i, { data: JSON.stringify({ big }) }));
    const rows = packOutboxRows(events);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(String(r.data).length + String(r.more ?? '').length).toBeLessThanOrEqual(ROW_BYTES);
    const huge = packOutboxRows([event(1), event(2, { data: JSON.stringify({ big: 'y'.repeat(ROW_BYTES * 2) }) }), event(3)]);
    expect(huge.map((r) => r.event_id)).toEqual([event(1).event_id, event(2).event_id, event(3).event_id]);
  });

  it('starts a new row where the org, the time or the business day changes', () => {
    const rows = packOutboxRows([
      event(1),
      event(2),
      event(3, { org_id: 'org-b' }),
      event(4, { org_id: 'org-b', occurred_at: '2026-12-02T09:00:00.001Z' }),
      event(5, { org_id: 'org-b', occurred_at: new Date('2026-12-02T09:00:00.001Z') }),
      event(6, { org_id: 'org-b', occurred_at: '2026-12-02T09:00:00.001Z', business_date: '2026-12-01' }),
      event(7, { org_id: 'org-b', occurred_at: '2026-12-02T09:00:00.001Z', business_date: '2026-12-01' }),
    ]);
    expect(rows.map((r) => [r.event_id.slice(-1), r.more ? (JSON.parse(String(r.more)) as { event_id: string }[]).map((m) => m.event_id.slice(-1)) : []])).toEqual([
      ['1', ['2']],
      ['3', []],
      ['4', ['5']],
      ['6', ['7']],
    ]);
  });
});
