// A module that exists only to prove the isolation walk can fail: each route breaks tenant
// isolation in one way the walk must catch. Never registered outside isolation-leak.test.ts.
import { Type } from 'typebox';
import { routeAuth } from '../../src/platform/auth/guard.js';
import { AppError, PlatformErrors } from '../../src/platform/errors.js';
import type { LastroModule } from '../../src/platform/module.js';
import type { IsolationSeed } from './walk.js';

const Params = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,19}$' }) });
const auth = { auth: routeAuth.tenant('programs') };

export const LEAKY_ROUTES = {
  /** Reads a program by id alone, in a system transaction: another org's program comes back. */
  read: 'GET /leaky/v1/programs/{id}',
  /** Renames a program by id alone, then answers 404 as if nothing happened. */
  write: 'PATCH /leaky/v1/programs/{id}',
  /** Finds the program but answers another org's with 403, telling the caller it exists. */
  forbidden: 'DELETE /leaky/v1/programs/{id}',
  /** A route whose parameter no seed fills. */
  unseeded: 'GET /leaky/v1/widgets/{widget_id}',
} as const;

export const leakyModule: LastroModule = {
  name: 'leaky',
  routes(app, platform) {
    const byId = (id: string) =>
      platform.db.transaction((tx) => tx.selectFrom('programs').select(['org_id', 'program_id', 'name']).where('program_id', '=', BigInt(id)).executeTakeFirst(), {
        system: true,
      });
    app.get(
      '/leaky/v1/programs/:id',
      { config: auth, schema: { params: Params, response: { 200: Type.Object({ id: Type.String(), name: Type.String() }) } } },
      async (req) => {
        const row = await byId(req.params.id);
        if (!row) throw PlatformErrors.notFound('Program');
        return { id: String(row.program_id), name: row.name };
      },
    );
    app.patch(
      '/leaky/v1/programs/:id',
      { config: auth, schema: { params: Params, body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 50 }) }), response: { 204: Type.Null() } } },
      async (req) => {
        await platform.db.transaction(
          (tx) => tx.updateTable('programs').set({ name: req.body.name }).where('program_id', '=', BigInt(req.params.id)).execute(),
          { system: true },
        );
        throw PlatformErrors.notFound('Program');
      },
    );
    app.delete('/leaky/v1/programs/:id', { config: auth, schema: { params: Params, response: { 204: Type.Null() } } }, async (req, reply) => {
      const row = await byId(req.params.id);
      if (!row) throw PlatformErrors.notFound('Program');
      if (row.org_id !== req.auth?.orgId) throw new AppError('forbidden', 'FORBIDDEN', 'This program belongs to another org');
      return reply.status(204).send(null);
    });
    app.get(
      '/leaky/v1/widgets/:widget_id',
      { config: auth, schema: { params: Type.Object({ widget_id: Type.String() }), response: { 200: Type.Object({ id: Type.String() }) } } },
      async (req) => ({ id: req.params.widget_id }),
    );
  },
};

/** Fills the leaky routes with the program the programs seed made (so it runs after that seed). */
export const leakySeed: IsolationSeed = {
  module: 'leaky',
  async seed(s) {
    return { params: { '/leaky/v1/programs/{id}': [{ id: s.value('program') }] }, markers: [], snapshot: [] };
  },
};
