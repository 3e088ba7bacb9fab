// Configuration comes only from environment variables, declared once here. Each declaration
// documents itself; the README's configuration table is checked against this list by a test.

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Parser<T> = (raw: string, name: string) => T;

interface VariableSpec<T> {
  name: string;
  description: string;
  /** Default as it appears in the docs; `undefined` means "unset". */
  default: string | undefined;
  parse: Parser<T>;
}

const integer =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };

const oneOf =
  <const V extends string>(values: readonly V[]): Parser<V> =>
  (raw, name) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as V;
  };

const text: Parser<string> = (raw) => raw;

const postgresUrl: Parser<string> = (raw, name) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL such as postgres://user@127.0.0.1:5432/lastro');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  return raw;
};

const bool: Parser<boolean> = (raw, name) => {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
};

function variable<T, const D extends string | undefined>(spec: VariableSpec<T> & { default: D }): VariableSpec<T> & { default: D } {
  return spec;
}

export const VARIABLES = {
  port: variable({
    name: 'PORT',
    description: 'HTTP port the API listens on.',
    default: '8080',
    parse: integer(0, 65535),
  }),
  host: variable({
    name: 'HOST',
    description: 'Interface the API binds to. Use `0.0.0.0` inside containers.',
    default: '127.0.0.1',
    parse: text,
  }),
  databaseUrl: variable({
    name: 'DATABASE_URL',
    description: 'PostgreSQL 15+ connection URL. Unset: embedded PGlite in `LASTRO_DATA_DIR`.',
    default: undefined,
    parse: postgresUrl,
  }),
  databasePoolSize: variable({
    name: 'DATABASE_POOL_SIZE',
    description: 'Connections in the PostgreSQL pool (per process). PGlite always has one.',
    default: '10',
    parse: integer(1, 500),
  }),
  databasePreparedStatements: variable({
    name: 'DATABASE_PREPARED_STATEMENTS',
    description:
      'PostgreSQL: send statements as named prepared statements, parsed once per connection. Turn off behind a pooler that does not keep sessions (PgBouncer in transaction mode). Never used on PGlite.',
    default: 'true',
    parse: bool,
  }),
  dataDir: variable({
    name: 'LASTRO_DATA_DIR',
    description: 'Where the embedded PGlite database lives. Locked against a second process.',
    default: './.lastro/data',
    parse: text,
  }),
  logLevel: variable({
    name: 'LOG_LEVEL',
    description: 'pino log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
    default: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  }),
  bodyLimit: variable({
    name: 'LASTRO_BODY_LIMIT',
    description: 'Largest accepted request body, in bytes; larger bodies get 413.',
    default: '1048576',
    parse: integer(1024, 100 * 1024 * 1024),
  }),
  shutdownTimeoutMs: variable({
    name: 'LASTRO_SHUTDOWN_TIMEOUT_MS',
    description: 'How long SIGINT/SIGTERM waits for in-flight requests and jobs before closing anyway.',
    default: '10000',
    parse: integer(0, 600_000),
  }),
  jobPollSeconds: variable({
    name: 'LASTRO_JOB_POLL_SECONDS',
    description: 'How often an idle worker polls for new jobs (seconds, at least 0.5).',
    default: '2',
    parse: (raw, name) => {
      const n = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || n < 0.5 || n > 3600) {
        throw new ConfigError(name, `must be a number of seconds between 0.5 and 3600, got "${raw}"`);
      }
      return n;
    },
  }),
  adminToken: variable({
    name: 'LASTRO_ADMIN_TOKEN',
    description: 'Bearer token for the operator API (`/lastro/v1/orgs`). Unset: the operator API is off.',
    default: undefined,
    parse: (raw, name) => {
      if (raw.length < 16) throw new ConfigError(name, 'must be at least 16 characters');
      return raw;
    },
  }),
  tokenIssuer: variable({
    name: 'LASTRO_TOKEN_ISSUER',
    description: '`iss` of the access tokens Lastro signs.',
    default: 'lastro',
    parse: text,
  }),
  tokenAudience: variable({
    name: 'LASTRO_TOKEN_AUDIENCE',
    description: '`aud` of the access tokens Lastro signs (and requires).',
    default: 'lastro-api',
    parse: text,
  }),
  tokenTtlSeconds: variable({
    name: 'LASTRO_TOKEN_TTL_SECONDS',
    description: 'Lifetime of access tokens (at most 3600, as Pismo).',
    default: '3600',
    parse: integer(60, 3600),
  }),
  refreshTtlSeconds: variable({
    name: 'LASTRO_REFRESH_TTL_SECONDS',
    description: 'Lifetime of refresh tokens; each is used once.',
    default: '86400',
    parse: integer(60, 30 * 86400),
  }),
  oidcAudience: variable({
    name: 'LASTRO_OIDC_AUDIENCE',
    description: '`aud` that client-signed JWTs (OpenID Connect for servers) must carry.',
    default: 'lastro',
    parse: text,
  }),
  encryptionKey: variable({
    name: 'LASTRO_ENCRYPTION_KEY',
    description: '32 random bytes, base64, encrypting Lastro\'s signing keys at rest (AES-256-GCM). Set it in production.',
    default: undefined,
    parse: (raw, name) => {
      if (Buffer.from(raw, 'base64').length !== 32) throw new ConfigError(name, 'must be 32 bytes encoded as base64 (openssl rand -base64 32)');
      return raw;
    },
  }),
  rateLimitOrg: variable({
    name: 'LASTRO_RATE_LIMIT_ORG_PER_MINUTE',
    description: 'Requests per minute per org, per process (429 with Retry-After beyond it). 0 turns it off.',
    default: '60000',
    parse: integer(0, 100_000_000),
  }),
  rateLimitCredential: variable({
    name: 'LASTRO_RATE_LIMIT_CREDENTIAL_PER_MINUTE',
    description: 'Requests per minute per credential (or OpenID key), per process. 0 turns it off.',
    default: '30000',
    parse: integer(0, 100_000_000),
  }),
  loginMaxFailures: variable({
    name: 'LASTRO_LOGIN_MAX_FAILURES',
    description: 'Wrong secrets in a row that lock a server_key.',
    default: '5',
    parse: integer(1, 1000),
  }),
  loginLockSeconds: variable({
    name: 'LASTRO_LOGIN_LOCK_SECONDS',
    description: 'How long a locked server_key stays locked.',
    default: '900',
    parse: integer(1, 86400),
  }),
  tlsCert: variable({
    name: 'TLS_CERT',
    description: 'PEM certificate file: with `TLS_KEY`, the API speaks HTTPS.',
    default: undefined,
    parse: text,
  }),
  tlsKey: variable({
    name: 'TLS_KEY',
    description: 'PEM private key file for `TLS_CERT`.',
    default: undefined,
    parse: text,
  }),
  tlsClientCa: variable({
    name: 'TLS_CLIENT_CA',
    description: 'PEM CA bundle: when set, clients must present a certificate it signed (mTLS).',
    default: undefined,
    parse: text,
  }),
  natsUrl: variable({
    name: 'NATS_URL',
    description: 'NATS server with JetStream (`nats://127.0.0.1:4222`) for event subscriptions with a `nats` sink. Unset: such subscriptions are refused.',
    default: undefined,
    parse: (raw, name) => {
      for (const part of raw.split(',')) {
        if (!/^(nats|tls|wss?):\/\/[^\s/]+$/.test(part.trim())) throw new ConfigError(name, `must be nats://host:port (comma-separated for a cluster), got "${raw}"`);
      }
      return raw;
    },
  }),
  natsPrefix: variable({
    name: 'LASTRO_NATS_PREFIX',
    description:
      'Names this deployment on a NATS server shared with others: the stream becomes `<PREFIX>_LASTRO_EVENTS` and subjects `<prefix>.lastro.…`. Unset: `LASTRO_EVENTS` and `lastro.…`.',
    default: undefined,
    parse: (raw, name) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(raw)) throw new ConfigError(name, `must be 1 to 32 letters, digits, _ or -, got "${raw}"`);
      return raw;
    },
  }),
  eventsDir: variable({
    name: 'LASTRO_EVENTS_DIR',
    description: 'Where batch event files are written (one folder per org). API and worker processes must share it.',
    default: './.lastro/events',
    parse: text,
  }),
  eventRetentionDays: variable({
    name: 'LASTRO_EVENT_RETENTION_DAYS',
    description: 'Days events stay replayable, and batch files and webhook delivery logs are kept.',
    default: '30',
    parse: integer(1, 3650),
  }),
  relayPollMs: variable({
    name: 'LASTRO_RELAY_POLL_MS',
    description: 'How often the event relay looks for new events when nothing woke it (milliseconds).',
    default: '250',
    parse: integer(10, 60_000),
  }),
  webhookAllowPrivate: variable({
    name: 'LASTRO_WEBHOOK_ALLOW_PRIVATE',
    description: 'Allow webhook URLs on private, loopback and link-local addresses (off: such targets are refused).',
    default: 'false',
    parse: bool,
  }),
  webhookTimeoutMs: variable({
    name: 'LASTRO_WEBHOOK_TIMEOUT_MS',
    description: 'Default time a webhook endpoint has to answer (a subscription may set its own, up to 30 s).',
    default: '10000',
    parse: integer(100, 30_000),
  }),
  webhookRetryBaseMs: variable({
    name: 'LASTRO_WEBHOOK_RETRY_BASE_MS',
    description: 'Delay before the first webhook retry; each next retry waits twice as long, with ±20 % jitter.',
    default: '5000',
    parse: integer(10, 3_600_000),
  }),
  webhookRetryWindowSeconds: variable({
    name: 'LASTRO_WEBHOOK_RETRY_WINDOW_SECONDS',
    description: 'How long a webhook delivery is retried after its first attempt before it is dead-lettered (`failed`).',
    default: '86400',
    parse: integer(1, 7 * 86400),
  }),
  webhookDisableAfter: variable({
    name: 'LASTRO_WEBHOOK_DISABLE_AFTER',
    description: 'Failed webhook attempts in a row (no success between) that disable a subscription, once they have also gone on for `LASTRO_WEBHOOK_DISABLE_AFTER_SECONDS`.',
    default: '50',
    parse: integer(1, 1_000_000),
  }),
  webhookDisableAfterSeconds: variable({
    name: 'LASTRO_WEBHOOK_DISABLE_AFTER_SECONDS',
    description: 'How long failures must have gone on, with no success, before a subscription is disabled: a short outage under load only delays delivery.',
    default: '3600',
    parse: integer(0, 30 * 86400),
  }),
  ledgerGroupMax: variable({
    name: 'LASTRO_LEDGER_GROUP_MAX',
    description:
      'Concurrent P2P transfers (with a tracking_id) of one org committed together in one transaction, at most; 1 commits each on its own.',
    default: '64',
    parse: integer(1, 1000),
  }),
  ledgerGroupsInFlight: variable({
    name: 'LASTRO_LEDGER_GROUPS_IN_FLIGHT',
    description:
      'Transactions of grouped transfers one org has open at once, per process, at most; transfers arriving meanwhile wait to form the next group. More than one only while each group gets LASTRO_LEDGER_GROUP_SPLIT_MIN transfers.',
    default: '2',
    parse: integer(1, 64),
  }),
  ledgerGroupSplitMin: variable({
    name: 'LASTRO_LEDGER_GROUP_SPLIT_MIN',
    description:
      "The fewest transfers a group gets when an org's concurrent transfers are shared between groups in flight, which overlap (one is written while another's clients are answered); with fewer in the process, one group takes them all.",
    default: '16',
    parse: integer(1, 1000),
  }),
  ledgerGroupWindowMs: variable({
    name: 'LASTRO_LEDGER_GROUP_WINDOW_MS',
    description:
      'After a group of transfers is answered, the longest the next group waits for as many transfers as were just answered or left waiting; 0 starts it at once.',
    default: '5',
    parse: integer(0, 1000),
  }),
  webhookConcurrency: variable({
    name: 'LASTRO_WEBHOOK_CONCURRENCY',
    description: 'Webhook requests in flight at once, per worker process.',
    default: '64',
    parse: integer(1, 10_000),
  }),
  eventFileRollSeconds: variable({
    name: 'LASTRO_EVENT_FILE_ROLL_SECONDS',
    description: 'A batch event file is closed this many seconds after its first event (a subscription may set its own).',
    default: '300',
    parse: integer(1, 86400),
  }),
  eventFileRollBytes: variable({
    name: 'LASTRO_EVENT_FILE_ROLL_BYTES',
    description: 'A batch event file is closed once its NDJSON (before gzip) reaches this size (a subscription may set its own).',
    default: '10485760',
    parse: integer(1024, 1024 * 1024 * 1024),
  }),
  clockSyncDays: variable({
    name: 'LASTRO_CLOCK_SYNC_DAYS',
    description: 'A sandbox test-clock advance of at most this many days answers 200 once the days are closed; a longer one answers 202 and closes them in the worker.',
    default: '31',
    parse: integer(0, 3660),
  }),
  metrics: variable({
    name: 'LASTRO_METRICS',
    description: 'Serve Prometheus metrics at `/metrics`.',
    default: 'true',
    parse: bool,
  }),
} as const;

type Variables = typeof VARIABLES;
export type Config = {
  [K in keyof Variables]: Variables[K] extends VariableSpec<infer T>
    ? Variables[K]['default'] extends string
      ? T
      : T | undefined
    : never;
};

/**
 * Reads and validates every variable. Throws a ConfigError naming the first bad variable, so a
 * wrong value stops start-up instead of surfacing later as a strange failure.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(VARIABLES) as [string, VariableSpec<unknown>][]) {
    const raw = env[spec.name];
    const value = raw === undefined || raw === '' ? spec.default : raw;
    out[key] = value === undefined ? undefined : spec.parse(value.trim(), spec.name);
  }
  const config = out as Config;
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    throw new ConfigError(config.tlsCert ? 'TLS_KEY' : 'TLS_CERT', 'TLS_CERT and TLS_KEY must be set together');
  }
  if (config.tlsClientCa && !config.tlsCert) throw new ConfigError('TLS_CLIENT_CA', 'needs TLS_CERT and TLS_KEY');
  return config;
}
