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
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, getNullableType, isListType, isObjectType } from 'graphql';
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

export function createExecutionGuard({ maxObjects, deadlineAt, now = Date.now }: GuardOptions): ExecutionGuard {
  let objects = 0;
  let calls = 0;
  let finish: (error: GraftError) => void = () => {};
  const stopped = new Promise<GraftError>((resolve) => (finish = resolve));
  const state: GuardState = {
    stopped,
    halted: false,
    halt: new Promise<never>(() => {}),
    objects: () => objects,
    stop(error) {
      if (state.halted) return;
      state.halted = true;
      finish(error);
    },
    count(value) {
      objects += Array.isArray(value) ? value.length : 1;
      if (objects > maxObjects) {
        state.stop(new GraftError('RESPONSE_TOO_LARGE', `The answer would hold more than ${maxObjects} objects; ask for fewer or smaller connections.`, { facts: { limit: maxObjects } }));
      }
      return state.halted ? state.halt : value;
    },
    tick() {
      calls += 1;
      if (calls % CLOCK_EVERY === 0 && now() > deadlineAt) {
        state.stop(new GraftError('GATEWAY_TIMEOUT', "The request's deadline passed while the answer was being put together.", { retryable: true }));
      }
    },
  };
  return state;
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
 */
export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve && !isListType(getNullableType(field.type))) continue;
      field.resolve = guarded(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

function guarded(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const guard = (context as { [GUARD]?: GuardState } | null)?.[GUARD];
    if (!guard) return resolve(source, args, context, info);
    if (guard.halted) return guard.halt;
    guard.tick();
    const value = resolve(source, args, context, info);
    if (value instanceof Promise) return value.then((settled: unknown) => guard.count(settled));
    return guard.count(value);
  };
}
