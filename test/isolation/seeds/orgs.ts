// Isolation seed of the orgs module: the org itself, a second credential, an OpenID key; and the
// token endpoints, called with A's keys and B's secrets.
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import type { IsolationSeed, OrgView } from '../walk.js';

const rsa = () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

/** A client JWT signed with `signer`'s OpenID private key, claiming to be `claimed`'s key and org. */
async function clientJwt(now: Date, signer: OrgView, claimed: OrgView, org: OrgView): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ iss: claimed.value('oidcIss'), sub: claimed.value('oidcSub'), aud: claimed.value('oidcAud'), iat, exp: iat + 3600, tenant_id: org.value('orgId') })
    .setProtectedHeader({ alg: 'RS256', kid: claimed.value('oidcKey') })
    .sign(await importPKCS8(signer.value('oidcPrivateKey'), 'RS256'));
}

/** Lockout (LASTRO_LOGIN_MAX_FAILURES) counts failed secrets against the server key named, whoever sends them. */
const LOCKOUT = { tables: ['credentials'], reason: 'a wrong secret counts against the credential it names (login lockout)' };

export const orgsSeed: IsolationSeed = {
  module: 'orgs',
  async seed(s) {
    const orgId = s.org.orgId;
    await s.call('PATCH', '/orgs-core/v1/orgs', { org_name: s.mark('org'), official_name: s.mark('official-name'), address: s.mark('address') });
    const cred = await s.call('POST', '/lastro/v1/credentials', { description: s.mark('credential'), permissions: ['pismo-v1:orgs:ro'] });
    const keys = rsa();
    const key = await s.call('POST', '/lastro/v1/oidc-keys', { name: s.mark('oidc-key'), public_key: keys.publicPem, iss: s.mark('issuer') });
    return {
      params: {
        '/lastro/v1/orgs/{id}': [{ id: orgId }],
        '/lastro/v1/orgs/{id}/deactivate': [{ id: orgId }],
        '/lastro/v1/orgs/{id}/activate': [{ id: orgId }],
        '/lastro/v1/orgs/{id}/credentials': [{ id: orgId }],
        '/orgs-core/v1/orgs/{id}': [{ id: orgId }],
        '/lastro/v1/credentials/{id}': [{ id: cred.id }, { id: s.org.credentialId }],
        '/lastro/v1/oidc-keys/{id}': [{ id: key.id }],
      },
      values: {
        credential: cred.id,
        oidcKey: key.id,
        oidcIss: key.iss,
        oidcSub: key.sub,
        oidcAud: key.aud,
        oidcPrivateKey: keys.privatePem,
      },
      markers: [orgId, s.org.serverKey, s.org.credentialId, s.mark('org'), s.mark('official-name'), s.mark('address'), cred.id, cred.server_key, s.mark('credential'), key.id, key.iss, s.mark('oidc-key')],
      snapshot: [`/orgs-core/v1/orgs/${orgId}`, '/lastro/v1/credentials?perPage=100', `/lastro/v1/credentials/${cred.id}`, '/lastro/v1/oidc-keys'],
    };
  },
  routes: {
    'POST /passport/v2/s2s/access-token': {
      body: ({ a, b }) => ({ server_key: a.value('serverKey'), server_secret: b.value('serverSecret') }),
      expect: { status: 401, reason: "A's server key with B's secret is not a credential", changes: LOCKOUT },
    },
    'POST /passport/v2/oauth/token': {
      body: ({ a, b }) => ({ grant_type: 'client_credentials', client_id: a.value('serverKey'), client_secret: b.value('serverSecret') }),
      expect: { status: 401, reason: "A's client id with B's secret is not a credential", changes: LOCKOUT },
    },
    'POST /passport/v1/oauth2/token': {
      // B's key signs a JWT that names A's key and org.
      body: async ({ app, a, b }) => ({ token: await clientJwt(app.clock.now(), b, a, a) }),
      expect: { status: 401, reason: "only A's private key signs for A's key" },
      cases: async ({ app, a, b }) => [
        {
          label: "B's own key claims A's org",
          body: { token: await clientJwt(app.clock.now(), b, b, a) },
          expect: { status: 401, reason: "B's key belongs to B's org" },
        },
      ],
    },
    'POST /lastro/v1/oidc-keys': {
      body: () => ({ name: 'walk key', public_key: rsa().publicPem }),
    },
    'PATCH /orgs-core/v1/orgs': {
      cases: ({ a }) => [
        {
          label: "A's holiday calendar",
          body: { holiday_calendar_id: Number(a.value('calendar')) },
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.holiday_calendar_id', reason: "an org names a calendar of its own; another org's is an invalid field" },
        },
      ],
    },
  },
};
