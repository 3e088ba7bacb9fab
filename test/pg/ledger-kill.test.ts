// Transfers survive kill -9: real `lastro api` and `lastro worker` processes on PostgreSQL, 16
// clients sending P2P transfers; the API process is killed with SIGKILL mid-load and started
// again, then the worker is. Afterwards every transfer that was answered 2xx is in the ledger
// exactly once (looked up by its tracking_id), none that was answered with an error is, and
// `ledger verify` passes. A transfer whose answer was lost with the process is retried with its
// tracking_id, as a client would: Pismo's key tells whether it had been committed (409 WP2P0010)
// or not (a fresh answer), and either way it is in the ledger at most once.
//
// Waits are by counts of answers, never by time: a busy machine only makes it slower.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/auth.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { httpCall } from '../helpers/http.js';
import { runLastro, type LastroProcess } from '../helpers/process.js';

const ACCOUNTS = 40;
const CLIENTS = 16;
const OPENING = 10_000; // minor units each account is funded with
/** Accepted transfers to wait for in each phase before the next kill. */
const PER_PHASE = 40;

let db: TestDatabase;
let pool: pg.Pool;
const running: LastroProcess[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.databaseUrl, max: 2 });
});
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  await pool?.end();
  await db?.drop();
});

function start(mode: 'api' | 'worker'): LastroProcess {
  const p = runLastro([mode], {
    DATABASE_URL: db.databaseUrl,
    LASTRO_ADMIN_TOKEN: ADMIN_TOKEN,
    LASTRO_RATE_LIMIT_ORG_PER_MINUTE: '0',
    LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE: '0',
    LASTRO_JOB_POLL_SECONDS: '0.5',
    LOG_LEVEL: 'info',
  });
  running.push(p);
  return p;
}

async function kill9(p: LastroProcess): Promise<void> {
  p.proc.kill('SIGKILL');
  const { signal } = await p.exited;
  expect(signal).toBe('SIGKILL');
}

/** Through node:http, so a request cut short by the kill fails its own promise (helpers/http.ts). */
const call = (base: string, method: string, path: string, body: unknown, headers: Record<string, string>) =>
  httpCall(base, method, path, body, { 'content-type': 'application/json', ...headers });

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const money = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
const transferBody = (tracking: string, from: number, to: number, minor: number) =>
  `{"tracking_id":"${tracking}","from":[{"processing_code":"002000","amount":${money(minor)},"account":{"id":${from}}}],"to":[{"processing_code":"004000","account":{"id":${to}}}]}`;

it('every transfer answered 2xx is in the ledger once and no failed one is, through kill -9 of the API and of the worker', async () => {
  // The API first, so the load can begin while the worker starts.
  let api = start('api');
  let base = await api.started();
  let worker = start('worker');
  const workerStarted = worker.started();

  // An org, a token, a debit program and its funded accounts, through the API.
  const created = await call(base, 'POST', '/lastro/v1/orgs', {
    official_name: 'Kill Ltda', org_name: 'Kill', document_number: '12345678000199', responsible: 'ops@example.com',
    currency_numeric_code: '986', timezone: 'America/Sao_Paulo', country_code: 'BRA',
  }, { authorization: `Bearer ${ADMIN_TOKEN}` });
  expect(created.status).toBe(201);
  const orgId: string = created.json.org.id;
  const tok = await call(base, 'POST', '/passport/v2/s2s/access-token', {
    server_key: created.json.credential.server_key, server_secret: created.json.credential.server_secret,
  }, {});
  const headers = { authorization: `Bearer ${tok.json.token}`, 'x-tenant': orgId };
  const program = await call(base, 'POST', '/programs/v1/programs/template', {
    name: 'Kill debit', type: 'DEBITO', timezone: 'America/Sao_Paulo', currency_numeric_code: '986', country_code: 'BRA',
    bin: { value: '999999', start_range: '0', end_range: '999999999' }, brand: 'VISA',
  }, headers);
  expect(program.status, JSON.stringify(program.json)).toBe(200);
  const accounts: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async (_, lane) => {
      for (let i = lane; i < ACCOUNTS; i += 8) {
        const app = await call(base, 'POST', '/acquisitions/v3/s2s/applications', {
          application: {
            submit: true, program_id: program.json.id,
            applicant: { document_number: `kill-${i}`, birth_date: '1980-01-31', personal: { name: `Holder ${i}`, email: 'h@example.com' }, account: { overdraft_limit: 10 } },
          },
        }, headers);
        expect(app.status, JSON.stringify(app.json)).toBe(201);
        const id: number = app.json.account_id;
        accounts.push(id);
        const cashIn = await call(base, 'POST', '/payments/v1/payments',
          `{"from":[{"custom_info":{"type":"DEPOSIT"}}],"to":[{"processing_code":"004000","amount":${money(OPENING)},"account":{"id":${id}}}]}`,
          { ...headers, 'x-account-id': String(id) });
        expect(cashIn.status, JSON.stringify(cashIn.json)).toBe(201);
      }
    }),
  );

  await workerStarted;

  // The load: each client sends transfers between random accounts until told to stop. What it
  // saw is recorded per tracking_id: 2xx, an error answer, or no answer (the process died).
  const ok = new Map<string, { from: number; to: number; minor: number }>();
  const failed = new Map<string, string>();
  const inDoubt = new Map<string, { from: number; to: number; minor: number }>();
  let stop = false;
  const client = async () => {
    while (!stop) {
      const from = accounts[Math.floor(Math.random() * ACCOUNTS)]!;
      const to = accounts[(accounts.indexOf(from) + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS]!;
      const minor = 1 + Math.floor(Math.random() * 15_000);
      const tracking = randomUUID();
      const t = { from, to, minor };
      try {
        const res = await call(base, 'POST', '/payments/v1/payments', transferBody(tracking, from, to, minor), { ...headers, 'x-account-id': String(from) });
        if (res.status >= 200 && res.status < 300) ok.set(tracking, t);
        else failed.set(tracking, `${res.status} ${res.json?.code}`);
      } catch {
        // No answer: the server died. Wait for the next one rather than pile up doubts.
        inDoubt.set(tracking, t);
        const dead = base;
        await waitFor('the API to come back', () => stop || base !== dead);
      }
    }
  };
  const load = Promise.all(Array.from({ length: CLIENTS }, client));

  await waitFor('transfers before the API is killed', () => ok.size >= PER_PHASE);
  await kill9(api);
  api = start('api');
  base = await api.started();
  const afterApiKill = ok.size;
  await waitFor('transfers after the API restart', () => ok.size >= afterApiKill + PER_PHASE);
  // The worker dies mid-load and a new one starts while the transfers go on.
  await kill9(worker);
  worker = start('worker');
  const afterWorkerKill = ok.size;
  await waitFor('transfers after the worker was killed', () => ok.size >= afterWorkerKill + PER_PHASE);
  await worker.started();
  stop = true;
  await load;

  // The load did what it meant to: transfers accepted and declined, and some lost with the API.
  expect(new Set(failed.values())).toEqual(new Set(['400 WLDG0006']));
  expect(inDoubt.size).toBeGreaterThan(0);

  // Retry every transfer whose answer was lost, with its tracking_id: either it had committed
  // (409 WP2P0010, the original authorizations) or it had not (answered now).
  await Promise.all([...inDoubt].map(async ([tracking, t]) => {
    const res = await call(base, 'POST', '/payments/v1/payments', transferBody(tracking, t.from, t.to, t.minor), { ...headers, 'x-account-id': String(t.from) });
    if (res.status === 201 || (res.status === 409 && res.json.code === 'WP2P0010')) ok.set(tracking, t);
    else {
      expect(`${res.status} ${res.json.code}`).toBe('400 WLDG0006');
      failed.set(tracking, 'retried: 400 WLDG0006');
    }
  }));

  // The ledger, by tracking_id: each 2xx transfer is one approved debit with one journal entry of
  // two postings; a failed one has none.
  const { rows } = await pool.query<{ tracking_id: string; approved: string; entries: string; postings: string }>(
    `select a.tracking_id,
            count(*) filter (where a.status = 'APPROVED') as approved,
            count(distinct e.entry_id) as entries,
            (select count(*) from ledger_postings p where p.org_id = a.org_id and p.entry_id = min(a.entry_id)) as postings
       from ledger_authorizations a
       left join ledger_journal_entries e on e.org_id = a.org_id and e.entry_id = a.entry_id
      where a.org_id = $1 and a.operation = 'PAYMENT_DEBIT' and a.tracking_id is not null
      group by a.org_id, a.tracking_id`,
    [orgId],
  );
  const byTracking = new Map(rows.map((r) => [r.tracking_id, r]));
  for (const tracking of ok.keys()) {
    const r = byTracking.get(tracking);
    expect(r, tracking).toBeDefined();
    expect([Number(r!.approved), Number(r!.entries), Number(r!.postings)], tracking).toEqual([1, 1, 2]);
  }
  for (const tracking of failed.keys()) expect(Number(byTracking.get(tracking)?.entries ?? 0), tracking).toBe(0);
  // Nothing else was posted: the debits in the ledger are exactly the 2xx ones.
  expect(rows.filter((r) => Number(r.entries) > 0).length).toBe(ok.size);

  // Money only moved between the accounts: their sum is what was paid in.
  const sum = await pool.query<{ total: string }>('select sum(current_minor) as total from ledger_account_balances where org_id = $1', [orgId]);
  expect(BigInt(sum.rows[0]!.total)).toBe(BigInt(OPENING * ACCOUNTS));

  const verify = await call(base, 'GET', '/lastro/v1/ledger/verify', undefined, headers);
  expect(verify.status).toBe(200);
  expect(verify.json).toMatchObject({ ok: true, differences: [], accounts_checked: ACCOUNTS });
}, 300_000);
