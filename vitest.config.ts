import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for every package here (graphql 16 has no
    // "exports"); Vite would hand our sources its ESM entry instead: two instances,
    // and a schema built by one cannot be executed by the other. Use Node's choice.
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      // Configs import the package by name, as a user's do; here that is its sources (as tsconfig.json's paths say).
      { find: /^graftql$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
