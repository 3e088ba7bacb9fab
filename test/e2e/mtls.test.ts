// HTTPS and mutual TLS with certificates made for the test by openssl: a client with a
// certificate from the configured CA gets in; one without a certificate, or with a certificate
// from another CA, is refused during the handshake.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'lastro-tls-'));
const f = (name: string) => join(dir, name);
const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

function makeCa(name: string): void {
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`));
}

function makeCert(name: string, ca: string, ext?: string): void {
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
  const args = ['x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${ca}.crt`), '-CAkey', f(`${ca}.key`), '-CAcreateserial', '-days', '2', '-out', f(`${name}.crt`)];
  if (ext) {
    writeFileSync(f(`${name}.ext`), ext);
    args.push('-extfile', f(`${name}.ext`));
  }
  ssl(...args);
}

function get(port: number, path: string, client?: 'client' | 'rogue'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: readFileSync(f('server-ca.crt')),
        ...(client ? { cert: readFileSync(f(`${client}.crt`)), key: readFileSync(f(`${client}.key`)) } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const portOf = (app: TestApp): number => {
  const address = app.http.server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

describe.skipIf(!hasOpenssl)('TLS', () => {
  let mtls: TestApp;
  let tlsOnly: TestApp;
  beforeAll(async () => {
    makeCa('server-ca');
    makeCa('client-ca');
    makeCa('rogue-ca');
    makeCert('server', 'server-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    makeCert('client', 'client-ca');
    makeCert('rogue', 'rogue-ca');
    const tls = { TLS_CERT: f('server.crt'), TLS_KEY: f('server.key') };
    mtls = await testApp({ env: { ...tls, TLS_CLIENT_CA: f('client-ca.crt') }, start: true });
    tlsOnly = await testApp({ env: tls, start: true });
  });
  afterAll(async () => {
    await mtls?.close();
    await tlsOnly?.close();
  });

  it('with TLS_CLIENT_CA, a client certificate from that CA is accepted', async () => {
    const res = await get(portOf(mtls), '/health', 'client');
    expect(res).toEqual({ status: 200, body: '{"status":"ok"}' });
  });

  it('refuses a client without a certificate', async () => {
    await expect(get(portOf(mtls), '/health')).rejects.toThrow();
  });

  it('refuses a certificate from another CA', async () => {
    await expect(get(portOf(mtls), '/health', 'rogue')).rejects.toThrow();
  });

  it('without TLS_CLIENT_CA, HTTPS needs no client certificate', async () => {
    expect((await get(portOf(tlsOnly), '/health')).status).toBe(200);
  });

  it('TLS_CERT without TLS_KEY stops start-up with a message naming the variable', async () => {
    await expect(testApp({ env: { TLS_CERT: f('server.crt') } })).rejects.toThrow(/TLS_KEY/);
  });
});
