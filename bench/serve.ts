/**
 * `npm run bench:serve`: GraftQL serving the benchmark graph
 * (bench/placeholder/) against the REST upstream at UPSTREAM_URL, on PORT,
 * so that any outside harness can measure it.
 */
import { createGateway, listen, resolveConfig } from '../src/index.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import config from './placeholder/graftql.config.ts';

if (!process.env.UPSTREAM_URL) {
  console.error('UPSTREAM_URL is not set: the REST upstream to serve (e.g. node bench/upstream.mjs)');
  process.exit(1);
}

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const gateway = createGateway(config, { logger, baseDir: new URL('./placeholder/', import.meta.url).pathname });
const running = await listen(gateway, resolveConfig(config));
console.log(JSON.stringify({ graftql: `${running.url}/graphql` }));
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void running.shutdown().then(() => process.exit(0)));
