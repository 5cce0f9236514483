/**
 * A graph's SDL files, parsed with their names so that every node knows its
 * file, line and column; plus GraftQL's own directive definitions, added
 * where the graph leaves them out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type DefinitionNode, type DocumentNode, GraphQLError, Kind, parse, print, Source } from 'graphql';
import { ACCESS_DIRECTIVES_SDL } from './access-directives.ts';
import { GraphError, locate } from './diagnostics.ts';
import { MAPPING_DIRECTIVES_SDL } from './directives.ts';
import { FEDERATION_DIRECTIVES_SDL } from './federation/directives.ts';
import { LIMIT_DIRECTIVES_SDL } from './limit-directives.ts';

export interface SdlFile {
  /** How errors name it: a path relative to the working directory. */
  name: string;
  body: string;
}

/** Every definition GraftQL may add to a graph: its directives and their argument types. */
export const GATEWAY_DIRECTIVES_SDL = `${MAPPING_DIRECTIVES_SDL.trim()}\n\n${LIMIT_DIRECTIVES_SDL.trim()}\n\n${ACCESS_DIRECTIVES_SDL.trim()}\n\n${FEDERATION_DIRECTIVES_SDL.trim()}\n`;

/** The `.graphql` files of a folder, in name order. */
export function readSchemaFiles(dir: string, cwd = process.cwd()): SdlFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => ({ name: relative(cwd, join(dir, file)) || file, body: readFileSync(join(dir, file), 'utf8') }));
}

/** Parses every file; a syntax error names its file, line and column. */
export function parseFiles(files: readonly SdlFile[]): DocumentNode {
  const definitions: DefinitionNode[] = [];
  const problems = [];
  for (const file of files) {
    try {
      definitions.push(...parse(new Source(file.body, file.name)).definitions);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const [location] = error.locations ?? [];
      problems.push({
        at: location ? `${file.name}:${location.line}:${location.column}` : file.name,
        message: error.message,
      });
    }
  }
  if (problems.length > 0) throw new GraphError(problems);
  return { kind: Kind.DOCUMENT, definitions };
}

/**
 * Adds the gateway's definitions the graph does not declare. One it does
 * declare must match ours, descriptions aside: a stale copy of
 * directives.graphql would promise arguments the gateway does not read.
 */
export function withGatewayDefinitions(document: DocumentNode): DocumentNode {
  const ours = parse(new Source(GATEWAY_DIRECTIVES_SDL, 'graftql:directives.graphql')).definitions;
  const byName = new Map(ours.map((definition) => [nameOf(definition), definition]));
  const declared = new Set<string>();
  const problems = [];
  for (const definition of document.definitions) {
    const name = nameOf(definition);
    const expected = name === undefined ? undefined : byName.get(name);
    if (expected === undefined || name === undefined) continue;
    declared.add(name);
    if (signature(expected) !== signature(definition)) {
      problems.push({
        at: locate(definition),
        message: `${describe(definition)} differs from GraftQL's; \`graftql directives\` prints the current definitions (schema/directives.graphql).`,
      });
    }
  }
  if (problems.length > 0) throw new GraphError(problems);
  return {
    ...document,
    definitions: [...document.definitions, ...ours.filter((definition) => !declared.has(nameOf(definition) ?? ''))],
  };
}

function nameOf(definition: DefinitionNode): string | undefined {
  if (definition.kind === Kind.DIRECTIVE_DEFINITION) return `@${definition.name.value}`;
  return 'name' in definition && definition.name && !definition.kind.endsWith('Extension')
    ? definition.name.value
    : undefined;
}

function describe(definition: DefinitionNode): string {
  return definition.kind === Kind.DIRECTIVE_DEFINITION
    ? `The directive @${definition.name.value}`
    : `The type ${nameOf(definition)}`;
}

/** The definition printed without descriptions or locations. */
function signature(definition: DefinitionNode): string {
  return print(
    JSON.parse(
      JSON.stringify(definition, (key, value: unknown) => (key === 'description' || key === 'loc' ? undefined : value)),
    ) as DefinitionNode,
  );
}
