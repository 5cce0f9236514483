/**
 * One document of the OpenAPI corpus (scripts/openapi-corpus.ts), in a
 * process of its own so that its peak RSS is its own: imported, checked as
 * `graftql check` checks a project, then served by a real gateway against a
 * mock of the same document (test/helpers/openapi-mock.ts), and every root
 * query field asked for with its scalar fields and those of its first-level
 * objects. Prints one JSON line: what scripts/openapi-corpus.ts tabulates.
 *
 * Usage: tsx scripts/openapi-corpus-document.ts <document> <source name>
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Kind, parse } from 'graphql';
import { resolveConfig } from '../src/config/resolve-config.ts';
import { importOpenApi, loadOpenApi } from '../src/openapi/import-openapi.ts';
import { checkGraph } from '../src/server/check.ts';
import { createGateway } from '../src/server/create-gateway.ts';
import { compileConfiguredGraph } from '../src/server/graph.ts';
import { listen } from '../src/server/listen.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { startOpenApiMock } from '../test/helpers/openapi-mock.ts';
import { rootQueries } from '../test/helpers/root-queries.ts';

export interface DocumentOutcome {
  operations: number;
  mapped: number;
  skipped: number;
  /** 'ok', 'nothing to import (why)', or the first lines of what `graftql check` refused. */
  check: string;
  fields: { ok: number; total: number };
  /** The root fields that did not answer, with the first error of each. */
  failures: Array<{ field: string; error: string }>;
  importMs: number;
  /** Peak RSS of the import (the process before it served anything). */
  importRssMb: number;
  /** Root fields whose name ends in a number (`user2`): names the import found nothing better for. */
  numbered: string[];
}

const [file, source = 'api'] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx scripts/openapi-corpus-document.ts <document> <source name>');
  process.exit(2);
}

const startedAt = performance.now();
const result = await importOpenApi(file, { source });
const importMs = Math.round(performance.now() - startedAt);
const importRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
const outcome: DocumentOutcome = {
  operations: result.report.mapped.length + result.report.skipped.length,
  mapped: result.report.mapped.length,
  skipped: result.report.skipped.length,
  check: 'ok',
  fields: { ok: 0, total: 0 },
  failures: [],
  importMs,
  importRssMb,
  numbered: numberedNames(rootFieldNames(result.sdl)),
};

if (outcome.mapped === 0) {
  // Nothing a graph can serve: what the import says instead is the outcome.
  const why = [...result.report.skipped.map((each) => `${each.operation}: ${each.reason}`), ...result.report.guesses];
  outcome.check = `nothing to import${why.length > 0 ? ` (${why.slice(0, 2).join('; ')})` : ''}`;
  console.log(JSON.stringify(outcome));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'graftql-corpus-'));
const hasQuery = /\b(extend )?type Query\b/.test(result.sdl);
const files = [
  { name: `${source}.graphql`, body: result.sdl },
  // A document with writes only needs a Query of another file, as a project would have.
  ...(hasQuery ? [] : [{ name: 'query.graphql', body: 'type Query { ping: String }' }]),
];
for (const each of files) writeFileSync(join(dir, each.name), each.body);
const naming = /naming: 'snake_case'/.test(result.config) ? ('snake_case' as const) : ('camelCase' as const);
const mock = await startOpenApiMock((await loadOpenApi(file)).api);
const config = {
  schema: '.',
  server: { port: 0 },
  ...(hasQuery ? {} : { resolvers: { Query: { ping: () => 'pong' } } }),
  sources: { [source]: { url: mock.url, naming, cache: { enabled: false } } },
};
try {
  const checked = checkGraph(config, { baseDir: dir, file: join(dir, 'graftql.config.ts'), env: {} });
  if (!checked.ok) outcome.check = checked.text.split('\n').filter(Boolean).slice(0, 4).join(' / ');
  else await serveAndAsk();
} finally {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(outcome));
process.exit(0);

/** Names a number tells apart from another root field (`user2` beside `user`), not those a path spells (`projectsV2`). */
function numberedNames(names: readonly string[]): string[] {
  const all = new Set(names);
  return names.filter((name) => {
    const base = /^(.*\D)\d+$/.exec(name)?.[1];
    return base !== undefined && all.has(base);
  });
}

/** The Query and Mutation fields an imported SDL declares. */
function rootFieldNames(sdl: string): string[] {
  if (!/^(extend )?type /m.test(sdl)) return [];
  return parse(sdl).definitions.flatMap((definition) =>
    definition.kind === Kind.OBJECT_TYPE_EXTENSION && ['Query', 'Mutation'].includes(definition.name.value)
      ? (definition.fields ?? []).map((field) => field.name.value)
      : [],
  );
}

async function serveAndAsk(): Promise<void> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const gateway = createGateway(config, {
    env: {},
    baseDir: dir,
    logger: createLogger({ level: 'silent', destination: quiet }),
  });
  const running = await listen(gateway, resolveConfig(config, {}));
  const graph = compileConfiguredGraph(config, dir);
  try {
    for (const { field, query } of rootQueries(graph.schema, graph.full)) {
      outcome.fields.total++;
      const answer = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await answer.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
      if (!body.errors) outcome.fields.ok++;
      else {
        const [first] = body.errors;
        outcome.failures.push({ field, error: `${first?.extensions?.code ?? ''} ${first?.message ?? ''}`.trim() });
      }
    }
  } finally {
    await running.shutdown();
  }
}
