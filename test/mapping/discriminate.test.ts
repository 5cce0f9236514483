/**
 * Records of a union or interface, mapped as the member `@discriminate`
 * picks: on random discriminator values, exactly the mapped member, or
 * drift (UPSTREAM_BAD_RESPONSE to the client) naming why; never a record
 * of the wrong type.
 */
import fc from 'fast-check';
import { buildSchema, type GraphQLObjectType, type GraphQLUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAPPING_DIRECTIVES_SDL } from '../../src/mapping/directives.ts';
import type { DiscriminatorPlan } from '../../src/mapping/plan.ts';
import { createRecordMappers, DriftError, TYPENAME } from '../../src/mapping/records.ts';

const schema = buildSchema(`
  ${MAPPING_DIRECTIVES_SDL}
  type Query { a: Item }
  type Book { title: String! }
  type Film { title: String!, runtime: Int }
  type Song { title: String! }
  union Item = Book | Film | Song
`);

const byValue: DiscriminatorPlan = {
  type: 'Item',
  members: ['Book', 'Film', 'Song'],
  field: ['meta', 'kind'],
  values: new Map([
    ['book', 'Book'],
    ['film', 'Film'],
    ['7', 'Song'],
  ]),
  has: [],
  fallback: undefined,
};

function mapperFor(plan: DiscriminatorPlan) {
  const mappers = createRecordMappers({
    nodes: new Map(),
    resolved: new Set(),
    discriminators: new Map([['Item', plan]]),
    objectType: (name) => schema.getType(name) as GraphQLObjectType,
  });
  return mappers.output(schema.getType('Item') as GraphQLUnionType, 'camelCase');
}

describe('@discriminate', () => {
  it('on random discriminator values, picks exactly the mapped member or reports drift', () => {
    const map = mapperFor(byValue);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom('book', 'film', 7, '7', 'Book', 'song', '', null),
          fc.string(),
          fc.integer(),
          fc.boolean(),
        ),
        (kind) => {
          const expected = byValue.values?.get(String(kind));
          const raw = { meta: { kind }, title: 't' };
          if (expected && (typeof kind === 'string' || typeof kind === 'number')) {
            expect((map(raw, 'Query.a') as Record<symbol, unknown>)[TYPENAME]).toBe(expected);
          } else {
            expect(() => map(raw, 'Query.a')).toThrow(DriftError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names the value that picked nothing', () => {
    expect(() => mapperFor(byValue)({ meta: { kind: 'podcast' }, title: 't' }, 'Query.a')).toThrow(
      'Query.a is a Item of no member: meta.kind is "podcast"',
    );
  });

  it('without values, the field holds the member name; then presence, then the default', () => {
    const map = mapperFor({
      ...byValue,
      field: ['__typename'],
      values: undefined,
      has: [[['runtime'], 'Film']],
      fallback: 'Book',
    });
    const typeOf = (raw: object) => (map(raw, 'Query.a') as Record<symbol, unknown>)[TYPENAME];
    expect(typeOf({ __typename: 'Song', title: 't' })).toBe('Song');
    expect(typeOf({ __typename: 'Podcast', title: 't', runtime: 3 })).toBe('Film');
    expect(typeOf({ title: 't', runtime: null })).toBe('Book');
    // The member's own fields are checked as for any record.
    const film = map({ __typename: 'Film', runtime: 3 }, 'Query.a') as { title: unknown };
    expect((film.title as DriftError).where).toBe('Film.title is missing');
  });
});
