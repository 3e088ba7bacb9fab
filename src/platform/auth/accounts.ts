// Which accounts an org has, as the token endpoints need to know: an account token (s2s
// `account_id`, OAuth2 and OpenID `uid`) is issued only for an account of the token's org. The
// platform knows no module; the module that owns accounts provides the lookup
// (LastroModule.accountLookup) and the app wires it into `platform.auth.accounts`.
import type { TenantTx } from '../tenant.js';

export interface AccountLookup {
  /** Whether `t.orgId` has the account (`accountId`: an int64 as decimal text). */
  exists(t: TenantTx, accountId: string): Promise<boolean>;
}

/** Without a module that owns accounts, no account exists and no account token is issued. */
export const noAccounts: AccountLookup = { exists: async () => false };
