// GET /lastro/v1/ledger/verify (Lastro-only, permission group `ledger`): the ledger's invariants
// for the caller's org, checked in one transaction.
import { routeAuth } from '../../platform/auth/guard.js';
import { tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { VerifyReport } from './verify.schemas.js';
import { verifyLedger } from './verify.service.js';

export function verifyRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>): void {
  app.get(
    '/lastro/v1/ledger/verify',
    {
      config: { auth: routeAuth.tenant('ledger') },
      schema: {
        tags: ['ledger'],
        summary: "Verify the org's ledger",
        description:
          'Checks that every journal entry sums to zero per currency and that every stored balance (each bucket of each ' +
          'account, each internal sub-balance) equals the sum of its postings; lists every difference. ' +
          'The CLI does the same with a progress bar: `lastro ledger verify [--org <id>]`.',
        response: { 200: VerifyReport },
      },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => verifyLedger(t)),
  );
}
