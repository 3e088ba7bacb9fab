// `lastro org create`: the operator route, run in-process.
import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../app.js';
import { createLogger } from '../platform/logger.js';
import { fail, readConfig, say } from './common.js';

export interface OrgCreateOptions {
  officialName: string;
  orgName: string;
  documentNumber: string;
  responsible: string;
  currency: string;
  timezone: string;
  countryCode: string;
  language: string;
  sandbox: boolean;
}

/** Runs the operator route in-process, so the CLI applies exactly the API's rules. */
export async function runOrgCreate(opts: OrgCreateOptions): Promise<void> {
  const adminToken = randomBytes(24).toString('hex');
  const config = { ...readConfig(), adminToken, logLevel: 'silent' as const };
  let app: App;
  try {
    app = await createApp({ config, mode: 'api', migrate: true, logger: createLogger('silent') });
  } catch (err) {
    fail(err);
  }
  try {
    const res = await app.http!.inject({
      method: 'POST',
      url: '/lastro/v1/orgs',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: {
        official_name: opts.officialName,
        org_name: opts.orgName,
        document_number: opts.documentNumber,
        responsible: opts.responsible,
        currency_numeric_code: opts.currency,
        timezone: opts.timezone,
        country_code: opts.countryCode,
        language: opts.language,
        sandbox: opts.sandbox,
      },
    });
    if (res.statusCode !== 201) {
      const body = res.json<{ message: string; details?: { field: string; reason: string }[] }>();
      say(`lastro: the org was not created — ${body.details ? body.details.map((d) => `${d.field} ${d.reason}`).join('; ') : body.message}`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${JSON.stringify(res.json(), null, 2)}\n`);
    say('The server_secret is shown only now: store it safely.');
  } finally {
    await app.stop();
  }
}
