/**
 * The graph as an Apollo Federation 2 subgraph (`server.federation`): its
 * entities, the SDL `_service { sdl }` answers, and the definitions the
 * served schema gains (`_Any`, `_Service`, `_Entity`, `Query._service`,
 * `Query._entities`).
 *
 * An entity is either fetched or extended:
 * - a type with `@node(fetch:)` is keyed by its global `id` (its `@key` is
 *   added when the SDL does not write one), and `_entities` loads it
 *   through that Query field, as a client's query would (its argument
 *   decoding, access rule and batch form: one upstream call per type);
 * - a type with a resolvable `@key` and no `@node(fetch:)` is another
 *   subgraph's entity this graph adds fields to (REST data grafted onto
 *   it): the representation is the object, and every field the type
 *   declares must come from it (`@key` fields, `@external`) or be mapped.
 */
import {
  type ConstDirectiveNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  isObjectType,
  Kind,
  parse,
  print,
} from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { arg, directive } from '../directive-args.ts';
import type { EntityPlan, NodePlan } from '../plan.ts';
import { FEDERATION_DIRECTIVE_NAMES, FEDERATION_SPEC } from './directives.ts';

export interface Subgraph {
  /** What `_service { sdl }` answers: the served types with the federation directives the graph wrote and the keys it implies. */
  sdl: string;
  /** The same, parsed, its nodes at the graph's own files' lines (for composition errors). */
  document: DocumentNode;
  /** What the served schema gains. */
  extension: DocumentNode;
  entities: ReadonlyMap<string, EntityPlan>;
}

export interface SubgraphInput {
  /** The served document (gateway definitions and @internal fields left out). */
  served: DocumentNode;
  full: GraphQLSchema;
  nodes: ReadonlyMap<string, NodePlan>;
  /** `Type.field`s a mapping directive or a hand-written resolver resolves. */
  resolved: ReadonlySet<string>;
}

/** Directives any schema may carry, kept in the subgraph SDL beside the federation ones. */
const BUILT_IN = new Set(['deprecated', 'specifiedBy', 'oneOf']);
const KEPT = new Set([...FEDERATION_DIRECTIVE_NAMES, ...BUILT_IN]);

export function subgraphOf(input: SubgraphInput, diagnostics: Diagnostics): Subgraph {
  const entities = entitiesOf(input, diagnostics);
  const document = subgraphDocument(input.served, entities);
  return { sdl: print(document), document, extension: extensionOf(entities), entities };
}

function entitiesOf({ full, nodes, resolved }: SubgraphInput, diagnostics: Diagnostics): Map<string, EntityPlan> {
  const entities = new Map<string, EntityPlan>();
  for (const type of Object.values(full.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const keys = keysOf(type);
    const fetch = nodes.get(type.name)?.fetch;
    if (fetch !== undefined) {
      for (const key of keys)
        if (String(arg(key, 'fields')?.value).trim() !== 'id')
          diagnostics.report(
            arg(key, 'fields')?.node ?? key,
            `${type.name} @key: a @node(fetch:) type is fetched by its global id, so its key is "id".`,
          );
      const id = full
        .getQueryType()
        ?.getFields()
        [fetch]?.args.find((argument) => argument.name === 'id');
      entities.set(type.name, { fetch, globalId: directive(id?.astNode?.directives, 'globalId') !== undefined });
      continue;
    }
    const resolvable = keys.filter((key) => arg(key, 'resolvable')?.value !== false);
    if (resolvable.length === 0) continue;
    const given = new Set(resolvable.flatMap((key) => topLevelFields(String(arg(key, 'fields')?.value ?? ''))));
    for (const field of Object.values(type.getFields())) {
      const external = directive(field.astNode?.directives, 'external') !== undefined;
      if (given.has(field.name) || external || resolved.has(`${type.name}.${field.name}`)) continue;
      diagnostics.report(
        field.astNode,
        `${type.name}.${field.name}: ${type.name} is an entity this graph resolves from its representation alone (it has no @node(fetch:)), so ${field.name} must be in its @key, be @external, or be mapped (@rest, @ref, or a resolver).`,
      );
    }
    entities.set(type.name, {});
  }
  return entities;
}

function keysOf(type: GraphQLObjectType): ConstDirectiveNode[] {
  return [type.astNode, ...type.extensionASTNodes].flatMap(
    (node) => node?.directives?.filter((used) => used.name.value === 'key') ?? [],
  );
}

/** The top-level field names of a field set (`id`, `sku package { id }` -> sku, package). */
function topLevelFields(fields: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const token of fields.match(/[{}]|[_A-Za-z][_0-9A-Za-z]*/g) ?? []) {
    if (token === '{') depth += 1;
    else if (token === '}') depth -= 1;
    else if (depth === 0) names.push(token);
  }
  return names;
}

/** The served definitions with only the directives a supergraph reads, the keys @node implies, and the @link that imports them. */
function subgraphDocument(served: DocumentNode, entities: ReadonlyMap<string, EntityPlan>): DocumentNode {
  const used = new Set<string>();
  const keep = <T extends DirectiveNode>(directives: readonly T[] | undefined): T[] => {
    const kept = (directives ?? []).filter((node) => KEPT.has(node.name.value));
    for (const node of kept) if (!BUILT_IN.has(node.name.value)) used.add(node.name.value);
    return kept;
  };
  const definitions: DefinitionNode[] = [];
  for (const definition of served.definitions) {
    if (definition.kind === Kind.SCHEMA_EXTENSION || definition.kind === Kind.SCHEMA_DEFINITION) {
      if (definition.operationTypes?.length) definitions.push({ ...definition, directives: [] });
      continue;
    }
    if (!('name' in definition) || !definition.name || definition.kind === Kind.DIRECTIVE_DEFINITION) {
      definitions.push(definition);
      continue;
    }
    const directives = keep('directives' in definition ? definition.directives : undefined);
    const name = definition.name.value;
    const add = (name: string, text: string) => {
      if (directives.some((node) => node.name.value === name)) return;
      directives.push(parsedDirective(text));
      used.add(name);
    };
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && entities.get(name)?.fetch !== undefined)
      add('key', '@key(fields: "id")');
    // The Relay type every graph generates alike: two subgraphs may both serve it.
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && name === 'PageInfo') add('shareable', '@shareable');
    definitions.push({ ...withMemberDirectives(definition, keep), directives } as DefinitionNode);
  }
  const link = parse(
    `extend schema @link(url: "${FEDERATION_SPEC}", import: [${[...used]
      .sort()
      .map((name) => `"@${name}"`)
      .join(', ')}])`,
  ).definitions;
  return { kind: Kind.DOCUMENT, definitions: [...link, ...definitions] };
}

/** A definition's fields, arguments, enum values and input fields with only the kept directives. */
function withMemberDirectives(
  definition: DefinitionNode,
  keep: <T extends DirectiveNode>(directives: readonly T[] | undefined) => T[],
): DefinitionNode {
  const member = <T extends { directives?: readonly ConstDirectiveNode[] }>(node: T): T => ({
    ...node,
    directives: keep(node.directives),
  });
  const field = (node: FieldDefinitionNode): FieldDefinitionNode => ({
    ...member(node),
    arguments: node.arguments?.map(member),
  });
  if ('fields' in definition && definition.fields)
    return {
      ...definition,
      fields: (definition.fields as readonly FieldDefinitionNode[]).map((node) =>
        node.kind === Kind.FIELD_DEFINITION ? field(node) : member(node),
      ),
    } as DefinitionNode;
  if ('values' in definition && definition.values) return { ...definition, values: definition.values.map(member) };
  return definition;
}

function parsedDirective(text: string): ConstDirectiveNode {
  const [type] = parse(`scalar X ${text}`).definitions;
  return (type as { directives: readonly ConstDirectiveNode[] }).directives[0] as ConstDirectiveNode;
}

/** The federation fields and types the served schema gains (the spec's `_service` and, with entities, `_entities`). */
function extensionOf(entities: ReadonlyMap<string, EntityPlan>): DocumentNode {
  const names = [...entities.keys()];
  return parse(`"Any representation of an entity: its __typename and key fields (Apollo Federation)."
scalar _Any
"This subgraph, for a supergraph's composition."
type _Service {
  "The subgraph's SDL, with its federation directives."
  sdl: String
}
${names.length > 0 ? `"The entities this subgraph resolves."\nunion _Entity = ${names.join(' | ')}\n` : ''}
extend type Query {
  "This subgraph's SDL (Apollo Federation)."
  _service: _Service!
${names.length > 0 ? '  "Entities by their representations, in order; an item fails alone (Apollo Federation)."\n  _entities(representations: [_Any!]!): [_Entity]!\n' : ''}}`);
}
