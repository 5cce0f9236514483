/**
 * server.dedupe: identical queries in flight at once share one execution;
 * different variables, different identities (forwarded headers) and
 * mutations never do, and a caller that goes away does not cancel what the
 * others wait for. By default ('declared') only queries whose fields are all
 * declared share. Requests are held at a gate until every follower has
 * joined (seen in the debug log), so nothing here depends on timing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { type GraphQLResponse, startGateway, type TestGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway;
let example: TestGateway;
/** Serves the default ('declared') over a weather service that holds its answers at the gate. */
let declared: TestGateway;
let weather: Server;
let calls = { slow: 0, bump: 0, weather: 0 };
let release: () => void = () => {};
let gate = Promise.resolve();

const closeGate = () => {
  gate = new Promise<void>((resolve) => (release = resolve));
};

beforeAll(async () => {
  backends = await startBackends();
  const graph = {
    files: [{ name: 'gate.graphql', body: 'type Query { slow(n: Int!): Int }\ntype Mutation { bump: Int }' }],
    resolvers: {
      Query: {
        slow: async (_parent: unknown, { n }: { n: number }) => {
          calls.slow += 1;
          await gate;
          return n;
        },
      },
      Mutation: {
        bump: async () => {
          calls.bump += 1;
          await gate;
          return calls.bump;
        },
      },
    },
  };
  gateway = await startGateway(backends, { graph, server: { dedupe: true } });
  example = await startGateway(backends, { server: { dedupe: true }, responseCache: false });

  weather = createServer((req, res) => {
    calls.weather += 1;
    const city = new URL(req.url ?? '/', 'http://weather').searchParams.get('q');
    void gate.then(() =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: city })),
    );
  });
  await new Promise<void>((resolve) => weather.listen(0, '127.0.0.1', resolve));
  const declaredGraph = {
    files: [
      {
        name: 'declared.graphql',
        body: `type Query {
          weather(city: String!): Weather @rest(source: "weather", path: "/data/2.5/weather", query: { q: "$args.city" })
          slow(n: Int!): Int
        }
        type Weather { city: String! @from(path: "name") }`,
      },
    ],
    resolvers: { Query: graph.resolvers.Query },
  };
  const weatherUrl = `http://127.0.0.1:${(weather.address() as AddressInfo).port}`;
  declared = await startGateway(backends, {
    graph: declaredGraph,
    env: { WEATHER_URL: weatherUrl },
    responseCache: false,
  });
});
afterAll(async () => {
  await gateway.close();
  await example.close();
  await declared.close();
  weather.close();
  await backends.close();
});

const joined = (target: TestGateway) =>
  target.logs.filter((line) => line.includes('shares an identical query execution')).length;

/** Sends the requests at once, waits until `followers` of them joined a shared execution, then opens the gate. */
async function together(
  target: TestGateway,
  requests: Array<() => Promise<GraphQLResponse>>,
  followers: number,
): Promise<GraphQLResponse[]> {
  const before = joined(target);
  closeGate();
  const answers = Promise.all(requests.map((send) => send()));
  await until(() => joined(target) - before >= followers);
  release();
  return answers;
}

describe('server.dedupe', () => {
  it('ten identical queries in flight: one execution, ten identical answers', async () => {
    calls = { slow: 0, bump: 0, weather: 0 };
    const answers = await together(
      gateway,
      Array.from({ length: 10 }, () => () => gateway.query('{ slow(n: 1) }')),
      9,
    );
    expect(answers.map((answer) => answer.body)).toEqual(Array.from({ length: 10 }, () => ({ data: { slow: 1 } })));
    expect(calls.slow).toBe(1);
  });

  it('other variables are another execution', async () => {
    calls = { slow: 0, bump: 0, weather: 0 };
    const query = 'query ($n: Int!) { slow(n: $n) }';
    const answers = await together(
      gateway,
      [1, 1, 2, 2].map((n) => () => gateway.query(query, { n })),
      2,
    );
    expect(answers.map((answer) => answer.body.data)).toEqual([{ slow: 1 }, { slow: 1 }, { slow: 2 }, { slow: 2 }]);
    expect(calls.slow).toBe(2);
  });

  it('never shares a mutation', async () => {
    calls = { slow: 0, bump: 0, weather: 0 };
    closeGate();
    const answers = Promise.all([gateway.query('mutation { bump }'), gateway.query('mutation { bump }')]);
    await until(() => calls.bump === 2);
    release();
    expect((await answers).map((answer) => answer.body.data?.bump).sort()).toEqual([2, 2]);
  });

  it('a caller that goes away does not cancel the execution the others share', async () => {
    calls = { slow: 0, bump: 0, weather: 0 };
    const before = joined(gateway);
    closeGate();
    const leaving = new AbortController();
    const first = fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ slow(n: 3) }' }),
      signal: leaving.signal,
    }).catch((error: Error) => error.name);
    await until(() => calls.slow === 1);
    const staying = gateway.query('{ slow(n: 3) }');
    await until(() => joined(gateway) - before === 1);
    leaving.abort();
    expect(await first).toBe('AbortError');
    release();
    expect((await staying).body).toEqual({ data: { slow: 3 } });
  });

  it('callers with different forwarded credentials never share: each gets its own viewer', async () => {
    backends.accounts.setLatency(100);
    try {
      const asCaller = (id: number) => () =>
        example.query('{ viewer { id name } }', undefined, { authorization: `Bearer ${exampleUserToken(id)}` });
      const before = joined(example);
      const answers = await Promise.all([101, 102, 101, 102, 101, 102].map((id) => asCaller(id)()));
      expect(answers.map((answer) => answer.body.data)).toEqual(
        [101, 102, 101, 102, 101, 102].map((id) => ({ viewer: { id: `User:${id}`, name: seed.users[id - 1]!.name } })),
      );
      // At most two joins per identity; none across them (the answers above would show it).
      expect(joined(example) - before).toBeLessThanOrEqual(4);
    } finally {
      backends.accounts.setLatency(0);
    }
  });
});

describe("server.dedupe 'declared', the default", () => {
  it('queries of declared fields only share one execution', async () => {
    calls = { slow: 0, bump: 0, weather: 0 };
    const answers = await together(
      declared,
      Array.from({ length: 5 }, () => () => declared.query('{ weather(city: "Oslo") { city } }')),
      4,
    );
    expect(answers.map((answer) => answer.body)).toEqual(
      Array.from({ length: 5 }, () => ({ data: { weather: { city: 'Oslo' } } })),
    );
    expect(calls.weather).toBe(1);
  });

  it('a query that selects a hand-written field runs once per caller, declared fields beside it or not', async () => {
    for (const query of ['{ slow(n: 4) }', '{ slow(n: 5) weather(city: "Bergen") { city } }']) {
      calls = { slow: 0, bump: 0, weather: 0 };
      const before = joined(declared);
      closeGate();
      const answers = Promise.all(Array.from({ length: 3 }, () => declared.query(query)));
      await until(() => calls.slow === 3);
      release();
      for (const answer of await answers) expect(answer.body.errors).toBeUndefined();
      expect(joined(declared) - before).toBe(0);
    }
  });
});
