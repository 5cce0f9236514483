import type { z } from 'zod';
import { configSchema, type GatewayConfig, type ResolvedConfig } from './config-schema.ts';
import { renameDeprecatedKeys } from './renamed-keys.ts';

/** Thrown at start-up when the configuration is wrong; the message names each bad path. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the configuration once, at the edge: applies defaults, resolves
 * `{ env }` references, and returns a frozen object. After this no code
 * checks for missing options. A renamed key's old spelling is accepted,
 * and `warn` is told it is deprecated (renamed-keys.ts).
 */
export function resolveConfig(
  given: GatewayConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
  warn: (message: string) => void = () => {},
): ResolvedConfig {
  const { input, deprecations, problems } = renameDeprecatedKeys(given);
  for (const deprecation of deprecations) warn(deprecation);
  const server = { ...input.server };
  if (env.PORT !== undefined) {
    if (/^\d{1,5}$/.test(env.PORT) && Number(env.PORT) <= 65_535) server.port = Number(env.PORT);
    else problems.push(`PORT: expected a port number 0..65535, got ${JSON.stringify(env.PORT)}`);
  }
  if (env.HOST) server.host = env.HOST;

  const result = configSchema(env).safeParse({ ...input, server });
  if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(`Invalid GraftQL configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const parsed = result.data;
  const development = !parsed.server.production;
  const { graphiql = development, introspection = development, suggestions = development } = parsed.server;
  // No cross-origin access in production unless listed: a page on any site could otherwise read the answers.
  const cors = { ...parsed.server.cors, origins: parsed.server.cors.origins ?? (development ? ['*'] : []) };
  return deepFreeze({ ...parsed, server: { ...parsed.server, graphiql, introspection, suggestions, cors } });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (
    value &&
    typeof value === 'object' &&
    !Object.isFrozen(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
