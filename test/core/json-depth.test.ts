import { describe, expect, it } from 'vitest';
import { deeperThan, exceedsJsonDepth } from '../../src/core/json-depth.ts';

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects', () => {
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
  });

  it('ignores brackets inside strings, including escaped quotes', () => {
    expect(exceedsJsonDepth('{"a":"[[[[\\"[[[["}', 1)).toBe(false);
  });

  it('stops early on a hostile 1,000,000-deep text', () => {
    expect(exceedsJsonDepth('['.repeat(1_000_000), 64)).toBe(true);
  });

  it('agrees with a recursive measure on real documents', () => {
    const doc = { users: [{ id: 1, tags: [['a'], { b: { c: [] } }] }] };
    const depth = (value: unknown): number =>
      value && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depth)) : 0;
    const text = JSON.stringify(doc);
    expect(exceedsJsonDepth(text, depth(doc))).toBe(false);
    expect(exceedsJsonDepth(text, depth(doc) - 1)).toBe(true);
  });
});

describe('deeperThan (a parsed value)', () => {
  it('agrees with exceedsJsonDepth on the text, at every limit around the depth', () => {
    const documents = [
      { users: [{ id: 1, tags: [['a'], { b: { c: [] } }] }] },
      [[[[]]], {}, [{ a: [1, 2, { b: null }] }]],
      'text',
      [],
      { a: { b: { c: { d: { e: [[['deep']]] } } } } },
    ];
    for (const document of documents)
      for (let limit = 0; limit < 12; limit++)
        expect([document, limit, deeperThan(document, limit)]).toEqual([
          document,
          limit,
          exceedsJsonDepth(JSON.stringify(document), limit),
        ]);
  });

  it('walks no deeper than its limit on a 1,000,000-deep value', () => {
    const text = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(deeperThan(JSON.parse(text), 64)).toBe(true);
  });
});
