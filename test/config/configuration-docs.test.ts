/** docs/configuration.md is what the schema says: regenerated, it is the same page, and it names every key a resolved config has. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationDocs, DOCS_FILE } from '../../scripts/config-docs.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';

describe('docs/configuration.md', () => {
  it('is current with src/config/config-schema.ts (npm run docs:config writes it)', () => {
    expect(readFileSync(DOCS_FILE, 'utf8')).toBe(configurationDocs());
  });

  it('documents every key of a resolved config', () => {
    const config = resolveConfig(
      { sources: { api: { url: 'http://127.0.0.1:1' } }, redis: { url: { env: 'REDIS_URL' } } },
      { REDIS_URL: 'redis://127.0.0.1:1' },
    );
    const page = readFileSync(DOCS_FILE, 'utf8');
    const keys: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (
        value === null ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        Object.getPrototypeOf(value) !== Object.prototype
      )
        return;
      for (const [name, child] of Object.entries(value)) {
        const at = path ? `${path}.${name}` : name;
        keys.push(at);
        walk(child, at);
      }
    };
    walk(config, '');
    // A source's url resolves to { origin, prefix }: what it becomes, not keys a config writes.
    const documented = keys
      .filter((key) => key !== 'sources' && key !== 'sources.api' && !key.startsWith('sources.api.url.'))
      .map((key) => key.replace(/^sources\.api\./, 'sources.<name>.'));
    const missing = documented.filter((key) => !page.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
