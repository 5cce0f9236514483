/**
 * The subgraph checked as composition checks each subgraph before it
 * composes them, with the Guild's composition library: a misplaced `@key`,
 * a `@requires` of a field that is not `@external`, a field set that names
 * nothing. (What only the whole supergraph can tell, e.g. an `@external`
 * field no other subgraph resolves, is the composition's to say.) Its
 * errors name types and fields (`On field "User.weather", ...`), not
 * places; each is reported at the graph's own definition of the first one
 * it names.
 */
import { createRequire } from 'node:module';
import { type ASTNode, type DocumentNode, type GraphQLSchema, isInputObjectType, isObjectType } from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';

/** How composition names this graph in its messages (`[graftql] ...`). */
const SUBGRAPH = 'graftql';

export function checkComposition(subgraph: DocumentNode, full: GraphQLSchema, diagnostics: Diagnostics): void {
  // Loaded only for a graph served as a subgraph: it adds about 70 ms to every start-up otherwise.
  const { validateSubgraph } = createRequire(import.meta.url)(
    '@theguild/federation-composition',
  ) as typeof import('@theguild/federation-composition');
  for (const error of validateSubgraph({ name: SUBGRAPH, typeDefs: subgraph })) {
    const message = error.message.replace(`[${SUBGRAPH}] `, '');
    const code = typeof error.extensions.code === 'string' ? ` (${error.extensions.code})` : '';
    diagnostics.report(definitionNamed(message, full), `federation: ${message}${code}`);
  }
}

/** The definition of the first type or field a message names in quotes. */
function definitionNamed(message: string, full: GraphQLSchema): ASTNode | undefined {
  for (const [, name = ''] of message.matchAll(/"([_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)?)"/g)) {
    const [typeName = '', fieldName] = name.split('.');
    const type = full.getType(typeName);
    if (!type) continue;
    if (fieldName === undefined) return type.astNode ?? undefined;
    const field = isObjectType(type) || isInputObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (field?.astNode) return field.astNode;
  }
  return undefined;
}
