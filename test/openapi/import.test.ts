/**
 * `graftql import openapi`: the example services' own documents become a
 * graph that checks, serves and answers with the same data as the
 * hand-declared example graph; a Swagger 2.0 document imports; broken
 * documents are clear errors, not crashes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsDocument, commentsDocument, contentDocument, weatherDocument } from '../../examples/backends/openapi.ts';
import exampleConfig from '../../graftql.config.ts';
import { importCommand } from '../../src/cli/import-command.ts';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { compileGraph } from '../../src/mapping/graph.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ImportError, importOpenApi } from '../../src/openapi/import-openapi.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { postGraphQL, startGateway, type TestGateway } from '../helpers/gateway.ts';

const DOCUMENTS = { accounts: accountsDocument, content: contentDocument, comments: commentsDocument, weather: weatherDocument };

describe('importing the example services', () => {
  let backends: Backends;
  let imported: RunningGateway;
  let declared: TestGateway;
  const reports: Record<string, Awaited<ReturnType<typeof importOpenApi>>> = {};

  beforeAll(async () => {
    backends = await startBackends();
    for (const [name, document] of Object.entries(DOCUMENTS)) reports[name] = await importOpenApi(document(), { source: name });
    const files = Object.entries(reports).map(([name, result]) => ({ name: `${name}.graphql`, body: result.sdl }));
    // The example config's sources, as the stubs name them (URLs and credentials from the same variables), without the declared graph's extras.
    const sources = Object.fromEntries(Object.entries(exampleConfig.sources).map(([name, source]) => [name, { ...source, webhooks: undefined }])) as GatewayConfig['sources'];
    const config: GatewayConfig = { schema: 'unused', server: { port: 0 }, limits: { upstreamCallsPerOperation: 200 }, sources };
    imported = await listen(createGateway(config, { env: backends.env, graph: { files }, logger: createLogger({ level: 'silent' }) }), resolveConfig(config, backends.env));
    declared = await startGateway(backends);
  });
  afterAll(async () => {
    await imported.shutdown();
    await declared.close();
    await backends.close();
  });

  const ask = async (query: string) => (await postGraphQL(`${imported.url}/graphql`, { query })).body;

  it('maps every operation but the token endpoint, and says what it guessed', () => {
    expect(Object.fromEntries(Object.entries(reports).map(([name, { report }]) => [name, [report.mapped.length, report.skipped.length]]))).toEqual({
      accounts: [4, 0],
      content: [9, 1],
      comments: [2, 0],
      weather: [2, 0],
    });
    expect(reports.content?.report.skipped[0]?.operation).toBe('POST /oauth/token');
    expect(reports.accounts?.report.guesses).toContain('GET /users?ids=: a batch form; reads by id of its items go through it (comma-separated)');
    expect(reports.content?.config).toContain("auth: { type: 'oauth2ClientCredentials', tokenPath: '/oauth/token'");
    expect(reports.weather?.config).toContain("auth: { type: 'apiKey', in: 'query', name: 'appid'");
  });

  it('answers with the same data as the hand-declared graph', async () => {
    const user = '{ user(id: "User:7") { id name email city } }';
    expect(await ask(user)).toEqual((await declared.query(user)).body);
    const users = (await ask('{ users(first: 3) { totalCount edges { node { name } } pageInfo { hasNextPage } } }')) as { data: unknown };
    expect(users).toEqual((await declared.query('{ users(first: 3) { totalCount edges { node { name } } pageInfo { hasNextPage } } }')).body);
    const article = '{ article(id: "Article:2") { id title category } }';
    expect(await ask(article)).toEqual((await declared.query(article)).body);
    const comments = (await ask('{ articleComments(id: "2", first: 2) { totalCount edges { node { body } } } }')) as { data: { articleComments: unknown } };
    const declaredComments = (await declared.query('{ article(id: "Article:2") { comments(first: 2) { totalCount edges { node { body } } } } }')).body as { data: { article: { comments: unknown } } };
    expect(comments.data.articleComments).toEqual(declaredComments.data.article.comments);
    const weather = (await ask('{ weather(q: "Zurich", units: METRIC) { name main { temp humidity } } }')) as { data: { weather: { name: string; main: { temp: number; humidity: number } } } };
    const declaredWeather = (await declared.query('{ weather(city: "Zurich") { city temperature humidity } }')).body as { data: { weather: { city: string; temperature: number; humidity: number } } };
    expect(weather.data.weather).toEqual({ name: declaredWeather.data.weather.city, main: { temp: declaredWeather.data.weather.temperature, humidity: declaredWeather.data.weather.humidity } });
  });

  it('writes through its mutations, and follows the relations it found', async () => {
    const created = (await postGraphQL(`${imported.url}/graphql`, { query: 'mutation { createArticle(input: { title: "Imported", body: "B", category: "c", authorId: "1" }) { id title } }' }))
      .body as {
      data: { createArticle: { id: string } };
    };
    expect(created.data.createArticle).toEqual({ id: expect.stringMatching(/^Article:\d+$/), title: 'Imported' });
    expect(await ask('{ article(id: "Article:1") { attachments { filename } } }')).toEqual({ data: { article: { attachments: [] } } });
  });
});

describe('other documents', () => {
  it('imports Swagger 2.0: definitions, body and form parameters, an upload, a self-reference; skips what answers no JSON', async () => {
    const { sdl, report, config } = await importOpenApi(new URL('../fixtures/openapi/petstore-swagger2.json', import.meta.url).pathname, { source: 'petstore' });
    expect(() =>
      compileGraph({ files: [{ name: 'petstore.graphql', body: sdl }], sources: { petstore: { naming: 'camelCase', forwardHeaders: [], maxPageSize: 100, pagination: undefined } } }),
    ).not.toThrow();
    expect([report.mapped.length, report.skipped.length]).toEqual([5, 1]);
    expect(report.skipped[0]).toEqual({ operation: 'GET /pets/{petId}/card', reason: 'it answers no JSON (text/html)' });
    expect(sdl).toContain('pets(status: Status, first: Int, after: String, last: Int, before: String): PetConnection');
    expect(sdl).toContain('uploadPhoto(petId: ID!, file: Upload!, caption: String): Pet');
    expect(sdl).toContain('deletePet(petId: ID!): ID');
    expect(sdl).not.toMatch(/UsingDELETE/);
    expect(sdl).toContain('parent: Pet');
    expect(config).toContain("auth: { type: 'apiKey', in: 'header', name: 'api_key', key: { env: 'PETSTORE_API_KEY' } }");
    expect(config).toContain('https://petstore.example.com/v1');
  });

  it('refuses a broken document with an error that says where, without crashing', async () => {
    const dangling = {
      openapi: '3.0.3',
      info: { title: 'x', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } } } } },
    };
    await expect(importOpenApi(dangling, { source: 'x' })).rejects.toThrow(ImportError);
    await expect(importOpenApi(dangling, { source: 'x' })).rejects.toThrow(/#\/components\/schemas\/Nope/);
    const invalid = { openapi: '3.0.3', paths: {} };
    await expect(importOpenApi(invalid, { source: 'x' })).rejects.toThrow(/not valid OpenAPI[\s\S]*info/);
    await expect(importOpenApi('/no/such/file.yaml', { source: 'x' })).rejects.toThrow(ImportError);
  });

  it("rewrites only the files it wrote: a person's file is never overwritten", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-import-'));
    const spec = join(dir, 'accounts.json');
    writeFileSync(spec, JSON.stringify(accountsDocument()));
    const out: string[] = [];
    const target = join(dir, 'schema', 'accounts.graphql');
    expect(await importCommand({ file: spec, out: target }, (text) => out.push(text))).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(/^# Generated by `graftql import openapi`/);
    expect(out.join('')).toContain('4 operations mapped');
    expect(await importCommand({ file: spec, out: target }, (text) => out.push(text))).toBe(0);
    const mine = join(dir, 'schema', 'mine.graphql');
    writeFileSync(mine, 'extend type User { nickname: String }\n');
    expect(await importCommand({ file: spec, out: mine }, (text) => out.push(text))).toBe(1);
    expect(readFileSync(mine, 'utf8')).toBe('extend type User { nickname: String }\n');
  });
});
