/**
 * What the compiler of one graph shares (CompileContext), and what it knows
 * of the one field whose directive it is compiling (FieldContext): passed
 * explicitly to each directive family's module.
 */
import type { GraphQLField, GraphQLNamedType, GraphQLObjectType, GraphQLSchema } from 'graphql';
import type { SourceConfig } from '../../config/config-schema.ts';
import type { Diagnostics } from '../diagnostics.ts';
import type { Expression } from '../expression/parse-expression.ts';
import type { FieldPlan, NodePlan } from '../plan.ts';

/** What the compiler needs to know of a configured source. */
export type SourceInfo = Pick<SourceConfig, 'forwardHeaders' | 'maxPageSize' | 'pagination'>;

export interface CompileContext {
  schema: GraphQLSchema;
  sources: Readonly<Record<string, SourceInfo>>;
  /** `Type.field`s with a hand-written resolver. */
  handWritten: ReadonlySet<string>;
  diagnostics: Diagnostics;
  /** Filled as fields compile: by `Type.field`. */
  plans: Map<string, FieldPlan>;
  /** By type name. */
  nodes: Map<string, NodePlan>;
  /** `Type.field`s mapped from records but not served. */
  internal: Set<string>;
  /** `@compute` expressions, by `Type.field`. */
  computed: Map<string, Expression>;
}

export interface FieldContext {
  compiler: CompileContext;
  coordinate: string;
  definition: GraphQLField<unknown, unknown>;
  /** The parent type, for $parent; undefined on a root field. */
  parent: GraphQLObjectType | undefined;
  /** The type the field's rows map to (a connection's node type). */
  returns: GraphQLNamedType;
  source: SourceInfo | undefined;
  sourceName: string | undefined;
  /** In @event: `$event` is the event. */
  event?: boolean;
  /** In a @chain step after the first: the type the step before answered, which `$prev` reads. */
  previous?: GraphQLObjectType;
}
