/**
 * The example services' OpenAPI documents (`GET /openapi.json`) are true:
 * each is a valid OpenAPI 3.1 document, describes exactly the routes its
 * service serves, and every real answer (statuses, bodies, the webhooks the
 * services send) matches the schema the document gives for it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { type Backends, type Service, startBackends } from '../helpers/backends.ts';
import { until } from '../helpers/time.ts';

type Document = {
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
};
type Operation = {
  responses?: Record<string, { content?: Record<string, { schema: object }> }>;
  requestBody?: { content: Record<string, { schema: object }> };
};

let backends: Backends;
const delivered: Array<{ service: string; body: unknown }> = [];
let hookUrl = '';
const hooks = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    delivered.push({ service: (req.url ?? '').split('/').pop() ?? '', body: JSON.parse(body) });
    res.writeHead(204).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  backends = await startBackends({
    webhookTargets: { content: () => `${hookUrl}/content`, comments: () => `${hookUrl}/comments` },
  });
});
afterAll(async () => {
  await backends.close();
  hooks.close();
});

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const documents = new Map<string, Document>();

async function documentOf(service: Service): Promise<Document> {
  const known = documents.get(service.name);
  if (known) return known;
  const response = await fetch(`${service.url}/openapi.json`);
  expect(response.status).toBe(200);
  const text = await response.text();
  const validity = await validate(JSON.parse(text));
  expect(validity.valid, validity.valid ? '' : compileErrors(validity)).toBe(true);
  const document = (await dereference(JSON.parse(text))) as unknown as Document;
  documents.set(service.name, document);
  return document;
}

/** The documented operation a real request was served by: its path template matched against the request's path. */
function operationFor(document: Document, method: string, path: string): Operation {
  for (const [template, item] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && item[method.toLowerCase()]) return item[method.toLowerCase()] as Operation;
  }
  throw new Error(`${method} ${path} is not in the document`);
}

/** Sends the request and checks the answer against the document: its status is documented, and its body matches that status's schema. */
async function exchange(
  service: Service,
  method: string,
  target: string,
  init: { headers?: Record<string, string>; body?: BodyInit } = {},
): Promise<{ status: number; body: unknown }> {
  const document = await documentOf(service);
  const response = await fetch(`${service.url}${target}`, { method, ...init });
  const text = await response.text();
  const operation = operationFor(document, method, target.split('?')[0] ?? '/');
  const documented = operation.responses?.[String(response.status)];
  expect(
    documented,
    `${service.name}: ${method} ${target} answered ${response.status}, which its document does not list`,
  ).toBeDefined();
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
  if (text === '') {
    expect(
      documented?.content,
      `${method} ${target} ${response.status} has no body, its document says one`,
    ).toBeUndefined();
    return { status: response.status, body: undefined };
  }
  const schema = documented?.content?.[contentType]?.schema;
  expect(schema, `${method} ${target} ${response.status}: no schema for ${contentType}`).toBeDefined();
  const body = JSON.parse(text) as unknown;
  const check = ajv.compile(schema as object);
  expect(check(body), `${method} ${target} ${response.status}: ${ajv.errorsText(check.errors)}`).toBe(true);
  return { status: response.status, body };
}

describe('the example services describe themselves truly', () => {
  it('each document is valid OpenAPI 3.1 and lists exactly the routes its service serves', async () => {
    for (const service of [backends.accounts, backends.content, backends.comments, backends.weather]) {
      const document = await documentOf(service);
      const documented = Object.entries(document.paths)
        .flatMap(([path, item]) =>
          Object.keys(item)
            .filter((key) => key !== 'parameters')
            .map((method) => `${method.toUpperCase()} ${path}`),
        )
        .sort();
      const served = service.routes.map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`).sort();
      expect(documented, service.name).toEqual(served);
    }
  });

  it('accounts answers as documented', async () => {
    const { accounts, credentials } = backends;
    const key = { 'x-api-key': credentials.accountsApiKey };
    expect((await exchange(accounts, 'GET', '/users?limit=3', { headers: key })).status).toBe(200);
    expect((await exchange(accounts, 'GET', '/users?ids=1,2', { headers: key })).status).toBe(200);
    expect((await exchange(accounts, 'GET', '/users?limit=0', { headers: key })).status).toBe(400);
    expect(
      (
        await exchange(accounts, 'POST', '/users/batch', {
          headers: { ...key, 'content-type': 'application/json' },
          body: '{"ids":[1,2]}',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await exchange(accounts, 'POST', '/users/batch', {
          headers: { ...key, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(422);
    expect((await exchange(accounts, 'GET', '/users/1', { headers: key })).status).toBe(200);
    expect((await exchange(accounts, 'GET', '/users/99999', { headers: key })).status).toBe(404);
    expect(
      (await exchange(accounts, 'GET', '/me', { headers: { ...key, authorization: `Bearer ${exampleUserToken(3)}` } }))
        .status,
    ).toBe(200);
    expect((await exchange(accounts, 'GET', '/me', { headers: key })).status).toBe(401);
  });

  it('content answers as documented, and its webhooks carry what its document says', async () => {
    const { content, credentials } = backends;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credentials.contentClientId,
      client_secret: credentials.contentClientSecret,
    });
    const token = await exchange(content, 'POST', '/oauth/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const bearer = { authorization: `Bearer ${(token.body as { access_token: string }).access_token}` };
    const json = { ...bearer, 'content-type': 'application/json' };
    expect((await exchange(content, 'GET', '/articles?limit=2', { headers: bearer })).status).toBe(200);
    expect(
      (await exchange(content, 'GET', '/articles?author_id=1&author_id=2&per_author=1', { headers: bearer })).status,
    ).toBe(200);
    expect((await exchange(content, 'GET', '/articles?limit=500', { headers: bearer })).status).toBe(400);
    expect((await exchange(content, 'GET', '/articles/1', { headers: bearer })).status).toBe(200);
    expect((await exchange(content, 'GET', '/search?q=te&limit=10', { headers: bearer })).status).toBe(200);
    expect((await exchange(content, 'GET', '/search?q=', { headers: bearer })).status).toBe(400);
    expect((await exchange(content, 'GET', '/articles/999999', { headers: bearer })).status).toBe(404);
    expect((await exchange(content, 'GET', '/users/1/articles?limit=2', { headers: bearer })).status).toBe(200);
    const created = await exchange(content, 'POST', '/articles', {
      headers: json,
      body: JSON.stringify({ title: 'T', body: 'B', category: 'c', author_id: 1 }),
    });
    const id = (created.body as { id: number }).id;
    expect((await exchange(content, 'POST', '/articles', { headers: json, body: '{}' })).status).toBe(422);
    expect(
      (await exchange(content, 'PATCH', `/articles/${id}`, { headers: json, body: '{"title":"T2"}' })).status,
    ).toBe(200);
    expect(
      (
        await exchange(content, 'PUT', `/articles/${id}`, {
          headers: json,
          body: JSON.stringify({ title: 'T3', body: 'B', category: 'c', author_id: 1 }),
        })
      ).status,
    ).toBe(200);
    const file = new FormData();
    file.set('file', new Blob(['attached'], { type: 'text/plain' }), 'note.txt');
    file.set('note', 'a note');
    expect(
      (await exchange(content, 'POST', `/articles/${id}/attachments`, { headers: bearer, body: file })).status,
    ).toBe(201);
    expect((await exchange(content, 'GET', `/articles/${id}/attachments`, { headers: bearer })).status).toBe(200);
    expect((await exchange(content, 'DELETE', `/articles/${id}`, { headers: bearer })).status).toBe(204);

    await until(() => delivered.filter((hook) => hook.service === 'content').length === 4, 'content sent its webhooks');
    const document = await documentOf(content);
    for (const { body } of delivered.filter((hook) => hook.service === 'content')) {
      const type = (body as { type: string }).type;
      const schema = document.webhooks?.[type]?.post?.requestBody?.content['application/json']?.schema;
      const check = ajv.compile(schema as object);
      expect(check(body), `${type}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  it('comments and weather answer as documented', async () => {
    const { comments, weather, credentials } = backends;
    const basic = {
      authorization: `Basic ${Buffer.from(`${credentials.commentsUser}:${credentials.commentsPassword}`).toString('base64')}`,
    };
    expect((await exchange(comments, 'GET', '/articles/1/comments?per_page=2', { headers: basic })).status).toBe(200);
    expect((await exchange(comments, 'GET', '/articles/1/comments?per_page=0', { headers: basic })).status).toBe(400);
    const form = { ...basic, 'content-type': 'application/x-www-form-urlencoded' };
    expect(
      (await exchange(comments, 'POST', '/articles/1/comments', { headers: form, body: 'body=hello&author_id=2' }))
        .status,
    ).toBe(201);
    expect(
      (await exchange(comments, 'POST', '/articles/1/comments', { headers: form, body: 'body=hello' })).status,
    ).toBe(422);
    expect(
      (
        await exchange(comments, 'POST', '/articles/1/comments', {
          headers: { ...basic, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
    await until(() => delivered.some((hook) => hook.service === 'comments'), 'comments sent its webhook');
    const hook = delivered.find((each) => each.service === 'comments');
    const schema = (await documentOf(comments)).webhooks?.['comment.added']?.post?.requestBody?.content[
      'application/json'
    ]?.schema;
    expect(ajv.validate(schema as object, hook?.body)).toBe(true);

    const appid = `appid=${credentials.weatherAppid}`;
    expect((await exchange(weather, 'GET', `/data/2.5/weather?q=London&units=metric&${appid}`)).status).toBe(200);
    expect((await exchange(weather, 'GET', `/data/2.5/forecast?q=London&cnt=2&${appid}`)).status).toBe(200);
    expect((await exchange(weather, 'GET', `/data/2.5/weather?q=Atlantis&${appid}`)).status).toBe(404);
  });
});
