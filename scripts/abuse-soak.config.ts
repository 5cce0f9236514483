/**
 * The abuse soak's gateway: the example configuration with the per-client
 * rate limit a public endpoint should run (10 requests/s, bursts of 20,
 * per Authorization token).
 */
import exampleConfig from '../graftql.config.ts';
import { defineConfig } from '../src/index.ts';

export default defineConfig({
  ...exampleConfig,
  schema: '../schema', // read next to this file
  limits: { ...exampleConfig.limits, clientRateLimit: { requestsPerSecond: 10, burst: 20, by: 'authorization' } },
});
