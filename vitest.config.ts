import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/** test/ mirrors src/: a folder per module family (unit), and the folders that start whole gateways (e2e). */
const UNIT = [
  'cache',
  'config',
  'core',
  'events',
  'loaders',
  'mapping',
  'observability',
  'pagination',
  'pipeline',
  'sources',
  'uploads',
];
const E2E = ['e2e', 'server', 'embedding', 'cli', 'clients', 'examples', 'openapi', 'replicas'];
// A test folder in neither project would never run: say so rather than skip it.
const unplaced = readdirSync(new URL('./test', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !['helpers', 'fixtures', 'consumer'].includes(entry.name))
  .map((entry) => entry.name)
  .filter((name) => !UNIT.includes(name) && !E2E.includes(name));
if (unplaced.length > 0)
  throw new Error(`vitest.config.ts: put test/${unplaced.join(', test/')} in the unit or the e2e project`);

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
    // Most files wait on sockets, timers and child processes more than they compute: two workers per core keep
    // the cores busy (on this project's 2-core machine, beside a CPU hog: 3 min 16 s instead of 7 min 47 s).
    maxWorkers: 2 * availableParallelism(),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    env: { LOG_LEVEL: 'silent' },
    // Two projects, one run (`npm test`): `unit`, one module at a time in process (a real server only where a real
    // socket is the point); `e2e`, whole gateways, services and processes over HTTP. `npx vitest --project unit` is the fast loop.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/*.test.ts', `test/{${UNIT.join(',')}}/**/*.test.ts`] } },
      { extends: true, test: { name: 'e2e', include: [`test/{${E2E.join(',')}}/**/*.test.ts`] } },
    ],
  },
});
