// Outbound webhook requests: Standard Webhooks signatures (https://www.standardwebhooks.com)
// and an outbound policy that keeps webhooks off private networks. The policy is checked when
// a URL is registered (literal addresses) and again on every connection, against the addresses
// DNS returns at that moment, so a name that later resolves to 127.0.0.1 is refused too.
import { createHmac, randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 24 random bytes. */
export const newWebhookSecret = (): string => `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the secret's decoded bytes. */
export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** Why an address may not be a webhook target (`loopback`, `private`, …), or undefined if it may. */
export function addressRefusal(address: string): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return 'unparsable';
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return range === 'unicast' ? undefined : range;
}

/** Problems of a webhook URL at registration, as a reason for a 400; undefined when acceptable. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry credentials; verify the webhook signature instead';
  if (url.hash) return 'must not have a fragment';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refusal = addressRefusal(host);
    if (refusal) return `points at a ${refusal} address, which webhooks may not reach (LASTRO_WEBHOOK_ALLOW_PRIVATE)`;
  } else if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    return 'points at a local host name, which webhooks may not reach (LASTRO_WEBHOOK_ALLOW_PRIVATE)';
  }
  return undefined;
}

export class WebhookTargetRefused extends Error {
  override name = 'WebhookTargetRefused';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that fails for any address the policy refuses (checked at connect time). */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    for (const a of addresses) {
      const refusal = addressRefusal(a.address);
      if (refusal) return callback(new WebhookTargetRefused(`${hostname} resolves to ${a.address}, a ${refusal} address`), []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

export interface WebhookResult {
  /** HTTP status, when the endpoint answered. */
  statusCode?: number;
  /** Why the attempt failed before an answer (timeout, refused, DNS, policy). */
  error?: string;
  /** The first KiB of the answer, for the delivery log. */
  responseBody?: string;
  durationMs: number;
  ok: boolean;
}

export interface WebhookSender {
  /** One signature per secret (the current one, and during a rotation the previous one too). */
  send(req: { url: string; id: string; body: string; secrets: string[]; timeoutMs: number; timestampSeconds: number }): Promise<WebhookResult>;
  close(): void;
}

const RESPONSE_KEEP = 1024;

export function createWebhookSender(opts: { allowPrivate: boolean; userAgent: string }): WebhookSender {
  const lookup = opts.allowPrivate ? undefined : guardedLookup;
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256, ...(lookup ? { lookup } : {}) }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256, ...(lookup ? { lookup } : {}) }),
  };
  return {
    send({ url, id, body, secrets, timeoutMs, timestampSeconds }) {
      const started = performance.now();
      const done = (r: Omit<WebhookResult, 'durationMs'>): WebhookResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
      return new Promise((resolve) => {
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          return resolve(done({ ok: false, error: 'invalid URL' }));
        }
        const host = target.hostname.replace(/^\[|\]$/g, '');
        if (!opts.allowPrivate && isIP(host)) {
          const refusal = addressRefusal(host);
          if (refusal) return resolve(done({ ok: false, error: `refused: ${host} is a ${refusal} address` }));
        }
        const secure = target.protocol === 'https:';
        const req = (secure ? https : http).request(target, {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': opts.userAgent,
            'webhook-id': id,
            'webhook-timestamp': String(timestampSeconds),
            'webhook-signature': secrets.map((secret) => webhookSignature(secret, id, timestampSeconds, body)).join(' '),
          },
        });
        const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        req.on('error', (err) => {
          clearTimeout(timer);
          const reason = err instanceof WebhookTargetRefused ? `refused: ${err.message}` : err.message || String(err);
          resolve(done({ ok: false, error: reason }));
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on('data', (c: Buffer) => {
            if (kept < RESPONSE_KEEP) {
              chunks.push(c);
              kept += c.length;
            }
          });
          res.on('end', () => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).subarray(0, RESPONSE_KEEP).toString('utf8');
            resolve(done({ ok: status >= 200 && status < 300, statusCode: status, responseBody: text, ...(status >= 200 && status < 300 ? {} : { error: `HTTP ${status}` }) }));
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            resolve(done({ ok: false, statusCode: res.statusCode, error: err.message }));
          });
        });
        req.end(body);
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/**
 * Delay before retry number `attempt` (1 = the first retry): base × 2^(attempt−1), ±20 % jitter
 * (`random` in [0, 1)), at most an hour.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: number): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(exp * (0.8 + 0.4 * random));
}
