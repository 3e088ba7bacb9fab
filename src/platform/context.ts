// Who asks and under which correlation id: the one request context of the code base. Routes build
// it from the HTTP request (platform/http/context.ts), jobs and day handlers from their own data.

export interface RequestContext {
  /** Correlation id, carried into events and logs. */
  cid: string | undefined;
  /**
   * Who acts: `credential:<id>` or `oidc_key:<id>` for a tenant token, `operator` for the
   * operator API, `job:<name>` for a job, `day:<handler>` for a day handler, `system` otherwise.
   */
  actor: string;
  /** The client's Idempotency-Key, for operations that create something. */
  idempotencyKey?: string;
}

/** The context of work nobody asked for over HTTP (a job, a day handler). */
export const systemContext = (actor: string, cid?: string): RequestContext => ({ cid, actor });
