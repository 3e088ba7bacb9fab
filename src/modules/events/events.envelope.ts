// The envelope of an event, as Pismo delivers events: event_id, domain, event_type,
// schema_version, org_id, cid, timestamp, data; and Lastro's business_date, on events of a
// business day (those a day handler emits).
import type { OutboxRow, RawOutboxRow } from './events.repo.js';

export const toEnvelope = (r: OutboxRow) => ({
  event_id: r.event_id,
  domain: r.domain,
  event_type: r.event_type,
  schema_version: r.schema_version,
  org_id: r.org_id,
  ...(r.cid ? { cid: r.cid } : {}),
  timestamp: r.occurred_at.toISOString(),
  ...(r.business_date ? { business_date: r.business_date } : {}),
  data: r.data,
});

/** The envelope as JSON text, built around the stored `data` text (no parse and re-serialize). */
export function envelopeJson(r: RawOutboxRow): string {
  const cid = r.cid ? `,"cid":${JSON.stringify(r.cid)}` : '';
  const day = r.business_date ? `,"business_date":"${r.business_date}"` : '';
  return (
    `{"event_id":"${r.event_id}","domain":${JSON.stringify(r.domain)},"event_type":${JSON.stringify(r.event_type)},` +
    `"schema_version":${r.schema_version},"org_id":${JSON.stringify(r.org_id)}${cid},` +
    `"timestamp":"${r.occurred_at.toISOString()}"${day},"data":${r.data_json}}`
  );
}
