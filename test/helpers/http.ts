// HTTP calls for tests that kill the server under load. Node's global fetch can lose an error of
// a response whose server dies mid-body to an 'error' event nobody listens to (an uncaught error
// in the test process, though the caller's promise was handled). Here every failure (refused,
// reset, a body cut short) rejects the call's own promise and nothing else.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpAnswer {
  status: number;
  /** The body as JSON (undefined when empty). */
  json: any;
}

/** `body`: sent as is when a string, as JSON otherwise; the answer's body is read as JSON. */
export function httpCall(base: string, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      new URL(path, base),
      {
        method,
        agent,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) return reject(new Error(`${method} ${path}: the connection closed before the whole answer arrived`));
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
