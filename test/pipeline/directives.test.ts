import { readFileSync } from 'node:fs';
import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GATEWAY_DIRECTIVES_SDL, parseFiles, withGatewayDefinitions } from '../../src/mapping/sdl.ts';

const names = (sdl: string) =>
  withGatewayDefinitions(parseFiles([{ name: 'graph.graphql', body: sdl }])).definitions.flatMap((definition) =>
    definition.kind === Kind.DIRECTIVE_DEFINITION ? [definition.name.value] : [],
  );

describe("GraftQL's directive definitions", () => {
  it('schema/directives.graphql is a current copy', () => {
    const copy = readFileSync(new URL('../../schema/directives.graphql', import.meta.url), 'utf8');
    expect(copy.slice(copy.indexOf('\n') + 1)).toBe(GATEWAY_DIRECTIVES_SDL.trimStart());
  });

  it('are added to a graph that leaves them out, and not twice to one that declares them', () => {
    expect(names('type Query { a: Int }')).toEqual(
      expect.arrayContaining(['rest', 'from', 'cost', 'listSize', 'length', 'range']),
    );
    const own = names(
      'type Query { a: Int }\n"Its own words."\ndirective @length("At least." min: Int, max: Int) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION',
    );
    expect(own.filter((name) => name === 'length')).toHaveLength(1);
  });

  it('refuse a graph that declares one of them differently, naming where', () => {
    expect(() => names('type Query { a: Int }\ndirective @length(max: String) on ARGUMENT_DEFINITION')).toThrow(
      /graph\.graphql:2:1: The directive @length differs from GraftQL's/,
    );
  });
});
