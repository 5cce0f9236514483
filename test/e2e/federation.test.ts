/**
 * GraftQL as an Apollo Federation 2 subgraph (`server.federation`), in a
 * real supergraph: a REST service behind GraftQL, a second, plain subgraph
 * (graphql-yoga), the two composed with the Guild's composition library
 * from GraftQL's own `_service { sdl }`, and the supergraph served by a
 * real Hive Gateway. Queries that cross both subgraphs go through it; the
 * REST service counts the calls GraftQL makes for one `_entities` batch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import type { Graph } from '../../src/server/graph.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';

/** GraftQL's graph: users it owns (REST, with a batch form), and the catalog's products, to which it adds a price and a shipping estimate from REST. */
const GRAPH: Graph = {
  files: [
    {
      name: 'shop.graphql',
      body: `type User @node(fetch: "user") { id: ID! name: String! }
type Query {
  user(id: ID! @globalId(type: "User")): User
    @rest(source: "shop", path: "/users", batch: { key: "$args.id", param: "ids", style: COMMA }, selection: "users")
}
"The catalog's product: this graph adds what the shop's REST API knows of it."
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Price @rest(source: "shop", path: "/prices/{$parent.upc}")
  shippingEstimate: Int @requires(fields: "weight") @rest(source: "shop", path: "/shipping", query: { weight: "$parent.weight" }, selection: "cost")
}
type Price { amount: Float!, currency: String! }
"Nobody may read a secret: the config verifies no caller."
type Secret @node(fetch: "secret") { id: ID!, value: String! }
extend type Query { secret(id: ID! @globalId(type: "Secret")): Secret @authenticated @rest(source: "shop", path: "/secrets/{$args.id}") }`,
    },
  ],
};

/** The plain subgraph: reviews by users, of the catalog's products (which it owns). */
const REVIEWS_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Review { id: ID!, body: String!, author: User!, product: Product! }
type User @key(fields: "id", resolvable: false) { id: ID! }
type Product @key(fields: "upc") { upc: String!, name: String!, weight: Int }
type Query { reviews(first: Int!): [Review!]! }`;
const FEDERATION_DEFINITIONS = `directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT
directive @link(url: String!, import: [String!]) repeatable on SCHEMA`;

/**
 * Hive Gateway, loaded by a name TypeScript does not follow: its typings
 * augment graphql-js's GraphQLResolveInfo (@graphql-mesh/fusion-runtime),
 * which would change the type of the gateway's own code.
 */
const HIVE_GATEWAY: string = '@graphql-hive/gateway';
interface HiveGateway {
  createGatewayRuntime(options: { supergraph: string; logging: boolean }): Parameters<typeof createServer>[0] & {
    dispose(): Promise<void>;
  };
}

const servers: Server[] = [];
let restCalls: string[] = [];
let graftql: RunningGateway;
let reviewsUrl: string;

async function started(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const shopUrl = await started(
    createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://shop');
      restCalls.push(`${url.pathname}${url.search}`);
      const json = (body: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/users')
        return json({
          users: (url.searchParams.get('ids') ?? '').split(',').map((id) => ({ id, name: `User ${id}` })),
        });
      if (url.pathname.startsWith('/prices/'))
        return json({ amount: url.pathname.length, currency: decodeURIComponent(url.pathname.slice(8)).toUpperCase() });
      if (url.pathname === '/shipping') return json({ cost: Number(url.searchParams.get('weight')) * 2 });
      res.writeHead(404).end();
    }),
  );
  const config: GatewayConfig = {
    schema: 'unused',
    server: { port: 0, federation: true },
    sources: { shop: { url: shopUrl, hedge: { enabled: false } } },
  };
  graftql = await listen(
    createGateway(config, { env: {}, logger: createLogger({ level: 'silent' }), graph: GRAPH }),
    resolveConfig(config, {}),
  );
  const reviews = createYoga({
    schema: createSchema({
      typeDefs: `${FEDERATION_DEFINITIONS}\n${REVIEWS_SDL}`,
      resolvers: {
        Query: {
          reviews: (_: unknown, { first }: { first: number }) =>
            Array.from({ length: first }, (_item, index) => ({
              id: `r${index}`,
              body: `Review ${index}`,
              author: { id: `User:${index + 1}` },
              product: { upc: `p${index % 3}`, name: `Product ${index % 3}`, weight: (index % 3) + 1 },
            })),
        },
      },
    }),
    logging: false,
  });
  reviewsUrl = `${await started(createServer(reviews))}/graphql`;
});

afterAll(async () => {
  await graftql?.shutdown();
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('GraftQL as a federation subgraph', () => {
  it('composes with a plain subgraph from its own _service SDL, and Hive Gateway resolves 50 users in one REST call', async () => {
    const service = await postGraphQL(`${graftql.url}/graphql`, { query: '{ _service { sdl } }' });
    const sdl = (service.body.data?._service as { sdl: string }).sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.3"');
    // A @node(fetch:) type is an entity keyed by its global id, without saying so.
    expect(sdl).toMatch(/type User @key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Product @key\(fields: "upc"\)/);
    // The mapping directives are the gateway's own business; the supergraph never sees them.
    expect(sdl).not.toContain('@rest');
    const composed = composeServices([
      { name: 'graftql', typeDefs: parse(sdl), url: `${graftql.url}/graphql` },
      { name: 'reviews', typeDefs: parse(REVIEWS_SDL), url: reviewsUrl },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    const { createGatewayRuntime } = (await import(HIVE_GATEWAY)) as HiveGateway;
    // Hive's logger refuses the test run's LOG_LEVEL ('silent', pino's word) even when told not to log.
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';
    const hive = createGatewayRuntime({ supergraph: composed.supergraphSdl as string, logging: false });
    const hiveUrl = await started(createServer(hive));
    try {
      restCalls = [];
      const answer = await postGraphQL(`${hiveUrl}/graphql`, {
        query:
          '{ reviews(first: 50) { body author { id name } product { upc name price { currency } shippingEstimate } } }',
      });
      expect(answer.body.errors).toBeUndefined();
      const reviews = answer.body.data?.reviews as Array<Record<string, Record<string, unknown>>>;
      expect(reviews).toHaveLength(50);
      expect(reviews[6]).toEqual({
        body: 'Review 6',
        author: { id: 'User:7', name: 'User 7' },
        product: { upc: 'p0', name: 'Product 0', price: { currency: 'P0' }, shippingEstimate: 2 },
      });
      expect(reviews.map((review) => review.author?.name)).toEqual(
        Array.from({ length: 50 }, (_, index) => `User ${index + 1}`),
      );
      // One _entities batch of 50 users: one upstream call, with every id.
      const userCalls = restCalls.filter((call) => call.startsWith('/users'));
      expect(userCalls).toHaveLength(1);
      expect(
        decodeURIComponent(userCalls[0] ?? '')
          .split('=')[1]
          ?.split(','),
      ).toHaveLength(50);
      // The products' REST fields read the key and the @requires field from the representations.
      expect(restCalls.filter((call) => call.startsWith('/shipping')).sort()).toEqual([
        '/shipping?weight=1',
        '/shipping?weight=2',
        '/shipping?weight=3',
      ]);
    } finally {
      await hive.dispose();
      process.env.LOG_LEVEL = level;
    }
  });

  it('answers _entities item by item: an unknown type, a malformed id or a refused caller fails its item alone', async () => {
    restCalls = [];
    const answer = await postGraphQL(`${graftql.url}/graphql`, {
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { name } ... on Product { upc } } }',
      variables: {
        r: [
          { __typename: 'User', id: 'User:3' },
          { __typename: 'Nope', id: '1' },
          { __typename: 'User', id: 'Review:1' },
          { __typename: 'Product', upc: 'p9' },
          { __typename: 'Secret', id: 'Secret:1' },
        ],
      },
    });
    expect(answer.body.data).toEqual({ _entities: [{ name: 'User 3' }, null, null, { upc: 'p9' }, null] });
    expect(answer.body.errors?.map((error) => [error.path, error.extensions.code])).toEqual([
      [['_entities', 1], 'BAD_USER_INPUT'],
      [['_entities', 2], 'BAD_USER_INPUT'],
      // An entity is loaded as its Query field would be: that field's access rule holds, before any call.
      [['_entities', 4], 'UNAUTHENTICATED'],
    ]);
    expect(restCalls.filter((call) => call.startsWith('/secrets'))).toEqual([]);
  });
});
