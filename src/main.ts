/**
 * `npm start`: loads graftql.config.ts (or the file in GRAFTQL_CONFIG),
 * validates it, serves the gateway, and drains on SIGTERM/SIGINT. A wrong
 * configuration prints each bad path and exits with status 1.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GatewayConfig } from './config/config-schema.ts';
import { ConfigError, resolveConfig } from './config/resolve-config.ts';
import { createLogger } from './observability/logger.ts';
import { createGateway } from './server/create-gateway.ts';
import { listen } from './server/listen.ts';

const logger = createLogger();

async function main(): Promise<void> {
  const file = resolve(process.env.GRAFTQL_CONFIG ?? 'graftql.config.ts');
  const module = (await import(pathToFileURL(file).href)) as { default?: GatewayConfig };
  if (!module.default) throw new ConfigError(`${file} has no default export; export default defineConfig({ … })`);
  const config = resolveConfig(module.default);
  const gateway = createGateway(module.default, { logger });
  const running = await listen(gateway, config);
  logger.info({ url: `${running.url}/graphql`, graphiql: config.server.graphiql, sources: Object.keys(config.sources) }, 'GraftQL is serving');

  const stop = (signal: string) => {
    logger.info({ signal }, 'draining in-flight requests');
    void running.shutdown().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else logger.fatal({ err: error }, 'GraftQL could not start');
  process.exit(1);
});
