import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Header and field names whose values never reach a log line, wherever they appear. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  '*.password',
  '*.secret',
  '*.token',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream;
}

/** The gateway's structured logger: JSON lines, secrets redacted by path. */
export function createLogger({ level = process.env.LOG_LEVEL ?? 'info', destination }: LoggerOptions = {}): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'graftql' } },
    destination,
  );
}

/**
 * Replaces every known secret value in a text (an upstream error body, say)
 * before it is logged: redaction by path cannot see a key an upstream echoes
 * back inside its message.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result;
}
