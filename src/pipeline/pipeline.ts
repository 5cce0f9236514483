/**
 * The one request pipeline. Every GraphQL request, whichever transport it
 * came by (the direct JSON transport, Yoga's GET / form / GraphQL-body /
 * multipart parsers, a WebSocket, `gateway.fetch`), passes the same steps
 * in this order:
 *
 *   client rate limit (`admit`, before a transport reads the body) ->
 *   request scheduler -> request shape -> persisted documents -> parse
 *   (token limit) -> document limits (directives, depth, aliases, root
 *   fields) -> cost estimate (objects, and upstream calls after batching)
 *   -> validation (production rules) -> operation and method -> argument
 *   bounds -> sharing (a cached result, or an identical execution in
 *   flight) or execution (deadline and ledger, guarded: objects, deadline)
 *   -> error masking -> response size
 *
 * The body limit comes before it, at each transport, because it decides
 * whether the body is read at all. The steps that depend only on the
 * document's text run once per document and are cached (prepared-documents.ts).
 * Each step past the scheduler is a module of its own; this one runs them.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  specifiedRules,
} from 'graphql';
import type { Callers } from '../auth/callers.ts';
import type { Identity } from '../auth/token-verifier.ts';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { GraftError } from '../errors.ts';
import type { AccessRule } from '../mapping/plan.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { RequestObserver } from '../telemetry/observer.ts';
import type { Tracing } from '../telemetry/trace.ts';
import { AccessCheck } from './access-check.ts';
import { AnswerBodies, type PipelineAnswer } from './answer-body.ts';
import { type ClientIdentityParts, type ClientRateLimit, createClientRateLimit } from './client-rate-limit.ts';
import { refusal, refused, serialize } from './client-result.ts';
import type { CostModel } from './cost-model.ts';
import { Executor, type GraphQLRequest } from './execution.ts';
import { incrementally, usesIncrementalDelivery, withIncrementalRules } from './incremental.ts';
import { documentText, type PersistedDocuments } from './persisted-documents.ts';
import { PipelineRequest, reportOf } from './pipeline-request.ts';
import { createDocumentPreparer, type Prepared } from './prepared-documents.ts';
import { createRequestScheduler } from './request-scheduler.ts';
import { readRequest } from './request-shape.ts';
import { createResultCache, type ResultCacheOptions } from './result-cache.ts';
import { Sharing } from './sharing.ts';
import { Subscriptions } from './subscriptions.ts';
import type { ContextFactory, Transport } from './transport.ts';

/** A request past its document's checks, on its way to the access check and execution. */
interface Admitted {
  text: string;
  prepared: Prepared;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  request: GraphQLRequest;
  /** Only declared fields: its execution may be shared. */
  declared: boolean;
}

export type { PipelineAnswer } from './answer-body.ts';
export type { ContextFactory, RequestScope, Transport } from './transport.ts';

export interface PipelineOptions<Context extends object> {
  /** Executable, with its resolvers guarded (execution-guard.ts). */
  schema: GraphQLSchema;
  costModel: CostModel;
  limits: ResolvedConfig['limits'];
  server: Pick<ResolvedConfig['server'], 'introspection' | 'suggestions'>;
  /** Who is asking (auth in the config); undefined: callers are not identified. */
  callers?: Callers;
  /** Who may read which field (`@authenticated`, `@requiresScopes`, `@policy`), by `Type.field`. */
  access?: ReadonlyMap<string, AccessRule>;
  persisted: PersistedDocuments | undefined;
  /** An execution's context (the resolvers' `context`), from the deadline and ledger the pipeline made for it. */
  contextFor: ContextFactory<Context>;
  logger: Logger;
  /** Execute documents asked for often with graphql-jit. @default true */
  jit?: boolean;
  /** Run queries' declared fields as plans (execution.ts); what hand-written code decides (`Type.field`, `Type`) is left to graphql-js. */
  plans?: { handWritten: ReadonlySet<string> };
  /** Results shared between callers: executions in flight, the result cache; absent, every request runs its own. */
  sharing?: {
    /** The identity part of a shared execution's or cached result's key (the values of the headers the sources forward). */
    identityOf(transport: Transport): string;
    /**
     * Identical queries in flight share one execution (`server.dedupe`):
     * `'declared'`, those whose fields are all declared; `true`, those with
     * hand-written fields too; `false`, none.
     */
    dedupe: ResolvedConfig['server']['dedupe'];
    /** The result cache (`cache.maxResultBytes`), when on. */
    results?: ResultCacheOptions;
  };
  /** Told of every request once its answer is ready, refused ones included. */
  observe?: RequestObserver;
  /** Spans for requests and their steps, when tracing is on. */
  tracing?: Tracing;
}

/** A subscription's answers, one per event, until the client or the event stream ends it. */
export interface PipelineStream {
  stream: AsyncIterableIterator<PipelineAnswer>;
}

export interface Pipeline {
  /** The first step, which each transport takes before it reads a body: the client rate limit. Throws REQUEST_RATE_LIMITED. */
  admit(client: ClientIdentityParts): void;
  /** Every other step, on the parameters a transport decoded; a transport that cannot stream gets no stream (subscriptions are refused). */
  run(params: unknown, transport: Transport & { streams?: false }): Promise<PipelineAnswer>;
  run(params: unknown, transport: Transport): Promise<PipelineAnswer | PipelineStream>;
  /** The answer to a request a transport refused before `run` (rate limit, body, transport), masked and reported as `run`'s are. */
  refuse(refused: GraftError | ExecutionResult, transport: Transport): PipelineAnswer;
}

export function createPipeline<Context extends object>(options: PipelineOptions<Context>): Pipeline {
  const { limits, logger, observe, tracing, callers } = options;
  const access = new AccessCheck(options.schema, options.access ?? new Map());
  const parts = pipelineParts(options);
  const { rateLimit, scheduler, documents, resultCache, bodies } = parts;

  /**
   * Every step from the request's shape to its execution. Not async: each
   * async function between a request and its execution is one more promise
   * and frame per request; `run` awaits what it returns, and catches what it throws.
   */
  function steps(
    params: unknown,
    transport: Transport,
    record: PipelineRequest,
  ): ExecutionResult | Promise<ExecutionResult | AsyncIterableIterator<PipelineAnswer>> {
    const request = readRequest(params);
    const text = documentText(request, options.persisted);
    if (text === undefined) throw new GraftError('BAD_REQUEST', 'Must provide a query string.');
    const prepared = documents.prepare(text, record.trace);
    if (!prepared.document) return { errors: prepared.refusal as GraphQLError[] };
    const { document } = prepared;
    const operation = operationOf(document, request.operationName);
    record.operationName = operation.name?.value;
    record.operationType = operation.operation;
    if (operation.operation === 'mutation' && transport.method !== 'POST') return { errors: [mutationNeedsPost()] };
    if (operation.operation === 'subscription' && !transport.streams)
      throw new GraftError(
        'BAD_REQUEST',
        'Subscriptions are served over SSE (Accept: text/event-stream) and WebSockets (graphql-transport-ws), not as one answer.',
      );
    const metrics = prepared.metrics?.get(operation);
    if (metrics?.readsVariables) {
      const problems = documents.costLimit(documents.measure(document, operation, request.variables));
      if (problems.length > 0) return { errors: problems as unknown as GraphQLError[] };
    }
    prepared.check?.(request.variables);
    const admitted = {
      text,
      prepared,
      document,
      operation,
      request,
      declared: metrics !== undefined && !metrics.handWritten,
    };
    return withAccess(callers, access, rateLimit, transport, admitted, record, () =>
      authorized(parts, admitted, transport, record),
    );
  }

  /** The answer of a result: masked, bounded, cached when it may be, reported. */
  function finish(
    result: ExecutionResult,
    transport: Transport,
    record: PipelineRequest,
    startedAt: number,
  ): PipelineAnswer {
    const answer = bodies.bounded(result, transport.requestId, record.execution?.joined === true, record.write);
    // Only the request that ran the execution knows what it read: one that joined it (`shared`) read nothing itself.
    if (
      record.cacheAs !== undefined &&
      !record.shared &&
      record.reads &&
      answer.result === result &&
      !result.errors &&
      !result.extensions
    ) {
      resultCache?.store(record.cacheAs, { result, body: answer.body, reads: record.reads });
      bodies.remember(result, answer.body);
    }
    if (observe || record.trace) {
      const report = reportOf(transport.requestId, answer.result, record, startedAt);
      observe?.(report);
      record.trace?.end(report);
    }
    return answer;
  }

  return {
    admit: (client) => rateLimit?.admit(client),

    async run(params: unknown, transport: Transport): Promise<PipelineAnswer & Partial<PipelineStream>> {
      const startedAt = transport.startedAt ?? performance.now();
      await scheduler.next();
      const record = new PipelineRequest(limits.upstreamCallsPerOperation, tracing?.request(transport.header));
      let result: ExecutionResult;
      try {
        const outcome = await steps(params, transport, record);
        if (Symbol.asyncIterator in outcome) {
          const report = reportOf(transport.requestId, {}, record, startedAt);
          observe?.(report);
          record.trace?.end(report);
          return { stream: outcome } as PipelineAnswer & PipelineStream;
        }
        result = refused(outcome, transport.requestId, logger);
      } catch (error) {
        result =
          error instanceof GraftError
            ? refusal(error, transport.requestId, logger)
            : refused({ errors: [error as GraphQLError] }, transport.requestId, logger);
      }
      return finish(result, transport, record, startedAt);
    },

    refuse(given, transport) {
      const startedAt = transport.startedAt ?? performance.now();
      const result =
        given instanceof GraftError
          ? refusal(given, transport.requestId, logger)
          : refused(given, transport.requestId, logger);
      observe?.(
        reportOf(transport.requestId, result, new PipelineRequest(limits.upstreamCallsPerOperation), startedAt),
      );
      return { result, body: serialize(result) };
    },
  };
}

/** The operation a request asks for, or BAD_REQUEST: none of that name, or several and no name. */
function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode {
  const operation = getOperationAST(document, operationName);
  if (!operation)
    throw new GraftError(
      'BAD_REQUEST',
      operationName
        ? `No operation is named ${JSON.stringify(operationName.slice(0, 80))}.`
        : 'The document has several operations: send operationName.',
    );
  return operation;
}

/** The steps' parts, made once per pipeline. */
type PipelineParts<Context extends object> = ReturnType<typeof pipelineParts<Context>>;

function pipelineParts<Context extends object>(options: PipelineOptions<Context>) {
  const { schema, limits, server, logger, sharing } = options;
  const rateLimit = limits.clientRateLimit && createClientRateLimit(limits.clientRateLimit);
  /** Requests start in turns of the event loop, so that a saturated process still accepts new connections (request-scheduler.ts). */
  const scheduler = createRequestScheduler();
  const hideSuggestions = !server.suggestions;
  const documents = createDocumentPreparer({
    schema,
    costModel: options.costModel,
    limits,
    rules: withIncrementalRules(
      server.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule],
    ),
    hideSuggestions,
  });
  const executor = new Executor<Context>({
    schema,
    limits,
    contextFor: options.contextFor,
    jit: options.jit ?? true,
    plans: options.plans,
    hideSuggestions,
  });
  const resultCache = sharing?.results && createResultCache(sharing.results);
  const shared =
    sharing && new Sharing({ identityOf: sharing.identityOf, dedupe: sharing.dedupe, resultCache, logger });
  const bodies = new AnswerBodies(limits.maxResponseBytes, logger);
  /** One answer of a stream (a subscription's event, a payload of an incremental answer): masked and bounded as any answer. */
  const answerOf = (result: ExecutionResult, transport: Transport) =>
    bodies.bounded(refused(result, transport.requestId, logger), transport.requestId, false);
  const subscriptions = new Subscriptions({ schema, limits, executor, answer: answerOf });
  return { rateLimit, scheduler, documents, executor, resultCache, shared, bodies, subscriptions, answerOf };
}

/**
 * The access step: who is asking (their token verified, at once when it was
 * before), their rate limit when it counts by subject, and whether they may
 * read every field the operation selects; then `next`. Without callers (no auth in the config), `next` at once.
 */
function withAccess<T>(
  callers: Callers | undefined,
  access: AccessCheck,
  rateLimit: ClientRateLimit | undefined,
  transport: Transport,
  { document, operation, request }: Admitted,
  record: PipelineRequest,
  next: () => T,
): T | Promise<Awaited<T>> {
  if (!callers) return next();
  const checked = (identity: Identity | undefined) => {
    record.identity = identity;
    rateLimit?.admitCaller(transport, identity && `${identity.issuer} ${identity.subject}`);
    access.check(document, operation, identity, request.variables);
    return next();
  };
  // A token that does not verify counts against its address: each one cost a signature check.
  const unverified = (error: unknown): never => {
    rateLimit?.admitCaller(transport, undefined);
    throw error;
  };
  let caller: ReturnType<Callers['identify']>;
  try {
    caller = callers.identify(transport);
  } catch (error) {
    return unverified(error);
  }
  return caller instanceof Promise ? (caller.then(checked, unverified) as Promise<Awaited<T>>) : checked(caller);
}

/** The steps after the access check: a subscription, a shared answer, or an execution of its own. */
function authorized<Context extends object>(
  {
    shared,
    executor,
    subscriptions,
    answerOf,
  }: Pick<PipelineParts<Context>, 'shared' | 'executor' | 'subscriptions' | 'answerOf'>,
  { text, prepared, document, operation, request, declared }: Admitted,
  transport: Transport,
  record: PipelineRequest,
): ExecutionResult | Promise<ExecutionResult | AsyncIterableIterator<PipelineAnswer>> {
  if (operation.operation === 'subscription')
    return subscriptions.subscribe(transport, document, request, record.identity);
  if (transport.streams && usesIncrementalDelivery(document))
    return incrementally(executor.incremental(transport, document, request, record), (payload) =>
      answerOf(payload, transport),
    );
  // No closure nor key for a request that shares nothing (most hand-written queries, every mutation).
  if (!shared || operation.operation !== 'query' || !shared.applies(declared))
    return executed(executor, transport, prepared, document, request, record);
  const query = { text, operationName: request.operationName, variables: request.variables, declared };
  return shared.answer(transport, query, record, (by) => executed(executor, by, prepared, document, request, record));
}

function executed<Context extends object>(
  executor: Executor<Context>,
  transport: Transport,
  prepared: Prepared,
  document: DocumentNode,
  request: GraphQLRequest,
  record: PipelineRequest,
): Promise<ExecutionResult> {
  if (!record.trace) return executor.execute(transport, prepared, document, request, record);
  return record.trace.step('graphql.execute', () => executor.execute(transport, prepared, document, request, record));
}

function mutationNeedsPost(): GraphQLError {
  return new GraphQLError('Mutations are sent with POST.', {
    extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { allow: 'POST' } } },
  });
}
