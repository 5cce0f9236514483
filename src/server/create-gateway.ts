/**
 * createGateway: the one wiring module. Config in; out, a Yoga server (a
 * fetch handler and a `node:http` listener for Express, Hono, …) with a
 * faster `listener` in front of it. Both transports lead into one pipeline.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { type Callers, createCallers } from '../auth/callers.ts';
import { createTokenVerifier, type Identity } from '../auth/token-verifier.ts';
import type { CacheStats, createResponseCache } from '../cache/response-cache.ts';
import type { GatewayConfig, ResolvedConfig } from '../config/config-schema.ts';
import { ConfigError, resolveConfig } from '../config/resolve-config.ts';
import type { CachedRead } from '../core/request-ledger.ts';
import { createEventHub, type EventHub } from '../events/event-hub.ts';
import { createWebhookReceiver, type WebhookReceiver } from '../events/webhook-receiver.ts';
import { callsOf } from '../mapping/calls.ts';
import type { GatewayContext } from '../mapping/gateway-context.ts';
import { compileGraph } from '../mapping/graph.ts';
import type { ClusterView } from '../observability/cluster-view.ts';
import type { Observability } from '../observability/observability.ts';
import type { SourceStatus } from '../observability/status-page.ts';
import { type CursorCodec, createCursorCodec } from '../pagination/cursor.ts';
import { createCostModel } from '../pipeline/cost-model.ts';
import { guardSchema } from '../pipeline/execution-guard.ts';
import { withIncrementalDirectives } from '../pipeline/incremental.ts';
import { checkPersistedDocuments, loadPersistedDocuments } from '../pipeline/persisted-documents.ts';
import { createPipeline, type Pipeline, type RequestScope, type Transport } from '../pipeline/pipeline.ts';
import { relayEvents } from '../replicas/event-relay.ts';
import { replayClaims } from '../replicas/replay-claims.ts';
import { sourceBinder } from '../sources/request-sources.ts';
import type { HedgeStats, SourceClient } from '../sources/source-client.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { type ClientErrorListener, clientErrorListener } from './client-errors.ts';
import { useCors } from './cors.ts';
import { type Carryover, gatewayRuntime } from './gateway-runtime.ts';
import { type Graph, graphOf } from './graph.ts';
import { createNodeTransport, type NodeHandler } from './node-transport.ts';
import { useObservabilityEndpoints } from './observability-endpoints.ts';
import { acceptedRequestId, requestIds } from './request-id.ts';
import { useWebhookEndpoint } from './webhook-endpoint.ts';
import { createWebSocketTransport, type WebSocketTransport } from './websocket-transport.ts';
import { usePipeline } from './yoga-transport.ts';

export interface GatewayOptions {
  /** Where `{ env: 'NAME' }` references are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default a pino logger on stdout */
  logger?: Logger;
  /** The graph to serve. @default the SDL files of `config.schema`, with `config.resolvers` and `config.loaders` */
  graph?: Graph;
  /** Where `config.schema` and `persistedDocuments.file` are relative to. @default process.cwd() */
  baseDir?: string;
  /** The clock of token lifetimes, breaker open periods, rate-limit pacing and cached answers' freshness, ms since epoch; tests pass their own. @default Date.now */
  now?: () => number;
  /** In a worker of `graftql serve --workers` (observability/cluster-view.ts): /metrics and /status answer for every worker. */
  cluster?: ClusterView;
  /** Hot reload (reloader.ts): the running gateway's parts, which this one takes over where their config is unchanged. */
  carry?: Carryover;
  /** What /readyz and /status show besides (under hot reload: a reload that failed). */
  notes?: () => readonly string[];
}

export type Gateway = YogaServerInstance<Record<string, unknown>, Record<string, unknown>> & {
  /** Response cache hit / miss / stale / revalidated / coalesced counts per source, for the metrics layer. */
  cacheStats(): Readonly<Record<string, CacheStats>>;
  /** Per source: backup attempts sent by hedging, and how many answered first. */
  hedgeStats(): Readonly<Record<string, HedgeStats>>;
  /** The Prometheus exposition (text format 0.0.4); absent when `observability.metrics.enabled` is false. */
  metrics?: () => Promise<string>;
  /** Each source's state and last minute, as the status page shows them. */
  sourceStatus(): SourceStatus[];
  /** Subscriptions open now (SSE and WebSockets). */
  subscriptions(): number;
  /** Ends every subscription and WebSocket (1001 Going away): a drain starts with it, since they would never finish by themselves. */
  endStreams(): Promise<void>;
  /** The fastest `node:http` request listener: JSON POSTs on a direct path, everything else through Yoga; one pipeline behind both. */
  listener: NodeHandler;
  /** A `node:http` server's 'upgrade' listener: GraphQL over WebSockets on the GraphQL path (`server.on('upgrade', gateway.upgrade)`). */
  upgrade: WebSocketTransport['upgrade'];
  /** A `node:http` server's 'clientError' listener: requests Node refused before any handler, answered truthfully, logged and counted (`server.on('clientError', gateway.clientError)`). */
  clientError: ClientErrorListener;
  /** What a gateway that replaces this one (hot reload) may take over. */
  carryover: Carryover;
};

/** How long a readiness probe waits for each source. */
const READINESS_PROBE_MS = 1_000;

export function createGateway(
  input: GatewayConfig,
  {
    env = process.env,
    logger = createLogger(),
    baseDir = process.cwd(),
    graph,
    now,
    cluster,
    carry,
    notes = () => [],
  }: GatewayOptions = {},
): Gateway {
  const config = resolveConfig(input, env, (message) => logger.warn(message));
  const served = graph ?? graphOf(config, baseDir);
  const { compiled, schema, persisted, knownOperations } = compiledGraph(config, served, baseDir);
  const events = createEventHub({ queueSize: config.limits.subscriberQueue });
  const runtime = gatewayRuntime(config, compiled.plans.values(), knownOperations, {
    env,
    logger,
    baseDir,
    now,
    cluster,
    carry,
    notes,
    subscriptions: () => events.size(),
  });
  const { observability, cache, redis, replica, clients } = runtime;
  const { tracing } = observability;
  const allClients = Object.values(clients);
  const cursors = createCursorCodec(config.cursors.keys?.map((key) => ({ id: key.id, secret: key.secret.reveal() })));

  const contextFor = contextFactory({ config, clients, loaders: served.loaders, logger, cursors, events });
  const pipeline = createPipeline({
    schema,
    costModel: createCostModel((coordinate) => callsOf(compiled.plans, coordinate), compiled.handWritten),
    limits: config.limits,
    server: config.server,
    callers: config.auth && callersOf(config.auth, { logger, now, baseDir }),
    // With partial answers asked for, the resolvers' guards alone judge each field (mapping/run/access-guards.ts).
    access: config.auth?.unauthorized === 'null' ? undefined : compiled.access,
    persisted,
    contextFor,
    logger,
    ...(config.server.plans && { plans: { handWritten: compiled.handWritten } }),
    sharing: sharingOf(config, cache),
    observe: observability.requestObserver,
    tracing,
  });

  const webhooks = createWebhookReceiver({
    sources: config.sources,
    // With Redis, events and replay claims reach every replica.
    ...(redis ? { hub: relayEvents(events, redis, replica), claim: replayClaims(redis) } : { hub: events }),
    invalidate: (source, paths) => clients[source]?.invalidate(paths),
    logger,
    observe: observability.webhookObserver,
    now: now ?? Date.now,
  });
  const websockets = createWebSocketTransport({
    pipeline,
    schema,
    endpoint: config.server.paths.graphql,
    requestIdOf: acceptedRequestId,
    maxPayloadBytes: config.limits.maxBodyBytes,
    listedOrigins: config.server.cors.origins.filter((origin) => origin !== '*'),
  });
  const ids = requestIds();
  const admitted = new WeakSet<IncomingMessage>();
  const yoga = yogaServer({
    config,
    schema,
    logger,
    observability,
    webhooks,
    pipeline,
    admitted,
    requestIds: ids,
    readiness: readinessCheck(config, allClients, () => [...runtime.tlsWarnings, ...notes()]),
    onDispose: () => Promise.all([runtime.close(), websockets.close()]).then(() => undefined),
  });
  const listener = nodeListener(
    config,
    { pipeline, admitted, logger, publicPaths: Object.values(observability.publicPaths) },
    yoga,
  );
  const { metrics, sourceStatus } = observability;
  return Object.assign(yoga, {
    cacheStats: () => cache.stats(),
    hedgeStats: () => Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, client.hedges()])),
    listener,
    upgrade: websockets.upgrade,
    clientError: clientErrorListener(config.server.listener, { logger, observe: observability.clientErrorObserver }),
    sourceStatus,
    subscriptions: () => events.size(),
    endStreams: () => {
      events.endAll();
      return websockets.close();
    },
    ...(metrics && { metrics }),
    carryover: runtime.carryover,
  });
}

/** The node:http listener: the direct JSON transport, handing Yoga what is not a plain GraphQL POST. */
function nodeListener(
  config: ResolvedConfig,
  parts: { pipeline: Pipeline; admitted: WeakSet<IncomingMessage>; logger: Logger; publicPaths: readonly string[] },
  yoga: Parameters<typeof createNodeTransport>[1],
): NodeHandler {
  const { paths } = config.server;
  return createNodeTransport(
    {
      pipeline: parts.pipeline,
      admitted: parts.admitted,
      paths: {
        graphql: paths.graphql,
        others: [paths.health, paths.ready, ...parts.publicPaths],
        prefixes: [`${paths.webhooks.replace(/\/+$/, '')}/`],
      },
      maxBodyBytes: config.limits.maxBodyBytes,
      maxUploadBytes: config.limits.uploads.maxTotalBytes,
      requestIdOf: acceptedRequestId,
      logger: parts.logger,
      linger: config.server.listener,
      cors: config.server.cors,
    },
    yoga,
  );
}

/** The graph compiled and guarded, its persisted documents checked against it; an @event on a source without webhooks is a config error. */
function compiledGraph(config: ResolvedConfig, served: Graph, baseDir: string) {
  const compiled = compileGraph({
    files: served.files,
    sources: config.sources,
    resolvers: served.resolvers,
    federation: config.server.federation,
  });
  // @defer and @stream are the pipeline's (pipeline/incremental.ts), in every schema it serves.
  const schema = withIncrementalDirectives(guardSchema(compiled.schema));
  const persisted = config.persistedDocuments && loadPersistedDocuments(config.persistedDocuments, baseDir);
  const knownOperations = persisted ? checkPersistedDocuments(persisted, schema) : [];
  for (const plan of compiled.plans.values()) {
    if (plan.kind === 'event' && !config.sources[plan.source]?.webhooks)
      throw new ConfigError(
        `${plan.coordinate} @event reads source "${plan.source}", which has no webhooks in the config: add sources.${plan.source}.webhooks.`,
      );
  }
  return { compiled, schema, persisted, knownOperations };
}

interface ContextParts {
  config: ResolvedConfig;
  clients: Readonly<Record<string, SourceClient>>;
  loaders: Graph['loaders'];
  logger: Logger;
  cursors: CursorCodec;
  events: EventHub;
}

/** What every resolver gets, whichever transport the request took: the sources bound to the deadline and ledger the pipeline made for it. */
function contextFactory({
  config,
  clients,
  loaders,
  logger,
  cursors,
  events,
}: ContextParts): (transport: Transport, scope: RequestScope) => GatewayContext {
  const bindSources = sourceBinder(clients);
  return (transport, { deadline, ledger, trace, identity }) => {
    const { requestId, header } = transport;
    const optionsFor = (name: string) => ({
      requestId,
      deadline,
      budget: ledger,
      forwarded: withCaller(
        pickHeaders(header, config.sources[name]?.forwardHeaders ?? []),
        config.sources[name]?.forwardCaller,
        identity,
      ),
      trace,
    });
    const sources = bindSources(optionsFor, ledger);
    return {
      requestId,
      header,
      sources,
      loaders: loaders?.(sources),
      logger,
      cursors,
      deadlineAt: deadline.at,
      staleNotices: ledger.staleNotices,
      events,
      identity,
    };
  };
}

interface YogaParts {
  config: ResolvedConfig;
  schema: GraphQLSchema;
  logger: Logger;
  observability: Observability;
  webhooks: WebhookReceiver;
  pipeline: Pipeline;
  /** Requests the node transport admitted (rate limit) before handing them to Yoga. */
  admitted: WeakSet<IncomingMessage>;
  requestIds: ReturnType<typeof requestIds>;
  readiness: () => Promise<boolean | Response>;
  onDispose: () => Promise<void>;
}

/** Yoga, as the gateway's transport for what the node transport hands it (GET, forms, multipart, SSE), with the gateway's plugins. */
function yogaServer({
  config,
  schema,
  logger,
  observability,
  webhooks,
  pipeline,
  admitted,
  requestIds,
  readiness,
  onDispose,
}: YogaParts) {
  const { paths } = config.server;
  return createYoga<Record<string, unknown>>({
    schema,
    graphqlEndpoint: paths.graphql,
    healthCheckEndpoint: paths.health,
    landingPage: false,
    // GraphiQL subscribes over SSE with GET requests: they carry the preflight header, as a non-JSON request must (CSRF prevention).
    graphiql: config.server.graphiql
      ? { title: 'GraftQL', additionalHeaders: { 'graphql-require-preflight': '1' } }
      : false,
    // The page with its assets inlined costs tens of MB of resident memory once loaded: load it on the first GraphiQL visit only.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    maskedErrors: false, // masked in one place: pipeline/client-result.ts
    // CORS is decided in one place for every transport (cors.ts): Yoga's own reflects any Origin with credentials.
    cors: false,
    // The body limit is the Yoga transport's (yoga-transport.ts): a multipart request may add its files'.
    maxRequestBodySize: false,
    logging: logger.child({ component: 'yoga' }),
    plugins: [
      useCors(config.server.cors),
      requestIds.plugin,
      useObservabilityEndpoints(observability, config.observability.status.token),
      useWebhookEndpoint(webhooks, paths.webhooks),
      // Yoga alone executes mutations sent as simple (form or text) POSTs, which browsers send cross-site without a preflight.
      useCSRFPrevention({ requestHeaders: ['graphql-require-preflight', 'x-graphql-yoga-csrf'] }),
      usePipeline({
        pipeline,
        admitted,
        endpoint: paths.graphql,
        requestIdOf: requestIds.idOf,
        maxBodyBytes: config.limits.maxBodyBytes,
        uploads: config.limits.uploads,
      }),
      useReadinessCheck({ endpoint: paths.ready, check: readiness }),
      { onDispose },
    ],
  });
}

/** Ready when every required source answers HTTP at all; what an operator must not miss (verification off) rides on every answer. */
function readinessCheck(
  config: ResolvedConfig,
  clients: readonly SourceClient[],
  warningsNow: () => readonly string[],
): () => Promise<boolean | Response> {
  const required = new Set(Object.entries(config.sources).flatMap(([name, source]) => (source.optional ? [] : [name])));
  return async () => {
    const answers = await Promise.all(
      clients.filter((client) => required.has(client.name)).map((client) => client.probe(READINESS_PROBE_MS)),
    );
    const ready = answers.every(Boolean);
    const warnings = warningsNow();
    if (warnings.length === 0) return ready;
    return Response.json({ ready, warnings }, { status: ready ? 200 : 503 });
  };
}

/** What answers are shared: by who is asking (the headers sources see, and with callers identified, their token). */
function sharingOf(config: ResolvedConfig, cache: ReturnType<typeof createResponseCache>) {
  return {
    identityOf: identityOf([
      ...Object.values(config.sources).flatMap((source) => source.forwardHeaders),
      ...(config.auth ? ['header' in config.auth.tokenFrom ? config.auth.tokenFrom.header : 'cookie'] : []),
    ]),
    dedupe: config.server.dedupe,
    ...(config.cache.maxResultBytes > 0 && {
      results: {
        maxBytes: config.cache.maxResultBytes,
        unchanged: (reads: readonly CachedRead[]) => cache.unchanged(reads),
      },
    }),
  };
}

/** The callers of the config's auth: tokens verified by its issuers' keys, fetch failures logged (never a token). */
function callersOf(
  auth: NonNullable<ResolvedConfig['auth']>,
  { logger, now, baseDir }: { logger: Logger; now: (() => number) | undefined; baseDir: string },
): Callers {
  const verifier = createTokenVerifier({
    issuers: issuerKeys(auth, baseDir),
    clockSkewSeconds: auth.jwt.clockSkewSeconds,
    maxTokenBytes: auth.jwt.maxTokenBytes,
    now,
    onKeysError: (issuer, error) =>
      logger.warn(
        { issuer, err: error.message },
        "the issuer's keys could not be fetched; the keys in hand keep serving",
      ),
  });
  return createCallers(verifier, auth.required, auth.tokenFrom);
}

/** The issuers with their public keys read (from files relative to the config, or the environment), or ConfigError naming each key that is not one. */
function issuerKeys(auth: NonNullable<ResolvedConfig['auth']>, baseDir: string) {
  const problems: string[] = [];
  const issuers = auth.jwt.issuers.map((issuer, i) => ({
    ...issuer,
    keys: issuer.keys?.flatMap((pem, k) => {
      const at = `auth.jwt.issuers.${i}.keys.${k}`;
      let text: string;
      try {
        text = 'text' in pem ? pem.text : readFileSync(resolve(baseDir, pem.file), 'utf8');
      } catch (error) {
        problems.push(
          `${at}: cannot read ${'file' in pem ? pem.file : ''} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
        );
        return [];
      }
      try {
        createPublicKey(text);
        return [text];
      } catch {
        problems.push(`${at}: not a PEM public key (-----BEGIN PUBLIC KEY-----)`);
        return [];
      }
    }),
  }));
  if (problems.length > 0)
    throw new ConfigError(`Invalid GraftQL configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  return issuers;
}

function identityOf(forwarded: readonly string[]): (transport: Transport) => string {
  const names = [...new Set(forwarded)].sort();
  return ({ header }) => JSON.stringify(names.map((name) => header(name) ?? null));
}

/** The headers a source is sent, with the caller's token or claim when it is sent them (`forwardCaller`). */
function withCaller(
  headers: Record<string, string>,
  forward: ResolvedConfig['sources'][string]['forwardCaller'],
  identity: Identity | undefined,
): Record<string, string> {
  if (!forward || !identity) return headers;
  if (forward.claim === undefined)
    headers[forward.header] = forward.header === 'authorization' ? `Bearer ${identity.token}` : identity.token;
  else {
    const claim = identity.claims[forward.claim];
    const value =
      typeof claim === 'string' || typeof claim === 'number' || typeof claim === 'boolean' ? String(claim) : '';
    // A line break or NUL cannot be in a header value (as cached-call.ts holds of templates): such a claim is not sent.
    if (value && !/[\r\n\0]/.test(value)) headers[forward.header] = value;
  }
  return headers;
}

/** The allow-listed inbound headers, by lower-case name; absent ones are left out. */
function pickHeaders(header: (name: string) => string | undefined, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = header(name);
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
