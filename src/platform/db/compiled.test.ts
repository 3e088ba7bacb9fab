import { type CompiledQuery, DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compiledOnce } from './compiled.js';
import type { Tables } from './tables.js';

/** A Kysely that records what it would send. */
function recording(): { db: Kysely<Tables>; sent: CompiledQuery[] } {
  const sent: CompiledQuery[] = [];
  class Recording extends DummyDriver {
    override async acquireConnection() {
      return { executeQuery: async (q: CompiledQuery) => (sent.push(q), { rows: [] }), streamQuery: () => (async function* () {})() };
    }
  }
  const db = new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new Recording(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return { db, sent };
}

describe('compiledOnce', () => {
  it('sends the text Kysely compiles, with each call’s values in their places and constants kept', async () => {
    const { db, sent } = recording();
    let built = 0;
    const q = compiledOnce((k, org: string, n: number) => {
      built++;
      return k.selectFrom('orgs').select('org_id').where('org_id', '=', org).where('number', '>', n).where('language', '=', 'pt-BR').where('city', '<>', org);
    });
    await q(db, 'TN-a', 1);
    await q(db, 'TN-b', 2);
    expect(built).toBe(1);
    const direct = db.selectFrom('orgs').select('org_id').where('org_id', '=', 'TN-b').where('number', '>', 2).where('language', '=', 'pt-BR').where('city', '<>', 'TN-b').compile();
    expect(sent[1]!.sql).toBe(direct.sql);
    expect(sent.map((s) => s.parameters)).toEqual([
      ['TN-a', 1, 'pt-BR', 'TN-a'],
      ['TN-b', 2, 'pt-BR', 'TN-b'],
    ]);
  });

  it('refuses a value that reached no parameter', async () => {
    const { db } = recording();
    const q = compiledOnce((k, org: string) => k.selectFrom('orgs').select('org_id').where(sql.lit(String(org)), '=', 'x'));
    await expect(q(db, 'TN-a')).rejects.toThrow(/values 0 are no parameter/);
  });
});
