/**
 * A graph, compiled once: its SDL files (with GraftQL's directives and the
 * generated types added), checked, its mapping directives turned into
 * plans, and the schema it serves built without any of the gateway's own
 * definitions or `@internal` fields, with resolvers from the plans and the
 * graph's hand-written ones. `graftql check` runs the same compilation and
 * stops before serving.
 */
import { addResolversToSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import {
  buildASTSchema,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInputObjectType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  printSchema,
  validateSchema,
} from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';
import { withUploadScalar } from '../uploads/upload-scalar.ts';
import { accessRules } from './compile/access.ts';
import type { SourceInfo } from './compile/compile-context.ts';
import { compileMapping } from './compile/compile-mapping.ts';
import { checkDirectiveValues } from './compile/directive-values.ts';
import { Diagnostics } from './diagnostics.ts';
import { MAPPING_DIRECTIVE_NAMES, MAPPING_TYPE_NAMES } from './directives.ts';
import { checkComposition } from './federation/composition.ts';
import { type Subgraph, subgraphOf } from './federation/subgraph.ts';
import { withGeneratedTypes } from './generated-types.ts';
import type { AccessRule, FieldPlan, NodePlan } from './plan.ts';
import { createRecordMappers, type Naming } from './records.ts';
import { guardFields } from './run/access-guards.ts';
import { federationResolvers } from './run/federation-fields.ts';
import { mappingResolvers } from './run/resolvers.ts';
import { GATEWAY_DIRECTIVES_SDL, parseFiles, type SdlFile, withGatewayDefinitions } from './sdl.ts';

export interface GraphInput {
  files: readonly SdlFile[];
  sources: Readonly<Record<string, SourceInfo & { naming: Naming }>>;
  /** Hand-written resolvers, by type and field. */
  resolvers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Serve the graph as an Apollo Federation 2 subgraph (`server.federation`): checked by composition, with `_service` and `_entities`. */
  federation?: boolean;
}

export interface CompiledGraph {
  /** What clients see: executable, without the gateway's definitions or @internal fields. */
  schema: GraphQLSchema;
  /** The served schema as SDL, generated types included: for codegen and editors. */
  sdl: string;
  plans: ReadonlyMap<string, FieldPlan>;
  nodes: ReadonlyMap<string, NodePlan>;
  /** The whole graph as compiled, @internal fields and directives included. */
  full: GraphQLSchema;
  /**
   * What hand-written code decides, and so may read anything of the request:
   * `Type.field` for a field resolver (and the same field of each interface
   * the type implements), `Type` for an abstract type whose `__resolveType`,
   * or an object type (and its interfaces and unions) whose `__isTypeOf`, is
   * hand-written.
   */
  handWritten: ReadonlySet<string>;
  /** Who may read each field that says so, by `Type.field`. */
  access: ReadonlyMap<string, AccessRule>;
  /** The graph as a federation subgraph, when it is served as one. */
  subgraph?: Subgraph;
}

/** Compiles a graph, or throws a GraphError listing every problem with its file, line and column. */
export function compileGraph({ files, sources, resolvers = {}, federation = false }: GraphInput): CompiledGraph {
  const diagnostics = new Diagnostics();
  const document = withGeneratedTypes(withGatewayDefinitions(parseFiles(files)));
  for (const error of validateSDL(document)) diagnostics.report(error.nodes?.[0], error.message);
  diagnostics.throwIfAny();
  const full = buildASTSchema(document, { assumeValidSDL: true });
  for (const error of validateSchema(full)) diagnostics.report(error.nodes?.[0], error.message);
  diagnostics.throwIfAny();

  checkDirectiveValues(full, directiveHolders(full), diagnostics);
  const handWrittenFields = new Set<string>();
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = full.getType(typeName);
    for (const fieldName of Object.keys(fields)) {
      if (fieldName.startsWith('__')) continue;
      if (!type || !isObjectType(type) || !type.getFields()[fieldName])
        diagnostics.list.push({
          at: 'config (resolvers)',
          message: `There is a resolver for ${typeName}.${fieldName}, which the schema does not have.`,
        });
      else handWrittenFields.add(`${typeName}.${fieldName}`);
    }
  }
  const handWritten = decidedByHand(full, resolvers, handWrittenFields);
  const { plans, nodes, internal, computed, discriminators } = compileMapping(
    full,
    sources,
    handWrittenFields,
    diagnostics,
    handWritten,
  );
  const access = accessRules(full, diagnostics);
  diagnostics.throwIfAny();
  const servedDefinitions = servedDocument(document, internal);
  const subgraph = federation
    ? subgraphOf(
        { served: servedDefinitions, full, nodes, resolved: new Set([...plans.keys(), ...handWrittenFields]) },
        diagnostics,
      )
    : undefined;
  diagnostics.throwIfAny();
  if (subgraph) checkComposition(subgraph.document, full, diagnostics);
  diagnostics.throwIfAny();

  const mappers = createRecordMappers({
    nodes,
    computed,
    discriminators,
    objectType: (name) => full.getType(name) as GraphQLObjectType,
    resolved: new Set([...plans.keys(), ...handWrittenFields]),
  });
  const served = buildASTSchema(
    subgraph
      ? { ...servedDefinitions, definitions: [...servedDefinitions.definitions, ...subgraph.extension.definitions] }
      : servedDefinitions,
    { assumeValidSDL: true },
  );
  const declared = mappingResolvers({
    schema: full,
    plans,
    nodes,
    mappers,
    naming: (source) => sources[source]?.naming ?? 'camelCase',
    guarded: new Set(access.keys()),
  });
  const schema = withUploadScalar(
    addResolversToSchema({
      schema: served,
      resolvers: mergeResolvers(
        declared,
        subgraph ? mergeResolvers(resolvers, federationResolvers(subgraph.entities, subgraph.sdl)) : resolvers,
      ) as IResolvers,
      updateResolversInPlace: true,
    }),
  );
  guardFields(schema, access, (parent, field) => mappers.upstreamOf(parent, field));
  return {
    schema,
    sdl: printSchema(schema),
    plans,
    nodes,
    full,
    handWritten,
    access,
    ...(subgraph && { subgraph }),
  };
}

/** The hand-written fields with the interface fields they stand behind, and the types whose runtime type hand-written code picks. */
function decidedByHand(
  schema: GraphQLSchema,
  resolvers: NonNullable<GraphInput['resolvers']>,
  fields: ReadonlySet<string>,
): Set<string> {
  const decided = new Set<string>();
  for (const coordinate of fields) {
    const [typeName = '', fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    for (const holder of isObjectType(type) ? [type, ...type.getInterfaces()] : [])
      decided.add(`${holder.name}.${fieldName}`);
  }
  for (const [typeName, members] of Object.entries(resolvers)) {
    if ('__resolveType' in members) decided.add(typeName);
    const type = schema.getType(typeName);
    if (!('__isTypeOf' in members) || !isObjectType(type)) continue;
    const unions = Object.values(schema.getTypeMap()).filter(
      (union) => isUnionType(union) && union.getTypes().includes(type),
    );
    for (const holder of [type, ...type.getInterfaces(), ...unions]) decided.add(holder.name);
  }
  return decided;
}

/** The document without GraftQL's definitions and the @internal fields; directive uses stay in the AST for the pipeline to read. */
function servedDocument(document: DocumentNode, internal: ReadonlySet<string>): DocumentNode {
  const gateway = new Set(parse(GATEWAY_DIRECTIVES_SDL).definitions.map(nameOf));
  const omitted = new Set<string>([
    ...MAPPING_DIRECTIVE_NAMES.map((name) => `@${name}`),
    ...MAPPING_TYPE_NAMES,
    ...gateway,
  ]);
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (omitted.has(nameOf(definition))) continue;
    if (
      (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
      definition.fields
    ) {
      const typeName = definition.name.value;
      definitions.push({
        ...definition,
        fields: definition.fields.filter((field) => !internal.has(`${typeName}.${field.name.value}`)),
      });
    } else {
      definitions.push(definition);
    }
  }
  return { ...document, definitions };
}

function nameOf(definition: DefinitionNode): string {
  if (definition.kind === Kind.DIRECTIVE_DEFINITION) return `@${definition.name.value}`;
  return 'name' in definition && definition.name ? definition.name.value : '';
}

/** Every element that may carry one of our directives. */
function directiveHolders(schema: GraphQLSchema) {
  const holders: Array<{ astNode?: DefinitionNode | { directives?: readonly never[] } | null | undefined }> = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    holders.push(type as never);
    if (isObjectType(type))
      for (const field of Object.values(type.getFields())) holders.push(field as never, ...(field.args as never[]));
    if (isInputObjectType(type)) holders.push(...(Object.values(type.getFields()) as never[]));
  }
  return holders as never;
}

/** The graph's own resolvers beside the declared ones (the compiler refused overlaps). */
function mergeResolvers(
  declared: Record<string, Record<string, unknown>>,
  handWritten: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): Record<string, Record<string, unknown>> {
  const merged: Record<string, Record<string, unknown>> = { ...declared };
  for (const [typeName, fields] of Object.entries(handWritten)) merged[typeName] = { ...merged[typeName], ...fields };
  return merged;
}
