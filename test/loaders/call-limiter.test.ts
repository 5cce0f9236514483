/** The per-field cap on single calls: never more than max in flight, the rest in order, failures release their slot. */
import { describe, expect, it } from 'vitest';
import { callLimiter } from '../../src/loaders/call-limiter.ts';

function controlledCalls() {
  const started: number[] = [];
  const settle = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let inFlight = 0;
  let most = 0;
  const call = (id: number) => () =>
    new Promise<number>((resolve, reject) => {
      started.push(id);
      most = Math.max(most, ++inFlight);
      settle.set(id, {
        resolve: () => {
          inFlight--;
          resolve(id);
        },
        reject: (error) => {
          inFlight--;
          reject(error);
        },
      });
    });
  return { started, settle, call, most: () => most };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('callLimiter', () => {
  it('starts calls under the limit at once and the rest in order as slots free up', async () => {
    const limit = callLimiter(3);
    const calls = controlledCalls();
    const results = Array.from({ length: 7 }, (_, id) => limit(calls.call(id)));
    expect(calls.started).toEqual([0, 1, 2]);
    calls.settle.get(1)?.resolve();
    await turn();
    expect(calls.started).toEqual([0, 1, 2, 3]);
    // A newcomer arriving as a slot frees up waits behind those already waiting.
    calls.settle.get(0)?.resolve();
    results.push(limit(calls.call(7)));
    await turn();
    expect(calls.started).toEqual([0, 1, 2, 3, 4]);
    for (const id of [2, 3, 4, 5, 6, 7]) {
      calls.settle.get(id)?.resolve();
      await turn();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(calls.most()).toBe(3);
  });

  it('frees the slot of a failed call and passes its failure on', async () => {
    const limit = callLimiter(1);
    const calls = controlledCalls();
    const failing = limit(calls.call(0));
    const next = limit(calls.call(1));
    calls.settle.get(0)?.reject(new Error('upstream down'));
    await expect(failing).rejects.toThrow('upstream down');
    await turn();
    expect(calls.started).toEqual([0, 1]);
    calls.settle.get(1)?.resolve();
    expect(await next).toBe(1);
  });
});
