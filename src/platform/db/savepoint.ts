// Savepoints: part of a transaction that can fail and be undone while the rest goes on (an import
// job records why its program could not be created, in the transaction that tried).
import { sql } from 'kysely';
import type { Tx } from './database.js';

/**
 * Runs `fn` under a savepoint of `tx`: released when `fn` resolves, rolled back to when it throws
 * (the error is rethrown, and `tx` is usable again). `name` is an SQL identifier.
 */
export async function savepoint<T>(tx: Tx, name: string, fn: () => Promise<T>): Promise<T> {
  const id = sql.id(name);
  await sql`savepoint ${id}`.execute(tx);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // If the rollback itself fails the transaction is lost: that error is the one to report.
    await sql`rollback to savepoint ${id}`.execute(tx);
    throw err;
  }
  await sql`release savepoint ${id}`.execute(tx);
  return result;
}
