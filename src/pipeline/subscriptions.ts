/**
 * Subscriptions: a source stream opened once (the @event field's
 * `subscribe`, in a context released right after), then each event executed
 * as a request of its own (a fresh context, deadline, ledger and call
 * budget), so that a follow-up read is bounded like any query and sees the
 * subscriber's forwarded headers. Counted against `limits.maxSubscriptions`
 * and `limits.maxSubscriptionsPerConnection`.
 */

import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import type { Identity } from '../auth/token-verifier.ts';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { GraftError } from '../errors.ts';
import type { PipelineAnswer } from './answer-body.ts';
import type { Executor, GraphQLRequest } from './execution.ts';
import { PipelineRequest } from './pipeline-request.ts';
import type { Transport } from './transport.ts';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export interface SubscriptionOptions {
  schema: GraphQLSchema;
  limits: Pick<
    ResolvedConfig['limits'],
    'maxSubscriptions' | 'maxSubscriptionsPerConnection' | 'upstreamCallsPerOperation'
  >;
  executor: Executor<object>;
  /** Masks and bounds one event's result, as the pipeline's last steps do for any answer. */
  answer(result: ExecutionResult, transport: Transport): PipelineAnswer;
}

export class Subscriptions {
  #open = 0;
  readonly #byConnection = new Map<unknown, number>();

  constructor(private readonly options: SubscriptionOptions) {}

  /** The stream of answers, or the result that refused to open one (its source stream's errors). */
  async subscribe(
    transport: Transport,
    document: DocumentNode,
    request: GraphQLRequest,
    identity?: Identity,
  ): Promise<ExecutionResult | AsyncIterableIterator<PipelineAnswer>> {
    const { schema, limits, executor } = this.options;
    const { connection } = transport;
    this.#admit(connection);
    const ledger = new PipelineRequest(limits.upstreamCallsPerOperation);
    ledger.identity = identity;
    const { context: contextValue, release } = executor.context(transport, ledger);
    let events: Awaited<ReturnType<typeof createSourceEventStream>>;
    try {
      events = await createSourceEventStream({
        schema,
        document,
        variableValues: request.variables ?? {},
        operationName: request.operationName,
        contextValue,
      });
    } finally {
      release();
    }
    if (!(Symbol.asyncIterator in events)) return events;
    this.#open += 1;
    if (connection !== undefined) this.#byConnection.set(connection, (this.#byConnection.get(connection) ?? 0) + 1);
    return this.#stream(events[Symbol.asyncIterator](), transport, document, request);
  }

  #admit(connection: unknown): void {
    const { maxSubscriptions, maxSubscriptionsPerConnection } = this.options.limits;
    if (this.#open >= maxSubscriptions)
      throw new GraftError(
        'TOO_MANY_SUBSCRIPTIONS',
        `The gateway serves ${maxSubscriptions} subscriptions at most; try again later.`,
        { facts: { limit: maxSubscriptions } },
      );
    if (connection !== undefined && (this.#byConnection.get(connection) ?? 0) >= maxSubscriptionsPerConnection)
      throw new GraftError(
        'TOO_MANY_SUBSCRIPTIONS',
        `One connection may hold ${maxSubscriptionsPerConnection} subscriptions at most; end one first.`,
        {
          facts: { limit: maxSubscriptionsPerConnection },
        },
      );
  }

  /** A hand-written iterator, not an async generator: a generator waiting for the next event cannot be ended until one comes. */
  #stream(
    source: AsyncIterator<unknown>,
    transport: Transport,
    document: DocumentNode,
    request: GraphQLRequest,
  ): AsyncIterableIterator<PipelineAnswer> {
    const { executor, limits, answer } = this.options;
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      this.#open -= 1;
      const left = (this.#byConnection.get(transport.connection) ?? 1) - 1;
      if (left > 0) this.#byConnection.set(transport.connection, left);
      else this.#byConnection.delete(transport.connection);
    };
    const stream: AsyncIterableIterator<PipelineAnswer> = {
      async next() {
        if (!open) return DONE;
        let step: IteratorResult<unknown>;
        try {
          step = await source.next();
        } catch (error) {
          // The hub cut a slow subscriber off: its last message says so.
          close();
          return { done: false, value: answer({ errors: [error as GraphQLError] }, transport) };
        }
        if (step.done || !open) {
          close();
          return DONE;
        }
        const result = await executor.execute(
          transport,
          undefined,
          document,
          request,
          new PipelineRequest(limits.upstreamCallsPerOperation),
          step.value,
        );
        return { done: false, value: answer(result, transport) };
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
}
