/**
 * Keeps execution within its limits while it runs: the objects an answer
 * holds (values resolvers produce, and list items) and the request's
 * deadline, which neither graphql-js nor graphql-jit checks while they
 * complete data already in memory. Resolvers are wrapped once per schema;
 * each request carries its own guard in its context.
 *
 * When a limit trips, every further resolver returns one promise that never
 * settles: the executor stops descending (rather than erroring on every
 * remaining field, which would build an error per field), the pipeline
 * answers with the guard's error at once, and the abandoned execution is
 * collected with the request's context.
 */
import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
} from 'graphql';
import { GraftError } from '../errors.ts';

const GUARD = Symbol('graftql.executionGuard');

export interface ExecutionGuard {
  /** Settles with the error that stopped execution; never settles while it runs within its limits. */
  readonly stopped: Promise<GraftError>;
  /** Objects counted so far. */
  objects(): number;
  /** Stops execution (e.g. the deadline's own timer). */
  stop(error: GraftError): void;
}

interface GuardState extends ExecutionGuard {
  halted: boolean;
  halt: Promise<never>;
  /** Counts one resolved value; returns it, or the halting promise once a limit tripped. */
  count(value: unknown): unknown;
  /** The same for a connection (or a list of them), its edges included. */
  countConnections(value: unknown): unknown;
  tick(): void;
}

export interface GuardOptions {
  maxObjects: number;
  /** ms since epoch */
  deadlineAt: number;
  now?: () => number;
}

/** Resolver calls between two clock readings. */
const CLOCK_EVERY = 32;
/** What every resolver returns once a limit tripped: a promise that never settles, shared by all requests (it holds nothing). */
const HALT = new Promise<never>(() => {});

export function createExecutionGuard(options: GuardOptions): ExecutionGuard {
  return new Guard(options);
}

/**
 * A class, not a closure per method: one guard is made for every request,
 * and its promise only when the pipeline waits on it (a request answered
 * synchronously never does).
 */
class Guard implements GuardState {
  halted = false;
  readonly halt = HALT;
  #objects = 0;
  #calls = 0;
  readonly #maxObjects: number;
  readonly #deadlineAt: number;
  readonly #now: () => number;
  #stopped: Promise<GraftError> | undefined;
  #finish: ((error: GraftError) => void) | undefined;
  #error: GraftError | undefined;

  constructor({ maxObjects, deadlineAt, now = Date.now }: GuardOptions) {
    this.#maxObjects = maxObjects;
    this.#deadlineAt = deadlineAt;
    this.#now = now;
  }

  get stopped(): Promise<GraftError> {
    this.#stopped ??= this.#error
      ? Promise.resolve(this.#error)
      : new Promise<GraftError>((resolve) => (this.#finish = resolve));
    return this.#stopped;
  }

  objects(): number {
    return this.#objects;
  }

  stop(error: GraftError): void {
    if (this.halted) return;
    this.halted = true;
    this.#error = error;
    this.#finish?.(error);
  }

  count(value: unknown): unknown {
    this.#objects += Array.isArray(value) ? value.length : 1;
    if (this.#objects > this.#maxObjects) {
      this.stop(
        new GraftError(
          'RESPONSE_TOO_LARGE',
          `The answer would hold more than ${this.#maxObjects} objects; ask for fewer or smaller connections.`,
          { facts: { limit: this.#maxObjects } },
        ),
      );
    }
    return this.halted ? HALT : value;
  }

  countConnections(value: unknown): unknown {
    this.#objects += edgeCount(value);
    return this.count(value);
  }

  tick(): void {
    this.#calls += 1;
    if (this.#calls % CLOCK_EVERY === 0 && this.#now() > this.#deadlineAt) {
      this.stop(
        new GraftError('GATEWAY_TIMEOUT', "The request's deadline passed while the answer was being put together.", {
          retryable: true,
        }),
      );
    }
  }
}

/** Attaches a request's guard to its context value. */
export function guardContext<C extends object>(context: C, guard: ExecutionGuard): C {
  Object.defineProperty(context, GUARD, { value: guard, enumerable: false });
  return context;
}

/**
 * Wraps, in place, the resolvers of every field that produces objects:
 * fields with a resolver, and list fields (which otherwise read a property).
 * Scalar fields without a resolver stay unwrapped, so graphql-jit keeps
 * inlining them.
 *
 * A connection's `edges` (a list read from the connection) is counted with
 * the connection instead: a resolver of its own cost graphql-jit a resolve
 * info, a path and three closures per connection, and a page of 50
 * articles with their comments has 51 connections.
 */
export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  const connections = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    const edges = isObjectType(type) ? type.getFields().edges : undefined;
    if (edges && !edges.resolve && isListType(getNullableType(edges.type))) connections.add(type.name);
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (connections.has(type.name) && field.name === 'edges') continue; // counted with its connection
      const named = getNamedType(field.type);
      // A field of an interface or union type may return a connection too.
      const connection = isAbstractType(named)
        ? schema.getPossibleTypes(named).some((type) => connections.has(type.name))
        : connections.has(named.name);
      if (!field.resolve && !connection && !isListType(getNullableType(field.type))) continue;
      field.resolve = guarded(field.resolve ?? defaultFieldResolver, connection);
    }
  }
  return schema;
}

function guarded(
  resolve: GraphQLFieldResolver<unknown, unknown>,
  connection: boolean,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const guard = (context as { [GUARD]?: GuardState } | null)?.[GUARD];
    if (!guard) return resolve(source, args, context, info);
    if (guard.halted) return guard.halt;
    guard.tick();
    const value = resolve(source, args, context, info);
    if (connection)
      return value instanceof Promise
        ? value.then((settled: unknown) => guard.countConnections(settled))
        : guard.countConnections(value);
    if (value instanceof Promise) return value.then((settled: unknown) => guard.count(settled));
    return guard.count(value);
  };
}

/** The edges of a connection, or of each connection of a list. */
function edgeCount(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item: unknown) => sum + edgeCount(item), 0);
  const edges = (value as { edges?: unknown } | null | undefined)?.edges;
  return Array.isArray(edges) ? edges.length : 0;
}
