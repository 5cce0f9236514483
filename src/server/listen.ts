/**
 * Serves a gateway on `node:http` with listener timeouts hardened against
 * slow clients, and drains in-flight requests on shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, settings.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      server.closeAllConnections();
      await gateway.dispose();
    })());

  return { server, url: `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`, shutdown };
}
