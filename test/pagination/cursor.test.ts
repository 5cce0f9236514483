/** Signed cursors: tampering, forging, scoping and key rotation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCursorCodec } from '../../src/pagination/cursor.ts';

const k1 = { id: 'k1', secret: 'a'.repeat(32) };
const k2 = { id: 'k2', secret: 'b'.repeat(32) };
const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'valid';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('signed cursors', () => {
  const scope = createCursorCodec([k1]).scope('Query.users');

  it('round-trips a position', () => {
    expect(scope.decode(scope.encode({ r: '/x?cursor=abc', i: 3 }))).toEqual({ r: '/x?cursor=abc', i: 3 });
    expect(scope.decodeIndex(scope.encode(42))).toBe(42);
  });

  it('property: any change to a cursor, of any character at any place, is INVALID_CURSOR', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/%';
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 10_000 }),
          fc.record({ r: fc.option(fc.string()), i: fc.integer({ min: -1, max: 100 }) }),
        ),
        fc.nat(),
        fc.nat(),
        (position, at, pick) => {
          const cursor = scope.encode(position);
          const index = at % cursor.length;
          const replacement = alphabet[pick % alphabet.length] as string;
          fc.pre(cursor[index] !== replacement);
          const altered = cursor.slice(0, index) + replacement + cursor.slice(index + 1);
          expect(codeOf(() => scope.decode(altered))).toBe('INVALID_CURSOR');
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('property: a cursor with characters added or removed is INVALID_CURSOR', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 3 }),
        (position, at, inserted) => {
          const cursor = scope.encode(position);
          const insertAt = at % (cursor.length + 1);
          const removeAt = at % cursor.length;
          expect(codeOf(() => scope.decode(cursor.slice(0, insertAt) + inserted + cursor.slice(insertAt)))).toBe(
            'INVALID_CURSOR',
          );
          expect(codeOf(() => scope.decode(cursor.slice(0, removeAt) + cursor.slice(removeAt + 1)))).toBe(
            'INVALID_CURSOR',
          );
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('refuses a forged cursor (a position in the right shape, without the key)', () => {
    const payload = Buffer.from(JSON.stringify({ r: '../../oauth/token', i: 0 })).toString('base64url');
    expect(codeOf(() => scope.decode(`${payload}.k1.${'A'.repeat(22)}`))).toBe('INVALID_CURSOR');
  });

  it('refuses a cursor of another field or other filter arguments', () => {
    const codec = createCursorCodec([k1]);
    const cursor = codec.scope('User.articles', '7').encode(0);
    expect(codeOf(() => codec.scope('User.articles', '8').decode(cursor))).toBe('INVALID_CURSOR');
    expect(codeOf(() => codec.scope('Query.articles', '7').decode(cursor))).toBe('INVALID_CURSOR');
    expect(codec.scope('User.articles', '7').decode(cursor)).toBe(0);
  });

  it('verifies with every configured key and signs with the first: rotation', () => {
    const old = createCursorCodec([k1]).scope('s').encode(5);
    const rotated = createCursorCodec([k2, k1]).scope('s');
    expect(rotated.decode(old)).toBe(5);
    expect(rotated.encode(5)).toContain('.k2.');
    expect(codeOf(() => createCursorCodec([k2]).scope('s').decode(old))).toBe('INVALID_CURSOR');
  });

  it('draws a random key per codec when none is configured', () => {
    const cursor = createCursorCodec().scope('s').encode(1);
    expect(codeOf(() => createCursorCodec().scope('s').decode(cursor))).toBe('INVALID_CURSOR');
  });
});
