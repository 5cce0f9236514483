/** mapping/run/event-fields.ts and references.ts on their own: an @event field's subscribe and resolve, and how templates read a request. */
import { buildSchema, type GraphQLField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseValueTemplate } from '../../../src/core/template.ts';
import type { SourceEvent } from '../../../src/events/event-hub.ts';
import type { GatewayContext } from '../../../src/mapping/gateway-context.ts';
import type { EventPlan } from '../../../src/mapping/plan.ts';
import { DriftError, type RecordMappers } from '../../../src/mapping/records.ts';
import { eventField } from '../../../src/mapping/run/event-fields.ts';
import { accessor, readerOf, references } from '../../../src/mapping/run/references.ts';

const schema = buildSchema(
  'type Article { id: ID! } type Query { a: Int } type Subscription { articleUpdated(authorId: ID): Article }',
);
const definition = schema.getSubscriptionType()?.getFields().articleUpdated as GraphQLField<unknown, unknown>;
const plan: EventPlan = {
  kind: 'event',
  coordinate: 'Subscription.articleUpdated',
  decoding: [],
  source: 'content',
  types: ['article.updated'],
  selection: ['data'],
  filter: [['authorId', parseValueTemplate('$event.data.author_id')]],
  fetch: undefined,
};
const event = (authorId: number): SourceEvent =>
  ({ source: 'content', type: 'article.updated', body: { data: { id: 7, author_id: authorId } } }) as SourceEvent;

describe('an @event field', () => {
  it('subscribes to its source and types, accepting only the events its arguments name', () => {
    const asked: Array<{ source: string; types: ReadonlySet<string>; accepts?: (event: SourceEvent) => boolean }> = [];
    const context = {
      events: { subscribe: (options: (typeof asked)[number]) => asked.push(options) },
    } as unknown as GatewayContext;
    const field = eventField(plan, definition, {
      decode: undefined,
      mapValue: (raw) => raw,
      runnerOf: () => () => null,
    });
    field.subscribe(undefined, { authorId: '3' }, context);
    field.subscribe(undefined, {}, context);
    expect([...(asked[0]?.types ?? [])]).toEqual(['article.updated']);
    expect([asked[0]?.accepts?.(event(3)), asked[0]?.accepts?.(event(4))]).toEqual([true, false]);
    // No argument, no filter: every event of the types.
    expect(asked[1]?.accepts).toBeUndefined();
  });

  it('resolves an event from its body, and an object of the wrong shape as UPSTREAM_BAD_RESPONSE naming the source', () => {
    const field = eventField(plan, definition, {
      decode: undefined,
      mapValue: (raw) => {
        if (typeof (raw as { id?: unknown }).id !== 'number') throw new DriftError('Article.id');
        return raw;
      },
      runnerOf: () => () => null,
    });
    expect(field.resolve(event(3), {}, {} as GatewayContext)).toEqual({ id: 7, author_id: 3 });
    const broken = { source: 'content', type: 'article.updated', body: { data: { id: 'seven' } } } as SourceEvent;
    expect(() => field.resolve(broken, {}, {} as GatewayContext)).toThrow(
      expect.objectContaining({
        code: 'UPSTREAM_BAD_RESPONSE',
        message: 'content sent an event of an unexpected shape (Article.id).',
      }),
    );
  });

  it('reads the object through its fetch field when it has one, with arguments from the event', () => {
    const calls: unknown[] = [];
    const field = eventField(
      { ...plan, fetch: { query: 'Query.article', args: [['id', parseValueTemplate('$event.data.id')]] } },
      definition,
      {
        decode: undefined,
        mapValue: (raw) => raw,
        runnerOf: (coordinate) => (_parent, args) => calls.push([coordinate, args]),
      },
    );
    field.resolve(event(3), {}, {} as GatewayContext);
    expect(calls).toEqual([['Query.article', { id: 7 }]]);
  });
});

describe('references', () => {
  const mappers = {
    upstreamOf: (parent: unknown, name: string) => (parent as Record<string, unknown>)[`_${name}`],
  } as unknown as RecordMappers;
  const context = { header: (name: string) => ({ 'x-tenant': 'acme' })[name] } as unknown as GatewayContext;

  it('reads $args, $parent (through the record, in the upstream spelling) and $header directly', () => {
    const parent = { _team: { id: 9 } };
    expect(accessor(parseValueTemplate('$args.filter.q'), mappers)?.(parent, { filter: { q: 'x' } }, context)).toBe(
      'x',
    );
    expect(accessor(parseValueTemplate('$parent.team.id'), mappers)?.(parent, {}, context)).toBe(9);
    expect(accessor(parseValueTemplate('$header.X-Tenant'), mappers)?.(parent, {}, context)).toBe('acme');
    // Anything else goes through the evaluator.
    expect(accessor(parseValueTemplate('page-{$args.n}'), mappers)).toBeUndefined();
    expect(readerOf(parseValueTemplate('page-{$args.n}'), mappers)(parent, { n: 2 }, context)).toBe('page-2');
  });

  it('reads $result from what a write answered', () => {
    const resolve = references(mappers, undefined, {}, context, { _authorId: 4 });
    expect(resolve({ scope: 'result', path: ['authorId'], offset: 0 } as never)).toBe(4);
  });
});
