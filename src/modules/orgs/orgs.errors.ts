// Coded errors of the orgs module. Where Pismo documents a code (EOA0030, EOA0035), it is used.
import { AppError, PlatformErrors, type ErrorKind, type FieldIssue } from '../../platform/errors.js';

export const OrgErrors = {
  /** Pismo Organizations API: x-tenant missing. */
  missingTenant: () => new AppError('invalid', 'EOA0030', 'Missing x-tenant header'),
  /** Pismo Organizations API: x-tenant differs from the token's org. */
  tenantMismatch: () => new AppError('invalid', 'EOA0035', 'X-Tenant header and request are different'),
  orgNotFound: () => new AppError('not_found', 'ORG_NOT_FOUND', 'Org not found'),
  credentialNotFound: () => new AppError('not_found', 'CREDENTIAL_NOT_FOUND', 'Credential not found'),
  oidcKeyNotFound: () => new AppError('not_found', 'OIDC_KEY_NOT_FOUND', 'OpenID key not found'),
  invalid: (issues: FieldIssue[]) => PlatformErrors.validation(issues),
  permissionEscalation: (perm: string) =>
    new AppError('forbidden', 'PERMISSION_ESCALATION', `You cannot grant ${perm}: your own token does not have it`),
  /** Pismo passport: `{"message":"Invalid credentials"}` (401). */
  invalidCredentials: () => new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'Invalid credentials'),
  locked: (seconds: number) =>
    new AppError('rate_limited', 'TOO_MANY_ATTEMPTS', `Too many failed attempts for this server_key; retry in ${seconds} s`, undefined, {
      'retry-after': String(seconds),
    }),
  badPublicKey: (why: string) => PlatformErrors.validation([{ field: 'body.public_key', reason: why }]),
};

/** RFC 6749 §5.2 errors for /passport/v2/oauth/token. */
export const OAuthErrors = {
  invalidRequest: (why: string, details?: unknown) => oauth('invalid', 'invalid_request', why, undefined, details),
  invalidClient: () => oauth('unauthenticated', 'invalid_client', 'Invalid credentials', { 'www-authenticate': 'Basic realm="lastro"' }),
  invalidGrant: (why: string) => oauth('invalid', 'invalid_grant', why),
  unsupportedGrant: (grant: string) => oauth('invalid', 'unsupported_grant_type', `grant_type "${grant}" is not supported`),
  invalidScope: (why: string) => oauth('invalid', 'invalid_scope', why),
};

function oauth(kind: ErrorKind, error: string, description: string, headers?: Record<string, string>, details?: unknown): AppError {
  return new AppError(kind, `OAUTH_${error.toUpperCase()}`, description, details, headers, {
    error,
    error_description: description,
  });
}
