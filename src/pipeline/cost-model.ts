/**
 * What each field of a schema costs in the estimate made before execution,
 * read once per schema from its types and its `@cost` / `@listSize`
 * directives (see directives.ts), and the Relay convention: a field whose
 * type has an `edges` list and which takes `first`/`last` is a connection,
 * sized by those arguments.
 */
import {
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLType,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
} from 'graphql';
import type { FieldCalls } from '../mapping/calls.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/connection.ts';

export interface FieldCost {
  /** The type its value has, lists and non-null removed. */
  namedType: GraphQLNamedType;
  /** Objects one value counts as: `@cost`, else 1 for objects and 0 for scalars. */
  weight: number;
  /** Lists around the value: 0 for a single value, 1 for `[T]`, 2 for `[[T]]`. */
  listDepth: number;
  /** Arguments that bound the list's length. */
  slicingArguments: readonly string[];
  /** Items assumed when no slicing argument is given. */
  assumedSize: number | undefined;
  /** The largest value a slicing argument may take (a Relay connection's `first`/`last`), when the field bounds it. */
  maxSize: number | undefined;
  /** Fields of the value that hold the sized list (a connection's `edges`); empty when the field is the list. */
  sizedFields: readonly string[];
  /** How the field calls an upstream, when it does (a declared field). */
  calls: FieldCalls | undefined;
  /** Hand-written code resolves it or picks its value's type, and so may read anything of the request. */
  handWritten: boolean;
}

export interface CostModel {
  field(parent: GraphQLNamedType | undefined, name: string): FieldCost | undefined;
}

/**
 * `callsOf('Article.comments')`: how a field calls its source (mapping/calls.ts);
 * `handWritten`: what hand-written code decides (CompiledGraph.handWritten).
 */
export function createCostModel(
  callsOf: (coordinate: string) => FieldCalls | undefined = () => undefined,
  handWritten: ReadonlySet<string> = new Set(),
): CostModel {
  const memo = new Map<GraphQLField<unknown, unknown>, FieldCost>();
  return {
    field(parent, name) {
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field || !parent) return undefined;
      let cost = memo.get(field);
      if (!cost) {
        const coordinate = `${parent.name}.${name}`;
        const described = describeField(field);
        const calls = callsOf(coordinate);
        // Declared connections page within MAX_PAGE_SIZE (pagination/connection.ts); a hand-written one may choose its own bound.
        cost = {
          ...described,
          maxSize: calls ? described.maxSize : undefined,
          calls,
          handWritten: handWritten.has(coordinate) || handWritten.has(described.namedType.name),
        };
        memo.set(field, cost);
      }
      return cost;
    },
  };
}

function describeField(field: GraphQLField<unknown, unknown>): Omit<FieldCost, 'calls' | 'handWritten'> {
  const namedType = getNamedType(field.type);
  const directives = field.astNode?.directives ?? [];
  const typeWeight = isObjectType(namedType)
    ? intArgument(find(namedType.astNode?.directives, 'cost'), 'weight')
    : undefined;
  const weight = intArgument(find(directives, 'cost'), 'weight') ?? typeWeight ?? (isCompositeType(namedType) ? 1 : 0);
  const listSize = find(directives, 'listSize');
  if (listSize) {
    return {
      namedType,
      weight,
      listDepth: listDepthOf(field.type),
      slicingArguments: stringListArgument(listSize, 'slicingArguments'),
      assumedSize: intArgument(listSize, 'assumedSize'),
      maxSize: undefined,
      sizedFields: stringListArgument(listSize, 'sizedFields'),
    };
  }
  const slicing = field.args.map((arg) => arg.name).filter((name) => name === 'first' || name === 'last');
  if (slicing.length > 0 && isConnection(namedType)) {
    const sizedFields = ['edges', 'nodes'].filter((name) => isObjectType(namedType) && name in namedType.getFields());
    return {
      namedType,
      weight,
      listDepth: 0,
      slicingArguments: slicing,
      assumedSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
      sizedFields,
    };
  }
  return {
    namedType,
    weight,
    listDepth: listDepthOf(field.type),
    slicingArguments: [],
    assumedSize: undefined,
    maxSize: undefined,
    sizedFields: [],
  };
}

function isConnection(type: GraphQLNamedType): boolean {
  const edges = isObjectType(type) ? type.getFields().edges : undefined;
  return edges !== undefined && isListType(getNullableType(edges.type));
}

function listDepthOf(type: GraphQLType): number {
  let depth = 0;
  for (let inner = getNullableType(type); isListType(inner); inner = getNullableType(inner.ofType)) depth += 1;
  return depth;
}

function find(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((directive) => directive.name.value === name);
}

function intArgument(directive: ConstDirectiveNode | undefined, name: string): number | undefined {
  const value = directive?.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringListArgument(directive: ConstDirectiveNode, name: string): string[] {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  if (value?.kind === Kind.STRING) return [value.value];
  if (value?.kind !== Kind.LIST) return [];
  return value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
}
