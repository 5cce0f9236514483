/**
 * `@defer` and `@stream` (incremental delivery): the directives and their
 * validation rules come from Yoga's defer/stream plugin, the execution from
 * `@graphql-tools/executor` (graphql-js 16 has neither). A query that uses
 * them, asked over a transport that streams (multipart/mixed, SSE,
 * WebSockets), is answered as an initial payload and then one per deferred
 * fragment or streamed item, as they are ready; over one that does not, it
 * is executed whole, as the directives allow (every deferred part in the
 * one answer).
 *
 * It is one execution of one request: the document's limits and cost were
 * counted whole before it ran (deferred fragments included), its call
 * budget, deadline and object limit hold across every payload, and its
 * context is released when the last payload is sent or the client leaves.
 */
import {
  execute,
  type IncrementalExecutionResults,
  type SubsequentIncrementalExecutionResult,
} from '@graphql-tools/executor';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import {
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  type ValidationRule,
  visit,
} from 'graphql';
import type { PipelineAnswer } from './answer-body.ts';

const plugin = useDeferStream();

/** The schema with `@defer` and `@stream` (as the plugin adds them to Yoga's). */
export function withIncrementalDirectives(schema: GraphQLSchema): GraphQLSchema {
  let replaced = schema;
  plugin.onSchemaChange?.({ schema, replaceSchema: (next: GraphQLSchema) => (replaced = next) } as never);
  return replaced;
}

/** `rules` with the plugin's: labels unique, no @defer or @stream on a root field of a mutation or subscription, @stream on lists only. */
export function withIncrementalRules(rules: readonly ValidationRule[]): ValidationRule[] {
  const params = { rules: [...rules] };
  plugin.onValidate?.({ params, addValidationRule: (rule: ValidationRule) => params.rules.push(rule) } as never);
  return params.rules;
}

/** Whether a document asks for incremental delivery. */
export function usesIncrementalDelivery(document: DocumentNode): boolean {
  let uses = false;
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'defer' && node.name.value !== 'stream') return;
      uses = true;
      return BREAK;
    },
  });
  return uses;
}

/** One payload of an incremental answer: the initial one (`data`, `hasNext`) or a later one (`incremental`, `hasNext`). */
export type IncrementalPayload = ExecutionResult & {
  hasNext?: boolean;
  incremental?: ReadonlyArray<{ errors?: readonly GraphQLError[] } & Record<string, unknown>>;
};

export interface IncrementalArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues: Record<string, unknown>;
  operationName: string | undefined;
  contextValue: unknown;
  hideSuggestions: boolean;
}

/**
 * An execution's answer: one result when nothing was deferred (or every
 * `@defer(if:)` said false), else the initial payload and each later one as
 * it is ready. `done` runs once the last is out or the client left.
 */
export async function executeIncrementally(
  args: IncrementalArgs,
  done: () => void,
): Promise<ExecutionResult | AsyncGenerator<IncrementalPayload, void>> {
  let outcome: Awaited<ReturnType<typeof execute>>;
  try {
    outcome = await execute(args);
  } catch (error) {
    done();
    throw error;
  }
  if (!('initialResult' in outcome)) {
    done();
    return outcome as ExecutionResult;
  }
  return payloads(outcome as IncrementalExecutionResults, done);
}

async function* payloads(
  outcome: IncrementalExecutionResults,
  done: () => void,
): AsyncGenerator<IncrementalPayload, void> {
  const later: AsyncGenerator<SubsequentIncrementalExecutionResult> = outcome.subsequentResults;
  try {
    yield outcome.initialResult as IncrementalPayload;
    for await (const payload of later) yield payload as IncrementalPayload;
  } finally {
    // A client that left ends the execution's remaining work.
    await later.return(undefined);
    done();
  }
}

/**
 * An incremental execution as the pipeline answers it: a single result as
 * it is, a stream as its payloads, each masked and bounded by `answer` (the
 * errors of each deferred part as well as the payload's own).
 */
export async function incrementally(
  execution: Promise<ExecutionResult | AsyncGenerator<IncrementalPayload, void>>,
  answer: (result: ExecutionResult) => PipelineAnswer,
): Promise<ExecutionResult | AsyncIterableIterator<PipelineAnswer>> {
  const outcome = await execution;
  if (!(Symbol.asyncIterator in outcome)) return outcome;
  const answers: AsyncIterableIterator<PipelineAnswer> = {
    async next() {
      const step = await outcome.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: masked(step.value, answer) };
    },
    async return() {
      await outcome.return(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => answers,
  };
  return answers;
}

/** A payload with its own errors and each deferred part's masked (client-result.ts, through `answer`). */
function masked(payload: IncrementalPayload, answer: (result: ExecutionResult) => PipelineAnswer): PipelineAnswer {
  // A part's errors are masked as those of an answer with data: a part is never a refusal.
  const incremental = payload.incremental?.map((part) =>
    part.errors ? { ...part, errors: answer({ data: null, errors: part.errors }).result.errors } : part,
  );
  return answer({ ...payload, ...(incremental && { incremental }) } as ExecutionResult);
}
