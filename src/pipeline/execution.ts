/**
 * The execution step: a request's context from its own deadline and ledger,
 * a query's declared fields run as a plan (plan/, from the document's first
 * use), any other document by graphql-jit when it comes back often (else
 * graphql-js), guarded by the object limit and the deadline (execution-guard.ts),
 * with the stale answers that stood in for failing sources reported in
 * `extensions.stale`.
 */
import { type DocumentNode, type ExecutionResult, execute, type GraphQLError, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { createDeadline } from '../core/deadline.ts';
import { GraftError } from '../errors.ts';
import { type CompiledOperation, compileOperation } from './compile-operation.ts';
import { createExecutionGuard, type ExecutionGuard, guardContext } from './execution-guard.ts';
import { executeIncrementally, type IncrementalPayload } from './incremental.ts';
import type { PipelineRequest } from './pipeline-request.ts';
import { compilePlan } from './plan/compile-plan.ts';
import type { QueryPlan } from './plan/query-plan.ts';
import { coercedVariables, runPlan } from './plan/run-plan.ts';
import type { Prepared } from './prepared-documents.ts';
import type { readRequest } from './request-shape.ts';
import { type ContextFactory, onClientLeaves, type Transport } from './transport.ts';

/**
 * graphql-jit compiles a document to a function, which costs CPU once and
 * code-space memory for as long as it is kept: compile only documents that
 * come back often, and keep a bounded number of them (clients that inline
 * ever-changing literals instead of variables would otherwise compile and
 * keep one function per request).
 */
const COMPILE_AFTER_USES = 10;
const MAX_COMPILED = 100;

/** After the deadline, execution gets this long to end by itself (its upstream waits end at the deadline) before it is cut off. */
const DEADLINE_GRACE_MS = 1_000;

export type GraphQLRequest = ReturnType<typeof readRequest>;

export interface ExecutorOptions<Context> {
  schema: GraphQLSchema;
  limits: Pick<ResolvedConfig['limits'], 'maxResponseObjects' | 'requestDeadlineMs'>;
  contextFor: ContextFactory<Context>;
  jit: boolean;
  /** Run a query's declared fields as a plan (plan/): `Type.field`s and types hand-written code decides are left to graphql-js. */
  plans?: { handWritten: ReadonlySet<string> };
  hideSuggestions: boolean;
}

/** What is kept of one operation: its plan, its graphql-jit compilation (or false: none is possible). */
interface Compiled {
  plan: QueryPlan | undefined;
  jit: CompiledOperation | false | undefined;
}

export class Executor<Context extends object> {
  /** By prepared document (an object key: no string of the document's length is built per request), then by operation name. */
  readonly #compiled = new LRUCache<Prepared, Map<string, Compiled>>({ max: MAX_COMPILED });

  constructor(private readonly options: ExecutorOptions<Context>) {}

  /** A context of its own for an execution that is not a query's (a subscription's source stream): released by calling the function returned. */
  context(transport: Transport, request: PipelineRequest): { context: Context; deadlineAt: number; release(): void } {
    const deadline = createDeadline(this.options.limits.requestDeadlineMs, undefined, Date.now(), (listener) =>
      onClientLeaves(transport, listener),
    );
    return {
      context: this.options.contextFor(transport, { deadline, ledger: request, identity: request.identity }),
      deadlineAt: deadline.at,
      release: () => deadline.release(),
    };
  }

  async execute(
    transport: Transport,
    prepared: Prepared | undefined,
    document: DocumentNode,
    request: GraphQLRequest,
    record: PipelineRequest,
    rootValue?: unknown,
  ): Promise<ExecutionResult> {
    const { schema, limits, contextFor, hideSuggestions } = this.options;
    // The client's signal is asked for only when an upstream call needs it (see node-transport.ts).
    // The client going away is told through the transport's own hook (onClientLeaves): no AbortSignal per request.
    const deadline = createDeadline(limits.requestDeadlineMs, undefined, Date.now(), (listener) =>
      onClientLeaves(transport, listener),
    );
    try {
      const contextValue = contextFor(transport, {
        deadline,
        ledger: record,
        trace: record.trace?.context,
        identity: record.identity,
      });
      const guard = createExecutionGuard({ maxObjects: limits.maxResponseObjects, deadlineAt: deadline.at });
      guardContext(contextValue, guard);
      const compiled = prepared && this.#compiledFor(prepared, document, request.operationName);
      const variableValues = request.variables ?? {};
      const compiledOperation = compiled?.jit || undefined;
      let run: ReturnType<typeof runPlan>;
      if (compiled?.plan) {
        const variables = coercedVariables(compiled.plan, schema, variableValues);
        if ('errors' in variables) return { errors: variables.errors };
        const input = {
          schema,
          context: contextValue,
          variables: variables.coerced,
          given: variableValues,
          hideSuggestions,
        };
        run = runPlan(compiled.plan, input);
      } else
        run = compiledOperation
          ? compiledOperation.query.query(undefined, contextValue, variableValues)
          : execute({
              schema,
              document,
              rootValue,
              variableValues,
              operationName: request.operationName,
              contextValue,
              hideSuggestions,
            } as Parameters<typeof execute>[0]);
      const result = run instanceof Promise ? await guarded(run, guard, deadline.at) : run;
      if (record.staleCount > 0) return { ...result, extensions: { ...result.extensions, stale: record.staleNotices } };
      if (compiledOperation?.writeAnswer && !result.errors && !result.extensions)
        record.write = compiledOperation.writeAnswer;
      return result;
    } finally {
      deadline.release();
    }
  }

  /**
   * A query or mutation with `@defer` or `@stream`, for a transport that
   * streams (incremental.ts): the same context, deadline and object limit
   * as `execute`, held until the last payload is out.
   */
  incremental(
    transport: Transport,
    document: DocumentNode,
    request: GraphQLRequest,
    record: PipelineRequest,
  ): Promise<ExecutionResult | AsyncGenerator<IncrementalPayload, void>> {
    const { schema, limits, hideSuggestions } = this.options;
    const { context: contextValue, deadlineAt, release } = this.context(transport, record);
    guardContext(contextValue, createExecutionGuard({ maxObjects: limits.maxResponseObjects, deadlineAt }));
    return executeIncrementally(
      {
        schema,
        document,
        variableValues: request.variables ?? {},
        operationName: request.operationName,
        contextValue,
        hideSuggestions,
      },
      release,
    );
  }

  /**
   * The operation's plan from its first use (it costs a walk of the
   * document); graphql-jit's compilation once it came back often: what runs
   * it when it has no plan, and for a plan, the serializer made for its
   * answer's shape (fast-json-stringify: the example graph's 50 articles
   * answered 2,325 requests/s with it, 2,125 with JSON.stringify, on one core).
   */
  #compiledFor(prepared: Prepared, document: DocumentNode, operationName: string | undefined): Compiled | undefined {
    const { plans, jit, schema } = this.options;
    if (!plans && (!jit || prepared.uses < COMPILE_AFTER_USES)) return undefined;
    let byOperation = this.#compiled.get(prepared);
    if (!byOperation) this.#compiled.set(prepared, (byOperation = new Map()));
    let compiled = byOperation.get(operationName ?? '');
    if (!compiled) {
      compiled = { plan: plans && compilePlan(schema, document, operationName, plans.handWritten), jit: undefined };
      byOperation.set(operationName ?? '', compiled);
    }
    if (compiled.jit === undefined && jit && prepared.uses >= COMPILE_AFTER_USES)
      compiled.jit = compileOperation(schema, document, operationName) ?? false;
    return compiled;
  }
}

/** The execution's result, or the guard's error once a limit trips; a last-resort timer stops work that outlives the deadline. */
async function guarded(
  run: Promise<ExecutionResult>,
  guard: ExecutionGuard,
  deadlineAt: number,
): Promise<ExecutionResult> {
  const timer = setTimeout(
    () =>
      guard.stop(
        new GraftError('GATEWAY_TIMEOUT', "The request's deadline passed before the answer was complete.", {
          retryable: true,
        }),
      ),
    Math.max(0, deadlineAt - Date.now()) + DEADLINE_GRACE_MS,
  );
  timer.unref();
  try {
    return await Promise.race([
      run,
      guard.stopped.then((error): ExecutionResult => ({ data: null, errors: [error as unknown as GraphQLError] })),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
