/** Upstream records to the graph's shapes and back: names, paths, conversions, enums, global ids, drift. */
import { buildSchema, type GraphQLInputObjectType, GraphQLList, GraphQLNonNull, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAPPING_DIRECTIVES_SDL } from '../../src/mapping/directives.ts';
import { parseExpression } from '../../src/mapping/expression/parse-expression.ts';
import { createRecordMappers, DriftError, RAW, TYPENAME } from '../../src/mapping/records.ts';

const schema = buildSchema(`
  ${MAPPING_DIRECTIVES_SDL}
  type Query { a: Article }
  enum Category { TECH @from(value: "tech") FOOD @from(value: "food") OTHER }
  type Article {
    id: ID!
    title: String!
    createdAt: String!
    score: Int
    rating: Float @from(path: "stats.rating")
    first: String @from(path: "tags.0")
    publishedAt: String @from(path: "published", as: DATE_TIME_FROM_UNIX_SECONDS)
    rounded: Int @from(path: "raw_score", as: ROUNDED)
    category: Category
    author: Author
    tags: [String!]
  }
  type Author { name: String! }
  input ArticleInput { title: String!, authorId: ID @from(as: NUMBER), category: Category, coverUrl: String @from(path: "cover.url") }
`);

const nodes = new Map([['Article', { key: 'id', fetch: undefined }]]);
const mappers = createRecordMappers({ nodes, resolved: new Set() });
const article = (naming: 'camelCase' | 'snake_case') => (raw: unknown) =>
  mappers.output(schema.getType('Article') as GraphQLObjectType, naming)(raw, 'Article');
const record = {
  id: 7,
  title: 'T',
  created_at: '2026-01-01',
  score: 3,
  stats: { rating: 4.5 },
  tags: ['x', 'y'],
  published: 1_767_225_600,
  raw_score: 2.6,
  category: 'tech',
  author: { name: 'Ada' },
};

describe('output mapping', () => {
  it('renames by the source naming convention and @from paths, converts, maps enums and formats global ids', () => {
    const mapped = article('snake_case')(record) as Record<string, unknown>;
    // The fields are getters the type's mapped objects share; compare the values the graph reads.
    const fields = Object.keys((schema.getType('Article') as GraphQLObjectType).getFields());
    expect(Object.fromEntries(fields.map((name) => [name, mapped[name]]))).toEqual({
      id: 'Article:7',
      title: 'T',
      createdAt: '2026-01-01',
      score: 3,
      rating: 4.5,
      first: 'x',
      publishedAt: '2026-01-01T00:00:00.000Z',
      rounded: 3,
      category: 'TECH',
      author: expect.objectContaining({ name: 'Ada' }),
      tags: ['x', 'y'],
    });
  });

  it('reads a field from the record only when the graph reads it', () => {
    const reads: string[] = [];
    const watched = new Proxy(record, {
      get(target, key, receiver) {
        if (typeof key === 'string') reads.push(key);
        return Reflect.get(target, key, receiver);
      },
    });
    const mapped = article('snake_case')(watched) as Record<string, unknown>;
    expect(reads).toEqual([]);
    expect(mapped.title).toBe('T');
    expect(reads).toEqual(['title']);
  });

  it('maps a list body once, however many requests share it, and keeps the record behind each item', () => {
    const list = mappers.output(new GraphQLList(schema.getType('Article') as GraphQLObjectType), 'snake_case', 'cms');
    const body = [record, { ...record, id: 8 }];
    const first = list(body, 'articles') as Array<Record<PropertyKey, unknown>>;
    expect(list(body, 'articles')).toBe(first);
    expect(list([...body], 'articles')).not.toBe(first);
    expect(first.map((item) => item[RAW])).toEqual(body);
    expect(first[0]?.[RAW]).toBe(record);
    expect(first[0]?.[TYPENAME]).toBe('Article');
  });

  it('reads the upstream value behind a field, what $parent.field sees: the raw key of a global id', () => {
    const mapped = article('snake_case')(record);
    expect(mappers.upstreamOf(mapped, 'id')).toBe(7);
    expect(mappers.upstreamOf(mapped, 'createdAt')).toBe('2026-01-01');
    expect(mappers.upstreamOf(mapped, 'publishedAt')).toBe(1_767_225_600);
    expect(mappers.upstreamOf({ plain: 1 }, 'plain')).toBe(1);
  });

  it.each([
    ['a missing non-null field', { ...record, title: undefined }, 'title', 'Article.title is missing'],
    ['a string where an Int belongs', { ...record, score: '3' }, 'score', 'Article.score is not an integer'],
    [
      'an unknown enum value',
      { ...record, category: 'sports' },
      'category',
      'Article.category is not one of tech, food, OTHER',
    ],
    ['a non-list where a list belongs', { ...record, tags: 'x' }, 'tags', 'Article.tags is not a list'],
    ['a null inside a list of non-null', { ...record, tags: ['x', null] }, 'tags', 'Article.tags.1 is missing'],
    ['an object where a string belongs', { ...record, title: { text: 'T' } }, 'title', 'Article.title is not a string'],
    ['a nested record missing a non-null field', { ...record, author: {} }, 'author', 'Author.name is missing'],
  ])('holds %s as the drift of that field alone, naming it', (_name, raw, field, where) => {
    const mapped = article('snake_case')(raw) as Record<string, unknown>;
    const drift = field === 'author' ? (mapped.author as Record<string, unknown>).name : mapped[field];
    expect(drift).toBeInstanceOf(DriftError);
    expect((drift as DriftError).where).toBe(where);
    // The fields that fit answer: a query that does not select the drifted field is not refused.
    expect(mapped.createdAt).toBe('2026-01-01');
  });

  it('refuses a record that is not an object as a whole', () => {
    expect(() => article('snake_case')(['x'])).toThrow(DriftError);
    expect(() => article('snake_case')(['x'])).toThrow('Article is not an object');
  });

  it("codes a drifted field as the source's bad answer when the source is named", () => {
    const map = mappers.output(schema.getType('Article') as GraphQLObjectType, 'snake_case', 'news');
    const mapped = map({ ...record, score: 'high' }, 'Article') as Record<string, unknown>;
    expect(mapped.score).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      source: 'news',
      message: 'news sent a body of an unexpected shape (Article.score is not an integer).',
    });
    expect(mapped.title).toBe('T');
  });

  it('never reads through __proto__', () => {
    const hostile = JSON.parse('{"id": 1, "title": "T", "created_at": "c", "__proto__": {"score": 99}}') as object;
    expect((article('snake_case')(hostile) as { score: unknown }).score).toBeNull();
  });
});

describe('input mapping', () => {
  it("sends an input in the upstream's spelling: naming, @from paths and conversions, enum spellings, nulls left out", () => {
    const input = mappers.input(
      new GraphQLNonNull(schema.getType('ArticleInput') as GraphQLInputObjectType),
      'snake_case',
    );
    expect(input({ title: 'T', authorId: '17', category: 'FOOD', coverUrl: 'https://x/y.png' })).toEqual({
      title: 'T',
      author_id: 17,
      category: 'food',
      cover: { url: 'https://x/y.png' },
    });
    expect(input({ title: 'T', authorId: null })).toEqual({ title: 'T' });
  });
});

describe('@compute fields', () => {
  const computedSchema = buildSchema(`
    ${MAPPING_DIRECTIVES_SDL}
    type Query { p: Person }
    type Person { name: String!, label: String!, initials: String, age: Int! }
  `);
  const computed = new Map([
    ['Person.label', parseExpression('`${first_name} ${last_name}`.trim()')],
    ['Person.initials', parseExpression("first_name.upper() + '.'")],
    ['Person.age', parseExpression('born ?? null')],
  ]);
  const people = createRecordMappers({ nodes: new Map(), resolved: new Set(), computed });
  const person = (raw: unknown) =>
    people.output(computedSchema.getType('Person') as GraphQLObjectType, 'camelCase')(raw, 'Person');

  it('computes each from the whole record, and $parent reads the computed value', () => {
    const mapped = person({ name: 'Ada', first_name: 'Ada', last_name: 'Lovelace', born: 36 });
    expect(mapped).toMatchObject({ label: 'Ada Lovelace', initials: 'ADA.', age: 36 });
    expect(people.upstreamOf(mapped, 'label')).toBe('Ada Lovelace');
  });

  it('checks the value against the field type: null for a non-null field is drift, naming it', () => {
    const ageOf = (raw: object) => ((person(raw) as { age: unknown }).age as DriftError).where;
    expect(ageOf({ name: 'Ada', first_name: 'Ada' })).toBe('Person.age is missing');
    expect(ageOf({ name: 'Ada', first_name: 'Ada', born: 'old' })).toBe('Person.age is not an integer');
  });
});
