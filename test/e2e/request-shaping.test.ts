/**
 * Requests shaped as real APIs want them, end to end: a real local service
 * echoes what it received, and the tests read back the query arrays in
 * each spelling, a header from an argument, a nested JSON body built from
 * input objects in the upstream's spelling, and a field's own naming.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const SDL = /* GraphQL */ `
type Query {
  repeated(ids: [ID!]!, tag: String): Echo @rest(source: "echo", path: "/search", query: { id: "$args.ids", tag: "$args.tag" })
  comma(ids: [ID!]!): Echo @rest(source: "echo", path: "/search", query: { ids: "$args.ids" }, queryArrays: COMMA)
  brackets(ids: [ID!]!): Echo @rest(source: "echo", path: "/search", query: { ids: "$args.ids" }, queryArrays: BRACKETS)
  balance(account: String!): Echo @rest(source: "echo", path: "/balance", headers: ["X-Account: $args.account"])
}
type Mutation {
  placeOrder(input: OrderInput!, note: String, rush: Boolean): Echo
    @rest(
      source: "echo"
      method: POST
      path: "/orders"
      body: { order: { customer: "$args.input.customer", lines: "$args.input.lines", note: "$args.note" }, flags: ["$args.rush", true], via: "graftql" }
      naming: "snake_case"
    )
}
input OrderInput { customer: CustomerInput! lines: [LineInput!]! }
input CustomerInput { customerId: ID! emailAddress: String }
input LineInput { sku: String! quantity: Int! unitPrice: Float @from(path: "price.amount") }
type Echo {
  method: String!
  url: String!
  account: String @from(path: "headers.x-account")
  bodyText: String
}
`;

let service: Server;
let gateway: RunningGateway;
const query = (text: string) => postGraphQL(`${gateway.url}/graphql`, { query: text });
let received = 0;

beforeAll(async () => {
  service = createServer((req, res) => {
    received++;
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      // camelCase on the query fields' source; the mutation reads body_text, in its own snake_case.
      const echo = { method: req.method, url: req.url, headers: req.headers, bodyText: body, body_text: body };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
    });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const config = {
    server: { port: 0 },
    sources: { echo: { url: `http://127.0.0.1:${(service.address() as AddressInfo).port}` } },
  } as const;
  const graph = { files: [{ name: 'echo.graphql', body: SDL }] };
  const served = createGateway(config, { env: {}, logger: createLogger({ level: 'silent' } as never), graph });
  gateway = await listen(served, resolveConfig(config, {}));
});
afterAll(async () => {
  await gateway?.shutdown();
  await new Promise((resolve) => service.close(resolve));
});

describe('request shaping', () => {
  it('sends a list query value in each of the three spellings, each value encoded', async () => {
    const { body } = await query(
      '{ repeated(ids: ["1", "a&b"], tag: "x y") { url } comma(ids: ["1", "2"]) { url } brackets(ids: ["1", "2"]) { url } }',
    );
    expect(body.data).toEqual({
      repeated: { url: '/search?id=1&id=a%26b&tag=x+y' },
      comma: { url: '/search?ids=1%2C2' },
      brackets: { url: '/search?ids%5B%5D=1&ids%5B%5D=2' },
    });
  });

  it('sends a header from an argument, and refuses a value with a line break before any call', async () => {
    expect((await query('{ balance(account: "acc-7") { account } }')).body.data).toEqual({
      balance: { account: 'acc-7' },
    });
    const before = received;
    const injected = await query('{ balance(account: "a\\r\\nX-Evil: 1") { account } }');
    expect(injected.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(received).toBe(before);
  });

  it("builds a nested JSON body from input objects, in the field's own naming and each input field's @from", async () => {
    const { body } = await query(
      'mutation { placeOrder(input: { customer: { customerId: "c1", emailAddress: "a@b.c" }, lines: [{ sku: "S1", quantity: 2, unitPrice: 9.5 }, { sku: "S2", quantity: 1 }] }, rush: false) { method bodyText } }',
    );
    expect(body.errors).toBeUndefined();
    const echo = body.data?.placeOrder as { method: string; bodyText: string };
    expect(echo.method).toBe('POST');
    expect(JSON.parse(echo.bodyText)).toEqual({
      order: {
        customer: { customer_id: 'c1', email_address: 'a@b.c' },
        lines: [
          { sku: 'S1', quantity: 2, price: { amount: 9.5 } },
          { sku: 'S2', quantity: 1 },
        ],
      },
      flags: [false, true],
      via: 'graftql',
    });
  });
});
