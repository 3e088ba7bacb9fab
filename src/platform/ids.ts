// Identifier formats. Org ids follow Pismo's tenant form `TN-<uuid v4>`; correlation ids and
// event ids are uuid v4. Generators are injectable so tests can make them predictable.
import { randomUUID } from 'node:crypto';

export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };

/** Deterministic ids for tests: 00000000-0000-4000-8000-000000000001, …0002, … */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return {
    uuid: () => {
      n += 1;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    },
  };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const isUuidV4 = (s: string): boolean => UUID_V4.test(s);

export const newOrgId = (ids: IdGenerator = randomIds): string => `TN-${ids.uuid()}`;

export const isOrgId = (s: string): boolean => s.startsWith('TN-') && isUuidV4(s.slice(3));

// A caller's x-cid is echoed back and written into logs and events: keep it short and printable.
const CID = /^[A-Za-z0-9._:\-]{1,128}$/;
export const isValidCid = (s: string): boolean => CID.test(s);
