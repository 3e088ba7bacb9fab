// Isolation seed of sandbox test clocks: org A advances its clock, so B can be shown A's advance id.
import type { IsolationSeed } from '../walk.js';

export const clockSeed: IsolationSeed = {
  module: 'clock',
  async seed(s) {
    const advance = await s.call('POST', '/lastro/v1/clock/advance', { days: 2 });
    const id = String(advance.id);
    return {
      params: { '/lastro/v1/clock/advances/{id}': [{ id }] },
      values: { clockAdvance: id },
      markers: [id],
      snapshot: ['/lastro/v1/clock', `/lastro/v1/clock/advances/${id}`],
    };
  },
  routes: {
    // B moves its own clock: a day for B, nothing for A (A's snapshot is compared after the walk).
    'POST /lastro/v1/clock/advance': { body: () => ({ days: 1 }) },
  },
};
