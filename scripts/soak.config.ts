/**
 * The soak's gateway: the example configuration with response storing off,
 * so that upstream faults reach the gateway's failure handling instead of
 * being absorbed by cached answers (identical in-flight calls are still
 * shared, as in production).
 */
import exampleConfig from '../graftql.config.ts';
import { defineConfig } from '../src/index.ts';

export default defineConfig({
  ...exampleConfig,
  schema: '../schema', // read next to this file
  sources: Object.fromEntries(
    Object.entries(exampleConfig.sources).map(([name, source]) => [
      name,
      { ...source, cache: { ...source.cache, enabled: false } },
    ]),
  ),
});
