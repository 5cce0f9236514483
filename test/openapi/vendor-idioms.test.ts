/**
 * The idioms of real vendor documents that broke the import (each seen in
 * one of the corpus's documents: scripts/openapi-corpus.ts), in one small
 * document: imported, compiled, and served against a real local service
 * that answers as those vendors do, through a real gateway.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { MAPPING_TYPE_NAMES } from '../../src/mapping/directives.ts';
import { isReservedTypeName } from '../../src/openapi/document-import.ts';
import { type ImportResult, importOpenApi } from '../../src/openapi/import-openapi.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const json = (schema: object) => ({ description: 'ok', content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'vendor idioms', version: '1' },
  components: {
    schemas: {
      // A schema named as a root type (Stripe's, DigitalOcean's) and one with a space (ShipEngine's, against the specification).
      Subscription: {
        type: 'object',
        required: ['id', 'plan'],
        properties: {
          id: { type: 'string' },
          // The nullable idioms, and an expandable field (Stripe's anyOf: [string, $ref]).
          plan: { anyOf: [ref('Plan'), { type: 'null' }] },
          previous: { oneOf: [{ type: 'null' }, ref('Plan')] },
          customer: { anyOf: [{ type: 'string' }, ref('Customer')] },
          discount: { nullable: true, allOf: [ref('Plan')] },
          // One of two objects each saying what it is (Stripe's external accounts, by their `object`): a union.
          payout: { oneOf: [ref('Card'), ref('BankAccount')] },
          // The document's discriminator, its mapping for one member, the schema name for the other;
          // `type: object` beside the oneOf says nothing more (Spotify's).
          pet: {
            type: 'object',
            oneOf: [ref('Cat'), ref('Dog')],
            discriminator: { propertyName: 'pet_type', mapping: { kitty: '#/components/schemas/Cat' } },
          },
          // Told apart by the property each alone requires.
          contact: { anyOf: [ref('EmailContact'), ref('PhoneContact')] },
          // Nothing tells them apart: one type, either's values fit.
          owner: { oneOf: [ref('Plan'), ref('Customer')] },
          // Bytes past 32 bits (GitHub's storage_in_bytes).
          storage: { type: 'integer', example: 34_359_738_368 },
          note: { type: 'string', description: 'A note\\with a backslash, and \\# a hash' },
        },
      },
      Plan: { type: 'object', properties: { name: { type: 'string' } } },
      Customer: { type: 'object', properties: { email: { type: 'string' } } },
      Card: {
        type: 'object',
        properties: { object: { type: 'string', enum: ['card'] }, last4: { type: 'string' } },
      },
      BankAccount: {
        type: 'object',
        properties: { object: { type: 'string', enum: ['bank_account'] }, bank: { type: 'string' } },
      },
      PagingObject: { type: 'object', properties: { total: { type: 'integer' }, next: { type: 'string' } } },
      PageMeta: { type: 'object', properties: { last_page: { type: 'integer' } } },
      Cat: { type: 'object', properties: { pet_type: { type: 'string' }, meows: { type: 'boolean' } } },
      Dog: { type: 'object', properties: { pet_type: { type: 'string' }, barks: { type: 'boolean' } } },
      EmailContact: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } },
      PhoneContact: { type: 'object', required: ['number'], properties: { number: { type: 'string' } } },
      'rate estimate': { type: 'object', properties: { amount: { type: 'number' } } },
      Pet: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
      Droplet: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
      Account: { type: 'object', properties: { id: { type: 'integer' }, login: { type: 'string' } } },
      Org: { type: 'object', properties: { id: { type: 'integer' }, login: { type: 'string' } } },
    },
  },
  paths: {
    '/subscriptions/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(ref('Subscription')) },
      },
    },
    // Query parameter names that are not GraphQL names (Twilio's, Asana's), and the same parameter at path and operation level.
    '/calls': {
      parameters: [{ name: 'opt_pretty', in: 'query', schema: { type: 'boolean' } }],
      get: {
        parameters: [
          { name: 'StartTime<', in: 'query', schema: { type: 'string' } },
          { name: 'StartTime>', in: 'query', schema: { type: 'string' } },
          { name: 'include[]', in: 'query', schema: { type: 'string' } },
          { name: 'opt_pretty', in: 'query', schema: { type: 'boolean' } },
          { name: '', in: 'header', schema: { type: 'string' } },
        ],
        responses: { '200': json({ type: 'object', properties: { count: { type: 'integer' } } }) },
      },
    },
    // A path key with a query (Box's), and a JSON answer declared as */* (XKCD's).
    '/files?fields=name': {
      get: {
        responses: {
          '200': {
            description: 'ok',
            content: { '*/*': { schema: { type: 'object', properties: { name: { type: 'string' } } } } },
          },
        },
      },
    },
    '/rates': { get: { responses: { '200': json(ref('rate estimate')) } } },
    // Read by id: a Node; a write that answers no body.
    '/pets/{petId}': {
      get: {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': json(ref('Pet')) },
      },
      delete: {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '204': { description: 'gone' } },
      },
    },
    '/pets/{petId}/archive': {
      post: {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '204': { description: 'archived' } },
      },
    },
    '/ping': { post: { responses: { '204': { description: 'pong' } } } },
    // Reads by something else than an id: by a field the type has (a Node keyed by it), and by one it has not (GitHub's `{org}`).
    '/accounts/{login}': {
      get: {
        parameters: [{ name: 'login', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(ref('Account')) },
      },
    },
    '/orgs/{org}': {
      get: {
        parameters: [{ name: 'org', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(ref('Org')) },
      },
    },
    // A bare list that pages by number (GitHub's).
    '/events': {
      get: {
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer' } },
          { name: 'per_page', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': json({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } }),
        },
      },
    },
    // Pages by a number under a name of its own, counted in the answer's meta (Laravel's `meta.last_page`).
    '/products': {
      get: {
        parameters: [
          { name: 'pg', in: 'query', schema: { type: 'integer' } },
          { name: 'pageSize', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': json({
            type: 'object',
            properties: {
              data: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
              meta: ref('PageMeta'),
            },
          }),
        },
      },
    },
    // A page that is a paging object merged with its items (Spotify's `allOf: [PagingObject, { items }]`), by Jira's names.
    '/albums': {
      get: {
        parameters: [
          { name: 'startAt', in: 'query', schema: { type: 'integer' } },
          { name: 'maxResults', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': json({
            allOf: [
              ref('PagingObject'),
              { type: 'object', properties: { items: { type: 'array', items: ref('Plan') } } },
            ],
          }),
        },
      },
    },
    // An answer that only wraps the object read (DigitalOcean's `{ droplet: {…} }`).
    '/droplets/{droplet_id}': {
      get: {
        parameters: [{ name: 'droplet_id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          '200': json({ type: 'object', properties: { droplet: ref('Droplet') } }),
        },
      },
    },
    // Two reads whose obvious names are one (`user`): the second is named by its operationId, not `user2`.
    '/user': { get: { responses: { '200': json({ type: 'object', properties: { login: { type: 'string' } } }) } } },
    '/users/{username}': {
      get: {
        operationId: 'users/get-by-username',
        parameters: [{ name: 'username', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json({ type: 'object', properties: { login: { type: 'string' } } }) },
      },
    },
    // A form body repeating a path parameter (Twilio's AccountSid).
    '/accounts/{AccountSid}/calls': {
      post: {
        parameters: [{ name: 'AccountSid', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          content: {
            'application/x-www-form-urlencoded': {
              schema: { type: 'object', properties: { AccountSid: { type: 'string' }, To: { type: 'string' } } },
            },
          },
        },
        responses: { '201': json({ type: 'object', properties: { sid: { type: 'string' } } }) },
      },
    },
  },
};

let imported: ImportResult;
let service: Server;
let gateway: RunningGateway;
const requests: Array<{ method: string; url: string; body: string }> = [];

const PRODUCTS = ['anvil', 'bolt', 'crate', 'drill', 'easel'];

/** Fields the next subscription answer has instead of its usual ones. */
let stray: Record<string, unknown> | undefined;

function answer(req: IncomingMessage): unknown {
  const path = (req.url ?? '').split('?')[0];
  if (path?.startsWith('/subscriptions/'))
    return {
      id: 'sub_1',
      plan: null,
      previous: { name: 'basic' },
      customer: 'cus_1',
      discount: null,
      payout: { object: 'bank_account', bank: 'ING' },
      pet: { pet_type: 'kitty', meows: true },
      contact: { number: '+31 20 000 0000' },
      owner: { email: 'ada@example.org' },
      storage: 34_359_738_368,
      note: 'n',
      ...stray,
    };
  if (path === '/calls') return { count: 2 };
  if (path === '/files') return { name: 'a.txt' };
  if (path === '/rates') return { amount: 1.5 };
  if (path?.startsWith('/pets/')) return { id: 7, name: 'Rex' };
  if (path?.startsWith('/droplets/')) return { droplet: { id: 3, name: 'web-1' } };
  if (path?.startsWith('/accounts/')) return { id: 11, login: decodeURIComponent(path.slice(10)) };
  if (path?.startsWith('/orgs/')) return { id: 12, login: decodeURIComponent(path.slice(6)) };
  if (path === '/events') {
    const page = Number(new URL(req.url ?? '', 'http://x').searchParams.get('page') ?? 1);
    return page === 1 ? [{ id: 'e1' }, { id: 'e2' }] : [];
  }
  if (path === '/products') {
    const query = new URL(req.url ?? '', 'http://x').searchParams;
    const [page, size] = [Number(query.get('pg') ?? 1), Number(query.get('pageSize') ?? 2)];
    const data = PRODUCTS.slice((page - 1) * size, page * size).map((name) => ({ name }));
    return { data, meta: { last_page: Math.ceil(PRODUCTS.length / size) } };
  }
  if (path === '/user') return { login: 'me' };
  if (path?.startsWith('/users/')) return { login: decodeURIComponent(path.slice(7)) };
  if (path?.endsWith('/calls')) return { sid: 'CA1' };
  return {};
}

beforeAll(async () => {
  imported = await importOpenApi(structuredClone(DOCUMENT), { source: 'vendor' });
  service = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (req.method === 'DELETE' || req.url?.startsWith('/ping') || req.url?.endsWith('/archive'))
        return void res.writeHead(204).end();
      // XKCD's document says */*; the answer is JSON all the same.
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req)));
    });
  });
  await new Promise<void>((done) => service.listen(0, '127.0.0.1', done));
  const config = {
    server: { port: 0 },
    sources: {
      vendor: { url: `http://127.0.0.1:${(service.address() as AddressInfo).port}`, cache: { enabled: false } },
    },
  };
  const served = createGateway(config, {
    env: {},
    logger: createLogger({ level: 'silent' }),
    graph: { files: [{ name: 'vendor.graphql', body: imported.sdl }] },
  });
  gateway = await listen(served, resolveConfig(config, {}));
});
afterAll(async () => {
  await gateway?.shutdown();
  await new Promise((done) => service?.close(done));
});

const ask = async (query: string) => (await postGraphQL(`${gateway.url}/graphql`, { query })).body;

describe('a document with the idioms of vendor documents', () => {
  it('imports as written, its validation problems reported rather than fatal', () => {
    expect(imported.report.guesses[0]).toMatch(/^the document is not valid OpenAPI .*imported as written/);
    expect(imported.report.skipped).toEqual([]);
  });

  it('names a schema called as a root type after its source, and reserves every name the gateway declares', () => {
    expect(imported.sdl).toMatch(/^type VendorSubscription\b/m);
    expect(imported.sdl).not.toMatch(/^type Subscription\b/m);
    // The openapi layer may not import the mapping's list of its types: every one of them is reserved all the same.
    expect(MAPPING_TYPE_NAMES.filter((name) => !isReservedTypeName(name))).toEqual([]);
  });

  it('reads the nullable idioms, an expandable field, one of several objects and a 64-bit integer', async () => {
    const data = await ask(
      `{ subscription(id: "VendorSubscription:sub_1") { plan { name } previous { name } customer discount { name }
        payout { __typename ... on Card { last4 } ... on BankAccount { object bank } }
        pet { __typename ... on Cat { meows } ... on Dog { barks } }
        contact { __typename ... on PhoneContact { number } }
        owner { name email } storage note } }`,
    );
    expect(data).toEqual({
      data: {
        subscription: {
          plan: null,
          previous: { name: 'basic' },
          customer: 'cus_1',
          discount: null,
          payout: { __typename: 'BankAccount', object: 'BANK_ACCOUNT', bank: 'ING' },
          pet: { __typename: 'Cat', meows: true },
          contact: { __typename: 'PhoneContact', number: '+31 20 000 0000' },
          owner: { name: null, email: 'ada@example.org' },
          storage: 34_359_738_368,
          note: 'n',
        },
      },
    });
  });

  it('sends query parameters GraphQL cannot name, a path key query, and reads */* as JSON', async () => {
    requests.length = 0;
    const { data } = await ask(
      '{ calls(startTimeLt: "2026-01-02", startTimeGt: "2026-01-01", include: "x", optPretty: true) { count } files { name } rates { amount } }',
    );
    expect(data).toEqual({ calls: { count: 2 }, files: { name: 'a.txt' }, rates: { amount: 1.5 } });
    const urls = requests.map((request) => decodeURIComponent(request.url)).sort();
    expect(urls).toEqual([
      // opt_pretty once: the operation's own parameter stands for the path item's.
      '/calls?opt_pretty=true&StartTime<=2026-01-02&StartTime>=2026-01-01&include[]=x',
      '/files?fields=name',
      '/rates',
    ]);
  });

  it('declares a union for members a record tells apart, with the @discriminate that picks each', () => {
    expect(imported.sdl).toContain(
      'union VendorSubscriptionPayout @discriminate(field: "object", values: { card: "Card", bank_account: "BankAccount" }) = Card | BankAccount',
    );
    expect(imported.sdl).toContain(
      'union VendorSubscriptionPet @discriminate(field: "pet_type", values: { kitty: "Cat", Dog: "Dog" }) = Cat | Dog',
    );
    expect(imported.sdl).toContain(
      'union VendorSubscriptionContact @discriminate(has: { email: "EmailContact", number: "PhoneContact" }) = EmailContact | PhoneContact',
    );
    expect(imported.sdl).toMatch(/^type VendorSubscriptionOwner \{/m);
  });

  it('answers UPSTREAM_BAD_RESPONSE for a record no member of its union is, and the rest of the record', async () => {
    stray = { pet: { pet_type: 'parrot' } };
    const { data, errors } = await ask('{ subscription(id: "VendorSubscription:sub_1") { id pet { __typename } } }');
    stray = undefined;
    expect(data).toEqual({ subscription: { id: 'VendorSubscription:sub_1', pet: null } });
    expect(errors?.map((error) => [error.path, error.extensions?.code, error.message])).toEqual([
      [
        ['subscription', 'pet'],
        'UPSTREAM_BAD_RESPONSE',
        'vendor sent a body of an unexpected shape (VendorSubscription.pet is a VendorSubscriptionPet of no member: pet_type is "parrot").',
      ],
    ]);
  });

  it('makes a type read by id a Node that Query.node returns', async () => {
    const { data } = await ask('{ node(id: "Pet:7") { __typename ... on Pet { id name } } }');
    expect(data).toEqual({ node: { __typename: 'Pet', id: 'Pet:7', name: 'Rex' } });
  });

  it('reads an object from under the wrapper its answer puts it in, refetchable by global id', async () => {
    expect(imported.sdl).toContain('@rest(source: "vendor", path: "/droplets/{$args.id}", selection: "droplet")');
    const { data } = await ask(
      '{ droplet(id: "Droplet:3") { id name } node(id: "Droplet:3") { ... on Droplet { name } } }',
    );
    expect(data).toEqual({ droplet: { id: 'Droplet:3', name: 'web-1' }, node: { name: 'web-1' } });
  });

  it('keys the global id by what a type is read by: a field it has, or no global id at all', async () => {
    expect(imported.sdl).toMatch(/^type Account @node\(fetch: "account", key: "login"\)/m);
    expect(imported.sdl).toMatch(/^type Org \{/m);
    requests.length = 0;
    const { data } = await ask(
      '{ account(id: "Account:ada") { id login } node(id: "Account:bob") { id } org(id: "github") { id login } }',
    );
    expect(data).toEqual({
      account: { id: 'Account:ada', login: 'ada' },
      node: { id: 'Account:bob' },
      org: { id: '12', login: 'github' },
    });
    expect(requests.map((request) => request.url).sort()).toEqual(['/accounts/ada', '/accounts/bob', '/orgs/github']);
  });

  it('makes a bare list that pages by number a connection', async () => {
    expect(imported.sdl).toMatch(/events\(first: Int, after: String, last: Int, before: String\): EventConnection/);
    const { data } = await ask('{ events(first: 5) { edges { node { id } } pageInfo { hasNextPage } } }');
    expect(data).toEqual({
      events: { edges: [{ node: { id: 'e1' } }, { node: { id: 'e2' } }], pageInfo: { hasNextPage: false } },
    });
  });

  it('pages by a number named otherwise when the answer counts its pages, and says it guessed', async () => {
    expect(imported.sdl).toContain(
      '  # Guessed: pages by number through "pg", a name of its own, as "meta.last_page" counts pages.\n',
    );
    expect(imported.sdl).toContain(
      'paginate: { style: PAGE, items: "data", pages: "meta.last_page", param: "pg", size: "pageSize" }',
    );
    expect(imported.report.guesses).toContain(
      'GET /products: pages by number through "pg", a name of its own, as "meta.last_page" counts pages',
    );
    requests.length = 0;
    const { data } = await ask('{ products(first: 4) { edges { node { name } } pageInfo { hasNextPage } } }');
    expect(data).toEqual({
      products: {
        edges: PRODUCTS.slice(0, 4).map((name) => ({ node: { name } })),
        pageInfo: { hasNextPage: true },
      },
    });
    expect(requests.every((request) => /^\/products\?pg=\d&pageSize=\d+$/.test(request.url))).toBe(true);
  });

  it('pages a page merged from its parts (allOf), by offset and limit parameters of other names', () => {
    expect(imported.sdl).toContain(
      'paginate: { style: OFFSET, items: "items", total: "total", param: "startAt", size: "maxResults" }',
    );
  });

  it('takes and answers the global id in a write on what a Node read reads', async () => {
    expect(imported.sdl).toMatch(
      /deletePet\(id: ID! @globalId\(type: "Pet"\)\): ID\n.*path: "\/pets\/\{\$args\.id\}", result: "Pet:\{\$args\.id\}"/,
    );
    requests.length = 0;
    const { data } = (await postGraphQL(`${gateway.url}/graphql`, { query: 'mutation { deletePet(id: "Pet:7") }' }))
      .body;
    expect(data).toEqual({ deletePet: 'Pet:7' });
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual(['DELETE /pets/7']);
  });

  it('answers a write without a body: its id, or true', async () => {
    const { data, errors } = (
      await postGraphQL(`${gateway.url}/graphql`, {
        query: `mutation { ${mutationNamed(/path: "\/pets\/\{\$args\.petId\}\/archive"/)}(petId: 7) ping: ${mutationNamed(/path: "\/ping"/)} }`,
      })
    ).body;
    expect(errors).toBeUndefined();
    expect(Object.values(data ?? {})).toEqual(['7', true]);
  });

  it('keeps arguments unique: a form field repeating a path parameter gets a name of its own', () => {
    expect(imported.sdl).toMatch(/\(accountSid: String!, accountSid2: String, to: String\)/);
  });

  it('names a second read of the same resource by its operationId, not with a number', () => {
    expect(imported.sdl).toMatch(/^ {2}user: /m);
    expect(imported.sdl).toMatch(/^ {2}usersGetByUsername\(id: ID!\): /m);
    expect(imported.sdl).not.toMatch(/^ {2}user2\b/m);
  });
});

/** The Mutation field whose directive matches. */
function mutationNamed(directive: RegExp): string {
  const lines = imported.sdl.split('\n');
  const at = lines.findIndex((line) => directive.test(line));
  return /^\s+(\w+)/.exec(lines[at - 1] ?? '')?.[1] ?? '?';
}
