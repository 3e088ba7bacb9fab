// JSON logs through pino (Fastify's own logger). Every request line carries `cid`; secrets are
// redacted by path wherever they might appear in a logged object.
import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'server_secret',
  'client_secret',
  'client_secret_string',
  'token',
  'refresh',
  'refresh_token',
  'access_token',
];

// Top level, one level down (`body.token`) and request headers.
export const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'lastro' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
