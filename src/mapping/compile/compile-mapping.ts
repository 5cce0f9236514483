/**
 * Compiles a graph's mapping directives into per-field plans, checking each
 * against the SDL and the configured sources. Every problem is collected
 * with its file, line and column (a template's column points into the
 * string, at the reference), so that `graftql check` and start-up report
 * them all at once. Each directive family compiles in a module of its own
 * (rest.ts, ref.ts, event.ts, ...); this one walks the fields and checks
 * how their directives combine.
 */
import { type GraphQLField, type GraphQLObjectType, type GraphQLSchema, isObjectType } from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { directive } from '../directive-args.ts';
import type { Expression } from '../expression/parse-expression.ts';
import type { DiscriminatorPlan, FieldPlan, NodePlan } from '../plan.ts';
import { compileChain } from './chain.ts';
import type { CompileContext, SourceInfo } from './compile-context.ts';
import { compileComputed } from './compute.ts';
import { checkAbstractFields, discriminatorPlans } from './discriminate.ts';
import { compileEvent } from './event.ts';
import { checkFrom } from './from.ts';
import { checkGlobalIds, checkNodes, nodePlans } from './nodes.ts';
import { compileRef } from './ref.ts';
import { compileRest } from './rest.ts';

export interface CompiledMapping {
  /** By `Type.field`. */
  plans: Map<string, FieldPlan>;
  /** By type name. */
  nodes: Map<string, NodePlan>;
  /** `Type.field`s mapped from records but not served. */
  internal: Set<string>;
  /** `@compute` expressions, by `Type.field`. */
  computed: Map<string, Expression>;
  /** How a union's or interface's member is picked, by its name. */
  discriminators: Map<string, DiscriminatorPlan>;
}

export function compileMapping(
  schema: GraphQLSchema,
  sources: Readonly<Record<string, SourceInfo>>,
  handWritten: ReadonlySet<string>,
  diagnostics: Diagnostics,
  /** Unions and interfaces whose member hand-written code picks (`__resolveType`, `__isTypeOf`). */
  decidedByHand: ReadonlySet<string> = new Set(),
): CompiledMapping {
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'),
  );
  const compiler: CompileContext = {
    schema,
    sources,
    handWritten,
    diagnostics,
    plans: new Map(),
    nodes: nodePlans(objectTypes),
    internal: new Set(),
    computed: new Map(),
  };
  // @ref, @chain and @event name Query fields with @rest: they compile once every @rest has.
  const later: Array<() => void> = [];
  for (const type of objectTypes) {
    for (const definition of Object.values(type.getFields())) compileField(compiler, type, definition, later);
  }
  for (const compile of later) compile();
  checkNodes(compiler);
  checkGlobalIds(compiler);
  const discriminators = discriminatorPlans(compiler);
  checkAbstractFields(compiler, discriminators, decidedByHand);
  const { plans, nodes, internal, computed } = compiler;
  return { plans, nodes, internal, computed, discriminators };
}

/** The directives that resolve a field by upstream calls. */
const MAPPINGS = ['rest', 'ref', 'chain'] as const;

/** Which directives a field has, checked against each other and against a hand-written resolver, then compiled. */
function compileField(
  compiler: CompileContext,
  type: GraphQLObjectType,
  definition: GraphQLField<unknown, unknown>,
  later: Array<() => void>,
): void {
  const { schema, handWritten, diagnostics, plans } = compiler;
  const coordinate = `${type.name}.${definition.name}`;
  const directives = definition.astNode?.directives;
  // What resolves the field by calls: at most one of them.
  const [mapping, other] = MAPPINGS.flatMap((name) => {
    const node = directive(directives, name);
    return node ? [{ name, node }] : [];
  });
  const event = directive(directives, 'event');
  const from = directive(directives, 'from');
  const compute = directive(directives, 'compute');
  const isSubscription = type === schema.getSubscriptionType();
  if (directive(directives, 'internal')) {
    compiler.internal.add(coordinate);
    if (mapping)
      diagnostics.report(
        definition.astNode,
        `${coordinate} is @internal: it is read from the record, so it cannot have @rest or @ref.`,
      );
  }
  if (mapping && other)
    diagnostics.report(other.node, `${coordinate} has both @${mapping.name} and @${other.name}; keep one.`);
  if (event && !isSubscription)
    diagnostics.report(event, `${coordinate} has @event, which feeds Subscription fields only.`);
  if (isSubscription && mapping)
    diagnostics.report(mapping.node, `${coordinate} is a subscription: it is fed by @event, not @${mapping.name}.`);
  if (event && handWritten.has(coordinate))
    diagnostics.report(event, `${coordinate} has a hand-written resolver and @event; keep one.`);
  if (isSubscription) {
    if (event) later.push(() => compileEvent(compiler, coordinate, definition, event));
    else if (!handWritten.has(coordinate) && !mapping)
      diagnostics.report(
        definition.astNode,
        `${coordinate} has no @event mapping and no hand-written resolver: it would never send anything.`,
      );
    return;
  }
  if (mapping && handWritten.has(coordinate))
    diagnostics.report(mapping.node, `${coordinate} has a hand-written resolver and a mapping directive; keep one.`);
  if (from && mapping)
    diagnostics.report(
      from,
      `${coordinate} is resolved by @${mapping.name}; @from applies to fields read from a record.`,
    );
  if (from) checkFrom(coordinate, definition, from, diagnostics);
  if (compute) {
    compileComputed(compiler, coordinate, type, definition, compute, mapping?.name ?? (from ? 'from' : undefined));
    return;
  }
  if (mapping?.name === 'rest') {
    const plan = compileRest(compiler, coordinate, type, definition, mapping.node);
    if (plan) plans.set(coordinate, plan);
  } else if (mapping) {
    // @ref and @chain name Query fields with @rest: they compile once every @rest has.
    later.push(() => {
      const plan =
        mapping.name === 'chain'
          ? compileChain(compiler, coordinate, type, definition, mapping.node)
          : compileRef(compiler, coordinate, type, definition, mapping.node);
      if (plan) plans.set(coordinate, plan);
    });
  } else if (
    (type === schema.getQueryType() || type === schema.getMutationType()) &&
    !handWritten.has(coordinate) &&
    !(coordinate === 'Query.node' && compiler.nodes.size > 0)
  ) {
    diagnostics.report(
      definition.astNode,
      `${coordinate} has no @rest or @ref mapping and no hand-written resolver: it would always be null.`,
    );
  }
}
