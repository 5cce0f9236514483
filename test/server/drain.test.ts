/**
 * Shutdown under keep-alive: a request that arrives while the gateway
 * drains is answered with `Connection: close`, and a connection that was
 * busy when the drain began is closed once idle, so a client reconnects
 * (and is refused) instead of holding the drain open until the grace ends.
 */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import type { Backends } from '../helpers/backends.ts';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway;

useGateway({ responseCache: false, server: { shutdownGraceMs: 5_000 } }, (running) => {
  ({ backends, gateway } = running);
});

it('a keep-alive connection busy when the drain begins is closed after its answer, or answers its next request with Connection: close', async () => {
  const { hostname, port } = new URL(gateway.url);
  const body = JSON.stringify({ query: '{ user(id: "User:3") { name } }' });
  const post = `POST /graphql HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  backends.accounts.setLatency(300);
  backends.accounts.clearRecords();
  const socket = connect(Number(port), hostname);
  let received = '';
  let ended = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('close', () => (ended = true));
  socket.on('error', () => {});
  try {
    socket.write(post);
    // In flight once its upstream call arrives; the drain begins then.
    await until(() => backends.accounts.requests.length > 0, 'the first request’s upstream call');
    const drained = gateway.close();
    await until(() => received.includes('"data"'), 'the first answer');
    expect(received.slice(0, 12)).toBe('HTTP/1.1 200');
    // The client asks again on the same connection, as keep-alive clients do.
    if (!ended) socket.write(post);
    await until(() => ended, 'the connection closes');
    const answers = received.split('HTTP/1.1 ').slice(1);
    // Either the drain closed the idle connection first (the second request refused), or it answered with Connection: close.
    if (answers.length === 2) expect(answers[1]).toMatch(/\r\nconnection: close\r\n/i);
    else expect(answers).toHaveLength(1);
    await drained;
  } finally {
    backends.accounts.setLatency(0);
    socket.destroy();
  }
});
