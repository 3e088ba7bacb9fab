// One request through the app, its status asserted and the exchange checked against a spec file:
// the step most contract tests repeat.
import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { expectConforms, type RequestSample } from './pismo-spec.js';

export interface ExchangeOptions {
  /** Check the request too (default true); false for requests invalid on purpose. */
  request?: boolean;
  /** Headers instead of the default ones. */
  headers?: Record<string, string>;
}

/** An `exchange(req, status, opts?)` for a spec file, with the app and default headers read at call time. */
export function injectExchange(spec: string, target: () => { app: TestApp; headers: Record<string, string> }) {
  return async (req: RequestSample, expected: number, opts: ExchangeOptions = {}) => {
    const { app, headers: defaults } = target();
    const headers = { ...(opts.headers ?? defaults), ...((req.headers as Record<string, string> | undefined) ?? {}) };
    const query = req.query ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
    const res = await app.http.inject({
      method: req.method as 'GET',
      url: req.path + query,
      headers,
      ...(req.body === undefined ? {} : { payload: req.body as object }),
    });
    expect(res.statusCode, res.body).toBe(expected);
    expectConforms(spec, { request: { ...req, headers }, response: res }, { request: opts.request ?? true });
    return res;
  };
}
