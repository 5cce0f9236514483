/** Persisted (trusted) documents, in both file formats client tooling emits, by id over GET and POST. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { codes, postGraphQL, startGateway, type TestGateway } from '../helpers/gateway.ts';

const USER_NAME = 'query UserName($id: ID!) { user(id: $id) { name } }';
const GREETING = '{ __typename }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const dir = mkdtempSync(join(tmpdir(), 'graftql-persisted-'));
/** graphql-codegen client preset / Relay: id → document. */
const flatFile = join(dir, 'persisted-documents.json');
writeFileSync(flatFile, JSON.stringify({ [sha256(USER_NAME)]: USER_NAME, [sha256(GREETING)]: GREETING }));
/** Apollo's persisted query manifest. */
const apolloFile = join(dir, 'persisted-query-manifest.json');
writeFileSync(
  apolloFile,
  JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [{ id: 'user-name-v1', name: 'UserName', type: 'query', body: USER_NAME }],
  }),
);

let backends: Backends;
let onlyListed: TestGateway;
let apollo: TestGateway;
let open: TestGateway;

beforeAll(async () => {
  backends = await startBackends();
  [onlyListed, apollo, open] = await Promise.all([
    startGateway(backends, { persistedDocuments: { file: flatFile } }),
    startGateway(backends, { persistedDocuments: { file: apolloFile } }),
    startGateway(backends, { persistedDocuments: { file: flatFile, only: false } }),
  ]);
});
afterAll(async () => {
  await Promise.all([onlyListed.close(), apollo.close(), open.close()]);
  await backends.close();
});

const variables = { id: 'User:3' };

describe('trusted documents only (the default once a file is configured)', () => {
  it('runs a listed document by documentId over POST', async () => {
    const response = await postGraphQL(`${onlyListed.url}/graphql`, { documentId: sha256(USER_NAME), variables });
    expect(response.body).toEqual({ data: { user: { name: expect.any(String) } } });
  });

  it("runs one by Apollo's extensions.persistedQuery.sha256Hash", async () => {
    const response = await postGraphQL(`${onlyListed.url}/graphql`, {
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(USER_NAME) } },
    });
    expect(response.body.data).toEqual({ user: { name: expect.any(String) } });
  });

  it('runs one by documentId over GET', async () => {
    const url = `${onlyListed.url}/graphql?documentId=${sha256(USER_NAME)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
    const body = (await (await fetch(url, { headers: { 'graphql-require-preflight': '1' } })).json()) as {
      data: unknown;
    };
    expect(body.data).toEqual({ user: { name: expect.any(String) } });
  });

  it('runs the full text of a listed document', async () => {
    const response = await postGraphQL(`${onlyListed.url}/graphql`, { query: USER_NAME, variables });
    expect(response.body.data).toEqual({ user: { name: expect.any(String) } });
  });

  it('refuses any other document with PERSISTED_QUERY_NOT_FOUND and no upstream call, over POST and GET', async () => {
    backends.accounts.clearRecords();
    const post = await postGraphQL(`${onlyListed.url}/graphql`, { query: '{ user(id: "User:3") { email } }' });
    const get = await fetch(
      `${onlyListed.url}/graphql?query=${encodeURIComponent('{ user(id: "User:3") { email } }')}`,
      {
        headers: { 'graphql-require-preflight': '1', accept: 'application/graphql-response+json' },
      },
    );
    expect(codes(post)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect([post.status, get.status]).toEqual([400, 400]);
    expect(((await get.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect(backends.accounts.requests).toHaveLength(0);
  });

  it('refuses an unknown id, even with a document text alongside', async () => {
    const unknown = await postGraphQL(`${onlyListed.url}/graphql`, { documentId: sha256('nope') });
    const withText = await postGraphQL(`${onlyListed.url}/graphql`, {
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256('nope') } },
    });
    expect([codes(unknown), codes(withText)]).toEqual([['PERSISTED_QUERY_NOT_FOUND'], ['PERSISTED_QUERY_NOT_FOUND']]);
  });

  it('reads an Apollo persisted query manifest', async () => {
    expect((await postGraphQL(`${apollo.url}/graphql`, { documentId: 'user-name-v1', variables })).body.data).toEqual({
      user: { name: expect.any(String) },
    });
    expect(codes(await postGraphQL(`${apollo.url}/graphql`, { query: GREETING }))).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
  });

  it('still applies every limit to a persisted document', async () => {
    const bigPage = await postGraphQL(`${onlyListed.url}/graphql`, {
      documentId: sha256(USER_NAME),
      variables: { id: 'x'.repeat(1_000) },
    });
    expect(codes(bigPage)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('persisted documents alongside any other (only: false)', () => {
  it('runs listed ids and other documents', async () => {
    expect((await postGraphQL(`${open.url}/graphql`, { documentId: sha256(GREETING) })).body.data).toEqual({
      __typename: 'Query',
    });
    expect((await postGraphQL(`${open.url}/graphql`, { query: '{ user(id: "User:3") { email } }' })).body.data).toEqual(
      { user: { email: expect.any(String) } },
    );
  });

  it('answers an unknown id PERSISTED_QUERY_NOT_FOUND, and runs it when the client sends the text along (Apollo APQ)', async () => {
    const hash = sha256('{ user(id: "User:4") { name } }');
    expect(
      codes(
        await postGraphQL(`${open.url}/graphql`, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
      ),
    ).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const retried = await postGraphQL(`${open.url}/graphql`, {
      query: '{ user(id: "User:4") { name } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(retried.body.data).toEqual({ user: { name: expect.any(String) } });
  });
});

describe('start-up', () => {
  it('refuses a list with a document that does not fit the schema, naming it', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ good: GREETING, stale: '{ user(id: "User:1") { nickname } }' }));
    await expect(startGateway(backends, { persistedDocuments: { file: broken } })).rejects.toThrow(
      /persistedDocuments: document "stale": Cannot query field "nickname"/,
    );
  });

  it('refuses a file that is not one of the two formats', async () => {
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify([GREETING]));
    await expect(startGateway(backends, { persistedDocuments: { file: wrong } })).rejects.toThrow(
      /persistedDocuments.file: .* is neither/,
    );
    await expect(startGateway(backends, { persistedDocuments: { file: join(dir, 'missing.json') } })).rejects.toThrow(
      /persistedDocuments.file: cannot read/,
    );
  });
});
