/**
 * The benchmark graph's configuration (`npm run bench:serve`): the upstream
 * at UPSTREAM_URL, production settings, no stored answers (identical
 * in-flight calls are still shared), a call budget that load never reaches.
 */
// Types only: the built gateway (dist/cli.cjs) loads this file, and it must not load the sources.
import type { GatewayConfig } from '../../src/index.ts';

export default {
  schema: '.',
  resolvers: { Query: { greet: () => 'Hello World!' } },
  // Identical queries of declared fields in flight share one execution (server.dedupe, 'declared' by default); BENCH_DEDUPE=0: none does.
  server: { production: true, host: '127.0.0.1', ...(process.env.BENCH_DEDUPE === '0' && { dedupe: false }) },
  sources: {
    upstream: {
      url: { env: 'UPSTREAM_URL' },
      // BENCH_COALESCE=0: identical calls in flight are not shared either (execution cost alone).
      cache: { enabled: false, coalesce: process.env.BENCH_COALESCE !== '0' },
      connections: 100,
      rateLimit: { fromHeaders: false },
      maxQueued: 10_000,
    },
  },
  limits: { upstreamCallsPerOperation: 1_000 },
  // The row "JWT verified" (BENCH_JWT_PUBLIC_KEY set): callers' tokens verified, each request carrying one.
  ...(process.env.BENCH_JWT_PUBLIC_KEY && {
    auth: { jwt: { issuers: [{ issuer: 'https://bench.graftql.test/', keys: [{ env: 'BENCH_JWT_PUBLIC_KEY' }] }] } },
  }),
  // BENCH_METRICS=0: the row that measures what metrics cost. Traces follow the OTEL_* variables.
  observability: { metrics: { enabled: process.env.BENCH_METRICS !== '0' } },
} satisfies GatewayConfig;
