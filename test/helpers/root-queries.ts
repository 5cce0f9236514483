/**
 * A query for each root Query field of a graph, as a client trying a new
 * graph would write it: a value for each required argument (a global id of
 * the right type where the argument takes one), and a selection of the
 * field's scalars and those of its first-level objects (a connection's
 * nodes' scalars). What the OpenAPI corpus asks every imported graph.
 */
import {
  type GraphQLAbstractType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  Kind,
} from 'graphql';

export interface RootQuery {
  field: string;
  query: string;
}

/** `full`: the graph with its mapping directives (`@globalId` on arguments), which the served schema drops. */
export function rootQueries(schema: GraphQLSchema, full: GraphQLSchema): RootQuery[] {
  const fields = Object.values(schema.getQueryType()?.getFields() ?? {});
  const declared = full.getQueryType()?.getFields() ?? {};
  return fields.map((field) => {
    const args = field.args
      .filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined)
      .map((argument) =>
        field.name === 'node' && argument.name === 'id'
          ? `id: ${JSON.stringify(`${nodeTypeOf(full)}:1`)}`
          : `${argument.name}: ${valueFor(argument, declared[field.name]?.args, full)}`,
      );
    const selection = selectionOf(getNamedType(field.type), 0);
    return {
      field: field.name,
      query: `{ ${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}${selection ? ` ${selection}` : ''} }`,
    };
  });
}

/** A type the graph fetches by global id (`@node`), for `node(id:)`. */
function nodeTypeOf(full: GraphQLSchema): string {
  const typed = Object.values(full.getTypeMap()).find((type) =>
    type.astNode?.directives?.some((directive) => directive.name.value === 'node'),
  );
  return typed?.name ?? 'Node';
}

function valueFor(argument: GraphQLArgument, declared: readonly GraphQLArgument[] | undefined, full: GraphQLSchema) {
  const globalId = declared
    ?.find((each) => each.name === argument.name)
    ?.astNode?.directives?.find((directive) => directive.name.value === 'globalId');
  const typeArgument = globalId?.arguments?.find((each) => each.name.value === 'type')?.value;
  if (typeArgument && typeArgument.kind === Kind.STRING) return JSON.stringify(`${typeArgument.value}:1`);
  return literal(argument.type, full, 0);
}

/** A GraphQL literal of the type: the first enum value, a required input field each, `1`, `"1"`, `true`. */
function literal(type: GraphQLInputType, schema: GraphQLSchema, depth: number): string {
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) return `[${literal(nullable.ofType, schema, depth)}]`;
  if (isEnumType(nullable)) return nullable.getValues()[0]?.name ?? 'null';
  if (isInputObjectType(nullable)) {
    if (depth > 4) return '{}';
    const required = Object.values(nullable.getFields()).filter(
      (field) => isNonNullType(field.type) && field.defaultValue === undefined,
    );
    return `{ ${required.map((field) => `${field.name}: ${literal(field.type, schema, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(nullable))
    switch (nullable.name) {
      case 'Int':
      case 'Float':
        return '1';
      case 'Boolean':
        return 'true';
      case 'JSON':
        return '{}';
      default:
        return '"1"';
    }
  return 'null';
}

/** Each member's scalars, but those another member has with another type (which would not merge). */
function membersSelection(type: GraphQLAbstractType): string {
  const members = isUnionType(type) ? type.getTypes() : [];
  const typesByName = new Map<string, Set<string>>();
  const scalarsOf = (member: GraphQLObjectType) =>
    Object.values(member.getFields()).filter(
      (field) => isLeafType(getNamedType(field.type)) && !field.args.some((argument) => isNonNullType(argument.type)),
    );
  for (const field of members.flatMap(scalarsOf))
    typesByName.set(field.name, (typesByName.get(field.name) ?? new Set()).add(String(field.type)));
  return members
    .map((member) => {
      const fields = scalarsOf(member).filter((field) => typesByName.get(field.name)?.size === 1);
      return fields.length > 0 ? ` ... on ${member.name} { ${fields.map((field) => field.name).join(' ')} }` : '';
    })
    .join('');
}

/** The scalars of a type, and (at the first level) those of its objects; `__typename` alone when it has none. */
function selectionOf(type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type)) return '';
  if (isAbstractType(type)) return `{ __typename${depth <= 1 ? membersSelection(type) : ''} }`;
  if (!isObjectType(type)) return '';
  const parts: string[] = [];
  for (const field of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>) {
    if (field.args.some((argument) => isNonNullType(argument.type))) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth === 0 || (field.name === 'edges' && depth < 3) || (field.name === 'node' && depth < 3)) {
      const inner = selectionOf(named, depth + 1);
      if (inner) parts.push(`${field.name} ${inner}`);
    }
  }
  return `{ ${parts.length > 0 ? parts.join(' ') : '__typename'} }`;
}
