/**
 * Starts a real gateway on 127.0.0.1 (port chosen by the OS) over the real
 * graftql.config.ts, pointed at test backends, and speaks GraphQL over HTTP.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import type { BackendOptions } from '../../examples/backends/index.ts';
import exampleConfig from '../../graftql.config.ts';
import type { GatewayConfig, SourceConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway, type Gateway } from '../../src/server/create-gateway.ts';
import type { Graph } from '../../src/server/graph.ts';
import { listen } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Backends, startBackends } from './backends.ts';

type SourceInput = GatewayConfig['sources'][string];
type SourceName = 'accounts' | 'content' | 'comments' | 'weather';

export interface TestGatewayOptions {
  /** Per-source config overrides, e.g. shorter timeouts. */
  sources?: Partial<Record<SourceName, Partial<SourceInput>>>;
  server?: GatewayConfig['server'];
  limits?: GatewayConfig['limits'];
  /** Extra or replaced environment variables. */
  env?: Record<string, string>;
  /** false: store no upstream answers (identical in-flight calls are still shared), so every query reaches the services. */
  responseCache?: false;
  /** Upstream cache bounds, and `maxResultBytes` for the result cache. */
  cache?: GatewayConfig['cache'];
  persistedDocuments?: GatewayConfig['persistedDocuments'];
  cursors?: GatewayConfig['cursors'];
  observability?: GatewayConfig['observability'];
  /** Serve another graph than the example. */
  graph?: Graph;
  /** The sources' clock (test/helpers/time.ts manualClock). */
  now?: () => number;
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, unknown> }>;
  };
  text: string;
}

export interface TestGateway {
  url: string;
  /** Every log line the gateway wrote, raw JSON. */
  logs: string[];
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse>;
  /** The fetch-API transport (`gateway.fetch`), as Hono, Bun or Deno would call it. */
  fetch(request: Request): Promise<Response>;
  cacheStats: Gateway['cacheStats'];
  /** Subscriptions open now. */
  subscriptions(): number;
  close(): Promise<void>;
}

export function configFor(options: TestGatewayOptions = {}): GatewayConfig {
  const sources = Object.fromEntries(
    Object.entries(exampleConfig.sources).map(([name, source]) => {
      const overrides = options.sources?.[name as SourceName];
      const cache =
        options.responseCache === false
          ? { ...source.cache, ...overrides?.cache, enabled: false }
          : { ...source.cache, ...overrides?.cache };
      return [name, { ...source, ...overrides, cache }];
    }),
  ) as Record<string, SourceInput>;
  return {
    ...exampleConfig,
    limits: { ...exampleConfig.limits, ...options.limits },
    cache: { ...exampleConfig.cache, ...options.cache },
    persistedDocuments: options.persistedDocuments,
    cursors: options.cursors,
    observability: options.observability,
    server: { ...exampleConfig.server, port: 0, host: '127.0.0.1', shutdownGraceMs: 1_000, ...options.server },
    sources,
  };
}

export async function startGateway(backends: Backends, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const env = { ...backends.env, ...options.env };
  const config = configFor(options);
  const gateway = createGateway(config, { env, logger, graph: options.graph, now: options.now });
  const running = await listen(gateway, resolveConfig(config, env));
  return {
    url: running.url,
    logs,
    query: (query, variables, headers) => postGraphQL(`${running.url}/graphql`, { query, variables }, headers),
    fetch: async (request) => gateway.fetch(request),
    cacheStats: () => gateway.cacheStats(),
    subscriptions: () => gateway.subscriptions(),
    close: () => running.shutdown(),
  };
}

export async function postGraphQL(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as GraphQLResponse['body'],
    text,
  };
}

/** The codes of a response's errors, in order. */
export function codes(response: GraphQLResponse): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions.code);
}

export type { SourceConfig };

/** Runs `run` against a gateway of its own over `backends`, closed afterwards whatever happens. */
export async function withGateway(
  backends: Backends,
  options: TestGatewayOptions,
  run: (gateway: TestGateway) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway(backends, options);
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

export interface Running {
  readonly backends: Backends;
  readonly gateway: TestGateway;
}

/**
 * The example services and a gateway over them for the whole test file
 * (vitest's beforeAll / afterAll): started before its first test, the
 * gateway closed before the services after its last, whatever happened.
 * `onStart` hands them to the file's own variables; the handle returned
 * holds them too once started.
 */
export function useGateway(
  options: TestGatewayOptions & { backends?: BackendOptions; warmUp?: string } = {},
  onStart?: (running: Running) => void,
): Running {
  const running = {} as { backends: Backends; gateway: TestGateway };
  beforeAll(async () => {
    running.backends = await startBackends(options.backends);
    running.gateway = await startGateway(running.backends, options);
    if (options.warmUp) await running.gateway.query(options.warmUp);
    onStart?.(running);
  });
  afterAll(async () => {
    try {
      await running.gateway?.close();
    } finally {
      await running.backends?.close();
    }
  });
  return running;
}
