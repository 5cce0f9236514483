/**
 * Serves a gateway on `node:http` with listener timeouts hardened against
 * slow clients, and drains in-flight requests on shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { PROMETHEUS_TEXT } from '../observability/metrics.ts';
import type { ServedGateway } from './reloader.ts';

export interface RunningGateway {
  server: Server;
  url: string;
  /** Where metrics are served when `observability.metrics.port` gives them a port of their own. */
  metricsUrl?: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes everything. */
  shutdown(): Promise<void>;
}

export async function listen(
  gateway: ServedGateway,
  { server: settings, observability }: Pick<ResolvedConfig, 'server'> & Partial<Pick<ResolvedConfig, 'observability'>>,
): Promise<RunningGateway> {
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
  server.on('clientError', gateway.clientError);
  server.on('upgrade', gateway.upgrade);
  const port = await listening(server, settings.port, settings.host);
  const metrics =
    observability?.metrics.port !== undefined && gateway.metrics
      ? await serveMetrics(gateway.metrics, observability.metrics, settings.host)
      : undefined;

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
      // Subscriptions and WebSockets never finish by themselves: they end first, and their clients reconnect elsewhere.
      await gateway.endStreams();
      server.closeIdleConnections();
      // Connections busy when the drain began are closed once their answer is out.
      const sweep = setInterval(() => server.closeIdleConnections(), 100).unref();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, settings.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
      metrics?.server.closeAllConnections();
      await Promise.all([gateway.dispose(), metrics && new Promise((resolve) => metrics.server.close(resolve))]);
    })());

  return {
    server,
    url: urlOf(settings.host, port),
    ...(metrics && { metricsUrl: `${urlOf(settings.host, metrics.port)}${observability?.metrics.path}` }),
    shutdown,
  };
}

const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

async function listening(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Metrics on a port of their own: GET of their path, nothing else. */
async function serveMetrics(
  text: () => Promise<string>,
  { path, port }: { path: string; port?: number },
  host: string,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Metrics are at ${path}.`);
      return;
    }
    text().then(
      (body) => res.writeHead(200, { 'content-type': PROMETHEUS_TEXT, 'cache-control': 'no-store' }).end(body),
      (error: Error) =>
        res
          .writeHead(503, {
            'content-type': 'text/plain; charset=utf-8',
            'cache-control': 'no-store',
            'retry-after': '1',
          })
          .end(`Not available now: ${error.message}.`),
    );
  });
  return { server, port: await listening(server, port ?? 0, host) };
}
