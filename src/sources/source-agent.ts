/**
 * A source's undici Agent: its connector (TLS, tls.ts), its timeouts and
 * size bound, and HTTP/2 (`sources.<name>.http2`).
 *
 * HTTP/2 takes more than undici's `allowH2`: a Client sends one request at a
 * time (its `pipelining`, 1 by default) whatever the protocol, so a Pool
 * opens one connection per concurrent call and never multiplexes
 * (nodejs/undici#4143). Raising `pipelining` for every connection would
 * pipeline HTTP/1.1 where `'auto'` falls back to it, so it is raised per
 * connection, once the handshake said h2. The handshake's answer reaches
 * the Client synchronously: undici emits `connect` inside the connector's
 * callback. A Pool still opens a connection for each call made before the
 * first one is up (a connecting Client counts as busy), so with `'auto'` a
 * burst at start opens several; `true` uses one connection from the start.
 */
import { Agent, Client, type Dispatcher, Pool } from 'undici';
import type { SourceConfig } from '../config/config-schema.ts';
import { type SourceTls, tlsConnector } from './tls.ts';

/** Calls one HTTP/2 connection carries at once: undici's `maxConcurrentStreams` default (a server may lower it). */
const STREAMS_PER_CONNECTION = 100;

export interface SourceAgent {
  agent: Agent;
  /** A connection failure as a person can act on it (tls.ts). */
  explain(error: unknown): unknown;
}

export function createSourceAgent(config: SourceConfig, tls: SourceTls['connect'] | undefined): SourceAgent {
  const { http2, timeouts } = config;
  /** What the connection being made agreed to, read by its Client's `connect` listener; and whether any has said h2. */
  let agreed: string | false = false;
  let speaksH2 = http2 === true;
  const connector = tlsConnector({
    timeout: timeouts.connectMs,
    ...tls,
    allowH2: http2 !== false,
    // Plain http has no handshake to agree in: `true` speaks HTTP/2 at once (prior knowledge, h2c).
    useH2c: http2 === true && config.url.origin.startsWith('http:'),
    requireHttp2: http2 === true,
    onConnected: (protocol) => {
      agreed = protocol;
      if (protocol === 'h2') speaksH2 = true;
    },
  });
  // A new connection to a source known to speak h2 takes many calls while it connects, so a burst opens one, not one each.
  const client = (origin: URL, options: object): Dispatcher => {
    const made = new Client(origin, { ...options, pipelining: speaksH2 ? STREAMS_PER_CONNECTION : 1 });
    made.on('connect', () => (made.pipelining = agreed === 'h2' ? STREAMS_PER_CONNECTION : 1));
    return made;
  };
  const agent = new Agent({
    connect: connector.connect,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    maxResponseSize: config.maxResponseBytes,
    connections: config.connections,
    ...(http2 !== false && {
      // A Pool opens a connection for every call made while its connections are still being made: when h2 is
      // required, one connection (a Client) carries them all, as browsers and Go's client do.
      factory: (origin: string | URL, options: Agent.Options) =>
        http2 === true || options.connections === 1
          ? client(new URL(origin), options)
          : new Pool(origin, { ...options, factory: client }),
    }),
  });
  return { agent, explain: connector.explain };
}
