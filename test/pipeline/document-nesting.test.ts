import { describe, expect, it } from 'vitest';
import { exceedsNesting } from '../../src/pipeline/document-nesting.ts';

describe('exceedsNesting', () => {
  it('counts selection sets, arguments and lists alike', () => {
    expect(exceedsNesting('{ a(x: [{ y: 1 }]) { b } }', 4)).toBe(false);
    expect(exceedsNesting('{ a(x: [{ y: 1 }]) { b } }', 3)).toBe(true);
  });

  it('stops at the limit on a document far deeper than the parser survives', () => {
    expect(exceedsNesting(`${'{ a '.repeat(200_000)}${'}'.repeat(200_000)}`, 76)).toBe(true);
  });

  it('skips brackets inside strings, escaped quotes, block strings and comments', () => {
    const quoted = `{ a(s: "{{{{ \\" [[[[", t: """ {{{{ \\""" ((((( """) # {{{{{{
      { b } }`;
    expect(exceedsNesting(quoted, 2)).toBe(false);
    expect(exceedsNesting(quoted, 1)).toBe(true);
  });

  it('lets the parser report an unterminated block string', () => {
    expect(exceedsNesting('{ a(s: """ {{{{{{ ', 2)).toBe(false);
  });
});
