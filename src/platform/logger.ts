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

/**
 * A logger writing JSON lines to `destination`, by default standard output through
 * `process.stdout`. Not pino's own stdout destination: on exit it flushes synchronously and
 * retries a write that fails with EPIPE forever, so a process whose log reader has gone (a parent
 * that exited, a dead log collector) hangs on `process.exit` instead of stopping.
 * `process.stdout` reports EPIPE as an error event, which `keepWritingWhenReaderGone` (stdio.ts)
 * swallows.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination ?? process.stdout);
}
