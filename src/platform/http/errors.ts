// The one mapper from anything thrown to the one error body. Nothing from a driver, a stack or
// SQL text reaches a client: unknown errors become 500 INTERNAL_ERROR with the request's cid.
import type { FastifyError } from 'fastify';
import { Type } from 'typebox';
import { AppError, PlatformErrors, type FieldIssue } from '../errors.js';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable, documented error code.' }),
    message: Type.String({ description: 'What went wrong, for a person.' }),
    details: Type.Optional(Type.Unknown({ description: 'Structured detail, e.g. the offending fields.' })),
    cid: Type.String({ description: 'Correlation id of the request (also in the x-cid header).' }),
  },
  { title: 'Error' },
);

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query', body: 'body', params: 'path', headers: 'headers' };

/** `body` + `/due_dates/0/day` → `body.due_dates[0].day`. */
function fieldPath(context: string, instancePath: string, child?: unknown): string {
  let path = CONTEXT_NAMES[context] ?? context;
  for (const seg of instancePath.split('/').slice(1)) {
    path += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`;
  }
  if (typeof child === 'string') path += `.${child}`;
  return path;
}

export function validationIssues(context: string, errors: AjvIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const e of errors) {
    let issue: FieldIssue;
    switch (e.keyword) {
      case 'required':
        issue = { field: fieldPath(context, e.instancePath, e.params.missingProperty), reason: 'is required' };
        break;
      case 'additionalProperties':
        issue = { field: fieldPath(context, e.instancePath, e.params.additionalProperty), reason: 'is not allowed' };
        break;
      case 'enum':
        issue = {
          field: fieldPath(context, e.instancePath),
          reason: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        };
        break;
      default:
        issue = { field: fieldPath(context, e.instancePath), reason: e.message ?? `fails ${e.keyword}` };
    }
    const key = `${issue.field}\u0000${issue.reason}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** Converts any thrown value into an AppError. */
export function toAppError(err: unknown, bodyLimit: number): AppError {
  if (err instanceof AppError) return err;
  const fe = err as Partial<FastifyError> & { validationContext?: string; validation?: AjvIssue[] };
  if (Array.isArray(fe.validation)) {
    return PlatformErrors.validation(validationIssues(fe.validationContext ?? 'body', fe.validation));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return PlatformErrors.malformedJson(cleanJsonMessage(fe.message));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return PlatformErrors.emptyJsonBody();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return PlatformErrors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return PlatformErrors.unsupportedMediaType(extractType(fe.message));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(400, 'INVALID_CONTENT_LENGTH', 'Content-Length does not match the body');
    default:
      break;
  }
  // Fastify's own JSON parser throws a SyntaxError with statusCode 400 for bad JSON.
  if (err instanceof SyntaxError && fe.statusCode === 400) return PlatformErrors.malformedJson(cleanJsonMessage(err.message));
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(fe.statusCode, 'BAD_REQUEST', 'The request could not be processed');
  }
  return PlatformErrors.internal();
}

// JSON.parse messages quote the input; keep only the position information.
function cleanJsonMessage(message: string | undefined): string {
  const m = /(Unexpected .*?|Expected .*?)(?: in JSON)? at position (\d+)/.exec(message ?? '');
  if (m) return `${m[1]!.replace(/ in JSON$/, '')} at position ${m[2]}`;
  return 'could not parse';
}

function extractType(message: string | undefined): string | undefined {
  return /Unsupported Media Type:?\s*(.+)$/i.exec(message ?? '')?.[1]?.trim();
}
