/**
 * The one request pipeline. Every GraphQL request, whichever door it came
 * in by (the direct JSON door, Yoga's GET / form / GraphQL-body /
 * multipart parsers, `gateway.fetch`), passes the same steps in this order:
 *
 *   client rate limit (`admit`, before a door reads the body) → request
 *   shape → persisted documents → parse
 *   (token limit) → document limits (directives, depth, aliases, root
 *   fields) → cost estimate (objects, and upstream calls after batching)
 *   → validation (production rules) → operation
 *   and method → argument bounds → a kept answer (kept-answers.ts), or
 *   execution (shared by identical queries in flight; guarded: objects,
 *   deadline) → error masking → response size
 *
 * The body limit comes before it, at each door, because it decides whether
 * the body is read at all. The steps that depend only on the document's
 * text run once per document and are cached (a bounded LRU), rejections
 * included: a hot document costs a map lookup, an abusive one repeated
 * costs the same.
 */
import { createSourceEventStream, type DocumentNode, type ExecutionResult, execute, GraphQLError, type GraphQLSchema, getOperationAST, NoSchemaIntrospectionCustomRule, specifiedRules } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { CachedRead } from '../cache/response-cache.ts';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { GraftError } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { OperationType, RequestObserver, RequestReport } from '../telemetry/observer.ts';
import type { RequestTrace, TraceContext, Tracing } from '../telemetry/trace.ts';
import { type ClientIdentityParts, createClientRateLimit } from './client-rate-limit.ts';
import { refusal, refused, serialize, statusOf } from './client-result.ts';
import { type CompiledOperation, compileOperation } from './compile-operation.ts';
import type { CostModel } from './cost-model.ts';
import { createExecutionGuard, type ExecutionGuard, guardContext } from './execution-guard.ts';
import { createKeptAnswers, type KeptAnswersOptions } from './kept-answers.ts';
import { documentText, type PersistedDocuments } from './persisted-documents.ts';
import { createDocumentPreparer, type Prepared } from './prepared-documents.ts';
import { readRequest } from './request-shape.ts';
import { createTurns } from './turns.ts';

/** What a door knows about the HTTP request a GraphQL request came in. */
export interface Transport extends ClientIdentityParts {
  method: string;
  requestId: string;
  /** Fires when the client goes away. */
  signal: AbortSignal;
  /** When the door got the request (`performance.now()`), for its reported duration. @default when the pipeline got it */
  startedAt?: number;
  /** The door can send a stream of results (SSE, a WebSocket): subscriptions are served. */
  streams?: boolean;
  /** What `limits.maxSubscriptionsPerConnection` counts by: the WebSocket, or the client's address over SSE. */
  connection?: unknown;
}

/** What the per-request context must offer the pipeline. */
export interface ExecutionContext {
  /** The request's deadline, ms since epoch. */
  readonly deadlineAt: number;
  /** Cached answers that stood in for failing sources, reported in `extensions.stale`. */
  readonly staleNotices: readonly unknown[];
}

export interface PipelineOptions<Context extends ExecutionContext> {
  /** Executable, with its resolvers guarded (execution-guard.ts). */
  schema: GraphQLSchema;
  costModel: CostModel;
  limits: ResolvedConfig['limits'];
  server: Pick<ResolvedConfig['server'], 'introspection' | 'suggestions'>;
  persisted: PersistedDocuments | undefined;
  /** A request's context, and what to call once its execution is over (its deadline's timer is dropped): it says what the request used. */
  contextFor(transport: Transport, trace?: TraceContext): { context: Context; release(): RequestUsage };
  logger: Logger;
  /** Execute documents asked for often with graphql-jit. @default true */
  jit?: boolean;
  /** Answers shared between callers: executions in flight, answers kept; absent, every request runs its own. */
  sharing?: {
    /**
     * The identity part of a shared execution's or kept answer's key (the
     * values of the headers the sources forward), so that callers who would
     * get different answers never share one.
     */
    identityOf(transport: Transport): string;
    /**
     * Identical queries in flight share one execution (`server.dedupe`):
     * `'declared'`, those whose fields are all declared; `true`, those with
     * hand-written fields too (their resolvers read nothing of the request but
     * what `identityOf` keys); `false`, none.
     */
    dedupe: ResolvedConfig['server']['dedupe'];
    /**
     * Answers to queries of declared fields built only from fresh stored
     * upstream answers are kept, and given again to identical queries while
     * each of those is still the one stored and fresh (`cache.maxAnswerBytes`).
     */
    answers?: KeptAnswersOptions;
  };
  /** Told of every request once its answer is ready, refused ones included. */
  observe?: RequestObserver;
  /** Spans for requests and their steps, when tracing is on. */
  tracing?: Tracing;
}

export interface PipelineAnswer {
  /** Masked, with HTTP hints on the errors of a refused request (client-result.ts). */
  result: ExecutionResult;
  /** The response body, already bounded by `limits.maxResponseBytes`. */
  body: string;
}

/** A subscription's answers, one per event, until the client or the event stream ends it. */
export interface PipelineStream {
  stream: AsyncIterableIterator<PipelineAnswer>;
}

export interface Pipeline {
  /** The first step, which each door takes before it reads a body: the client rate limit. Throws REQUEST_RATE_LIMITED. */
  admit(client: ClientIdentityParts): void;
  /** Every other step, on the parameters a door decoded; a door that cannot stream gets no stream (subscriptions are refused). */
  run(params: unknown, transport: Transport & { streams?: false }): Promise<PipelineAnswer>;
  run(params: unknown, transport: Transport): Promise<PipelineAnswer | PipelineStream>;
  /** The answer to a request a door refused before `run` (rate limit, body, transport), masked and reported as `run`'s are. */
  refuse(refused: GraftError | ExecutionResult, transport: Transport): PipelineAnswer;
}

/** What a request used, as its context counted it. */
export interface RequestUsage {
  upstreamCalls: number;
  cacheHits: number;
  staleAnswers: number;
  /** The stored upstream answers that served every call, when all of them did (none may have been made, or have failed). */
  reads?: readonly CachedRead[];
}

/**
 * What the steps learn about a request on the way, for its report. A class
 * whose fields are all set from the start: one object of one shape per
 * request, not a literal that grows a property store as steps add to it.
 */
class RequestFacts {
  operationName: string | undefined = undefined;
  operationType: OperationType | undefined = undefined;
  usage: RequestUsage | undefined = undefined;
  /** It joined another request's execution. */
  shared = false;
  /** The execution in flight it started or joined, when its query may be shared. */
  execution: SharedExecution | undefined = undefined;
  /** The key its answer is kept under, when its query's answers may be kept. */
  keepAs: string | undefined = undefined;
  /** It was given a kept answer. */
  keptAnswer = false;
  /** Its answer's serializer, when it has no errors and its operation was compiled with one for its shape (compile-operation.ts). */
  write: ((result: object) => string) | undefined = undefined;
  constructor(readonly trace?: RequestTrace) {}
}

/** A query execution others may join while it is in flight (server.dedupe). */
interface SharedExecution {
  answer: Promise<ExecutionResult>;
  /** Someone joined: its answer is serialised once, for all of them. */
  joined: boolean;
}

/**
 * graphql-jit compiles a document to a function, which costs CPU once and
 * code-space memory for as long as it is kept: compile only documents that
 * come back often, and keep a bounded number of them (clients that inline
 * ever-changing literals instead of variables would otherwise compile and
 * keep one function per request).
 */
const COMPILE_AFTER_USES = 10;
const MAX_COMPILED = 100;
/** The signal of a shared execution, which no one caller's departure cancels. */
const NEVER_ABORTED = new AbortController().signal;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** After the deadline, execution gets this long to end by itself (its upstream waits end at the deadline) before it is cut off. */
const DEADLINE_GRACE_MS = 1_000;

export function createPipeline<Context extends ExecutionContext>({
  schema,
  costModel,
  limits,
  server,
  persisted,
  contextFor,
  logger,
  jit = true,
  sharing,
  observe,
  tracing,
}: PipelineOptions<Context>): Pipeline {
  const rateLimit = limits.clientRateLimit && createClientRateLimit(limits.clientRateLimit);
  /** Requests start in turns of the event loop, so that a saturated process still accepts new connections (turns.ts). */
  const turns = createTurns();
  const validationOptions = { hideSuggestions: !server.suggestions };
  /** Parse, document limits, cost and validation, once per document (prepared-documents.ts). */
  const { prepare, measure, costLimit } = createDocumentPreparer({
    schema,
    costModel,
    limits,
    rules: server.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule],
    hideSuggestions: validationOptions.hideSuggestions,
  });
  /** By prepared document (an object key: no string of the document's length is built per request), then by operation name. */
  const compiled = new LRUCache<Prepared, Map<string, CompiledOperation | false>>({ max: MAX_COMPILED });
  /** Query executions in flight, by document, operation, variables and identity (server.dedupe). */
  const inFlight = new Map<string, SharedExecution>();
  /** Answers kept for identical queries, by the same key. */
  const kept = sharing?.answers && createKeptAnswers(sharing.answers);
  /** The body of an answer without errors, serialised once for every caller that shares it. */
  const bodies = new WeakMap<ExecutionResult, string>();
  /** Subscriptions open, in all and by connection. */
  let subscriptions = 0;
  const subscriptionsOf = new Map<unknown, number>();
  function compiledFor(prepared: Prepared, document: DocumentNode, operationName: string | undefined): CompiledOperation | undefined {
    if (!jit || prepared.uses < COMPILE_AFTER_USES) return undefined;
    let byOperation = compiled.get(prepared);
    if (!byOperation) compiled.set(prepared, (byOperation = new Map()));
    let operation = byOperation.get(operationName ?? '');
    if (operation === undefined) byOperation.set(operationName ?? '', (operation = compileOperation(schema, document, operationName) ?? false));
    return operation || undefined;
  }

  /** Not async, nor `executed`: each async function between a request and its execution is one more promise and frame per request; `run` awaits what they return, and catches what they throw. */
  function execution(params: unknown, transport: Transport, facts: RequestFacts): ExecutionResult | Promise<ExecutionResult | AsyncIterableIterator<PipelineAnswer>> {
    const request = readRequest(params);
    const text = documentText(request, persisted);
    if (text === undefined) throw new GraftError('BAD_REQUEST', 'Must provide a query string.');
    const prepared = prepare(text, facts.trace);
    if (!prepared.document) return { errors: prepared.refusal as GraphQLError[] };
    const { document } = prepared;
    const operation = getOperationAST(document, request.operationName);
    if (!operation)
      throw new GraftError(
        'BAD_REQUEST',
        request.operationName ? `No operation is named ${JSON.stringify(request.operationName.slice(0, 80))}.` : 'The document has several operations: send operationName.',
      );
    facts.operationName = operation.name?.value;
    facts.operationType = operation.operation;
    if (operation.operation === 'mutation' && transport.method !== 'POST') return { errors: [mutationNeedsPost()] };
    if (operation.operation === 'subscription' && !transport.streams)
      throw new GraftError('BAD_REQUEST', 'Subscriptions are served over SSE (Accept: text/event-stream) and WebSockets (graphql-transport-ws), not as one answer.');
    const metrics = prepared.metrics?.get(operation);
    if (metrics?.readsVariables) {
      const problems = costLimit(measure(document, operation, request.variables));
      if (problems.length > 0) return { errors: problems as unknown as GraphQLError[] };
    }
    prepared.check?.(request.variables);
    if (operation.operation === 'subscription') return subscription(transport, document, request);

    if (!sharing || operation.operation !== 'query') return executed(transport, prepared, document, request, facts);
    return sharedOrKept(sharing, transport, prepared, document, request, facts, text, metrics !== undefined && !metrics.handWritten);
  }

  /**
   * A query, when answers may be shared: a kept answer when there is one
   * still unchanged, else an identical execution in flight to join, else an
   * execution of its own that others may join and whose answer may be kept.
   * `declared`: no field is hand-written, so the answer depends on nothing but
   * the key and the sources' answers.
   */
  function sharedOrKept(
    { identityOf, dedupe }: NonNullable<typeof sharing>,
    transport: Transport,
    prepared: Prepared,
    document: DocumentNode,
    request: ReturnType<typeof readRequest>,
    facts: RequestFacts,
    text: string,
    declared: boolean,
  ): ExecutionResult | Promise<ExecutionResult> {
    const keeps = kept !== undefined && declared;
    const joins = dedupe === true || (dedupe === 'declared' && declared);
    if (!keeps && !joins) return executed(transport, prepared, document, request, facts);
    const key = `${identityOf(transport)}\n${request.operationName ?? ''}\n${JSON.stringify(request.variables ?? null)}\n${text}`;
    if (keeps) {
      const answer = kept.get(key);
      if (answer) {
        facts.keptAnswer = true;
        facts.usage = { upstreamCalls: 0, cacheHits: answer.reads.length, staleAnswers: 0 };
        return answer.result;
      }
      facts.keepAs = key;
    }
    if (!joins) return executed(transport, prepared, document, request, facts);
    const joining = inFlight.get(key);
    if (joining) {
      logger.debug({ requestId: transport.requestId }, 'shares an identical query execution in flight');
      joining.joined = true;
      facts.shared = true;
      facts.execution = joining;
      return joining.answer;
    }
    // No one caller's departure may cancel what others wait for: the shared execution ignores the client signal, and ends at its deadline.
    const running = executed(
      { method: transport.method, requestId: transport.requestId, header: transport.header, clientAddress: transport.clientAddress, signal: NEVER_ABORTED },
      prepared,
      document,
      request,
      facts,
    ).finally(() => inFlight.delete(key));
    facts.execution = { answer: running, joined: false };
    inFlight.set(key, facts.execution);
    return running;
  }

  function executed(transport: Transport, prepared: Prepared, document: DocumentNode, request: ReturnType<typeof readRequest>, facts: RequestFacts): Promise<ExecutionResult> {
    return facts.trace ? facts.trace.step('graphql.execute', () => runExecution(transport, prepared, document, request, facts)) : runExecution(transport, prepared, document, request, facts);
  }

  async function runExecution(
    transport: Transport,
    prepared: Prepared | undefined,
    document: DocumentNode,
    request: ReturnType<typeof readRequest>,
    facts: RequestFacts,
    rootValue?: unknown,
  ): Promise<ExecutionResult> {
    const { context: contextValue, release } = contextFor(transport, facts.trace?.context);
    try {
      const guard = createExecutionGuard({ maxObjects: limits.maxResponseObjects, deadlineAt: contextValue.deadlineAt });
      guardContext(contextValue, guard);
      const compiledOperation = prepared && compiledFor(prepared, document, request.operationName);
      const variableValues = request.variables ?? {};
      const run = compiledOperation
        ? compiledOperation.query.query(undefined, contextValue, variableValues)
        : execute({ schema, document, rootValue, variableValues, operationName: request.operationName, contextValue, hideSuggestions: validationOptions.hideSuggestions } as Parameters<
            typeof execute
          >[0]);
      const result = run instanceof Promise ? await guarded(run, guard, contextValue.deadlineAt) : run;
      const notices = contextValue.staleNotices;
      if (notices.length > 0) return { ...result, extensions: { ...result.extensions, stale: notices } };
      if (compiledOperation?.writeAnswer && !result.errors && !result.extensions) facts.write = compiledOperation.writeAnswer;
      return result;
    } finally {
      facts.usage = release();
    }
  }

  /**
   * A subscription: its source stream is opened once (the @event field's
   * `subscribe`, in a context released right after), then each event is
   * executed as a request of its own: a fresh context, deadline and call
   * budget, so a follow-up read is bounded like any query and sees the
   * subscriber's forwarded headers.
   */
  async function subscription(transport: Transport, document: DocumentNode, request: ReturnType<typeof readRequest>): Promise<ExecutionResult | AsyncIterableIterator<PipelineAnswer>> {
    const { connection } = transport;
    const onConnection = subscriptionsOf.get(connection) ?? 0;
    if (subscriptions >= limits.maxSubscriptions)
      throw new GraftError('TOO_MANY_SUBSCRIPTIONS', `The gateway serves ${limits.maxSubscriptions} subscriptions at most; try again later.`, { facts: { limit: limits.maxSubscriptions } });
    if (connection !== undefined && onConnection >= limits.maxSubscriptionsPerConnection)
      throw new GraftError('TOO_MANY_SUBSCRIPTIONS', `One connection may hold ${limits.maxSubscriptionsPerConnection} subscriptions at most; end one first.`, {
        facts: { limit: limits.maxSubscriptionsPerConnection },
      });
    const { context: contextValue, release } = contextFor(transport);
    let events: Awaited<ReturnType<typeof createSourceEventStream>>;
    try {
      events = await createSourceEventStream({ schema, document, variableValues: request.variables ?? {}, operationName: request.operationName, contextValue });
    } finally {
      release();
    }
    if (!(Symbol.asyncIterator in events)) return events;
    const source = events[Symbol.asyncIterator]();
    subscriptions += 1;
    if (connection !== undefined) subscriptionsOf.set(connection, onConnection + 1);
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      subscriptions -= 1;
      const left = (subscriptionsOf.get(connection) ?? 1) - 1;
      if (left > 0) subscriptionsOf.set(connection, left);
      else subscriptionsOf.delete(connection);
    };
    const answer = (result: ExecutionResult) => bounded(refused(result, transport.requestId, logger), transport.requestId, false);
    // A hand-written iterator, not an async generator: a generator waiting for the next event cannot be ended until one comes.
    const stream: AsyncIterableIterator<PipelineAnswer> = {
      async next() {
        if (!open) return DONE;
        let step: IteratorResult<unknown>;
        try {
          step = await source.next();
        } catch (error) {
          // The hub cut a slow subscriber off: its last message says so.
          close();
          return { done: false, value: answer({ errors: [error as GraphQLError] }) };
        }
        if (step.done || !open) {
          close();
          return DONE;
        }
        const result = await runExecution(transport, undefined, document, request, new RequestFacts(), step.value);
        return { done: false, value: answer(result) };
      },
      async return() {
        close();
        await source.return?.();
        return DONE;
      },
      [Symbol.asyncIterator]() {
        return stream;
      },
    };
    return stream;
  }

  return {
    admit: (client) => rateLimit?.admit(client),

    async run(params: unknown, transport: Transport): Promise<PipelineAnswer & Partial<PipelineStream>> {
      const startedAt = transport.startedAt ?? performance.now();
      await turns.next();
      const facts = new RequestFacts(tracing?.request(transport.header));
      let result: ExecutionResult;
      try {
        const executed = await execution(params, transport, facts);
        if (Symbol.asyncIterator in executed) {
          const report = reportOf(transport.requestId, {}, facts, startedAt);
          observe?.(report);
          facts.trace?.end(report);
          return { stream: executed } as PipelineAnswer & PipelineStream;
        }
        result = refused(executed, transport.requestId, logger);
      } catch (error) {
        result = error instanceof GraftError ? refusal(error, transport.requestId, logger) : refused({ errors: [error as GraphQLError] }, transport.requestId, logger);
      }
      const answer = bounded(result, transport.requestId, facts.execution?.joined === true, facts.write);
      if (facts.keepAs !== undefined && facts.usage?.reads && answer.result === result && !result.errors && !result.extensions) {
        kept?.keep(facts.keepAs, { result, body: answer.body, reads: facts.usage.reads });
        bodies.set(result, answer.body);
      }
      if (observe || facts.trace) {
        const report = reportOf(transport.requestId, answer.result, facts, startedAt);
        observe?.(report);
        facts.trace?.end(report);
      }
      return answer;
    },

    refuse(given, transport) {
      const startedAt = transport.startedAt ?? performance.now();
      const result = given instanceof GraftError ? refusal(given, transport.requestId, logger) : refused(given, transport.requestId, logger);
      observe?.(reportOf(transport.requestId, result, new RequestFacts(), startedAt));
      return { result, body: serialize(result) };
    },
  };

  /** The body, or RESPONSE_TOO_LARGE when it is over `limits.maxResponseBytes`; kept for the others when the execution was `shared`. */
  function bounded(result: ExecutionResult, requestId: string, shared: boolean, write: (result: object) => string = serialize): PipelineAnswer {
    let body = bodies.get(result);
    if (body !== undefined) return { result, body };
    body = write(result);
    if (body.length <= limits.maxResponseBytes / 4 || Buffer.byteLength(body) <= limits.maxResponseBytes) {
      if (!result.errors && shared) bodies.set(result, body);
      return { result, body };
    }
    const tooLarge = new GraftError('RESPONSE_TOO_LARGE', `The answer is larger than ${limits.maxResponseBytes} bytes; ask for fewer or smaller connections.`, {
      facts: { limit: limits.maxResponseBytes },
    });
    const replaced = refused({ data: null, errors: [tooLarge as unknown as GraphQLError] }, requestId, logger);
    return { result: replaced, body: serialize(replaced) };
  }
}

const NO_CODES: readonly string[] = [];

function reportOf(requestId: string, result: ExecutionResult, { operationName, operationType, usage, shared, keptAnswer }: RequestFacts, startedAt: number): RequestReport {
  const codes = result.errors ? [...new Set(result.errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))] : NO_CODES;
  return {
    requestId,
    operationName,
    operationType,
    durationMs: performance.now() - startedAt,
    status: result.errors ? statusOf(result, false).status : 200,
    codes,
    upstreamCalls: usage?.upstreamCalls ?? 0,
    cacheHits: usage?.cacheHits ?? 0,
    staleAnswers: usage?.staleAnswers ?? 0,
    shared,
    keptAnswer,
  };
}

/** The execution's result, or the guard's error once a limit trips; a last-resort timer stops work that outlives the deadline. */
async function guarded(run: Promise<ExecutionResult>, guard: ExecutionGuard, deadlineAt: number): Promise<ExecutionResult> {
  const timer = setTimeout(
    () => guard.stop(new GraftError('GATEWAY_TIMEOUT', "The request's deadline passed before the answer was complete.", { retryable: true })),
    Math.max(0, deadlineAt - Date.now()) + DEADLINE_GRACE_MS,
  );
  timer.unref();
  try {
    return await Promise.race([run, guard.stopped.then((error): ExecutionResult => ({ data: null, errors: [error as unknown as GraphQLError] }))]);
  } finally {
    clearTimeout(timer);
  }
}

function mutationNeedsPost(): GraphQLError {
  return new GraphQLError('Mutations are sent with POST.', { extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { allow: 'POST' } } } });
}
