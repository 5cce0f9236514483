/**
 * Minimum safe versions of security-relevant dependencies (npm audit is not
 * available here, so the floors are kept by hand and checked on every run).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const FLOORS: Array<[name: string, floor: string, why: string]> = [
  [
    'undici',
    '7.24.0',
    'unbounded buffering in the deduplicate interceptor (CVE-2026-2581), retry response desync (GHSA-8xcm-r25x-g524)',
  ],
  ['graphql', '16.8.1', 'slow OverlappingFieldsCanBeMerged validation (CVE-2023-26144)'],
  ['ws', '8.17.1', 'a request with many HTTP headers crashes the server (CVE-2024-37890)'],
];

const require = createRequire(import.meta.url);

function newerOrEqual(version: string, floor: string): boolean {
  const a = version.split('.').map(Number);
  const b = floor.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('dependency floors', () => {
  it.each(FLOORS)('%s is at least %s (%s)', (name, floor) => {
    const { version } = require(`${name}/package.json`) as { version: string };
    expect(newerOrEqual(version, floor)).toBe(true);
  });
});
