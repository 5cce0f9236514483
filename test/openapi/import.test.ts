/**
 * `graftql import openapi`: the example services' own documents become a
 * graph that checks, serves and answers with the same data as the
 * hand-declared example graph; a Swagger 2.0 document imports; broken
 * documents are clear errors, not crashes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountsDocument,
  commentsDocument,
  contentDocument,
  weatherDocument,
} from '../../examples/backends/openapi.ts';
import exampleConfig from '../../graftql.config.ts';
import { importCommand } from '../../src/cli/import-command.ts';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { compileGraph } from '../../src/mapping/graph.ts';
import { ImportError, importOpenApi, importOpenApis } from '../../src/openapi/import-openapi.ts';
import { checkGraph } from '../../src/server/check.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { postGraphQL, startGateway, type TestGateway } from '../helpers/gateway.ts';

const DOCUMENTS = {
  accounts: accountsDocument,
  content: contentDocument,
  comments: commentsDocument,
  weather: weatherDocument,
};

describe('importing the example services', () => {
  let backends: Backends;
  let imported: RunningGateway;
  let declared: TestGateway;
  const reports: Record<string, Awaited<ReturnType<typeof importOpenApi>>> = {};

  beforeAll(async () => {
    backends = await startBackends();
    // Imported together, as `graftql import openapi accounts.json content.json comments.json weather.json` does: relations cross them.
    const results = await importOpenApis(
      Object.entries(DOCUMENTS).map(([source, document]) => ({ input: document(), source })),
    );
    for (const result of results) reports[result.graph.source] = result;
    const files = Object.entries(reports).map(([name, result]) => ({ name: `${name}.graphql`, body: result.sdl }));
    // The example config's sources, as the stubs name them (URLs and credentials from the same variables), without the declared graph's extras.
    const sources = Object.fromEntries(
      Object.entries(exampleConfig.sources).map(([name, source]) => [name, { ...source, webhooks: undefined }]),
    ) as GatewayConfig['sources'];
    const config: GatewayConfig = {
      schema: 'unused',
      server: { port: 0 },
      limits: { upstreamCallsPerOperation: 200 },
      sources,
    };
    imported = await listen(
      createGateway(config, { env: backends.env, graph: { files }, logger: createLogger({ level: 'silent' }) }),
      resolveConfig(config, backends.env),
    );
    declared = await startGateway(backends);
  });
  afterAll(async () => {
    await imported.shutdown();
    await declared.close();
    await backends.close();
  });

  const ask = async (query: string) => (await postGraphQL(`${imported.url}/graphql`, { query })).body;

  it('maps every operation but the token endpoint, and says what it guessed', () => {
    expect(
      Object.fromEntries(
        Object.entries(reports).map(([name, { report }]) => [name, [report.mapped.length, report.skipped.length]]),
      ),
    ).toEqual({
      accounts: [4, 0],
      content: [10, 1],
      comments: [3, 0],
      weather: [2, 0],
    });
    expect(reports.content?.report.skipped[0]?.operation).toBe('POST /oauth/token');
    expect(reports.accounts?.report.guesses).toContain(
      'GET /users?ids=: a batch form; reads by id of its items go through it (comma-separated)',
    );
    expect(reports.content?.config).toContain("auth: { type: 'oauth2ClientCredentials', tokenPath: '/oauth/token'");
    expect(reports.weather?.config).toContain("auth: { type: 'apiKey', in: 'query', name: 'appid'");
  });

  it('answers with the same data as the hand-declared graph', async () => {
    const user = '{ user(id: "User:7") { id name email city } }';
    expect(await ask(user)).toEqual((await declared.query(user)).body);
    const users = (await ask(
      '{ users(first: 3) { totalCount edges { node { name } } pageInfo { hasNextPage } } }',
    )) as { data: unknown };
    expect(users).toEqual(
      (await declared.query('{ users(first: 3) { totalCount edges { node { name } } pageInfo { hasNextPage } } }'))
        .body,
    );
    const article = '{ article(id: "Article:2") { id title category } }';
    expect(await ask(article)).toEqual((await declared.query(article)).body);
    const comments = (await ask('{ articleComments(id: "2", first: 2) { totalCount edges { node { body } } } }')) as {
      data: { articleComments: unknown };
    };
    const declaredComments = (
      await declared.query('{ article(id: "Article:2") { comments(first: 2) { totalCount edges { node { body } } } } }')
    ).body as { data: { article: { comments: unknown } } };
    expect(comments.data.articleComments).toEqual(declaredComments.data.article.comments);
    const weather = (await ask('{ weather(q: "Zurich", units: METRIC) { name main { temp humidity } } }')) as {
      data: { weather: { name: string; main: { temp: number; humidity: number } } };
    };
    const declaredWeather = (await declared.query('{ weather(city: "Zurich") { city temperature humidity } }'))
      .body as { data: { weather: { city: string; temperature: number; humidity: number } } };
    expect(weather.data.weather).toEqual({
      name: declaredWeather.data.weather.city,
      main: { temp: declaredWeather.data.weather.temperature, humidity: declaredWeather.data.weather.humidity },
    });
  });

  it("answers the README's query, across the four services, with the hand-declared graph's data", async () => {
    expect(Object.fromEntries(Object.entries(reports).map(([name, { report }]) => [name, report.relations]))).toEqual({
      accounts: [
        'User.weather → weather: GET /data/2.5/weather (OpenAPI link)',
        'User.articles → content: GET /users/{id}/articles (OpenAPI link)',
      ],
      content: [
        'Article.comments → comments: GET /articles/{id}/comments (OpenAPI link)',
        'Article.author → accounts: User by id (x-graftql-ref)',
        'SearchResultsResult.author → accounts: User by id (x-graftql-ref)',
      ],
      comments: [
        'Comment.author → accounts: User by id (x-graftql-ref)',
        'Comment.article → content: Article by id (the name articleId)',
      ],
      weather: [],
    });
    // The README's query; the imported graph keeps the weather service's own shape (main.temp, weather[].description).
    const readme = (weather: string) =>
      `{ user(id: "User:1") { name city weather { ${weather} } articles(first: 2) { edges { node { title comments(first: 1) { totalCount edges { node { body author { name } } } } } } pageInfo { hasNextPage } } } }`;
    type Answer = { data: { user: { weather: Record<string, unknown>; articles: unknown } }; errors?: unknown };
    const fromImport = (await ask(readme('main { temp } weather { description }'))) as Answer;
    const fromDeclared = (await declared.query(readme('temperature description'))).body as Answer;
    expect(fromImport.errors).toBeUndefined();
    expect(fromDeclared.data.user.articles).toMatchObject({
      edges: [{ node: { comments: { totalCount: expect.any(Number) } } }, {}],
    });
    const { weather, ...user } = fromImport.data.user;
    const { weather: declaredWeather, ...declaredUser } = fromDeclared.data.user;
    expect(user).toEqual(declaredUser);
    expect(weather).toEqual({
      main: { temp: declaredWeather.temperature },
      weather: [{ description: declaredWeather.description }],
    });
    // The comment's article, found by its name (article_id), and the article's author (x-graftql-ref), both in another service.
    const comment = (await ask(
      '{ articleComments(id: "2", first: 1) { edges { node { article { id title author { name } } } } } }',
    )) as {
      data: { articleComments: { edges: Array<{ node: { article: unknown } }> } };
    };
    const article = (await declared.query('{ article(id: "Article:2") { id title author { name } } }')).body as {
      data: { article: unknown };
    };
    expect(comment.data.articleComments.edges[0]?.node.article).toEqual(article.data.article);
  });

  it('writes through its mutations, and follows the relations it found', async () => {
    const created = (
      await postGraphQL(`${imported.url}/graphql`, {
        query:
          'mutation { createArticle(input: { title: "Imported", body: "B", category: "c", authorId: "1" }) { id title } }',
      })
    ).body as {
      data: { createArticle: { id: string } };
    };
    expect(created.data.createArticle).toEqual({ id: expect.stringMatching(/^Article:\d+$/), title: 'Imported' });
    expect(await ask('{ article(id: "Article:1") { attachments { filename } } }')).toEqual({
      data: { article: { attachments: [] } },
    });
  });
});

describe('other documents', () => {
  it('imports Swagger 2.0: definitions, body and form parameters, an upload, a self-reference; skips what answers no JSON', async () => {
    const { sdl, report, config } = await importOpenApi(
      new URL('../fixtures/openapi/petstore-swagger2.json', import.meta.url).pathname,
      { source: 'petstore' },
    );
    expect(() =>
      compileGraph({
        files: [{ name: 'petstore.graphql', body: sdl }],
        sources: { petstore: { naming: 'camelCase', forwardHeaders: [], maxPageSize: 100, pagination: undefined } },
      }),
    ).not.toThrow();
    expect([report.mapped.length, report.skipped.length]).toEqual([5, 1]);
    expect(report.skipped[0]).toEqual({
      operation: 'GET /pets/{petId}/card',
      reason: 'it answers no JSON (text/html)',
    });
    expect(sdl).toContain('pets(status: Status, first: Int, after: String, last: Int, before: String): PetConnection');
    expect(sdl).toContain('uploadPhoto(petId: ID!, file: Upload!, caption: String): Pet');
    // A write on what the Node read reads takes its global id, as the read does.
    expect(sdl).toContain('deletePet(id: ID! @globalId(type: "Pet")): ID');
    expect(sdl).not.toMatch(/UsingDELETE/);
    expect(sdl).toContain('parent: Pet');
    expect(config).toContain(
      "auth: { type: 'apiKey', in: 'header', name: 'api_key', key: { env: 'PETSTORE_API_KEY' } }",
    );
    expect(config).toContain('https://petstore.example.com/v1');
  });

  it('refuses a broken document with an error that says where, without crashing', async () => {
    const dangling = {
      openapi: '3.0.3',
      info: { title: 'x', version: '1' },
      paths: {
        '/a': {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } },
              },
            },
          },
        },
      },
    };
    await expect(importOpenApi(dangling, { source: 'x' })).rejects.toThrow(ImportError);
    await expect(importOpenApi(dangling, { source: 'x' })).rejects.toThrow(/#\/components\/schemas\/Nope/);
    const invalid = { openapi: '3.0.3', paths: {} };
    const { report } = await importOpenApi(invalid, { source: 'x' });
    expect(report.guesses[0]).toMatch(/^the document is not valid OpenAPI \(1 problem; imported as written\):.*info/);
    await expect(importOpenApi({ info: { title: 'x' }, paths: {} }, { source: 'x' })).rejects.toThrow(
      /neither `openapi` nor `swagger`/,
    );
    await expect(importOpenApi('/no/such/file.yaml', { source: 'x' })).rejects.toThrow(ImportError);
  });

  it('refuses a document over 64 MB before parsing it', async () => {
    const huge = join(mkdtempSync(join(tmpdir(), 'graftql-import-')), 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 65 * 1024 * 1024);
    await expect(importOpenApi(huge, { source: 'huge' })).rejects.toThrow(
      new RegExp(`${huge} is 65 MB; the import reads documents up to 64 MB`),
    );
  });

  it('keeps names unique across documents, and says which links it could not follow', async () => {
    const shop = (title: string, links: Record<string, unknown> = {}) => ({
      openapi: '3.1.0',
      info: { title, version: '1' },
      paths: {
        '/items': {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Item' } } },
                },
              },
            },
          },
        },
        '/items/{id}': {
          get: {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
            responses: {
              '200': {
                description: 'ok',
                links,
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          Item: {
            type: 'object',
            required: ['id'],
            properties: {
              id: { type: 'integer' },
              name: { type: 'string' },
              owner: { type: 'object', properties: { id: { type: 'integer' } } },
            },
          },
        },
      },
    });
    const [first, second] = await importOpenApis([
      {
        input: shop('store', {
          elsewhere: { operationRef: './billing.json#/paths/~1invoices/get' },
          nested: { operationId: 'nope' },
          deep: {
            operationRef: './shop.json#/paths/~1items~1{id}/get',
            parameters: { id: '$response.body#/owner/id' },
          },
          same: { operationRef: './shop.json#/paths/~1items~1%7Bid%7D/get', parameters: { id: '$response.body#/id' } },
        }),
        source: 'store',
      },
      { input: shop('shop'), source: 'shop' },
    ]);
    expect(second?.sdl).toContain('type ShopItem @node(fetch: "shopItem")');
    expect(second?.sdl).toMatch(/^ {2}shopItems: \[ShopItem!\]/m);
    expect(first?.report.relations).toEqual(['Item.same → shop: GET /items/{id} (OpenAPI link)']);
    expect(first?.sdl).toContain('same: ShopItem @ref(query: "shopItem", args: { id: "$parent.id" })');
    expect(first?.report.guesses).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /link "elsewhere": operationRef ".*billing.json.*" names a document this import did not read/,
        ),
        expect.stringMatching(/link "nested": no imported document has the operation nope/),
        expect.stringMatching(
          /link "deep": the parameter id reads \$response.body#\/owner\/id, and only a top-level field/,
        ),
      ]),
    );
    const files = [first, second].map((result, i) => ({ name: `${i}.graphql`, body: result?.sdl ?? '' }));
    const source = { naming: 'camelCase' as const, forwardHeaders: [], maxPageSize: 100, pagination: undefined };
    expect(() => compileGraph({ files, sources: { store: source, shop: source } })).not.toThrow();
  });

  it('writes an uncertain paging guess above the field it made, as well as in the report', async () => {
    const { sdl, report } = await importOpenApi(
      {
        openapi: '3.1.0',
        info: { title: 'feed', version: '1' },
        paths: {
          '/events': {
            get: {
              parameters: [{ name: 'page', in: 'query', schema: { type: 'integer' } }],
              responses: {
                '200': {
                  description: 'ok',
                  content: {
                    'application/json': {
                      schema: {
                        type: 'object',
                        properties: {
                          events: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' } } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      { source: 'feed' },
    );
    const guess = 'pages by number without a total or page count: the last page is found by reading past it';
    expect(report.guesses).toEqual([`GET /events: ${guess}`]);
    expect(sdl).toContain(
      `  # Guessed: ${guess}.\n  events(first: Int, after: String, last: Int, before: String): EventConnection`,
    );
  });

  it('imports several documents in one run: a file each, with the relations between them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    const files = Object.entries(DOCUMENTS).map(([name, document]) => {
      mkdirSync(join(dir, name));
      const file = join(dir, name, 'openapi.json');
      writeFileSync(file, JSON.stringify(document()));
      return file;
    });
    const out: string[] = [];
    expect(await importCommand({ files, out: join(dir, 'schema') }, (text) => out.push(text))).toBe(0);
    for (const name of Object.keys(DOCUMENTS))
      expect(readFileSync(join(dir, 'schema', `${name}.graphql`), 'utf8')).toMatch(
        /^# Generated by `graftql import openapi`/,
      );
    expect(readFileSync(join(dir, 'schema', 'accounts.graphql'), 'utf8')).toContain('extend type User {');
    expect(out.join('')).toContain('accounts.graphql: 4 operations mapped, 0 skipped, 2 relations');
    expect(out.join('')).toContain('  - Comment.author → accounts: User by id (x-graftql-ref)');
    // What `graftql check` says of the files written, with the example services' sources.
    const sources = Object.fromEntries(
      Object.entries(exampleConfig.sources).map(([name, source]) => [name, { ...source, webhooks: undefined }]),
    ) as GatewayConfig['sources'];
    const checked = checkGraph(
      { schema: 'schema', sources },
      { baseDir: dir, file: join(dir, 'graftql.config.mjs'), env: {} },
    );
    expect(checked.text).toContain('/schema: 22 fields with @rest, 5 with @ref');
    expect(checked.ok).toBe(true);
  });

  it('reads a YAML document of several files: each schema once, named, whatever file or place points at it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    writeFileSync(
      join(dir, 'schemas.yaml'),
      [
        'Book:',
        '  type: object',
        '  required: [id, title]',
        '  properties:',
        '    id: { type: integer }',
        '    title: { type: string }',
        "    author: { $ref: '#/Author' }",
        'Author:',
        '  type: object',
        '  properties:',
        '    name: { type: string }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'parameters.yaml'),
      'id: { name: id, in: path, required: true, schema: { type: integer } }\n',
    );
    const answer = (ref: string) => `{ description: ok, content: { application/json: { schema: ${ref} } } }`;
    writeFileSync(
      join(dir, 'books.yaml'),
      [
        'openapi: 3.0.3',
        'info: { title: books, version: "1" }',
        'paths:',
        '  /books/{id}:',
        '    get:',
        "      parameters: [{ $ref: './parameters.yaml#/id' }]",
        `      responses: { '200': ${answer("{ $ref: './schemas.yaml#/Book' }")} }`,
        // Bundled, these point at the first use of each: `#/paths/~1books~1{id}/get/...`.
        '  /books:',
        '    get:',
        `      responses: { '200': ${answer("{ type: array, items: { $ref: './schemas.yaml#/Book' } }")} }`,
        '  /authors/{id}:',
        '    get:',
        "      parameters: [{ $ref: './parameters.yaml#/id' }]",
        `      responses: { '200': ${answer("{ $ref: './schemas.yaml#/Author' }")} }`,
        '',
      ].join('\n'),
    );
    const { sdl, report } = await importOpenApi(join(dir, 'books.yaml'), { source: 'books' });
    expect(report.mapped).toEqual(['GET /books/{id}', 'GET /books', 'GET /authors/{id}']);
    expect(report.guesses).toEqual([]);
    expect(sdl).toContain('type Book @node(fetch: "book") {\n  id: ID!\n  title: String!\n  author: Author\n}');
    expect(sdl).toMatch(/book\(id: ID! @globalId\(type: "Book"\)\): Book\n/);
    expect(sdl).toMatch(/books: \[Book!\]\n/);
    expect(sdl).toMatch(/author\(id: ID!\): Author\n/);
    expect(sdl.match(/^type /gm)).toHaveLength(2);
  });

  it('writes a config with the sources where the project has none, and leaves one that exists alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    const spec = join(dir, 'accounts.json');
    writeFileSync(spec, JSON.stringify(accountsDocument()));
    const config = join(dir, 'graftql.config.ts');
    const out: string[] = [];
    const run = (options: { out?: string; config?: string } = {}) =>
      importCommand({ files: [spec], out: join(dir, 'graph', 'accounts.graphql'), config, ...options }, (text) =>
        out.push(text),
      );
    expect(await run()).toBe(0);
    const written = readFileSync(config, 'utf8');
    expect(written).toMatch(/^import \{ defineConfig \} from 'graftql';/);
    expect(written).toContain(
      '  schema: "graph",\n  sources: {\n    accounts: {\n      url: { env: \'ACCOUNTS_URL\' },',
    );
    expect(out.join('')).toContain('graftql.config.ts: written with 1 source; set the environment variables it names');
    expect(out.join('')).not.toContain('Add the source to');
    writeFileSync(config, '// mine\n');
    out.length = 0;
    expect(await run()).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe('// mine\n');
    expect(out.join('')).toMatch(/Add the source to .*graftql.config.ts \(sources\):/);
    // A JSON config cannot hold the stub as written: it is printed, not written.
    out.length = 0;
    expect(await run({ config: join(dir, 'graftql.config.json') })).toBe(0);
    expect(existsSync(join(dir, 'graftql.config.json'))).toBe(false);
    expect(out.join('')).toMatch(/Add the source to .*graftql.config.json/);
  });

  it('says why a document with no operations gives nothing to import (webhooks only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    const spec = join(dir, 'hooks.json');
    writeFileSync(
      spec,
      JSON.stringify({
        openapi: '3.1.0',
        info: { title: 'hooks', version: '1' },
        webhooks: { newPet: { post: { responses: { '200': { description: 'ok' } } } } },
      }),
    );
    const out: string[] = [];
    expect(await importCommand({ files: [spec], out: join(dir, 'x.graphql') }, (text) => out.push(text))).toBe(1);
    expect(out.join('')).toBe(
      'Nothing to import from hooks: it has no operations.\n  - webhooks (newPet): not imported; declare @event subscriptions for them (docs/webhooks.md)\n',
    );
  });

  it('puts a token from the environment in the stub of a source whose callers sign in (OAuth2, OpenID Connect)', async () => {
    const { config, report } = await importOpenApi(
      {
        openapi: '3.0.3',
        info: { title: 'crm', version: '1' },
        components: {
          securitySchemes: {
            user: {
              type: 'oauth2',
              flows: { authorizationCode: { authorizationUrl: 'https://a/', tokenUrl: 'https://t/', scopes: {} } },
            },
          },
        },
        security: [{ user: [] }],
        paths: {
          '/me': {
            get: {
              responses: {
                '200': {
                  description: 'ok',
                  content: {
                    'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      },
      { source: 'crm' },
    );
    expect(config).toContain("auth: { type: 'bearer', token: { env: 'CRM_TOKEN' } },");
    expect(report.guesses).toContain(
      "security scheme user (oauth2): a token from CRM_TOKEN; to send each caller's own, use sources.crm.forwardCaller or forwardHeaders (docs/auth.md)",
    );
  });

  it("rewrites only the files it wrote: a person's file is never overwritten", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    const spec = join(dir, 'accounts.json');
    writeFileSync(spec, JSON.stringify(accountsDocument()));
    const out: string[] = [];
    const target = join(dir, 'schema', 'accounts.graphql');
    expect(await importCommand({ files: [spec], out: target }, (text) => out.push(text))).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(/^# Generated by `graftql import openapi`/);
    expect(out.join('')).toContain('4 operations mapped');
    expect(await importCommand({ files: [spec], out: target }, (text) => out.push(text))).toBe(0);
    const mine = join(dir, 'schema', 'mine.graphql');
    writeFileSync(mine, 'extend type User { nickname: String }\n');
    expect(await importCommand({ files: [spec], out: mine }, (text) => out.push(text))).toBe(1);
    expect(readFileSync(mine, 'utf8')).toBe('extend type User { nickname: String }\n');
  });
});
