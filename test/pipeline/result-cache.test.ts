/** The result cache in isolation: given while their reads are unchanged, dropped once one is not, bounded by estimated bytes. */
import { describe, expect, it } from 'vitest';
import type { CachedRead } from '../../src/core/request-ledger.ts';
import { createResultCache } from '../../src/pipeline/result-cache.ts';

const read = (key: string): CachedRead => ({
  key,
  source: 'accounts',
  response: { status: 200, headers: {}, body: { key } },
});
const answer = (body: string, reads: readonly CachedRead[] = [read('a')]) => ({
  result: { data: { body } },
  body,
  reads,
});

describe('createResultCache', () => {
  it('gives an answer while its reads are unchanged, and forgets it for good once they are not', () => {
    let fresh = true;
    const asked: Array<readonly CachedRead[]> = [];
    const kept = createResultCache({
      maxBytes: 10_000,
      unchanged: (reads) => {
        asked.push(reads);
        return fresh;
      },
    });
    const given = answer('one');
    kept.store('k', given);
    expect(kept.get('k')).toBe(given);
    expect(asked).toEqual([given.reads]);
    fresh = false;
    expect(kept.get('k')).toBeUndefined();
    fresh = true;
    expect(kept.get('k')).toBeUndefined();
    expect(kept.get('other')).toBeUndefined();
  });

  it('keeps no more than maxBytes, as estimated from the key, twice the body and the reads, least recently used out first', () => {
    const kept = createResultCache({ maxBytes: 1_000, unchanged: () => true });
    // 1 + 2 × 200 + 64 = 465 bytes each: two fit, a third pushes out the one used least recently.
    const body = 'x'.repeat(200);
    kept.store('a', answer(body));
    kept.store('b', answer(body));
    expect(kept.get('a')).toBeDefined();
    kept.store('c', answer(body));
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')).toBeDefined();
    expect(kept.get('c')).toBeDefined();
    // One larger than the whole bound is not kept at all.
    kept.store('huge', answer('y'.repeat(600)));
    expect(kept.get('huge')).toBeUndefined();
    expect(kept.get('a')).toBeDefined();
  });
});
