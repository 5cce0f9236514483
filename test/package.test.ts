/** The package entry: importing it does nothing but define things. */

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('importing graftql', () => {
  it('reads no file and starts nothing: from an empty directory, the process ends at once', () => {
    const entry = join(process.cwd(), 'src', 'index.ts');
    const empty = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    // tsx by its path: the empty directory has no node_modules to find it in.
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        tsx,
        '--input-type=module',
        '-e',
        `const graftql = await import(${JSON.stringify(entry)}); console.log(Object.keys(graftql).sort().join(','));`,
      ],
      {
        cwd: empty,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split(',')).toEqual(
      expect.arrayContaining([
        'createGateway',
        'defineConfig',
        'batchLoader',
        'indexConnection',
        'printGraph',
        'GraftError',
      ]),
    );
  });
});
