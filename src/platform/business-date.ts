// Business dates: "what day is it" for an org. Until org and program time zones are wired in,
// every org's business day is the UTC date of the wall clock.
import type { Clock } from './clock.js';
import type { BusinessDateSource } from './tenant.js';

export function utcBusinessDates(clock: Clock): BusinessDateSource {
  return { forTenant: () => ({ today: async () => clock.now().toISOString().slice(0, 10) }) };
}
