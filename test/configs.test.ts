/**
 * Every graph configuration in the repository checks, as `graftql check`
 * would run it: the soaks' and the benchmark's too, which no other test
 * serves (their SDL folders are read next to them).
 */
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../src/index.ts';
import { checkGraph } from '../src/server/check.ts';

const CONFIGS = [
  'graftql.config.ts',
  'examples/placeholder/graftql.config.ts',
  'bench/placeholder/graftql.config.ts',
  'scripts/soak.config.ts',
  'scripts/abuse-soak.config.ts',
];

describe('the repository’s configurations', () => {
  it.each(CONFIGS)('%s checks', async (file) => {
    const path = resolve(file);
    const config = (await import(path)).default as GatewayConfig;
    const report = checkGraph(config, { baseDir: dirname(path), file: path, env: {} });
    expect(report.text).not.toContain('Invalid');
    expect(report.ok).toBe(true);
  });
});
