import { defineConfig } from 'vitest/config';

export default defineConfig({
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
