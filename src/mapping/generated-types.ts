/**
 * The types nobody writes by hand, added to a graph's SDL where it uses them
 * without declaring them:
 * - `XConnection` and `XEdge` for a field typed `XConnection` where `X` is
 *   an object type, an interface or a union, and `PageInfo` (GraphQL Cursor Connections spec);
 * - `interface Node { id: ID! }` where a type implements Node, and
 *   `Query.node(id:)` where a type can be refetched (`@node(fetch:)`), which
 *   then implements Node whether it says so or not;
 * - an empty `type Query` / `type Mutation` / `type Subscription` where only extensions exist.
 * A graph that declares any of them keeps its own.
 */
import { type DefinitionNode, type DocumentNode, type FieldDefinitionNode, Kind, parse, type TypeNode } from 'graphql';

const CONNECTION = /^(.+)Connection$/;

export function withGeneratedTypes(document: DocumentNode): DocumentNode {
  const declared = new Set<string>();
  const extended = new Set<string>();
  const referenced = new Set<string>();
  let implementsNode = false;
  let fetchable = false;
  let hasNodeField = false;
  /** Types refetched by global id that do not say they implement Node: `Query.node` could not return them. */
  const notYetNodes: string[] = [];
  const saidNodes = new Set<string>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const name = definition.name.value;
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) continue;
    (definition.kind.endsWith('Extension') ? extended : declared).add(name);
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION
    )
      continue;
    const isNode = definition.interfaces?.some((node) => node.name.value === 'Node') ?? false;
    if (isNode) {
      implementsNode = true;
      saidNodes.add(name);
    }
    if (
      definition.directives?.some(
        (directive) =>
          directive.name.value === 'node' && directive.arguments?.some((argument) => argument.name.value === 'fetch'),
      )
    ) {
      fetchable = true;
      if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && hasGlobalId(definition.fields)) notYetNodes.push(name);
    }
    for (const field of definition.fields ?? []) {
      referenced.add(namedType(field.type));
      if (name === 'Query' && field.name.value === 'node') hasNodeField = true;
    }
  }

  const sdl: string[] = [];
  const objectTypes = new Set(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.UNION_TYPE_DEFINITION
        ? [definition.name.value]
        : [],
    ),
  );
  let needsPageInfo = false;
  for (const name of [...referenced].sort()) {
    const node = CONNECTION.exec(name)?.[1];
    if (!node || declared.has(name) || !objectTypes.has(node)) continue;
    needsPageInfo = true;
    sdl.push(`"A page of ${node} objects, with where it sits in the whole list (GraphQL Cursor Connections spec)."
type ${name} {
  edges: [${node}Edge!]!
  pageInfo: PageInfo!
  "All items of the list, when the source reports it; null otherwise."
  totalCount: Int
}`);
    if (!declared.has(`${node}Edge`))
      sdl.push(
        `"One ${node} in a connection, with the cursor that pages on from it."\ntype ${node}Edge {\n  cursor: String!\n  node: ${node}!\n}`,
      );
  }
  if (needsPageInfo && !declared.has('PageInfo')) {
    sdl.push(`"Where a page of a connection sits in the whole list (GraphQL Cursor Connections spec)."
type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}`);
  }
  if ((implementsNode || fetchable) && !declared.has('Node')) {
    sdl.push(
      `"An object with a globally unique id, refetchable with \`Query.node\`."\ninterface Node {\n  "Global id, \`<Type>:<id>\`."\n  id: ID!\n}`,
    );
  }
  for (const name of notYetNodes) if (!saidNodes.has(name)) sdl.push(`extend type ${name} implements Node`);
  for (const root of ['Query', 'Mutation', 'Subscription'])
    if (extended.has(root) && !declared.has(root)) sdl.push(`type ${root}`);
  if (fetchable && !hasNodeField)
    sdl.push(
      `extend type Query {\n  "Fetches any object with a global id, by that id; null with \`NOT_FOUND\` when it does not exist."\n  node(id: ID!): Node\n}`,
    );
  if (sdl.length === 0) return document;
  const generated: DefinitionNode[] = [...parse(sdl.join('\n\n'), { noLocation: true }).definitions];
  return { ...document, definitions: [...document.definitions, ...generated] };
}

function hasGlobalId(fields: readonly FieldDefinitionNode[] | undefined): boolean {
  const id = fields?.find((field) => field.name.value === 'id')?.type;
  return id?.kind === Kind.NON_NULL_TYPE && id.type.kind === Kind.NAMED_TYPE && id.type.name.value === 'ID';
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}
