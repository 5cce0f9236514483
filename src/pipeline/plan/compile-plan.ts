/**
 * Compiles a query's declared root fields into a plan (query-plan.ts), once
 * per document. A root field is planned when everything below it is
 * declared and of a shape the plan runs: object types, lists, leaves. A root
 * field with a hand-written field, an abstract type or introspection below
 * it is left to graphql-js, in a document of its own. A document with any
 * directive (`@skip`, `@include`, `@defer`, `@stream`) or no plannable root
 * field is not planned at all: graphql-js (or graphql-jit) runs it whole.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  GraphQLString,
  getArgumentValues,
  getOperationAST,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import type { FieldStep, QueryPlan, ValueStep } from './query-plan.ts';

/** Why a field is not planned: thrown from deep in its subtree to its root field. */
class NotPlanned extends Error {}

export function compilePlan(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  handWritten: ReadonlySet<string>,
): QueryPlan | undefined {
  const operation = getOperationAST(document, operationName);
  const rootType = schema.getQueryType();
  if (operation?.operation !== 'query' || !rootType || hasDirectives(document)) return undefined;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const compiler = new PlanCompiler(fragments, handWritten);
  const grouped = compiler.collect([operation.selectionSet], rootType);
  if (!grouped) return undefined;
  const fields: FieldStep[] = [];
  const left: string[] = [];
  for (const [key, nodes] of grouped) {
    try {
      fields.push(compiler.field(rootType, key, nodes));
    } catch (error) {
      if (!(error instanceof NotPlanned)) throw error;
      left.push(key);
    }
  }
  if (fields.length === 0) return undefined;
  return {
    operation,
    fragments,
    rootType,
    fields,
    make: objectMaker(fields),
    rest: left.length > 0 ? { document: restDocument(document, operation, grouped, left), keys: left } : undefined,
    order: [...grouped.keys()],
  };
}

class PlanCompiler {
  constructor(
    private readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>,
    private readonly handWritten: ReadonlySet<string>,
  ) {}

  field(parentType: GraphQLObjectType, key: string, nodes: readonly FieldNode[]): FieldStep {
    const first = nodes[0] as FieldNode;
    const name = first.name.value;
    if (name === '__typename')
      return {
        key,
        nodes,
        parentType,
        definition: undefined,
        resolve: undefined,
        args: undefined,
        value: TYPENAME,
        read: undefined,
        leaf: undefined,
      };
    const definition = parentType.getFields()[name];
    // Introspection, or a hand-written resolver.
    if (!definition || this.handWritten.has(`${parentType.name}.${name}`)) throw new NotPlanned();
    return {
      key,
      nodes,
      parentType,
      definition,
      resolve: definition.resolve,
      args: readsVariables(first) ? undefined : getArgumentValues(definition, first, {}),
      value: this.value(definition.type, nodes),
      ...propertyRead(name, definition),
    };
  }

  value(type: GraphQLOutputType, nodes: readonly FieldNode[]): ValueStep {
    if (isNonNullType(type)) return { kind: 'nonNull', of: this.value(type.ofType, nodes) };
    if (isListType(type)) return { kind: 'list', of: this.value(type.ofType, nodes) };
    if (isLeafType(type)) return { kind: 'leaf', type };
    if (!isObjectType(type) || this.handWritten.has(type.name)) throw new NotPlanned(); // abstract, or its isTypeOf
    const grouped = this.collect(
      nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
      type,
    );
    if (!grouped) throw new NotPlanned();
    const fields = [...grouped].map(([key, merged]) => this.field(type, key, merged));
    return { kind: 'object', type, fields, make: objectMaker(fields) };
  }

  /** The fields selected on `type`, merged by response key; undefined when a fragment is on another type. */
  collect(sets: readonly SelectionSetNode[], type: GraphQLObjectType): Map<string, FieldNode[]> | undefined {
    const grouped = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const walk = (set: SelectionSetNode): boolean => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const merged = grouped.get(key);
          if (merged) merged.push(selection);
          else grouped.set(key, [selection]);
          continue;
        }
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT
            ? selection
            : visited.has(selection.name.value)
              ? undefined
              : this.fragments[selection.name.value];
        if (selection.kind === Kind.FRAGMENT_SPREAD) visited.add(selection.name.value);
        if (!fragment) continue;
        const condition = fragment.typeCondition?.name.value;
        if (condition !== undefined && condition !== type.name) return false;
        if (!walk(fragment.selectionSet)) return false;
      }
      return true;
    };
    for (const set of sets) if (!walk(set)) return undefined;
    return grouped;
  }
}

/**
 * A reader of one property, compiled for it: a read at a call site of its
 * own stays monomorphic (every record of a type shares its shape), where one
 * generic `parent[name]` site for every field of every type goes
 * megamorphic, as graphql-jit found before us. A GraphQL name is a
 * JavaScript identifier (/[_A-Za-z][_0-9A-Za-z]*\/), so it is written as one.
 */
function propertyRead(name: string, definition: GraphQLField<unknown, unknown>): Pick<FieldStep, 'read' | 'leaf'> {
  if (definition.resolve || !/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) return { read: undefined, leaf: undefined };
  // graphql-js's default resolver reads the property of an object or a function only.
  const read = new Function(
    'parent',
    `return (typeof parent === 'object' && parent !== null) || typeof parent === 'function' ? parent.${name} : undefined;`,
  ) as (parent: unknown) => unknown;
  const named = isNonNullType(definition.type) ? definition.type.ofType : definition.type;
  return { read, leaf: isLeafType(named) ? { read, type: named } : undefined };
}

/**
 * Makes an answer object for these fields from their values. Keys are
 * written as JSON strings; `__proto__` (a valid alias) as a computed key,
 * which makes an own property where a literal key would set the prototype.
 */
function objectMaker(fields: readonly FieldStep[]): (values: readonly unknown[]) => Record<string, unknown> {
  const properties = fields.map(
    ({ key }, index) => `${key === '__proto__' ? '["__proto__"]' : JSON.stringify(key)}: values[${index}]`,
  );
  return new Function('values', `return { ${properties.join(', ')} };`) as (
    values: readonly unknown[],
  ) => Record<string, unknown>;
}

const TYPENAME: ValueStep = { kind: 'leaf', type: GraphQLString };

function hasDirectives(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive() {
      found = true;
    },
  });
  return found;
}

function readsVariables(node: FieldNode): boolean {
  let found = false;
  for (const argument of node.arguments ?? [])
    visit(argument.value, {
      Variable() {
        found = true;
      },
    });
  return found;
}

/** The operation with only the root fields `keys` (the fragments kept): what graphql-js runs beside the plan. */
function restDocument(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  grouped: ReadonlyMap<string, readonly FieldNode[]>,
  keys: readonly string[],
): DocumentNode {
  const selections = keys.flatMap((key) => grouped.get(key) ?? []);
  return {
    ...document,
    definitions: [
      { ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections } },
      ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
    ],
  };
}
