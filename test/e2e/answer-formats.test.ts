/**
 * Answers that are not JSON objects, end to end: a real local service
 * answers in each style (text, CSV, XML, NDJSON, JSON:API, 204, a bare JSON
 * scalar, and the wrong content type), a real gateway maps them with the
 * directives, and the client gets records, or a coded error naming what came.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { BOOKS_XML, EVENTS_NDJSON, JSON_API_ARTICLES, ONE_BOOK_XML, RATES_CSV } from '../fixtures/answer-formats.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const ANSWERS: Record<string, { status?: number; type?: string; body?: string }> = {
  '/motd': { type: 'text/plain; charset=utf-8', body: 'Maintenance at noon.\n' },
  '/rates.csv': { type: 'text/csv', body: RATES_CSV },
  '/catalog.xml': { type: 'application/xml', body: BOOKS_XML },
  '/one-book.xml': { type: 'text/xml', body: ONE_BOOK_XML },
  '/events': { type: 'application/x-ndjson', body: EVENTS_NDJSON },
  '/articles': { type: 'application/vnd.api+json', body: JSON.stringify(JSON_API_ARTICLES) },
  '/nothing': { status: 204 },
  '/count': { type: 'application/json', body: '42' },
  '/maintenance': { type: 'text/html', body: '<html><body>Down for maintenance</body></html>' },
  '/broken.xml': { type: 'application/xml', body: '<catalog><book></catalog>' },
  '/things': {
    type: 'application/json',
    body: JSON.stringify([
      { kind: 'film', title: 'Arrival', runtime: 116 },
      { kind: 'opera', title: 'Tosca' },
    ]),
  },
  '/orders/1': { type: 'application/json', body: '{"id":1,"total":12.5}' },
  '/orders/404': { status: 404, type: 'application/json', body: '{"message":"No order 404."}' },
  '/orders/500': { status: 500, type: 'application/json', body: '{"message":"boom"}' },
  '/orders': {
    status: 422,
    type: 'application/json',
    body: '{"errors":[{"field":"qty","message":"must be positive"}]}',
  },
};

const SDL = /* GraphQL */ `
type Query {
  motd: String @rest(source: "files", path: "/motd", answer: TEXT)
  rates: [Rate!]! @rest(source: "files", path: "/rates.csv", answer: CSV)
  catalog: [Book!]! @rest(source: "files", path: "/catalog.xml", answer: XML, selection: "catalog.book")
  lonelyCatalog: [Book!]! @rest(source: "files", path: "/one-book.xml", answer: XML, selection: "catalog.book")
  detected: [Book!]! @rest(source: "files", path: "/catalog.xml", answer: AUTO, selection: "catalog.book")
  events: [Event!]! @rest(source: "files", path: "/events", answer: NDJSON)
  articles: [Article!]! @rest(source: "files", path: "/articles", answer: JSON_API, selection: "data")
  nothing: String @rest(source: "files", path: "/nothing")
  count: Int @rest(source: "files", path: "/count")
  maintenance: [Book!] @rest(source: "files", path: "/maintenance", answer: XML, selection: "catalog.book")
  broken: [Book!] @rest(source: "files", path: "/broken.xml", answer: XML, selection: "catalog.book")
  jsonExpected: [Book!] @rest(source: "files", path: "/catalog.xml")
}
type Mutation {
  createOrder(qty: Int!): OrderCreation
    @rest(source: "files", method: POST, path: "/orders", body: { qty: "$args.qty" }, type: "Order", errors: [{ status: 422, type: "ValidationFailed" }])
}
extend type Query {
  order(id: ID!): OrderResult
    @rest(source: "files", path: "/orders/{$args.id}", type: "Order", errors: [{ status: 404, type: "NotFound" }])
}
extend type Query {
  media(first: Int, after: String): MediaConnection
    @rest(source: "files", path: "/media", paginate: { style: OFFSET, items: "items", total: "total" })
}
interface Media @discriminate(has: { isbn: "Novel", runtime: "Film" }, default: "Podcast") { title: String! }
type Novel implements Media { title: String! isbn: String! }
type Film implements Media { title: String! runtime: Int! }
type Podcast implements Media { title: String! episodes: Int! }
union Thing @discriminate(field: "kind", values: { film: "Film", novel: "Novel" }) = Film | Novel
extend type Query {
  things: [Thing!] @rest(source: "files", path: "/things")
  firstThing: Thing @rest(source: "files", path: "/things", selection: "0")
}
union OrderResult = Order | NotFound
union OrderCreation = Order | ValidationFailed
type Order { id: ID! total: Float! }
type NotFound { status: Int! message: String! }
type ValidationFailed { status: Int! problems: [FieldProblem!]! @from(path: "errors") }
type FieldProblem { field: String! message: String! }
type Rate { currency: String! rate: Float! @from(as: NUMBER) name: String }
type Book {
  id: ID!
  title: String!
  price: Float! @from(as: NUMBER)
  authors: [String!]! @from(path: "author")
  label: String! @compute(expr: "\`\${title} (\${genre}, \${price} USD)\`")
}
type Event { type: String! at: String! }
type Article { id: ID! title: String! author: Person comments: [Comment!]! }
type Person { id: ID! firstName: String lastName: String }
type Comment { id: ID! body: String! author: Person }
`;

/** Books, films and podcasts in one list: which each is, the fields it has say. */
const MEDIA = [
  { title: 'Midnight Rain', isbn: '978-0-00-000001-1' },
  { title: 'Arrival', runtime: 116 },
  { title: 'Lore', episodes: 300 },
  { title: 'Maeve Ascendant', isbn: '978-0-00-000002-8' },
];

function mediaPage(query: URLSearchParams, res: import('node:http').ServerResponse): void {
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 20);
  const body = { items: MEDIA.slice(offset, offset + limit), total: MEDIA.length };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

let service: Server;
let gateway: RunningGateway;
const accepted = new Map<string, IncomingHttpHeaders['accept']>();
const query = (text: string) => postGraphQL(`${gateway.url}/graphql`, { query: text });

beforeAll(async () => {
  service = createServer((req, res) => {
    const path = req.url ?? '/';
    accepted.set(path, req.headers.accept);
    if (path.startsWith('/media?')) return void mediaPage(new URL(path, 'http://x').searchParams, res);
    const answer = ANSWERS[path];
    if (!answer) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    res.writeHead(answer.status ?? 200, answer.type ? { 'content-type': answer.type } : {}).end(answer.body);
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const config = {
    server: { port: 0 },
    sources: { files: { url: `http://127.0.0.1:${(service.address() as AddressInfo).port}` } },
  } as const;
  const graph = { files: [{ name: 'files.graphql', body: SDL }] };
  const served = createGateway(config, { env: {}, logger: createLogger({ level: 'silent' } as never), graph });
  gateway = await listen(served, resolveConfig(config, {}));
});
afterAll(async () => {
  await gateway?.shutdown();
  await new Promise((resolve) => service.close(resolve));
});

describe('errors as data: statuses a field declares become members of its union', () => {
  const fragment = '__typename ... on Order { id total } ... on NotFound { status message }';

  it('a 404 as a NotFound, a 200 as the Order, an undeclared 500 still an error', async () => {
    const { body } = await query(
      `{ found: order(id: "1") { ${fragment} } missing: order(id: "404") { ${fragment} } failing: order(id: "500") { ${fragment} } }`,
    );
    expect(body.data).toEqual({
      found: { __typename: 'Order', id: '1', total: 12.5 },
      missing: { __typename: 'NotFound', status: 404, message: 'No order 404.' },
      failing: null,
    });
    expect(body.errors?.map((error) => [error.path, error.extensions.code])).toEqual([[['failing'], 'UPSTREAM_ERROR']]);
  });

  it('a write refused with 422 as ValidationFailed, its field problems as data', async () => {
    const response = await postGraphQL(`${gateway.url}/graphql`, {
      query:
        'mutation { createOrder(qty: -1) { __typename ... on ValidationFailed { status problems { field message } } } }',
    });
    expect(response.body).toEqual({
      data: {
        createOrder: {
          __typename: 'ValidationFailed',
          status: 422,
          problems: [{ field: 'qty', message: 'must be positive' }],
        },
      },
    });
  });
});

describe('an interface in a connection', () => {
  it('pages through records of several members, each picked by the fields it has', async () => {
    const first = await query(
      '{ media(first: 3) { totalCount edges { node { __typename title ... on Film { runtime } ... on Podcast { episodes } } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.body.errors).toBeUndefined();
    const page = first.body.data?.media as {
      totalCount: number;
      edges: Array<{ node: Record<string, unknown> }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(page.totalCount).toBe(4);
    expect(page.edges.map((edge) => edge.node)).toEqual([
      { __typename: 'Novel', title: 'Midnight Rain' },
      { __typename: 'Film', title: 'Arrival', runtime: 116 },
      { __typename: 'Podcast', title: 'Lore', episodes: 300 },
    ]);
    const next = await query(
      `{ media(first: 3, after: "${page.pageInfo.endCursor}") { edges { node { __typename title } } } }`,
    );
    expect(next.body.data).toEqual({ media: { edges: [{ node: { __typename: 'Novel', title: 'Maeve Ascendant' } }] } });
  });
});

describe('a union over an answer with a member it does not map', () => {
  it('answers UPSTREAM_BAD_RESPONSE naming the value, never a record of the wrong type; mapped records elsewhere keep their data', async () => {
    const { body } = await query('{ things { __typename } firstThing { ... on Film { title runtime } } }');
    expect(body.data).toEqual({ things: null, firstThing: { title: 'Arrival', runtime: 116 } });
    expect(body.errors?.[0]).toMatchObject({
      message: 'files sent a body of an unexpected shape (things.1 is a Thing of no member: kind is "opera").',
      path: ['things'],
      extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'files' },
    });
  });
});

describe('answers that are not JSON objects', () => {
  it('text/plain as a String, asking for text', async () => {
    expect((await query('{ motd }')).body).toEqual({ data: { motd: 'Maintenance at noon.\n' } });
    expect(accepted.get('/motd')).toBe('text/plain');
  });

  it('CSV as rows, converted by @from like JSON', async () => {
    expect((await query('{ rates { currency rate name } }')).body).toEqual({
      data: {
        rates: [
          { currency: 'EUR', rate: 1, name: 'Euro, the common one' },
          { currency: 'USD', rate: 1.08, name: null },
          { currency: 'JPY', rate: 161.2, name: 'Yen' },
        ],
      },
    });
    expect(accepted.get('/rates.csv')).toBe('text/csv');
  });

  it('XML as records: attributes and elements as fields, one element where the graph says list a list of one, computed fields too', async () => {
    const { body } = await query('{ catalog { id title price authors label } lonelyCatalog { id authors } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      catalog: [
        {
          id: 'bk101',
          title: "XML Developer's Guide",
          price: 44.95,
          authors: ['Gambardella, Matthew'],
          label: "XML Developer's Guide (Computer, 44.95 USD)",
        },
        {
          id: 'bk102',
          title: 'Midnight Rain',
          price: 5.95,
          authors: ['Ralls, Kim', 'Corets, Eva'],
          label: 'Midnight Rain (Fantasy, 5.95 USD)',
        },
      ],
      lonelyCatalog: [{ id: 'bk103', authors: ['Corets, Eva'] }],
    });
    expect(accepted.get('/catalog.xml')).toBe('application/xml, text/xml');
  });

  it('AUTO reads the format the content type says', async () => {
    const { body } = await query('{ detected { id } }');
    expect(body.data).toEqual({ detected: [{ id: 'bk101' }, { id: 'bk102' }] });
  });

  it('NDJSON as a list', async () => {
    const { body } = await query('{ events { type at } }');
    expect((body.data?.events as unknown[]).length).toBe(3);
    expect(body.data?.events).toContainEqual({ type: 'issue', at: '2026-12-01T10:05:00Z' });
  });

  it("JSON:API's compound document as records, relationships resolved through included", async () => {
    const { body } = await query(
      '{ articles { id title author { firstName } comments { body author { id firstName } } } }',
    );
    expect(body).toEqual({
      data: {
        articles: [
          {
            id: '1',
            title: 'JSON:API paints my bikeshed!',
            author: { firstName: 'Dan' },
            comments: [
              { body: 'First!', author: { id: '2', firstName: null } },
              { body: 'I like XML better', author: { id: '9', firstName: 'Dan' } },
            ],
          },
        ],
      },
    });
  });

  it('a 204 as null, and a bare JSON scalar as the value', async () => {
    expect((await query('{ nothing count }')).body).toEqual({ data: { nothing: null, count: 42 } });
  });

  it('the wrong content type, or a body its format cannot read, is UPSTREAM_BAD_RESPONSE naming what came; other fields keep their data', async () => {
    const { body } = await query('{ maintenance { id } broken { id } jsonExpected { id } motd }');
    expect(body.data).toEqual({ maintenance: null, broken: null, jsonExpected: null, motd: 'Maintenance at noon.\n' });
    const byField = Object.fromEntries((body.errors ?? []).map((error) => [error.path?.[0], error]));
    expect(byField.maintenance).toMatchObject({
      message: 'files sent a text/html body where XML was expected.',
      extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'files', status: 200 },
    });
    expect(byField.broken?.message).toMatch(/^files sent a body that is not valid XML \(/);
    expect(byField.jsonExpected?.message).toBe('files sent a application/xml body where JSON was expected.');
  });
});
