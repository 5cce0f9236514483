import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSegment, path } from '../../src/core/upstream-path.ts';
import { GraftError } from '../../src/errors.ts';
import { buildUrl, toSearchParams } from '../../src/sources/url.ts';

const base = { origin: 'http://127.0.0.1:4001', prefix: '/api' };

describe('path', () => {
  it('encodes each value as one segment after the fixed prefix', () => {
    expect(buildUrl(base, path`/users/${'a/b'}/articles`, { limit: 5 })).toBe(
      'http://127.0.0.1:4001/api/users/a%2Fb/articles?limit=5',
    );
  });

  it.each(['', '.', '..', 'a\nb', 'a\rb', 'a\u0000b', 'x'.repeat(513), '\uD800'])(
    'refuses %j with BAD_USER_INPUT',
    (value) => {
      expect(() => path`/users/${value}`).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    },
  );

  it('property: any accepted value stays one segment on the configured origin and decodes back to itself', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('.', '/', '%', '?', '#', '\\', ':', '\uD800', '\r'),
            fc.string({ unit: 'binary', maxLength: 1 }),
          ),
          maxLength: 24,
        }),
        (value) => {
          let built: string;
          try {
            built = buildUrl(base, path`/users/${value}`);
          } catch (error) {
            expect(error).toBeInstanceOf(GraftError);
            return;
          }
          const url = new URL(built);
          expect(url.origin).toBe(base.origin);
          const segments = url.pathname.split('/');
          expect(segments).toHaveLength(4);
          expect(segments.slice(0, 3)).toEqual(['', 'api', 'users']);
          expect(url.search).toBe('');
          expect(decodeURIComponent(segments[3]!)).toBe(value);
          expect(['.', '..', '%2e', '%2E']).not.toContain(segments[3]);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('encodeSegment leaves unreserved characters readable', () => {
    expect(encodeSegment('user-1_2.x~')).toBe('user-1_2.x~');
  });
});

describe('toSearchParams', () => {
  it('omits null and undefined and repeats list keys', () => {
    expect(toSearchParams({ a: null, b: undefined, id: [1, 2], q: 'x y&z' }).toString()).toBe('id=1&id=2&q=x+y%26z');
  });
});
