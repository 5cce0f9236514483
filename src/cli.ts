/**
 * The `graftql` command.
 *
 *   graftql start       serve the graph of graftql.config.ts (npm start)
 *   graftql check       check the config and the graph without serving (npm run check)
 *   graftql schema      print the schema the gateway serves, generated types included
 *   graftql directives  print GraftQL's directive definitions (schema/directives.graphql)
 *
 * Options: --config <file> (or GRAFTQL_CONFIG; default graftql.config.ts).
 * A graph's SDL folder and other relative paths are read next to the config file.
 */
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GatewayConfig } from './config/config-schema.ts';
import { ConfigError, resolveConfig } from './config/resolve-config.ts';
import { GraphError } from './mapping/diagnostics.ts';
import { GATEWAY_DIRECTIVES_SDL } from './mapping/sdl.ts';
import { createLogger } from './observability/logger.ts';
import { checkGraph } from './server/check.ts';
import { createGateway } from './server/create-gateway.ts';
import { compileConfiguredGraph } from './server/graph.ts';
import { listen } from './server/listen.ts';

const USAGE = 'usage: graftql <start | check | schema | directives> [--config graftql.config.ts]';

async function main(argv: readonly string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  const configAt = rest.indexOf('--config');
  if (configAt >= 0 && !rest[configAt + 1]) throw new ConfigError(`--config needs a file.\n${USAGE}`);
  const file = resolve(configAt >= 0 ? (rest[configAt + 1] as string) : (process.env.GRAFTQL_CONFIG ?? 'graftql.config.ts'));
  const baseDir = dirname(file);

  switch (command) {
    case 'directives':
      process.stdout.write(`# GraftQL's directives: keep this copy as schema/directives.graphql for editors and codegen.\n${GATEWAY_DIRECTIVES_SDL.trimStart()}`);
      return 0;
    case 'schema':
      process.stdout.write(`${compileConfiguredGraph(await loadConfig(file), baseDir).sdl}\n`);
      return 0;
    case 'check': {
      const report = checkGraph(await loadConfig(file), { baseDir, file, env: process.env });
      process.stdout.write(report.text);
      return report.ok ? 0 : 1;
    }
    case 'start':
      await start(await loadConfig(file), baseDir);
      return -1; // keeps serving
    default:
      throw new ConfigError(`Unknown command "${command}".\n${USAGE}`);
  }
}

async function start(config: GatewayConfig, baseDir: string): Promise<void> {
  const logger = createLogger();
  await config.beforeStart?.(process.env);
  const resolved = resolveConfig(config);
  const gateway = createGateway(config, { logger, baseDir });
  const running = await listen(gateway, resolved);
  logger.info({ url: `${running.url}/graphql`, graphiql: resolved.server.graphiql, sources: Object.keys(resolved.sources) }, 'GraftQL is serving');
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

async function loadConfig(file: string): Promise<GatewayConfig> {
  const module = (await import(pathToFileURL(file).href)) as { default?: GatewayConfig };
  if (!module.default) throw new ConfigError(`${file} has no default export; export default defineConfig({ … })`);
  return module.default;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof GraphError) process.stderr.write(`${error.message}\n`);
    else createLogger().fatal({ err: error }, 'GraftQL could not start');
    process.exit(1);
  },
);
