/**
 * A query plan: a query's declared fields compiled once per document into
 * the steps that answer it. Each step knows, before any request, what
 * graphql-js finds out again for every field of every request: the field's
 * definition and resolver, its arguments (when they read no variable), how
 * its value completes (list, non-null, leaf, object). run-plan.ts runs it.
 */
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLFieldResolver,
  GraphQLLeafType,
  GraphQLObjectType,
  OperationDefinitionNode,
} from 'graphql';

/** How a field's value is completed: as graphql-js's completeValue would, decided once. */
export type ValueStep =
  | { kind: 'nonNull'; of: ValueStep }
  | { kind: 'list'; of: ValueStep }
  | { kind: 'leaf'; type: GraphQLLeafType }
  | ({ kind: 'object'; type: GraphQLObjectType } & ObjectShape);

/** The fields of an object, and how its answer object is made from their values. */
export interface ObjectShape {
  fields: readonly FieldStep[];
  /**
   * The answer's object from the fields' values, in order: an object literal
   * compiled for these keys, so every object of a selection is made with one
   * shape at once (a `{}` given its keys one store at a time, at one site
   * for every selection, was the plan's costliest line).
   */
  make: (values: readonly unknown[]) => Record<string, unknown>;
}

export interface FieldStep {
  /** The response key (alias or name). */
  key: string;
  /** The field's nodes, merged by response key, as errors locate them and resolvers see them. */
  nodes: readonly FieldNode[];
  /** undefined: `__typename`, the parent type's name. */
  definition: GraphQLField<unknown, unknown> | undefined;
  parentType: GraphQLObjectType;
  /** The schema's resolver (declared, guarded); undefined: the value is the parent's property. */
  resolve: GraphQLFieldResolver<unknown, unknown> | undefined;
  /** Arguments that read no variable, coerced once; undefined: coerced per request. */
  args: Record<string, unknown> | undefined;
  value: ValueStep;
  /** The parent's property, for a field without a resolver: a reader compiled for it (see `leaf`). */
  read: ((parent: unknown) => unknown) | undefined;
  /**
   * A leaf read from the parent's property (no resolver): the property's
   * reader, a function of its own so that each field's read stays
   * monomorphic, and the leaf's type. The common field of every record,
   * completed without the general path when its value is there and fits.
   */
  leaf: { read: (parent: unknown) => unknown; type: GraphQLLeafType } | undefined;
}

export interface QueryPlan extends ObjectShape {
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  rootType: GraphQLObjectType;
  /** The root fields the plan answers (in the order the document selects them), and their object. */
  /**
   * The root fields it leaves to graphql-js (a hand-written field in their
   * subtree), as a document of their own; undefined when there are none.
   */
  rest: { document: DocumentNode; keys: readonly string[] } | undefined;
  /** Every root response key in the document's order (the answer's order). */
  order: readonly string[];
}
