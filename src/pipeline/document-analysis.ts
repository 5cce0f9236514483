/**
 * What the document limits measure, in one pass over an operation with its
 * fragments expanded the way execution expands them (fields merged by
 * response key, a fragment spread once per selection set): depth, aliases,
 * root fields, and the objects it can produce, multiplied through
 * `first`/`last` and list sizes (cost-model.ts). Directives are counted in
 * the document as written.
 *
 * Each level is measured once per distinct set of field nodes it merges,
 * so a fragment bomb (fragments spreading fragments, each level doubling
 * the last) costs one visit per fragment level rather than one per expanded
 * path, and a fragment cycle is cut where it closes (validation then
 * refuses it).
 *
 * Hand-written rather than graphql-armor's rules: those are a walk per
 * limit, do not know the schema (list fields, `@listSize`, `first: $n`),
 * prefix their messages with "Syntax Error", and let their in-progress
 * marker (-1) leak into the counts of a fragment cycle.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from 'graphql';
import type { FieldCalls } from '../mapping/calls.ts';
import { withinPageSize } from '../pagination/connection.ts';
import type { CostModel, FieldCost } from './cost-model.ts';

export interface OperationMetrics {
  /** Deepest field, the root fields being 1. */
  depth: number;
  /** Aliased fields, fragments expanded. */
  aliases: number;
  /** Distinct root response keys. */
  rootFields: number;
  /** Estimated objects the operation can produce. */
  cost: number;
  /** Estimated upstream calls, after batching (declared fields only; hand-written ones are not counted). */
  calls: number;
  /** The estimate read a variable (`first: $n`): measure again with each request's variables. */
  readsVariables: boolean;
  /** It selects a field that hand-written code resolves (or types), which may read any part of the request. */
  handWritten: boolean;
  /**
   * The first slicing argument outside its field's bounds (`first: 1e9` on a
   * connection): refused as such, before the cost its size implies, since
   * that is the cause the client can fix.
   */
  outOfRange: { argument: string; value: number; max: number } | undefined;
}

interface Level {
  depth: number;
  aliases: number;
  cost: number;
  calls: number;
  handWritten: boolean;
}

interface FieldGroup {
  nodes: FieldNode[];
  /** The type its fields are looked up on. */
  parent: GraphQLNamedType | undefined;
}

interface SelectionAt {
  set: SelectionSetNode;
  type: GraphQLNamedType | undefined;
}

const CYCLE: Level = { depth: 0, aliases: 0, cost: 0, calls: 0, handWritten: false };
/** Introspection is bounded by graphql-js's own MaxIntrospectionDepthRule; its fields count towards aliases only. */
const INTROSPECTION = new Set(['__schema', '__type']);
/** Arguments that ask a connection for a window other than its first page. */
const NOT_FIRST_PAGE = new Set(['after', 'last', 'before']);

export interface MeasureOptions {
  costModel: CostModel;
  /** Items assumed for an unsized list. */
  defaultListSize: number;
  variables?: Readonly<Record<string, unknown>> | null;
}

export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  { costModel, defaultListSize, variables }: MeasureOptions,
): OperationMetrics {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? [])
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);

  const ids = new Map<FieldNode, number>();
  const idOf = (node: FieldNode) => {
    let id = ids.get(node);
    if (id === undefined) ids.set(node, (id = ids.size));
    return id;
  };
  const memo = new Map<string, Level>();
  let readsVariables = false;
  let outOfRange: OperationMetrics['outOfRange'];

  const collect = (selections: readonly SelectionAt[]) => collectFields(selections, fragments, schema);

  function numberIn(value: ValueNode): number | undefined {
    // A float where an Int belongs is refused by validation; its size is still what the client asked for.
    if (value.kind === Kind.INT || value.kind === Kind.FLOAT) return Number(value.value);
    if (value.kind !== Kind.VARIABLE) return undefined;
    readsVariables = true;
    const given = variables?.[value.name.value];
    if (typeof given === 'number' && Number.isFinite(given)) return given;
    const fallback = given === undefined ? defaults.get(value.name.value) : undefined;
    return fallback ? numberIn(fallback) : undefined;
  }

  /** The list length a field's slicing arguments ask for, else what it assumes. */
  function sizeOf(field: FieldCost, node: FieldNode): number {
    let size: number | undefined;
    for (const argument of node.arguments ?? []) {
      if (!field.slicingArguments.includes(argument.name.value)) continue;
      const value = numberIn(argument.value);
      if (value === undefined) continue;
      if (field.maxSize !== undefined && !withinPageSize(value, field.maxSize))
        outOfRange ??= { argument: argument.name.value, value, max: field.maxSize };
      size = Math.max(size ?? 0, value, 0);
    }
    return size ?? field.assumedSize ?? defaultListSize;
  }

  /** `parents`: how many objects this level's fields resolve for (what a per-parent call multiplies by). */
  function measure(
    selections: readonly SelectionAt[],
    sized: ReadonlyMap<string, number> | undefined,
    parents: number,
  ): Level {
    const groups = collect(selections);
    const key = `${groups.map((group) => group.nodes.map(idOf).join(',')).join(';')}|${sized ? [...sized].join(';') : ''}|${parents}`;
    const known = memo.get(key);
    if (known) return known;
    memo.set(key, CYCLE);
    const level: Level = { depth: 0, aliases: 0, cost: 0, calls: 0, handWritten: false };
    for (const { nodes, parent } of groups) {
      const first = nodes[0] as FieldNode;
      if (first.alias) level.aliases += 1;
      if (INTROSPECTION.has(first.name.value)) continue;
      const field = costModel.field(parent, first.name.value);
      const inherited = sized?.get(first.name.value);
      const count =
        !field || field.sizedFields.length > 0
          ? 1
          : inherited !== undefined
            ? inherited
            : field.listDepth > 0
              ? sizeOf(field, first) ** field.listDepth
              : 1;
      const children = nodes.flatMap((node) =>
        node.selectionSet ? [{ set: node.selectionSet, type: field?.namedType }] : [],
      );
      if (field?.handWritten) level.handWritten = true;
      if (field?.calls)
        level.calls += callsOf(
          collect,
          field.calls,
          first,
          field.sizedFields.length > 0 ? sizeOf(field, first) : 1,
          parents,
          children,
        );
      if (children.length === 0) {
        level.depth = Math.max(level.depth, 1);
        level.cost += count * (field?.weight ?? 0);
        continue;
      }
      const childSized =
        field && field.sizedFields.length > 0
          ? new Map(field.sizedFields.map((name) => [name, sizeOf(field, first)]))
          : undefined;
      const child = measure(children, childSized, parents * count);
      level.depth = Math.max(level.depth, 1 + child.depth);
      level.aliases += child.aliases;
      level.cost += count * ((field?.weight ?? 1) + child.cost);
      level.calls += child.calls;
      level.handWritten ||= child.handWritten;
    }
    memo.set(key, level);
    return level;
  }

  const rootType = schema.getRootType(operation.operation) ?? undefined;
  const root = [{ set: operation.selectionSet, type: rootType }];
  const { depth, aliases, cost, calls, handWritten } = measure(root, undefined, 1);
  return { depth, aliases, rootFields: collect(root).length, cost, calls, readsVariables, handWritten, outOfRange };
}

/** The fields a level selects, merged by response key, through inline fragments and (each once) named ones. */
function collectFields(
  selections: readonly SelectionAt[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  schema: GraphQLSchema,
): FieldGroup[] {
  const typeNamed = (name: string) => schema.getType(name) ?? undefined;
  const groups = new Map<string, FieldGroup>();
  const spread = new Set<string>();
  const walk = ({ set, type }: SelectionAt) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const group = groups.get(key);
        if (group) group.nodes.push(selection);
        else groups.set(key, { nodes: [selection], parent: type });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk({
          set: selection.selectionSet,
          type: selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : type,
        });
      } else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk({ set: fragment.selectionSet, type: typeNamed(fragment.typeCondition.name.value) });
      }
    }
  };
  selections.forEach(walk);
  return [...groups.values()];
}

/** Calls a declared field makes for `parents` parents, asked for a list of `size`. */
function callsOf(
  collect: (selections: readonly SelectionAt[]) => FieldGroup[],
  calls: FieldCalls,
  node: FieldNode,
  size: number,
  parents: number,
  children: readonly SelectionAt[],
): number {
  // A @chain's steps each answer one object, for every parent.
  if (calls.kind === 'chain')
    return calls.steps.reduce((sum, step) => sum + callsOf(collect, step, node, 1, parents, []), 0);
  const { firstPage } = calls.kind === 'batched' ? calls : { firstPage: undefined };
  const pageSize = calls.kind === 'per-parent' ? calls.pageSize : firstPage?.pageSize;
  const batched =
    calls.kind === 'batched' &&
    (!firstPage ||
      (size < firstPage.pageSize && !node.arguments?.some((argument) => NOT_FIRST_PAGE.has(argument.name.value))));
  if (!batched) return parents * (pageSize ? Math.ceil(size / pageSize) : 1);
  const totals =
    firstPage?.totalPerParent && collect(children).some(({ nodes }) => nodes[0]?.name.value === 'totalCount')
      ? parents
      : 0;
  return Math.ceil(parents / calls.max) + totals;
}

/** Directive uses in the whole document, as written. */
export function countDirectives(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    Directive() {
      count += 1;
    },
  });
  return count;
}
