import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMIT_DIRECTIVES_SDL, withLimitDirectives } from '../../src/pipeline/directives.ts';

describe("GraftQL's directive definitions", () => {
  it('schema/directives.graphql is a current copy', () => {
    const copy = readFileSync(new URL('../../schema/directives.graphql', import.meta.url), 'utf8');
    expect(copy.slice(copy.indexOf('\n') + 1)).toBe(LIMIT_DIRECTIVES_SDL.trimStart());
  });

  it('are added to a graph that leaves them out, and not twice to one that declares them', () => {
    expect(withLimitDirectives(['type Query { a: Int }']).join('\n')).toMatch(/directive @cost[\s\S]*directive @listSize[\s\S]*directive @length/);
    const own = ['type Query { a: Int }', 'directive @length(max: Int!) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION'];
    expect(withLimitDirectives(own).join('\n').match(/directive @length/g)).toHaveLength(1);
  });

  it('refuses a graph that declares one of them differently', () => {
    expect(() => withLimitDirectives(['type Query { a: Int }', 'directive @length(max: String) on ARGUMENT_DEFINITION'])).toThrow(/@length is declared as/);
  });
});
