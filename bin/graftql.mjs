#!/usr/bin/env node
// The `graftql` command of the installed package: registers tsx for ES
// modules and CommonJS alike (as `node --import tsx` does; GraftQL and your
// graftql.config.ts are TypeScript, run without a build step), then runs src/cli.ts.
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
registerCommonJs();
await import('../src/cli.ts');
