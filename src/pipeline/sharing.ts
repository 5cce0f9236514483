/**
 * The sharing step, for queries (`server.dedupe`, `cache.maxResultBytes`):
 * a cached result when there is one whose upstream answers are all
 * unchanged, else an identical execution in flight to join, else an
 * execution of its own that others may join and whose result may be cached.
 * Callers who would get different answers never share: the key holds the
 * document, operation, variables and the values of every forwarded header.
 */
import type { ExecutionResult } from 'graphql';
import type { ResolvedConfig } from '../config/config-schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { PipelineRequest } from './pipeline-request.ts';
import type { ResultCache } from './result-cache.ts';
import { onClientLeaves, type Transport } from './transport.ts';

export interface SharingOptions {
  /** The identity part of the key (the values of the headers the sources forward). */
  identityOf(transport: Transport): string;
  /** `'declared'`: queries whose fields are all declared are shared; `true`: hand-written ones too; `false`: none. */
  dedupe: ResolvedConfig['server']['dedupe'];
  resultCache: ResultCache | undefined;
  logger: Logger;
}

/** What the query is, for its key: its document's text, operation and variables. */
export interface SharedQuery {
  text: string;
  operationName: string | undefined;
  variables: unknown;
  /** No field is hand-written: the answer depends on nothing but the key and the sources' answers. */
  declared: boolean;
}

export class Sharing {
  /** Query executions in flight, by key. */
  readonly #inFlight = new Map<string, NonNullable<PipelineRequest['execution']>>();

  constructor(private readonly options: SharingOptions) {}

  /** Whether a query is shared at all: its result may be cached, or its execution joined. */
  applies(declared: boolean): boolean {
    const { resultCache, dedupe } = this.options;
    return (resultCache !== undefined && declared) || dedupe === true || (dedupe === 'declared' && declared);
  }

  /** The result for `query`: cached, joined, or from `execute` (run with a transport that only its starter's departure, before anyone joined, aborts). */
  answer(
    transport: Transport,
    query: SharedQuery,
    record: PipelineRequest,
    execute: (transport: Transport) => Promise<ExecutionResult>,
  ): ExecutionResult | Promise<ExecutionResult> {
    const { identityOf, dedupe, resultCache, logger } = this.options;
    const caches = resultCache !== undefined && query.declared;
    const joins = dedupe === true || (dedupe === 'declared' && query.declared);
    if (!caches && !joins) return execute(transport);
    const key = `${identityOf(transport)}\n${query.operationName ?? ''}\n${JSON.stringify(query.variables ?? null)}\n${query.text}`;
    if (caches) {
      const cached = resultCache.get(key);
      if (cached) {
        record.fromResultCache = true;
        record.cacheHits = cached.reads.length;
        return cached.result;
      }
      record.cacheAs = key;
    }
    if (!joins) return execute(transport);
    const joining = this.#inFlight.get(key);
    if (joining) {
      logger.debug({ requestId: transport.requestId }, 'shares an identical query execution in flight');
      joining.joined = true;
      record.shared = true;
      record.execution = joining;
      return joining.answer;
    }
    const inFlight = this.#inFlight;
    const execution: NonNullable<PipelineRequest['execution']> = { answer: undefined as never, joined: false };
    // No one caller's departure may cancel what others wait for: the caller who started it cancels it by going
    // away only while nobody has joined it, and nobody joins it after.
    const onLeave = (listener: () => void) =>
      onClientLeaves(transport, () => {
        if (execution.joined) return;
        if (inFlight.get(key) === execution) inFlight.delete(key);
        listener();
      });
    let cancel: AbortController | undefined;
    const running = execute({
      method: transport.method,
      requestId: transport.requestId,
      header: transport.header,
      clientAddress: transport.clientAddress,
      onLeave,
      // Made only when a call asks for it (a write's attempt); upstream reads use `onLeave`.
      get signal() {
        if (!cancel) {
          const own = (cancel = new AbortController());
          onLeave(() => own.abort());
        }
        return cancel.signal;
      },
    }).finally(() => {
      if (inFlight.get(key) === execution) inFlight.delete(key);
    });
    execution.answer = running;
    record.execution = execution;
    inFlight.set(key, execution);
    return running;
  }
}
