/**
 * What a request may carry and cost: body size, client rate, argument
 * lengths, signed cursors, and the objects and bytes of an answer; each
 * refused with its code and no upstream call it should not make.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Backends } from '../helpers/backends.ts';
import { codes, startGateway, type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;
const services = () => [backends.accounts, backends.content, backends.comments, backends.weather];
const upstreamCalls = () => services().reduce((sum, service) => sum + service.requests.length, 0);

useGateway({}, (running) => {
  ({ backends, gateway } = running);
});
beforeEach(() => services().forEach((service) => service.clearRecords()));

describe('the request body', () => {
  /** Sends only the head of a request that declares `declared` bytes, and reads what comes back. */
  const declareOnly = (declared: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${gateway.url}/graphql`);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': declared },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });

  it('a declared 50 MiB Content-Length gets 413 PAYLOAD_TOO_LARGE at once, before any byte of it is sent', async () => {
    const answer = await declareOnly(50 * 1024 * 1024);
    expect(answer.status).toBe(413);
    expect(
      (JSON.parse(answer.body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });

  /**
   * Sends a whole request, head and body, reading nothing until every byte
   * is written, as a client on a busy machine may: a server that closed with
   * the body unread would have reset the connection, and the answer waiting
   * in the client's buffer would be lost with it (EPIPE, ECONNRESET).
   */
  const sendAllThenRead = (head: string, body: Buffer, framing: 'length' | 'chunked') =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
      socket.pause();
      socket.on('error', reject);
      socket.once('connect', async () => {
        const write = (bytes: Buffer | string) =>
          new Promise<void>((done) => (socket.write(bytes) ? done() : socket.once('drain', done)));
        await write(
          `${head}${framing === 'length' ? `Content-Length: ${body.length}` : 'Transfer-Encoding: chunked'}\r\n\r\n`,
        );
        for (let at = 0; at < body.length; at += 256 * 1024) {
          const part = body.subarray(at, at + 256 * 1024);
          await write(
            framing === 'length'
              ? part
              : Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]),
          );
        }
        if (framing === 'chunked') await write('0\r\n\r\n');
        let received = '';
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          // One answer is all this test waits for.
          if (/\r\n\r\n[\s\S]*\}\]\}/.test(received)) socket.destroy();
        });
        socket.once('close', () => resolve(received));
        socket.resume();
      });
    });

  const MiB = 1024 * 1024;
  /** A GraphQL multipart request whose one file is `size` bytes. */
  const multipart = (size: number) =>
    Buffer.concat([
      Buffer.from(
        '--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"mutation ($f: Upload!) { addAttachment(articleId: \\"Article:1\\", file: $f) { id } }","variables":{"f":null}}\r\n' +
          '--b\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.f"]}\r\n' +
          '--b\r\nContent-Disposition: form-data; name="0"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n',
      ),
      Buffer.alloc(size, 'x'),
      Buffer.from('\r\n--b--\r\n'),
    ]);
  it.each([
    ['a 50 MiB JSON body', 'application/json', Buffer.alloc(50 * MiB, 'x'), 'length'],
    ['a 2 MiB chunked JSON body', 'application/json', Buffer.alloc(2 * MiB, 'x'), 'chunked'],
    ['a 2 MiB application/graphql+json body', 'application/graphql+json', Buffer.alloc(2 * MiB, 'x'), 'length'],
    ['a 30 MiB application/graphql+json body', 'application/graphql+json', Buffer.alloc(30 * MiB, 'x'), 'length'],
    ['a 2 MiB chunked application/graphql body', 'application/graphql', Buffer.alloc(2 * MiB, 'x'), 'chunked'],
    ['a 66 MiB multipart body', 'multipart/form-data; boundary=b', multipart(66 * MiB), 'length'],
    [
      'a multipart body with a 66 MiB file, chunked (the example graph allows 64 MiB)',
      'multipart/form-data; boundary=b',
      multipart(66 * MiB),
      'chunked',
    ],
  ] as const)(
    '%s sent whole before the client reads: the client still reads its 413',
    async (_name, contentType, body, framing) => {
      const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nGraphQL-Require-Preflight: 1\r\n`;
      const answer = await sendAllThenRead(head, body, framing);
      expect(answer).toMatch(/^HTTP\/1\.1 413 [\s\S]*"PAYLOAD_TOO_LARGE"/);
      expect(upstreamCalls()).toBe(0);
    },
  );

  it('stops reading a refused body past server.listener.lingerBytes and closes the connection', async () => {
    const own = await startGateway(backends, { server: { listener: { lingerBytes: 1024 * 1024 } } });
    try {
      const socket = connect(Number(new URL(own.url).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${200 * MiB}\r\n\r\n`,
      );
      let sent = 0;
      const chunk = Buffer.alloc(256 * 1024, 'x');
      while (!socket.destroyed && sent < 200 * MiB) {
        sent += chunk.length;
        if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      }
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      // Cut off well before the 200 MiB it declared: what the kernel buffers besides the 1 MiB read.
      expect(sent).toBeLessThan(100 * MiB);
    } finally {
      await own.close();
    }
  });

  it.each(['application/json', 'application/graphql', 'application/x-www-form-urlencoded'])(
    'a declared oversize %s body is refused the same way',
    async (contentType) => {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType, 'graphql-require-preflight': '1' },
        body: 'x'.repeat(1_100_000),
      });
      expect(response.status).toBe(413);
      expect(
        ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
      ).toBe('PAYLOAD_TOO_LARGE');
    },
  );

  it('a chunked body without Content-Length is cut off at the limit', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(100_000)));
        controller.close();
      },
    });
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('a JSON body nested deeper than 64 levels is BAD_REQUEST before it is parsed', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query": "{ __typename }", "variables": {"v": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    });
    expect(response.status).toBe(400);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('BAD_REQUEST');
  });
});

describe('argument bounds', () => {
  it.each([
    ['a 1 MB id', '{ user(id: $v) { name } }', 'ID!', `User:${'1'.repeat(1_000_000)}`],
    [
      'a 1 MB category',
      '{ articles(first: 1, category: $v) { edges { node { id } } } }',
      'String',
      'x'.repeat(1_000_000),
    ],
    ['a 300-character id', '{ article(id: $v) { title } }', 'ID!', `Article:${'9'.repeat(300)}`],
    ['a control character in an id', '{ user(id: $v) { name } }', 'ID!', 'User:1\u0001'],
  ])('%s is BAD_USER_INPUT with no upstream call', async (_name, selection, type, value) => {
    const response = await gateway.query(`query($v: ${type}) ${selection}`, { v: value.slice(0, 900_000) });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(upstreamCalls()).toBe(0);
  });

  it.each([
    ['a literal past Int', '{ users(first: 2147483648) { edges { node { id } } } }', {}, 'first', 2147483648],
    ['a float literal', '{ users(first: 1e9) { edges { node { id } } } }', {}, 'first', 1e9],
    ['a variable', 'query ($n: Int) { users(first: $n) { edges { node { id } } } }', { n: 1e9 }, 'first', 1e9],
    [
      'a nested connection',
      '{ articles(first: 5) { edges { node { comments(first: 1e9) { edges { node { id } } } } } } }',
      {},
      'first',
      1e9,
    ],
    ['last, by one', '{ users(last: 101) { edges { node { id } } } }', {}, 'last', 101],
  ])(
    'a connection size out of range (%s) is refused as BAD_USER_INPUT before its cost is estimated',
    async (_name, query, variables, argument, value) => {
      const response = await gateway.query(query, variables);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.message).toBe(`${argument} must be between 1 and 100, got ${value}.`);
      expect(upstreamCalls()).toBe(0);
    },
  );

  it("accepts a long article body up to the schema's own @length", async () => {
    const response = await gateway.query('mutation($input: ArticleInput!) { createArticle(input: $input) { id } }', {
      input: { title: 't', body: 'b'.repeat(50_000), category: 'tech', authorId: 'User:1' },
    });
    expect(response.body.errors).toBeUndefined();
  });
});

describe('signed cursors', () => {
  const firstPage = async (query: string) => {
    const { body } = await gateway.query(query);
    const connection = Object.values(body.data ?? {})[0] as { pageInfo: { endCursor: string } };
    return connection.pageInfo.endCursor;
  };
  const connections: Array<[string, string, (after: string) => string]> = [
    [
      'Query.users (offset)',
      '{ users(first: 2) { pageInfo { endCursor } } }',
      (after) => `{ users(first: 2, after: "${after}") { edges { node { id } } } }`,
    ],
    [
      'Query.articles (body cursor)',
      '{ articles(first: 2) { pageInfo { endCursor } } }',
      (after) => `{ articles(first: 2, after: "${after}") { edges { node { id } } } }`,
    ],
  ];

  it.each(connections)(
    'property: any change to a %s cursor is INVALID_CURSOR with 0 upstream calls',
    async (_name, first, next) => {
      const cursor = await firstPage(first);
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.constantFrom(...'ABCXYZabcxyz0189-_.'), async (at, replacement) => {
          const index = at % cursor.length;
          fc.pre(cursor[index] !== replacement);
          services().forEach((service) => service.clearRecords());
          const response = await gateway.query(next(cursor.slice(0, index) + replacement + cursor.slice(index + 1)));
          expect(codes(response)).toEqual(['INVALID_CURSOR']);
          expect(upstreamCalls()).toBe(0);
        }),
        { numRuns: 40 },
      );
    },
  );

  it('a forged articles cursor pointing at the token endpoint never reaches content', async () => {
    const position = Buffer.from(
      JSON.stringify({ r: '../../oauth/token?grant_type=client_credentials', i: 0 }),
    ).toString('base64url');
    const response = await gateway.query(
      `{ articles(first: 2, after: "${position}.r.${'A'.repeat(22)}") { edges { node { id } } } }`,
    );
    expect(codes(response)).toEqual(['INVALID_CURSOR']);
    expect(backends.content.requests).toHaveLength(0);
  });

  it('a cursor from one connection is refused by another', async () => {
    const cursor = await firstPage('{ users(first: 2) { pageInfo { endCursor } } }');
    expect(
      codes(
        await gateway.query(`{ article(id: "Article:1") { comments(first: 1, after: "${cursor}") { totalCount } } }`),
      ),
    ).toEqual(['INVALID_CURSOR']);
  });

  it('keys rotate: cursors signed by a retired key keep working while it is listed, and stop when it is dropped', async () => {
    const k1 = { id: 'k1', secret: { env: 'CURSOR_K1' } };
    const k2 = { id: 'k2', secret: { env: 'CURSOR_K2' } };
    const env = { CURSOR_K1: 'one'.repeat(11), CURSOR_K2: 'two'.repeat(11) };
    const [before, during, after] = await Promise.all([
      startGateway(backends, { env, cursors: { keys: [k1] } }),
      startGateway(backends, { env, cursors: { keys: [k2, k1] } }),
      startGateway(backends, { env, cursors: { keys: [k2] } }),
    ]);
    try {
      const { body } = await before.query('{ users(first: 2) { pageInfo { endCursor } } }');
      const cursor = (body.data?.users as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
      const next = `{ users(first: 1, after: "${cursor}") { edges { node { id } } } }`;
      expect((await during.query(next)).body.data?.users).toEqual({ edges: [{ node: { id: 'User:3' } }] });
      expect(codes(await after.query(next))).toEqual(['INVALID_CURSOR']);
    } finally {
      await Promise.all([before.close(), during.close(), after.close()]);
    }
  });
});

describe('client rate limit', () => {
  it('refuses a client past its burst with 429, Retry-After and REQUEST_RATE_LIMITED, on both transports, and no upstream call; other clients go on', async () => {
    const limited = await startGateway(backends, {
      limits: { clientRateLimit: { requestsPerSecond: 0.01, burst: 2, by: 'authorization' } },
    });
    try {
      const ada = { authorization: 'Bearer ada' };
      const query = '{ user(id: "User:1") { name } }';
      const first = [await limited.query(query, undefined, ada), await limited.query(query, undefined, ada)];
      expect(first.map((response) => response.status)).toEqual([200, 200]);
      services().forEach((service) => service.clearRecords());
      const third = await limited.query(query, undefined, ada);
      const viaGet = await fetch(`${limited.url}/graphql?query=${encodeURIComponent(query)}`, {
        headers: { ...ada, 'graphql-require-preflight': '1' },
      });
      expect([third.status, viaGet.status]).toEqual([429, 429]);
      expect(codes(third)).toEqual(['REQUEST_RATE_LIMITED']);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(viaGet.headers.get('retry-after')).toBe(third.headers.get('retry-after'));
      expect(upstreamCalls()).toBe(0);
      expect((await limited.query(query, undefined, { authorization: 'Bearer grace' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('what an answer may hold', () => {
  it('stops execution past limits.maxResponseObjects with RESPONSE_TOO_LARGE, data null', async () => {
    const small = await startGateway(backends, { limits: { maxResponseObjects: 30 } });
    try {
      const response = await small.query('{ weather(city: "London") { forecast(days: 5) { temperature } } }');
      expect(codes(response)).toEqual(['RESPONSE_TOO_LARGE']);
      expect(response.body.data).toBeNull();
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ limit: 30 });
    } finally {
      await small.close();
    }
  });

  it('refuses an answer over limits.maxResponseBytes, on both transports', async () => {
    const small = await startGateway(backends, { limits: { maxResponseBytes: 2_000 } });
    try {
      const query = '{ users(first: 50) { edges { node { name email city } } } }';
      const post = await small.query(query);
      const get = await fetch(`${small.url}/graphql?query=${encodeURIComponent(query)}`, {
        headers: { 'graphql-require-preflight': '1' },
      });
      expect(codes(post)).toEqual(['RESPONSE_TOO_LARGE']);
      expect(
        ((await get.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
      ).toBe('RESPONSE_TOO_LARGE');
      expect(post.text.length).toBeLessThan(2_000);
    } finally {
      await small.close();
    }
  });
});
