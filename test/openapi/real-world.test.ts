/**
 * Published documents, from npm packages (no network): GitHub's REST
 * description (13 MB, 1,200 operations, @octokit/openapi) and ReadMe's
 * example documents of every version and shape (@readme/oas-examples:
 * Swagger 2.0, OpenAPI 3.0 in JSON and YAML, 3.1, circular schemas). Each
 * imports, and what it writes compiles into a graph; the counts of the
 * report are the document's, pinned by the packages' exact versions. The
 * bound on time is each test's timeout (GitHub's takes ~5 s here).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/import-command.ts';
import { compileGraph } from '../../src/mapping/graph.ts';
import { importOpenApi } from '../../src/openapi/import-openapi.ts';

const require = createRequire(import.meta.url);
const packaged = (name: string) => require.resolve(name);

/** Compiles the imported SDL as a graph would: with a Query of another file when the document has no reads. */
function compiles(sdl: string, source: string): void {
  const hasQuery = sdl.includes('extend type Query');
  compileGraph({
    files: [
      { name: `${source}.graphql`, body: sdl },
      ...(hasQuery ? [] : [{ name: 'query.graphql', body: 'type Query { ping: String }' }]),
    ],
    sources: { [source]: { naming: 'snake_case', forwardHeaders: [], maxPageSize: 100, pagination: undefined } },
    resolvers: hasQuery ? undefined : { Query: { ping: () => 'pong' } },
  });
}

describe('published documents', () => {
  it("GitHub's REST API (OpenAPI 3.0, 13 MB): imports, compiles, and reports every operation", {
    timeout: 60_000,
  }, async () => {
    const { sdl, report } = await importOpenApi(packaged('@octokit/openapi/generated/api.github.com.json'), {
      source: 'github',
    });
    expect(() => compiles(sdl, 'github')).not.toThrow();
    expect([report.mapped.length, report.skipped.length]).toEqual([1194, 29]);
    expect(report.mapped.length + report.skipped.length).toBe(1223);
    expect(sdl).toContain('type Repository');
    expect(sdl).not.toMatch(/UsingGET|Using(POST|PUT|PATCH|DELETE)/);
  });

  it.each([
    ['2.0/json/petstore.json', 19, 1],
    ['3.0/yaml/petstore-expanded.yaml', 4, 0],
    ['3.0/json/schema-circular.json', 3, 0],
    ['3.0/json/schema-types.json', 21, 0],
    ['3.1/json/petstore.json', 18, 2],
  ])('%s: %i mapped, %i skipped, and compiles', { timeout: 30_000 }, async (file, mapped, skipped) => {
    const { sdl, report } = await importOpenApi(packaged(`@readme/oas-examples/${file}`), { source: 'example' });
    expect([report.mapped.length, report.skipped.length]).toEqual([mapped, skipped]);
    expect(() => compiles(sdl, 'example')).not.toThrow();
  });

  it("every one of ReadMe's example documents imports and compiles, or says there is nothing to import", {
    timeout: 120_000,
  }, async () => {
    const { readdirSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const root = dirname(packaged('@readme/oas-examples/package.json'));
    let imported = 0;
    for (const version of ['2.0', '3.0', '3.1']) {
      for (const file of readdirSync(join(root, version, 'json')).filter((name) => name.endsWith('.json'))) {
        const { sdl, report } = await importOpenApi(join(root, version, 'json', file), { source: 'example' });
        if (report.mapped.length === 0) continue;
        expect(() => compiles(sdl, 'example'), `${version}/${file}`).not.toThrow();
        imported += 1;
      }
    }
    expect(imported).toBeGreaterThan(40);
  });

  it('a document whose every operation is skipped writes nothing, and says why', async () => {
    const out: string[] = [];
    const code = await importCommand(
      {
        files: [packaged('@readme/oas-examples/3.0/json/circular.json')],
        out: '/nonexistent-dir/never-written.graphql',
      },
      (text) => out.push(text),
    );
    expect(code).toBe(1);
    expect(out.join('')).toContain('Nothing to import');
  });
});
