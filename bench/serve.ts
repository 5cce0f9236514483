/**
 * `npm run bench:serve`: GraftQL serving the benchmark graph against the
 * REST upstream at UPSTREAM_URL, on PORT, with production settings (no
 * GraphiQL, warn-level logs, no stored answers: identical in-flight calls
 * are still shared), so that any outside harness can measure it.
 */
import { createGateway, defineConfig, listen, resolveConfig } from '../src/index.ts';
import { createLogger } from '../src/observability/logger.ts';
import { placeholderGraph } from './placeholder-graph.ts';

if (!process.env.UPSTREAM_URL) {
  console.error('UPSTREAM_URL is not set: the REST upstream to serve (e.g. node bench/upstream.mjs)');
  process.exit(1);
}

const config = defineConfig({
  server: { production: true, host: '127.0.0.1' },
  sources: {
    upstream: { url: { env: 'UPSTREAM_URL' }, cache: { enabled: false }, connections: 100, rateLimit: { fromHeaders: false }, maxQueued: 10_000 },
  },
  limits: { upstreamCallsPerOperation: 1_000 },
});
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const gateway = createGateway(config, { graph: placeholderGraph, logger });
const running = await listen(gateway, resolveConfig(config));
console.log(JSON.stringify({ graftql: `${running.url}/graphql` }));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void running.shutdown().then(() => process.exit(0)));
