/**
 * `npm run bench:serve`: GraftQL serving the benchmark graph
 * (bench/placeholder/) against the REST upstream at UPSTREAM_URL, on PORT,
 * so that any outside harness can measure it. BENCH_GRAPH=hand-written
 * serves the same graph written with resolvers instead of `@rest`.
 */
import { createGateway, listen, resolveConfig } from '../src/index.ts';
import { createLogger } from '../src/observability/logger.ts';
import config from './placeholder/graftql.config.ts';
import { handWrittenGraph } from './placeholder-graph.ts';

if (!process.env.UPSTREAM_URL) {
  console.error('UPSTREAM_URL is not set: the REST upstream to serve (e.g. node bench/upstream.mjs)');
  process.exit(1);
}

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const graph = process.env.BENCH_GRAPH === 'hand-written' ? handWrittenGraph : undefined;
const gateway = createGateway(config, { graph, logger, baseDir: new URL('./placeholder/', import.meta.url).pathname });
const running = await listen(gateway, resolveConfig(config));
console.log(JSON.stringify({ graftql: `${running.url}/graphql` }));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void running.shutdown().then(() => process.exit(0)));
