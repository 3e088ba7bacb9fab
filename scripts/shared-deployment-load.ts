// Light, continuous load on a running Lastro (the second deployment of
// scripts/shared-deployment-check.sh): an org with a NATS subscription (when NATS_URL is set),
// renamed every 250 ms (one event each, relayed to JetStream under the deployment's prefix), and
// its program list read every 250 ms. Runs until SIGTERM, then prints one JSON line of counts.
import { writeSync } from 'node:fs';
import { createOrg } from '../bench/lib.js';

const base = process.env.LASTRO_URL!;
const adminToken = process.env.LASTRO_ADMIN_TOKEN!;
const org = await createOrg(base, adminToken, 'shared');
const headers = { authorization: `Bearer ${org.token}`, 'x-tenant': org.orgId, 'content-type': 'application/json' };

let subscription = 'none';
if (process.env.NATS_URL) {
  const res = await fetch(`${base}/lastro/v1/event-subscriptions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ filter: { event_types: ['org-updated'] }, sink: { type: 'nats' } }),
  });
  if (res.status !== 201) throw new Error(`NATS subscription: ${res.status} ${await res.text()}`);
  subscription = ((await res.json()) as { sink: { subject_prefix: string } }).sink.subject_prefix;
}
process.stderr.write(`load: org ${org.orgId}, NATS subjects ${subscription}\n`);

const counts = { renames: 0, reads: 0, failed: 0 };
let stopping = false;
// bench/lib.js exits on SIGTERM (after stopping any children): the counts are written first.
let written = false;
const writeCounts = (): void => {
  if (written) return;
  written = true;
  writeSync(1, `${JSON.stringify(counts)}\n`);
};
process.prependListener('SIGTERM', () => {
  stopping = true;
  writeCounts();
});
const count = async (kind: 'renames' | 'reads', req: Promise<Response>): Promise<void> => {
  try {
    const res = await req;
    await res.arrayBuffer();
    if (res.ok) counts[kind] += 1;
    else counts.failed += 1;
  } catch {
    counts.failed += 1;
  }
};
for (let i = 0; !stopping; i++) {
  await count('renames', fetch(`${base}/orgs-core/v1/orgs`, { method: 'PATCH', headers, body: JSON.stringify({ org_name: `Shared ${i}` }) }));
  await count('reads', fetch(`${base}/programs/v1/programs`, { headers }));
  await new Promise((r) => setTimeout(r, 250));
}
writeCounts();
