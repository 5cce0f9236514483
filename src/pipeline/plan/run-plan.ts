/**
 * Runs a query plan (query-plan.ts) to the answer's plain data, which the
 * answer step hands to JSON.stringify once.
 *
 * It keeps graphql-js's semantics, field by field: the schema's own
 * resolvers are called (declared ones, wrapped by the execution guard and
 * the access guards), a resolver's error or an error value fails its field
 * at its path, a null in a non-null place fails up to the nearest nullable
 * field, root fields run side by side. What it leaves out is what graphql-js
 * does again per field of every request: collecting the selection, looking
 * up the definition and coercing constant arguments, and a promise per
 * field: a value that is already there is completed synchronously, so a
 * list of 100 posts whose users a prefetch fetched is completed without one
 * pending value.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FieldNode,
  type GraphQLError,
  type GraphQLLeafType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  getVariableValues,
  locatedError,
  responsePathAsArray,
} from 'graphql';
import type { FieldStep, ObjectShape, QueryPlan, ValueStep } from './query-plan.ts';

export interface PlanInput {
  schema: GraphQLSchema;
  context: unknown;
  /** As coerced by `coercedVariables`. */
  variables: Readonly<Record<string, unknown>>;
  /** As the request gave them: the root fields left to graphql-js coerce them again. */
  given: Readonly<Record<string, unknown>>;
  hideSuggestions: boolean;
}

/** The request's variables coerced to the operation's types (defaults, Int from JSON), or their errors: as graphql-js refuses them. */
export function coercedVariables(
  plan: QueryPlan,
  schema: GraphQLSchema,
  given: Readonly<Record<string, unknown>>,
): { coerced: Record<string, unknown> } | { errors: readonly GraphQLError[] } {
  const outcome = getVariableValues(schema, plan.operation.variableDefinitions ?? [], given, { maxErrors: 50 });
  return outcome.errors ? { errors: outcome.errors } : { coerced: outcome.coerced };
}

export function runPlan(plan: QueryPlan, input: PlanInput): ExecutionResult | Promise<ExecutionResult> {
  const execution = new PlanExecution(plan, input);
  const planned = execution.root();
  const rest = plan.rest && execution.rest(plan.rest.document);
  if (!rest) {
    if (!(planned instanceof Promise)) return resultOf(planned, execution.errors);
    return planned.then((data) => resultOf(data, execution.errors));
  }
  return Promise.all([planned, rest]).then(([data, other]) =>
    resultOf(merged(plan, data, other), [...execution.errors, ...(other.errors ?? [])]),
  );
}

type Data = Record<string, unknown> | null;

function resultOf(data: Data, errors: GraphQLError[]): ExecutionResult {
  return errors.length > 0 ? { errors, data } : { data };
}

/** A value, or the promise of one while something below it is pending. */
type Completed = unknown;

/** The path of a field or list item, as graphql-js makes it (a class: one shape for all). */
class PathNode {
  constructor(
    readonly prev: PathNode | undefined,
    readonly key: string | number,
    readonly typename: string | undefined,
  ) {}
}

class PlanExecution {
  readonly errors: GraphQLError[] = [];
  readonly #infos = new Map<FieldStep, GraphQLResolveInfo>();

  constructor(
    private readonly plan: QueryPlan,
    private readonly input: PlanInput,
  ) {}

  /** The planned root fields as an object (a root field's failure up to the root: null). */
  root(): Data | Promise<Data> {
    const fail = (error: unknown) => {
      this.errors.push(error as GraphQLError);
      return null;
    };
    try {
      const object = this.object(this.plan, undefined, undefined) as Data | Promise<Data>;
      return object instanceof Promise ? object.catch(fail) : object;
    } catch (error) {
      return fail(error);
    }
  }

  /** The root fields left to graphql-js, run beside the plan with the same context. */
  rest(document: DocumentNode): Promise<ExecutionResult> {
    const { schema, context, given, hideSuggestions } = this.input;
    return Promise.resolve(
      execute({
        schema,
        document,
        variableValues: given,
        contextValue: context,
        hideSuggestions,
      } as Parameters<typeof execute>[0]),
    );
  }

  /** An object's selected fields, in order; a promise only when one of them is pending. */
  object(shape: ObjectShape, parent: unknown, path: PathNode | undefined): Completed {
    const { fields } = shape;
    const out = new Array<unknown>(fields.length);
    let pending: Array<Promise<void>> | undefined;
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index] as FieldStep;
      let value: Completed = field.leaf ? leafAtOnce(field.leaf, parent) : MISSING;
      if (value === MISSING)
        try {
          value = this.field(field, parent, path);
        } catch (error) {
          if (pending) settleQuietly(pending);
          throw error;
        }
      if (value instanceof Promise) (pending ??= []).push(value.then((settled) => void (out[index] = settled)));
      else out[index] = value;
    }
    return pending ? Promise.all(pending).then(() => shape.make(out)) : shape.make(out);
  }

  /** One field of `parent`: resolved, completed, its error reported at its path (or thrown on, when it is non-null). */
  field(step: FieldStep, parent: unknown, parentPath: PathNode | undefined): Completed {
    const { definition } = step;
    if (!definition) return step.parentType.name;
    // The field's path is made only when something needs it (its object's fields, an error): `at`.
    try {
      const args = step.args ?? getArgumentValues(definition, step.nodes[0] as FieldNode, this.input.variables);
      let value: unknown;
      if (step.resolve) value = step.resolve(parent, args, this.input.context, this.info(step, parentPath));
      else {
        // graphql-js's default resolver: the parent's property, called when it is a function.
        value = step.read
          ? step.read(parent)
          : (parent as Record<string, unknown> | null | undefined)?.[definition.name];
        if (typeof value === 'function')
          value = value.call(parent, args, this.input.context, this.info(step, parentPath));
      }
      const completed =
        value instanceof Promise
          ? value.then((settled: unknown) => this.complete(step.value, step, settled, undefined, parentPath))
          : this.complete(step.value, step, value, undefined, parentPath);
      if (!(completed instanceof Promise)) return completed;
      return completed.then(undefined, (error: unknown) => this.failed(error, step, at(undefined, parentPath, step)));
    } catch (error) {
      return this.failed(error, step, at(undefined, parentPath, step));
    }
  }

  /** A field's error: null and reported when the field may be null, else thrown to its parent. */
  failed(raw: unknown, step: FieldStep, path: PathNode): null {
    const error = locatedError(raw, step.nodes, responsePathAsArray(path));
    if (step.value.kind === 'nonNull') throw error;
    this.errors.push(error);
    return null;
  }

  /**
   * A field's value completed as `value` says. `path` is the value's own
   * path when it was made already (a list item's); else it is made, from
   * `parentPath` and the field's key, only for an object, a list or an error.
   */
  complete(
    value: ValueStep,
    step: FieldStep,
    raw: unknown,
    path: PathNode | undefined,
    parentPath: PathNode | undefined,
  ): Completed {
    if (raw instanceof Error) throw raw;
    switch (value.kind) {
      case 'nonNull': {
        const completed = this.complete(value.of, step, raw, path, parentPath);
        if (!(completed instanceof Promise)) return completed === null ? nullInNonNull(step) : completed;
        return completed.then((settled) => (settled === null ? nullInNonNull(step) : settled));
      }
      case 'leaf':
        return leafValue(value.type, raw);
      case 'object':
        return raw === null || raw === undefined ? null : this.object(value, raw, at(path, parentPath, step));
      case 'list':
        return raw === null || raw === undefined ? null : this.list(value.of, step, raw, at(path, parentPath, step));
    }
  }

  list(item: ValueStep, step: FieldStep, raw: unknown, path: PathNode): Completed {
    if (!Array.isArray(raw)) {
      if (typeof raw !== 'object' || raw === null || !(Symbol.iterator in raw))
        throw new Error(
          `Expected Iterable, but did not find one for field "${step.parentType.name}.${step.definition?.name}".`,
        );
      raw = [...(raw as Iterable<unknown>)];
    }
    const items = raw as unknown[];
    const out = new Array<unknown>(items.length);
    let pending: Array<Promise<void>> | undefined;
    // A leaf item's path is made only for its error.
    const leaves = item.kind === 'leaf' || (item.kind === 'nonNull' && item.of.kind === 'leaf');
    for (let index = 0; index < items.length; index++) {
      const itemPath = leaves ? undefined : new PathNode(path, index, undefined);
      let value: Completed;
      try {
        value = this.complete(item, step, items[index], itemPath, itemPath);
      } catch (error) {
        try {
          value = this.itemFailed(error, item, step, path, index);
        } catch (failed) {
          if (pending) settleQuietly(pending);
          throw failed;
        }
      }
      if (value instanceof Promise)
        (pending ??= []).push(
          value.then(
            (settled) => void (out[index] = settled),
            (error: unknown) => void (out[index] = this.itemFailed(error, item, step, path, index)),
          ),
        );
      else out[index] = value;
    }
    return pending ? Promise.all(pending).then(() => out) : out;
  }

  /** A list item's error: it fails the item alone when the item may be null, else the list. */
  itemFailed(error: unknown, item: ValueStep, step: FieldStep, path: PathNode, index: number): null {
    const located = locatedError(error, step.nodes, responsePathAsArray(new PathNode(path, index, undefined)));
    if (item.kind === 'nonNull') throw located;
    this.errors.push(located);
    return null;
  }

  /**
   * The resolve info of a field, one per field per request: the resolvers a
   * plan calls are the declared ones, which read its nodes, fragments and
   * variables, never its path (hand-written resolvers never run in a plan).
   * Its path is the field's first one (for a field below a list, the first
   * item's).
   */
  info(step: FieldStep, parentPath: PathNode | undefined): GraphQLResolveInfo {
    const known = this.#infos.get(step);
    if (known) return known;
    const { plan, input } = this;
    const definition = step.definition as NonNullable<FieldStep['definition']>;
    const info: GraphQLResolveInfo = {
      fieldName: definition.name,
      fieldNodes: step.nodes,
      returnType: definition.type,
      parentType: step.parentType,
      path: at(undefined, parentPath, step),
      schema: input.schema,
      fragments: plan.fragments,
      rootValue: undefined,
      operation: plan.operation,
      variableValues: input.variables as Record<string, unknown>,
    };
    this.#infos.set(step, info);
    return info;
  }
}

/** What `leafAtOnce` answers when the field needs the general path. */
const MISSING = Symbol('graftql.plan.missing');

/**
 * A leaf property's value when it is there and fits its type, read and
 * written without the general path's error handling; MISSING for anything
 * else (null, an error value, a function, a value its type refuses), which
 * the general path then completes as graphql-js would.
 */
function leafAtOnce(leaf: NonNullable<FieldStep['leaf']>, parent: unknown): unknown {
  try {
    const raw = leaf.read(parent);
    if (raw === null || raw === undefined || typeof raw === 'function' || raw instanceof Error) return MISSING;
    const value = leafValue(leaf.type, raw);
    return value === null ? MISSING : value;
  } catch {
    return MISSING;
  }
}

/** The field's own path: made now when it was not made before the field resolved. */
function at(path: PathNode | undefined, parentPath: PathNode | undefined, step: FieldStep): PathNode {
  return path ?? new PathNode(parentPath, step.key, step.parentType.name);
}

function nullInNonNull(step: FieldStep): never {
  throw new Error(`Cannot return null for non-nullable field ${step.parentType.name}.${step.definition?.name}.`);
}

/** A leaf's value as the answer holds it: built-in scalars' values that need no coercion as they are, anything else through the type's own `serialize`, as graphql-js does. */
function leafValue(type: GraphQLLeafType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.name) {
    case 'String':
      if (typeof value === 'string') return value;
      break;
    case 'Int':
      if (typeof value === 'number' && Number.isInteger(value) && value <= 2147483647 && value >= -2147483648)
        return value;
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      break;
  }
  const serialized = type.serialize(value);
  if (serialized === undefined || serialized === null)
    throw new Error(`Expected \`${type.name}.serialize(${String(value)})\` to return non-nullish value.`);
  return serialized;
}

/** The other parts of an object or list that failed as a whole: their later failures are nobody's. */
function settleQuietly(pending: ReadonlyArray<Promise<unknown>>): void {
  for (const part of pending) part.catch(() => {});
}

/** The planned root fields and graphql-js's answer of the rest, in the document's order. */
function merged(plan: QueryPlan, planned: Data, other: ExecutionResult): Data {
  if (planned === null || other.data === null || other.data === undefined) return null;
  const data: Record<string, unknown> = {};
  for (const key of plan.order) data[key] = key in planned ? planned[key] : (other.data[key] ?? null);
  return data;
}
