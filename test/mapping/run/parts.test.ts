/** The run phase's small parts on their own: argument decoding, request rendering, error mapping, shared reads, row mapping, prefetch. */
import { describe, expect, it } from 'vitest';
import { parsePathTemplate, parseValueTemplate } from '../../../src/core/template.ts';
import { GraftError } from '../../../src/errors.ts';
import type { Batch } from '../../../src/mapping/batch.ts';
import type { GatewayContext } from '../../../src/mapping/gateway-context.ts';
import type { RestPlan } from '../../../src/mapping/plan.ts';
import { asUpstreamDrift, DriftError, type RecordMappers } from '../../../src/mapping/records.ts';
import { argumentDecoder, decodeGlobalId } from '../../../src/mapping/run/arguments.ts';
import { mappedError, messageIn } from '../../../src/mapping/run/field-errors.ts';
import { Prefetchers, settleParents } from '../../../src/mapping/run/prefetch.ts';
import { isFixedRequest, requestRenderer, routeOf } from '../../../src/mapping/run/render-request.ts';
import { readKey, SINGLE_CALLS_PER_FIELD, sharedRead, stateOf } from '../../../src/mapping/run/request-state.ts';
import { rowMapping } from '../../../src/mapping/run/row-mapping.ts';
import type { BoundSource } from '../../../src/sources/request-sources.ts';

const plan = (overrides: Partial<RestPlan>): RestPlan => ({
  kind: 'rest',
  coordinate: 'Query.user',
  decoding: [],
  returns: 'User',
  list: false,
  source: 'api',
  method: 'GET',
  path: parsePathTemplate('/users/{$args.id}'),
  query: [],
  headers: [],
  body: undefined,
  selection: undefined,
  batch: undefined,
  paginate: undefined,
  result: undefined,
  invalidates: [],
  errors: [],
  maxAgeMs: undefined,
  filterArgs: [],
  member: undefined,
  answer: 'JSON',
  queryArrays: 'REPEAT',
  naming: undefined,
  ...overrides,
});

describe('argument decoding', () => {
  it('decodes global ids at any depth of input objects and lists, and enum spellings; leaves the rest as given', () => {
    const decode = argumentDecoder([
      ['id', { kind: 'globalId', type: 'User' }],
      ['filter', { kind: 'object', fields: [['owners', { kind: 'list', item: { kind: 'globalId', type: 'User' } }]] }],
      ['units', { kind: 'enum', spelled: new Map([['METRIC', 'metric']]) }],
    ]);
    expect(
      decode?.({ id: 'User:1', filter: { owners: ['User:2', 'User:3'], q: 'x' }, units: 'METRIC', other: 'as is' }),
    ).toEqual({
      id: '1',
      filter: { owners: ['2', '3'], q: 'x' },
      units: 'metric',
      other: 'as is',
    });
    expect(argumentDecoder([])).toBeUndefined();
  });

  it('refuses a malformed global id with BAD_USER_INPUT', () => {
    expect(() => decodeGlobalId('17', 'User')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('request rendering', () => {
  it('renders path, query, headers and a JSON body; a request with no template value is fixed', () => {
    const withBody = plan({
      method: 'POST',
      query: [
        ['tags', parseValueTemplate('$args.tags')],
        ['none', parseValueTemplate('$args.missing')],
      ],
      headers: [['x-trace', parseValueTemplate('$header.x-trace')]],
      body: { kind: 'json', value: { kind: 'object', fields: [['name', parseValueTemplate('$args.name')]] } },
    });
    const values: Record<string, unknown> = { id: 'a/b', tags: ['x', 'y'], name: 'Ada', 'x-trace': 't1' };
    const request = requestRenderer(withBody, undefined)(({ path }) => values[path[0] ?? '']);
    expect(request).toMatchObject({
      method: 'POST',
      route: '/users/{id}',
      query: { tags: ['x', 'y'] },
      headers: { 'x-trace': 't1' },
      json: { name: 'Ada' },
    });
    // The id is one path segment, whatever it holds (core/upstream-path.ts encodes it).
    expect(String(request?.path)).toBe('/users/a%2Fb');
    expect(requestRenderer(plan({}), undefined)(() => undefined)).toBeUndefined();
    expect(isFixedRequest(plan({ path: parsePathTemplate('/users') }))).toBe(true);
    expect(isFixedRequest(withBody)).toBe(false);
    expect(routeOf(parsePathTemplate('/users/{$parent.team.id}/posts'))).toBe('/users/{id}/posts');
  });
});

describe('error mapping', () => {
  it('maps a declared status with the message found in the body, and leaves other errors as they are', () => {
    const mapped = plan({
      errors: [{ status: 404, code: 'NOT_FOUND', message: ['error', 'detail'], member: undefined }],
    });
    const upstream = new GraftError('UPSTREAM_ERROR', 'x', {
      source: 'api',
      status: 404,
      upstreamBody: '{"error":{"detail":"no such user"}}',
    });
    expect(mappedError(mapped, upstream)).toMatchObject({ code: 'NOT_FOUND', message: 'no such user', status: 404 });
    const other = new GraftError('UPSTREAM_ERROR', 'x', { source: 'api', status: 500 });
    expect(mappedError(mapped, other)).toBe(other);
    expect(messageIn('not json', ['error'])).toBeUndefined();
    expect(messageIn(JSON.stringify({ errors: ['a', { field: 'b', message: 'c' }, 3] }), ['errors'])).toBe('a; b: c');
    expect(asUpstreamDrift(new DriftError('User.name'), 'api', 200)).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      status: 200,
    });
  });
});

describe('shared reads', () => {
  it('makes one call per read key in a request, and at most SINGLE_CALLS_PER_FIELD at once per field', async () => {
    const context = {} as GatewayContext;
    const state = stateOf(context);
    expect(stateOf(context)).toBe(state);
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const call = () => {
      running += 1;
      most = Math.max(most, running);
      return new Promise<{ status: number; headers: Record<string, string>; body: unknown }>((resolve) =>
        releases.push(() => {
          running -= 1;
          resolve({ status: 200, headers: {}, body: null });
        }),
      );
    };
    const read = plan({});
    const source = {} as BoundSource;
    const same = [
      sharedRead(
        state,
        readKey(read, { path: '/users/1' as never }),
        read,
        source,
        { path: '/users/1' as never },
        call,
      ),
      sharedRead(
        state,
        readKey(read, { path: '/users/1' as never }),
        read,
        source,
        { path: '/users/1' as never },
        call,
      ),
    ];
    expect(same[0]).toBe(same[1]);
    const many = Array.from({ length: 20 }, (_, i) =>
      sharedRead(state, `k${i}`, read, source, { path: `/users/${i}` as never }, call),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(most).toBe(SINGLE_CALLS_PER_FIELD);
    while (releases.length > 0) {
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([...same, ...many]);
    expect(most).toBe(SINGLE_CALLS_PER_FIELD);
  });
});

describe('row mapping and prefetch', () => {
  const mappers = {
    upstreamOf: (row: unknown, name: string) => (row as Record<string, unknown>)[name],
  } as unknown as RecordMappers;

  it('maps a list once per array, and groups it by a field once per array and field', () => {
    let mapped = 0;
    const rows = rowMapping((raw) => {
      mapped += 1;
      return { ...(raw as object) };
    }, mappers);
    const list = [{ team: 1 }, { team: 2 }, { team: 1 }];
    expect(rows.mapList(list, 'x')).toBe(rows.mapList(list, 'x'));
    const grouped = rows.groupList(list, 'x', 'team');
    expect(rows.groupList(list, 'x', 'team')).toBe(grouped);
    expect([...grouped.entries()].map(([key, group]) => [key, group.length])).toEqual([
      ['1', 2],
      ['2', 1],
    ]);
    expect(mapped).toBe(6);
  });

  it('prefetches level by level only what the request selects, and settles distinct parent keys once', async () => {
    const fetched: string[] = [];
    const prefetchers = new Prefetchers();
    const fetcher = (what: string, rows: unknown[]) => async (parents: readonly unknown[]) => {
      fetched.push(`${what} of ${parents.length}`);
      return rows;
    };
    prefetchers.add('Post.author', { returns: 'User', fetch: fetcher('authors', [{ id: 'u' }]) });
    prefetchers.add('User.team', { returns: 'Team', fetch: fetcher('teams', []) });
    const field = (name: string, below: unknown[] = []) => ({
      kind: 'Field',
      name: { kind: 'Name', value: name },
      selectionSet: { kind: 'SelectionSet', selections: below },
    });
    const scope = { schema: undefined, fragments: {}, variableValues: {} } as never;
    await prefetchers.prefetch(
      [{}, {}],
      'Post',
      [field('author', [field('team')])] as never,
      scope,
      {} as GatewayContext,
    );
    expect(fetched).toEqual(['authors of 2', 'teams of 1']);
    expect(prefetchers.has('Post')).toBe(true);
    expect(prefetchers.has('Team')).toBe(false);

    const settled: string[][] = [];
    const batch = { settle: async (keys: Iterable<string>) => void settled.push([...keys]) } as unknown as Batch;
    const keys = await settleParents(
      batch,
      [{ a: 1 }, { a: 2 }, { a: 1 }, { a: null }],
      (parent) => (parent as { a: unknown }).a,
      {} as GatewayContext,
    );
    expect([...keys]).toEqual(['1', '2']);
    expect(settled).toEqual([['1', '2']]);
  });
});
