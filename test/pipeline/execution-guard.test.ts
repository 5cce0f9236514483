/** The guard against execution outrunning its limits, on graphql-js and graphql-jit alike. */

import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createExecutionGuard, guardContext } from '../../src/pipeline/execution-guard.ts';
import { execute, makeExecutableSchema } from './guard-fixture.ts';

describe.each(['graphql-js', 'graphql-jit'] as const)('execution guard (%s)', (executor) => {
  it('counts resolved objects and list items', async () => {
    const guard = createExecutionGuard({ maxObjects: 1_000, deadlineAt: Infinity });
    const result = await execute(
      executor,
      makeExecutableSchema(),
      '{ items(count: 10) { id } }',
      guardContext({}, guard),
    );
    expect(result.errors).toBeUndefined();
    expect(guard.objects()).toBe(10); // the list's items
  });

  it("counts a connection's edges with the connection, which has no resolver of its own", async () => {
    const schema = makeExecutableSchema();
    const guard = createExecutionGuard({ maxObjects: 1_000, deadlineAt: Infinity });
    const result = await execute(
      executor,
      schema,
      '{ page(count: 10) { edges { node { id } } } }',
      guardContext({}, guard),
    );
    expect(result.errors).toBeUndefined();
    expect(guard.objects()).toBe(11); // the connection and its edges
    expect((schema.getType('ItemConnection') as GraphQLObjectType).getFields().edges?.resolve).toBeUndefined();

    const small = createExecutionGuard({ maxObjects: 50, deadlineAt: Infinity });
    void execute(executor, schema, '{ page(count: 100) { edges { node { id } } } }', guardContext({}, small));
    expect(await small.stopped).toMatchObject({ code: 'RESPONSE_TOO_LARGE', facts: { limit: 50 } });
  });

  it('counts the edges of a connection returned through an interface field', async () => {
    const guard = createExecutionGuard({ maxObjects: 1_000, deadlineAt: Infinity });
    const result = await execute(
      executor,
      makeExecutableSchema(),
      '{ listing(count: 10) { kind ... on ItemConnection { edges { node { id } } } } }',
      guardContext({}, guard),
    );
    expect(result.errors).toBeUndefined();
    expect(guard.objects()).toBe(11);
  });

  it('stops at the object limit without producing an error per remaining field', async () => {
    const guard = createExecutionGuard({ maxObjects: 50, deadlineAt: Infinity });
    const run = execute(
      executor,
      makeExecutableSchema(),
      '{ items(count: 100) { id next { id next { id } } } }',
      guardContext({}, guard),
    );
    const stopped = await guard.stopped;
    expect(stopped).toMatchObject({ code: 'RESPONSE_TOO_LARGE', facts: { limit: 50 } });
    // The executor waits on a promise that never settles; nothing else is produced.
    const settled = await Promise.race([
      run.then(() => 'settled'),
      new Promise((resolve) => setImmediate(() => resolve('pending'))),
    ]);
    expect(settled).toBe('pending');
    expect(guard.objects()).toBeLessThan(200);
  });

  it('stops once the deadline has passed, read from the injected clock', async () => {
    let now = 0;
    const guard = createExecutionGuard({ maxObjects: 1_000_000, deadlineAt: 100, now: () => now });
    const schema = makeExecutableSchema({ onResolve: () => (now += 1) });
    void execute(executor, schema, '{ items(count: 500) { id next { id } } }', guardContext({}, guard));
    expect(await guard.stopped).toMatchObject({ code: 'GATEWAY_TIMEOUT' });
    expect(now).toBeLessThan(200);
  });
});
