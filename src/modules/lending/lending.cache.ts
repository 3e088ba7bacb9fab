// A process-local cache of loan products, which every simulation, booking, repayment and day of
// collection reads. A product (its row and its charge and penalty plan codes) never changes once
// its creation has committed: no route or service updates or deletes one. So a product is kept
// for the life of the process, keyed by org id (no entry is ever shared between orgs), and only
// once the transaction that read it has committed: a product read in the transaction that
// created it is not kept if that transaction rolls back. What is not found is never kept, so a
// product created in another process is found there at once.
//
// Should products ever change, the repo function that changes them must call
// `loanProductsChanged` (as `insertProduct` and `insertPlanLinks` do): it forgets the org's
// products now and once its transaction commits, and a generation per org keeps a read that
// began before that commit from storing what it read.
import type { Tx } from '../../platform/db/database.js';
import { KeptPerOrg } from '../../platform/kept.js';
import type { LoanProduct } from './loan-products.schemas.js';

/** Products kept in all (a few KB each); past it the cache starts over. */
const products = new KeptPerOrg<string, LoanProduct>({ maxEntries: 20_000 });

/** The org's kept product, if any. */
export const keptLoanProduct = (orgId: string, productId: string): LoanProduct | undefined => products.get(orgId, productId);

/** Keeps a product read in `tx` once `tx` commits, unless the org's products changed meanwhile. */
export const keepLoanProduct = (tx: Tx, orgId: string, product: LoanProduct): void => products.keepAfterCommit(tx, orgId, product.product_id, product);

/** `tx` writes the org's products: forgets the org's kept products now and once `tx` commits. Returns `tx`. */
export const loanProductsChanged = (tx: Tx, orgId: string): Tx => products.changed(tx, orgId);
