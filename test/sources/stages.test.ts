/** The source client's stages on their own, over a fake SourceRuntime: admission and what counts against a source. */
import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors.ts';
import { admit } from '../../src/sources/stages/admission.ts';
import { countsAgainstSource, type SourceRuntime } from '../../src/sources/stages/source-runtime.ts';

function runtime({ inFlight = 0, rateLimited = false } = {}) {
  const outcomes: string[] = [];
  const acquired: string[] = [];
  const source = {
    name: 'api',
    config: { rateLimit: { fromHeaders: rateLimited, requestsPerSecond: undefined } },
    breaker: { admit: () => (outcome: string) => outcomes.push(outcome), state: () => 'closed' },
    pacer: { acquire: async (key: string) => void acquired.push(key) },
    observer: { paced: () => {} },
    inFlight,
  } as unknown as SourceRuntime;
  return { source, outcomes, acquired };
}

describe('admission', () => {
  it('admits under the cap, with the breaker report to call once the attempt ends', async () => {
    const { source, outcomes } = runtime({ inFlight: 1 });
    const report = await admit(source, 'shared', undefined, 2);
    expect(typeof report).toBe('function');
    expect(outcomes).toEqual([]);
  });

  it('sheds at the cap, and tells the breaker the admission was neutral', async () => {
    const { source, outcomes } = runtime({ inFlight: 2 });
    expect(await admit(source, 'shared', undefined, 2)).toBe('shed');
    expect(outcomes).toEqual(['neutral']);
  });

  it('waits for pacing, by the partition key, only when the source is rate limited', async () => {
    const unpaced = runtime();
    await admit(unpaced.source, 'p1', undefined, 1);
    expect(unpaced.acquired).toEqual([]);
    const paced = runtime({ rateLimited: true });
    await admit(paced.source, 'p1', undefined, 1);
    expect(paced.acquired).toEqual(['p1']);
  });

  it('an open breaker refuses before the cap is looked at', async () => {
    const { source } = runtime();
    (source as { breaker: unknown }).breaker = {
      admit: () => {
        throw new GraftError('CIRCUIT_OPEN', 'open', { source: 'api' });
      },
    };
    await expect(admit(source, 'shared', undefined, 1)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});

describe('what counts against a source (the breaker)', () => {
  it('no answer, a slow, broken or TLS-failed one, and 5xx count; 4xx, 429 and refusals do not', () => {
    const counts = (code: ConstructorParameters<typeof GraftError>[0], status?: number) =>
      countsAgainstSource(new GraftError(code, 'x', { source: 'api', status }));
    expect([
      counts('UPSTREAM_TIMEOUT'),
      counts('UPSTREAM_BAD_RESPONSE', 200),
      counts('UPSTREAM_TLS_ERROR'),
      counts('UPSTREAM_UNAVAILABLE'),
      counts('UPSTREAM_ERROR', 503),
    ]).toEqual([true, true, true, true, true]);
    expect([
      counts('UPSTREAM_ERROR', 404),
      counts('UPSTREAM_UNAVAILABLE', 429),
      counts('UPSTREAM_CALL_BUDGET_EXCEEDED'),
      counts('NOT_FOUND', 404),
    ]).toEqual([false, false, false, false]);
  });
});
