/**
 * The run phase in-process: a graph compiled from SDL, executed by
 * graphql-js with a context whose one source is a fake bound source that
 * answers from a function and records every request it is given.
 */
import { execute, parse } from 'graphql';
import { GraftError } from '../../../src/errors.ts';
import { compileGraph } from '../../../src/mapping/graph.ts';
import { createCursorCodec } from '../../../src/pagination/cursor.ts';
import type { BoundSource } from '../../../src/sources/request-sources.ts';
import type { SourceAnswer } from '../../../src/sources/source-client.ts';
import type { UpstreamRequest } from '../../../src/sources/upstream-request.ts';

/** What the fake source answers: a body (status 200), or a GraftError it throws. */
export type Answerer = (request: UpstreamRequest) => unknown;

export interface FakeSource extends BoundSource {
  readonly requests: UpstreamRequest[];
  readonly invalidated: string[];
}

export function fakeSource(name: string, answer: Answerer): FakeSource {
  const requests: UpstreamRequest[] = [];
  const invalidated: string[] = [];
  const request = async (upstream: UpstreamRequest): Promise<SourceAnswer> => {
    requests.push(upstream);
    const body = answer(upstream);
    if (body instanceof GraftError) throw body;
    return { status: 200, headers: {}, body };
  };
  return {
    name,
    maxPageSize: 100,
    requests,
    invalidated,
    request,
    invalidate: async (paths) => void invalidated.push(...paths),
    linkRef: () => undefined,
    requestFor: () => undefined,
    fetch: async (shape, upstream) => shape.parse((await request(upstream)).body),
  };
}

/** Runs `query` over `sdl` (its @rest fields read source "api") with `api` as the bound source. */
export async function run(
  sdl: string,
  api: FakeSource,
  query: string,
  headers: Record<string, string> = {},
  /** The context the resolvers get, to change as the test runs (its deadline). */
  context: { deadlineAt: number } = { deadlineAt: Date.now() + 10_000 },
) {
  const { schema } = compileGraph({
    files: [{ name: 'graph.graphql', body: sdl }],
    sources: {
      api: { naming: 'camelCase', forwardHeaders: Object.keys(headers), maxPageSize: 100, pagination: undefined },
    },
  });
  const contextValue = {
    requestId: 'test',
    header: (name: string) => headers[name],
    sources: { api },
    cursors: createCursorCodec(),
    staleNotices: [],
  };
  return execute({ schema, document: parse(query), contextValue: Object.assign(context, contextValue) });
}
