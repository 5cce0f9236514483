/**
 * Serves a gateway on `node:http` with listener timeouts hardened against
 * slow clients, and drains in-flight requests on shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedConfig } from '../config/config-schema.ts';
import type { Gateway } from './create-gateway.ts';

export interface RunningGateway {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes everything. */
  shutdown(): Promise<void>;
}

export async function listen(gateway: Gateway, { server: settings }: Pick<ResolvedConfig, 'server'>): Promise<RunningGateway> {
  const { listener } = settings;
  const server = createServer(
    {
      headersTimeout: listener.headersTimeoutMs,
      requestTimeout: listener.requestTimeoutMs,
      // Node checks both timeouts only this often (30 s by default), so a slow-header client would linger that long.
      connectionsCheckingInterval: listener.connectionsCheckingIntervalMs,
      keepAliveTimeout: listener.keepAliveTimeoutMs,
      maxHeaderSize: listener.maxHeaderSize,
    },
    gateway.listener,
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, listener.maxHeaderSize));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  let draining = false;
  // While draining, every answer closes its connection: keep-alive clients reconnect (and are refused) instead of holding the drain open.
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  const shutdown = () =>
    (stopping ??= (async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Connections busy when the drain began are closed once their answer is out.
      const sweep = setInterval(() => server.closeIdleConnections(), 100).unref();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, settings.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
      await gateway.dispose();
    })());

  return { server, url: `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`, shutdown };
}

/**
 * A request Node's HTTP parser refused before any handler saw it (headers or
 * URL over `maxHeaderSize`, a malformed request line) gets a coded JSON
 * error too, not Node's bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, maxHeaderSize: number): void {
  if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket).writableEnded) return void socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const [status, reason, code, message] = tooLarge
    ? [431, 'Request Header Fields Too Large', 'PAYLOAD_TOO_LARGE', `The request line and headers are larger than ${maxHeaderSize} bytes; send a long document with POST.`]
    : [400, 'Bad Request', 'BAD_REQUEST', 'The HTTP request is malformed.'];
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
