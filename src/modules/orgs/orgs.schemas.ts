// Request and response schemas of the orgs module: Pismo's Organizations and Authentication
// shapes (Platform_setup_-_Organizations.yaml, Platform_authentication.yaml), and Lastro's own
// operator, credential and OpenID key endpoints.
import { Type, type Static } from 'typebox';

const str = (maxLength: number, description: string, minLength = 0) =>
  Type.String({ maxLength, ...(minLength ? { minLength } : {}), description });

/** Org fields as Pismo names and limits them. Semantic checks (real codes, zones) are in the service. */
const orgFieldShapes = {
  official_name: str(100, "Company's legal name.", 1),
  org_name: str(80, "Company's preferred name on the platform.", 1),
  document_number: str(20, 'Company document number (tax or registration id).', 1),
  address: str(80, 'Street address.'),
  number: Type.Integer({ minimum: -2147483648, maximum: 2147483647, description: 'Address number (int32).' }),
  complementary_address: str(50, 'Complementary address.'),
  neighborhood: str(50, 'Neighborhood.'),
  zipcode: str(9, 'Postal code.'),
  city: str(60, 'City.'),
  state: str(2, 'State or province, ISO 3166-2 subdivision code (2 characters).'),
  country: str(30, 'Country name.'),
  legal_proxy_name: str(50, 'Legal representative.'),
  legal_proxy_document: str(20, "Legal representative's document."),
  // Pismo describes an email but declares a plain string of up to 255 characters, and so does Lastro.
  responsible: str(255, 'Email of the person to contact (any text: not checked as an address).'),
  currency_numeric_code: Type.String({ format: 'iso4217-numeric', description: 'ISO 4217 numeric currency code, e.g. 986.' }),
  timezone: Type.String({ maxLength: 60, format: 'iana-timezone', description: 'IANA time zone, Region/City (or UTC), e.g. America/Sao_Paulo.' }),
  language: Type.Union([Type.Literal('en-US'), Type.Literal('pt-BR')], { description: 'Language. Default en-US.' }),
  country_code: Type.String({ format: 'iso3166-alpha3', description: 'ISO 3166-1 alpha-3 country code, e.g. BRA.' }),
  cycle_closing: Type.String({ format: 'time-hms', description: 'Cycle closing time, HH:MM:SS.' }),
  holiday_calendar_id: Type.Integer({ minimum: 1, description: 'Holiday calendar id.' }),
  start_date: Type.String({ format: 'date-time', description: 'Start date, RFC 3339, for client tracking.' }),
  expiration_date: Type.String({ format: 'date-time', description: 'End date, RFC 3339, for client tracking.' }),
} as const;

const o = orgFieldShapes;

export const CreateOrgBody = Type.Object(
  {
    official_name: o.official_name,
    org_name: o.org_name,
    document_number: o.document_number,
    address: Type.Optional(o.address),
    number: Type.Optional(o.number),
    complementary_address: Type.Optional(o.complementary_address),
    neighborhood: Type.Optional(o.neighborhood),
    zipcode: Type.Optional(o.zipcode),
    city: Type.Optional(o.city),
    state: Type.Optional(o.state),
    country: Type.Optional(o.country),
    legal_proxy_name: Type.Optional(o.legal_proxy_name),
    legal_proxy_document: Type.Optional(o.legal_proxy_document),
    responsible: o.responsible,
    currency_numeric_code: o.currency_numeric_code,
    timezone: o.timezone,
    language: Type.Optional(o.language),
    country_code: o.country_code,
    cycle_closing: Type.Optional(Type.Union([o.cycle_closing, Type.Null()])),
    holiday_calendar_id: Type.Optional(Type.Union([o.holiday_calendar_id, Type.Null()])),
    start_date: Type.Optional(o.start_date),
    expiration_date: Type.Optional(o.expiration_date),
    sandbox: Type.Optional(Type.Boolean({ description: 'Lastro: a sandbox org gets a test clock.', default: false })),
    permissions: Type.Optional(
      Type.Array(Type.String(), { description: 'Lastro: permission groups of the first credential. Default ["pismo-v1:*:rw"].' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateOrgBody = Static<typeof CreateOrgBody>;

/**
 * Pismo's PatchOrgRequest: the org fields, all optional (legal_proxy_document is not among them,
 * so it is not patchable). Pismo: "Fields not passed are not updated"; an empty body changes
 * nothing and answers the org.
 */
export const PatchOrgBody = Type.Partial(Type.Omit(CreateOrgBody, ['sandbox', 'permissions', 'legal_proxy_document']), {
  additionalProperties: false,
});
export type PatchOrgBody = Static<typeof PatchOrgBody>;

/** The operator may also change the sandbox flag. */
export const OperatorPatchOrgBody = Type.Object(
  { ...PatchOrgBody.properties, legal_proxy_document: Type.Optional(o.legal_proxy_document), sandbox: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type OperatorPatchOrgBody = Static<typeof OperatorPatchOrgBody>;

/** Pismo's OrgDetails. Fields without a value are omitted. */
export const OrgDetails = Type.Object(
  {
    id: Type.String({ description: 'Org (tenant) id, TN-<uuid>.' }),
    official_name: Type.String(),
    org_name: Type.String(),
    start_date: Type.Optional(Type.String()),
    expiration_date: Type.Optional(Type.String()),
    document_number: Type.String(),
    address: Type.Optional(Type.String()),
    number: Type.Optional(Type.Integer()),
    complementary_address: Type.Optional(Type.String()),
    neighborhood: Type.Optional(Type.String()),
    zipcode: Type.Optional(Type.String()),
    city: Type.Optional(Type.String()),
    state: Type.Optional(Type.String()),
    country: Type.Optional(Type.String()),
    legal_proxy_name: Type.Optional(Type.String()),
    legal_proxy_document: Type.Optional(Type.String()),
    responsible: Type.String(),
    currency_numeric_code: Type.String(),
    timezone: Type.String(),
    language: Type.String(),
    country_code: Type.String(),
    cycle_closing: Type.Optional(Type.String()),
    holiday_calendar_id: Type.Optional(Type.Integer()),
  },
  { title: 'OrgDetails' },
);
export type OrgDetails = Static<typeof OrgDetails>;

/** The operator's view adds Lastro's status fields. */
export const OperatorOrg = Type.Object(
  {
    ...OrgDetails.properties,
    sandbox: Type.Boolean(),
    status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE')]),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'OperatorOrg' },
);
export type OperatorOrg = Static<typeof OperatorOrg>;

export const Permissions = Type.Array(Type.String({ pattern: '^pismo-v1:[a-z0-9_*-]+:(rw|ro)$' }), {
  minItems: 1,
  description: 'Permission groups, Pismo form pismo-v1:<group>:rw|ro; "*" is every group.',
});

export const Credential = Type.Object(
  {
    id: Type.String(),
    server_key: Type.String(),
    description: Type.Optional(Type.String()),
    permissions: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('REVOKED')]),
    created_at: Type.String({ format: 'date-time' }),
    revoked_at: Type.Optional(Type.String({ format: 'date-time' })),
    last_used_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { title: 'Credential' },
);
export type Credential = Static<typeof Credential>;

export const NewCredential = Type.Object(
  { ...Credential.properties, server_secret: Type.String({ description: 'Shown once; store it now.' }) },
  { title: 'NewCredential' },
);
export type NewCredential = Static<typeof NewCredential>;

export const CreateCredentialBody = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 200 })), permissions: Type.Optional(Permissions) },
  { additionalProperties: false },
);

export const OrgWithCredential = Type.Object({ org: OperatorOrg, credential: NewCredential });

export const OidcKey = Type.Object(
  {
    id: Type.String({ description: 'Key id; client JWTs may name it in their `kid` header.' }),
    name: Type.Optional(Type.String()),
    iss: Type.String({ description: 'The `iss` client JWTs signed with this key must carry.' }),
    sub: Type.String({ description: 'The `sub` client JWTs signed with this key must carry.' }),
    aud: Type.String({ description: 'The `aud` client JWTs must carry.' }),
    permissions: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('REVOKED')]),
    public_jwk: Type.Record(Type.String(), Type.Unknown()),
    created_at: Type.String({ format: 'date-time' }),
    revoked_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { title: 'OidcKey' },
);
export type OidcKey = Static<typeof OidcKey>;

export const RegisterOidcKeyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    public_key: Type.Optional(Type.String({ description: 'RSA public key, PEM (SPKI).', maxLength: 10_000 })),
    jwk: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'RSA public key as a JWK.' })),
    iss: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    sub: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    permissions: Type.Optional(Permissions),
  },
  { additionalProperties: false },
);
export type RegisterOidcKeyBody = Static<typeof RegisterOidcKeyBody>;

// --- Pismo passport (Platform_authentication.yaml) ---

export const S2sTokenBody = Type.Object({
  server_key: Type.String({ minLength: 1 }),
  server_secret: Type.String({ minLength: 1 }),
  account_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Mint an account token for this account.' })),
});

export const S2sTokenResponse = Type.Object({
  tenant: Type.String(),
  server_key: Type.String(),
  program_ids: Type.Array(Type.Integer()),
  account_id: Type.Optional(Type.Integer()),
  external_account_id: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
  token: Type.String(),
  refresh: Type.String(),
});

export const OidcTokenBody = Type.Object({ token: Type.String({ minLength: 1, description: 'Client-signed RS256 JWT.' }) });

export const OidcTokenResponse = Type.Object({
  token: Type.String(),
  refresh_token: Type.String(),
  expires_in: Type.String({ description: 'Seconds, as a string ("3600"), as Pismo returns it.' }),
});

/** RFC 6749 token request (client credentials or refresh), form-encoded or JSON. */
export const OAuthTokenBody = Type.Object({
  grant_type: Type.String({ description: 'client_credentials or refresh_token.' }),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
  client_secret_string: Type.Optional(Type.String({ description: "Pismo's documented spelling of client_secret." })),
  scope: Type.Optional(Type.String({ description: 'Space-separated permission groups.' })),
  uid: Type.Optional(Type.String({ description: 'Account id, for an account token.' })),
  refresh_token: Type.Optional(Type.String()),
});

export const OAuthTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  refresh_token: Type.String(),
});

export const OAuthError = Type.Object({
  error: Type.Optional(Type.String({ description: 'RFC 6749 error code.' })),
  error_description: Type.Optional(Type.String()),
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown({ description: 'The offending fields of an invalid_request, as { field, reason }.' })),
  cid: Type.String(),
});

/** Pismo's SimpleError for the passport endpoints, plus Lastro's code and cid. */
export const PassportError = Type.Object({ message: Type.String(), code: Type.String(), cid: Type.String() });
