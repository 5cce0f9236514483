/**
 * `npm run build`: src/ to dist/, what the package ships.
 * - dist/index.cjs: the engine, one CommonJS file (esbuild), which require()
 *   loads on every Node we support (require(esm) needs 20.19);
 * - dist/index.mjs: the ES module entry, re-exporting dist/index.cjs, so that
 *   import and require share one instance (no dual-package hazard: a
 *   GraftError made by a config loaded one way is still a GraftError);
 * - dist/cli.cjs: the `graftql` command, which requires ./index.cjs;
 * - dist/types/: declarations (tsc).
 * Dependencies stay outside the bundle; source maps carry the sources.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// tsc rewrites '.ts' import paths in code, not in declarations: a consumer's tsc would refuse them (TS5097).
for (const file of readdirSync('dist/types', { recursive: true, encoding: 'utf8' }).filter((name) =>
  name.endsWith('.d.ts'),
)) {
  const path = join('dist/types', file);
  writeFileSync(
    path,
    readFileSync(path, 'utf8').replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'),
  );
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.18',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  // import.meta does not exist in CommonJS: the module's own URL, from __filename.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
} as const;

// The command uses the engine through its public entry: keep that entry out of the command's bundle.
const engineOutside: Plugin = {
  name: 'engine-outside',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/index\.ts$/ }, () => ({ path: './index.cjs', external: true }));
  },
};

await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.cjs' });
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.cjs',
  plugins: [engineOutside],
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});
writeFileSync(
  'dist/index.mjs',
  "// GraftQL as an ES module: the CommonJS build's exports, one instance for import and require.\nexport * from './index.cjs';\n",
);
console.log('built dist/: index.cjs, index.mjs, cli.cjs, types/');

// V8 keeps each module's source in memory, as one byte a character, or two for all of it when one character is not Latin-1:
// keep the bundles ASCII (esbuild escapes strings; comments it keeps are copied as written).
for (const file of ['dist/index.cjs', 'dist/cli.cjs']) {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((text) => [...text].some((char) => char.charCodeAt(0) > 127));
  if (line >= 0)
    throw new Error(
      `${file}:${line + 1} is not ASCII (a comment esbuild kept?): write it in ASCII, or the whole module's source takes twice the memory.`,
    );
}
