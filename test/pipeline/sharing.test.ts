/** The sharing step on its own: a cached result, a join, or an execution of its own; what each tells the request's record. */
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PipelineRequest } from '../../src/pipeline/pipeline-request.ts';
import { createResultCache } from '../../src/pipeline/result-cache.ts';
import { Sharing } from '../../src/pipeline/sharing.ts';
import type { Transport } from '../../src/pipeline/transport.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const transport = (token: string): Transport => ({
  method: 'POST',
  requestId: token,
  clientAddress: '127.0.0.1',
  signal: new AbortController().signal,
  header: (name) => (name === 'authorization' ? token : undefined),
});
const query = { text: '{ a }', operationName: undefined, variables: {}, declared: true };
const logger = createLogger({ level: 'silent' } as never);

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('Sharing', () => {
  it('an identical query in flight is joined, not run again; a caller with another identity runs its own', async () => {
    const sharing = new Sharing({
      identityOf: (by) => by.header('authorization') ?? '',
      dedupe: 'declared',
      resultCache: undefined,
      logger,
    });
    const run = deferred<ExecutionResult>();
    let runs = 0;
    const execute = () => {
      runs += 1;
      return run.promise;
    };
    const first = new PipelineRequest(10);
    const second = new PipelineRequest(10);
    const other = new PipelineRequest(10);
    const answers = [
      sharing.answer(transport('a'), query, first, execute),
      sharing.answer(transport('a'), query, second, execute),
      sharing.answer(transport('b'), query, other, execute),
    ];
    expect(runs).toBe(2);
    expect([first.shared, second.shared, other.shared]).toEqual([false, true, false]);
    expect(first.execution?.joined).toBe(true);
    run.resolve({ data: { a: 1 } });
    expect(await Promise.all(answers)).toEqual([{ data: { a: 1 } }, { data: { a: 1 } }, { data: { a: 1 } }]);
    // Once settled, the next identical query runs anew.
    sharing.answer(transport('a'), query, new PipelineRequest(10), execute);
    expect(runs).toBe(3);
  });

  it("a shared execution's signal: its starter leaving aborts it while nobody joined it, and nobody joins it after; once joined, no one caller's leaving does", () => {
    const sharing = new Sharing({ identityOf: () => '', dedupe: true, resultCache: undefined, logger });
    const signals: AbortSignal[] = [];
    const execute = (by: { signal: AbortSignal }) => {
      signals.push(by.signal);
      return new Promise<never>(() => {});
    };
    const ask = (leaving: AbortController, text: string) =>
      sharing.answer(
        { ...transport('a'), signal: leaving.signal },
        { ...query, text, declared: false },
        new PipelineRequest(10),
        execute,
      );
    const alone = new AbortController();
    ask(alone, '{ alone }');
    alone.abort();
    expect(signals[0]?.aborted).toBe(true);
    // The abandoned execution is not joined: the next identical query runs its own.
    ask(new AbortController(), '{ alone }');
    expect(signals).toHaveLength(2);
    const starter = new AbortController();
    ask(starter, '{ joined }');
    ask(new AbortController(), '{ joined }');
    starter.abort();
    expect(signals).toHaveLength(3);
    expect(signals[2]?.aborted).toBe(false);
  });

  it('a cached result is given while its reads are unchanged, counted as cache hits; hand-written queries are neither cached nor joined by default', async () => {
    const resultCache = createResultCache({ maxBytes: 10_000, unchanged: () => true });
    const sharing = new Sharing({ identityOf: () => '', dedupe: 'declared', resultCache, logger });
    const record = new PipelineRequest(10);
    const result = { data: { a: 1 } };
    await sharing.answer(transport('a'), query, record, async () => result);
    expect(record.cacheAs).toBeDefined();
    resultCache.store(record.cacheAs as string, {
      result,
      body: '{}',
      reads: [{ key: 'k', source: 's', response: { status: 200, headers: {}, body: 1 } }],
    });
    const hit = new PipelineRequest(10);
    expect(sharing.answer(transport('a'), query, hit, () => Promise.reject(new Error('not run')))).toBe(result);
    expect([hit.fromResultCache, hit.cacheHits, hit.upstreamCalls]).toEqual([true, 1, 0]);
    const handWritten = new PipelineRequest(10);
    let runs = 0;
    await sharing.answer(transport('a'), { ...query, declared: false }, handWritten, async () => {
      runs += 1;
      return result;
    });
    expect([runs, handWritten.cacheAs, handWritten.fromResultCache]).toEqual([1, undefined, false]);
  });
});
