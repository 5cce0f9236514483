import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for every package here (graphql 16 has no
    // "exports"); Vite would hand our sources its ESM entry instead: two instances,
    // and a schema built by one cannot be executed by the other. Use Node's choice.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // graftql.config.ts starts an example service for every unset *_URL; tests
    // start their own services and pass their env to createGateway, so they
    // set these to keep importing the config file free of side effects.
    env: {
      ACCOUNTS_URL: 'http://127.0.0.1:9',
      CONTENT_URL: 'http://127.0.0.1:9',
      COMMENTS_URL: 'http://127.0.0.1:9',
      WEATHER_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
    },
  },
});
