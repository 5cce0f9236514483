/**
 * Requests Node's HTTP server refuses before any handler: each answered
 * truthfully (408 naming the limits, 400 naming what was malformed), logged
 * and counted by its Node code; and a connection the client sent nothing on
 * (a browser's preconnect) closed without an answer, which the client would
 * otherwise read as the answer to the request it sends next. The last test
 * runs beside a CPU hog, with a browser-like client that opens connections
 * ahead of use and a keep-alive client with gaps between its requests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

let gateway: TestGateway;
/** Short listener timeouts, so that an idle connection expires within the test. */
const listener = { headersTimeoutMs: 150, requestTimeoutMs: 150, connectionsCheckingIntervalMs: 20 };

useGateway({ server: { listener } }, (running) => {
  ({ gateway } = running);
});

interface RawConnection {
  socket: Socket;
  /** What the server sent, as text. */
  received(): string;
  closed: Promise<void>;
}

async function open(): Promise<RawConnection> {
  const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => received, closed };
}

const counted = async (code: string, answered: boolean) => {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(
    new RegExp(`^graftql_client_errors_total\\{code="${code}",answered="${answered}"\\} (\\d+)`, 'm').exec(text)?.[1] ??
      0,
  );
};

const QUERY = JSON.stringify({ query: '{ __typename }' });
const REQUEST = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${QUERY.length}\r\n\r\n${QUERY}`;

describe('client errors', () => {
  it('a connection the client sent nothing on expires without an answer, so the next request on it is never answered by a stale 400', async () => {
    const before = await counted('ERR_HTTP_REQUEST_TIMEOUT', false);
    const idle = await open();
    await idle.closed;
    expect(idle.received()).toBe('');
    expect(await counted('ERR_HTTP_REQUEST_TIMEOUT', false)).toBe(before + 1);
    expect(gateway.logs.some((line) => line.includes('"code":"ERR_HTTP_REQUEST_TIMEOUT"'))).toBe(true);
  });

  it('a request that stops halfway through its headers gets 408 REQUEST_TIMEOUT naming the limits', async () => {
    const before = await counted('ERR_HTTP_REQUEST_TIMEOUT', true);
    const slow = await open();
    slow.socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const body = JSON.parse(slow.received().split('\r\n\r\n')[1] ?? '') as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(body.errors[0]?.extensions.code).toBe('REQUEST_TIMEOUT');
    expect(body.errors[0]?.message).toContain('150 ms');
    expect(await counted('ERR_HTTP_REQUEST_TIMEOUT', true)).toBe(before + 1);
  });

  it('bytes that are not HTTP get 400 BAD_REQUEST naming what was malformed', async () => {
    const garbage = await open();
    garbage.socket.write('BREW /graphql HTCPCP/1.0\r\n\r\n');
    await garbage.closed;
    expect(garbage.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(garbage.received()).toMatch(/"message":"The HTTP request is malformed: [^"]+ \(HPE_[A-Z_]+\)\."/);
    expect(await counted('HPE_INVALID_METHOD', true)).toBeGreaterThan(0);
  });

  it('beside a CPU hog, clients that open connections ahead of use and pause between requests get only real answers', async () => {
    // Bounded: two busy loops for at most 60 s, ended when the test ends.
    const hogs: ChildProcess[] = [0, 1].map(() =>
      spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore', timeout: 60_000 }),
    );
    try {
      const statuses: string[] = [];
      /** As a browser does: a connection opened early is used later; one closed before it answered is replaced by a new one. */
      const browserLike = async (gapMs: number) => {
        const early = await open();
        await new Promise((resolve) => setTimeout(resolve, gapMs));
        for (let connection = early; ; connection = await open()) {
          if (!connection.socket.destroyed) connection.socket.write(REQUEST);
          await until(
            () => connection.received().includes('\r\n\r\n') || connection.socket.destroyed,
            'an answer or a close',
            20_000,
          );
          if (connection.received() !== '') {
            statuses.push(connection.received().slice(9, 12));
            connection.socket.destroy();
            return;
          }
        }
      };
      // Gaps on both sides of the listener's timeout.
      await Promise.all([0, 50, 100, 200, 300, 400].map(browserLike));
      // A keep-alive client, pausing between its requests.
      for (let i = 0; i < 5; i += 1) {
        const response = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: QUERY,
        });
        statuses.push(String(response.status));
        await response.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      expect(statuses).toEqual(Array(11).fill('200'));
    } finally {
      for (const hog of hogs) hog.kill();
    }
  });
});
