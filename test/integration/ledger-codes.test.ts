// Processing codes, transaction types and flows through the API: the standard set every org gets,
// the rules of custom codes and their reversals, flows that make a code SUCCESS, and the rule the
// journal reads (processingCodeRule).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processingCodeRule } from '../../src/modules/ledger/index.js';
import type { TestApp } from '../helpers/app.js';
import { setupTenant } from '../helpers/fixture.js';

let app: TestApp;
let h: Record<string, string>;
let orgId: string;

const CODES = '/orgs-operation/v1/processing-codes';

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}) {
  return app.http.inject({ method, url, headers: { ...h, ...headers }, ...(payload === undefined ? {} : { payload }) });
}

const ruleOf = (code: string) =>
  app.platform.tenant({ orgId, cid: 'test', actor: 'test' }, (t) => processingCodeRule(t, code));

beforeAll(async () => {
  ({ app, headers: h, org: { orgId } } = await setupTenant());
});
afterAll(async () => app?.close());

describe('standard processing codes', () => {
  it('every org gets the standard set, each SUCCESS', async () => {
    const res = await call('GET', `${CODES}?limit=100`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const byCode = new Map(body.items.map((i: any) => [i.processing_codes, i]));
    for (const code of ['00', '01', '20', '28', '002000', '004000']) {
      expect(byCode.get(code), code).toMatchObject({ status: 'SUCCESS', standard: true });
    }
    expect(byCode.get('002000')).toMatchObject({ balance_impact: -1, description: 'Debit' });
    expect(byCode.get('004000')).toMatchObject({ balance_impact: 1, description: 'Credit' });
    expect(body.items.every((i: any) => i.status === 'SUCCESS')).toBe(true);
  });

  it('processingCodeRule gives the journal the code, its reversal and its transaction type', async () => {
    const rule = await ruleOf('002000');
    expect(rule).toMatchObject({ code: '002000', balanceImpact: -1, kind: 'AUTHORIZATION', reversalCode: 'PSMR30', status: 'SUCCESS', transactionTypeId: 301, credit: false });
    const reversal = await ruleOf('PSMR30');
    expect(reversal).toMatchObject({ balanceImpact: 1, kind: 'REVERSAL', reversalCode: undefined, status: 'SUCCESS', transactionTypeId: 302, credit: true });
    expect(await ruleOf('NOPE')).toBeUndefined();
  });
});
