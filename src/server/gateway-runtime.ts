/**
 * What a gateway runs on besides its graph: the observability (metrics,
 * tracing, the status page), the upstream cache and the Redis link, the
 * source clients. Under hot reload (reloader.ts) a new graph version takes
 * these over from the running one where their config did not change:
 *
 * - the observability, the upstream cache and the Redis link, when
 *   `observability`, `cache`, `redis` and the persisted operations are
 *   unchanged (the new version's event relay takes the link's one channel
 *   handler over: replicas/redis-link.ts keeps one per channel);
 * - then each source client whose source config and TLS are unchanged: its
 *   connections, breaker, pacing, retry budget, latency window and tokens.
 *
 * The taken parts are marked on the running gateway's carryover, so that
 * retiring it leaves them open.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createResponseCache, type ResponseCache } from '../cache/response-cache.ts';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { Secret } from '../config/secret.ts';
import { relatedPaths } from '../mapping/invalidation.ts';
import type { FieldPlan } from '../mapping/plan.ts';
import type { ClusterView } from '../observability/cluster-view.ts';
import { createObservability, type Observability } from '../observability/observability.ts';
import { createRedisLink, type RedisLink } from '../replicas/redis-link.ts';
import { createSharedCache } from '../replicas/shared-cache.ts';
import { createSharedPacing } from '../replicas/shared-pacing.ts';
import { createSourceClient, type SourceClient } from '../sources/source-client.ts';
import { tlsOfSources } from '../sources/tls.ts';
import type { Logger } from '../telemetry/logger.ts';

/** What the next graph version may take over from a running gateway. */
export interface Carryover {
  readonly config: ResolvedConfig;
  readonly knownOperations: readonly string[];
  readonly observability: Observability;
  readonly cache: ResponseCache;
  readonly redis: RedisLink | undefined;
  readonly replica: string;
  readonly clients: Readonly<Record<string, SourceClient>>;
  /** Each client's TLS connect options, as it was made with them. */
  readonly tls: Readonly<Record<string, unknown>>;
  /** What the shared observability and cache read of whichever gateway is current. */
  readonly live: Live;
  /** What a later gateway took over: retiring this one leaves them open. */
  readonly taken: Set<object>;
}

interface Live {
  clients: readonly SourceClient[];
  subscriptions: () => number;
  related: (source: string, path: string) => readonly string[];
  notes: () => readonly string[];
}

export interface RuntimeOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  baseDir: string;
  now: (() => number) | undefined;
  cluster: ClusterView | undefined;
  /** The running gateway's parts, when this one replaces it. */
  carry: Carryover | undefined;
  /** What an operator should see on /readyz and /status besides (a reload that failed). */
  notes: () => readonly string[];
  subscriptions: () => number;
}

export interface GatewayRuntime {
  observability: Observability;
  cache: ResponseCache;
  redis: RedisLink | undefined;
  replica: string;
  clients: Record<string, SourceClient>;
  tlsWarnings: readonly string[];
  /** For the gateway that replaces this one. */
  carryover: Carryover;
  /** Closes what no later gateway took over. */
  close(): Promise<void>;
}

export function gatewayRuntime(
  config: ResolvedConfig,
  plans: Iterable<FieldPlan>,
  knownOperations: readonly string[],
  options: RuntimeOptions,
): GatewayRuntime {
  const { env, logger, baseDir, now, cluster, carry } = options;
  // Read first: a TLS file that cannot be read fails the reload before anything is opened.
  const tls = tlsOfSources(config.sources, baseDir, env);
  for (const warning of tls.warnings) logger.warn(warning);
  const kept = carry && keepsRuntime(config, knownOperations, carry) ? carry : undefined;
  const live: Live = kept?.live ?? { clients: [], subscriptions: () => 0, related: () => [], notes: () => [] };
  Object.assign(live, { related: relatedPaths(plans), subscriptions: options.subscriptions, notes: options.notes });
  const { redis, replica, cache } = kept ?? upstreamCache(config, live, logger, now);
  const observability =
    kept?.observability ??
    createObservability({
      settings: config.observability,
      production: config.server.production,
      logger,
      knownOperations,
      cache,
      clients: () => live.clients,
      env,
      subscriptions: () => live.subscriptions(),
      redis: redis ? () => redis.stats() : undefined,
      now: now ?? Date.now,
      cluster,
      notes: () => live.notes(),
    });
  const deps = {
    logger,
    cache,
    now,
    observer: observability.sourceObserver,
    tracing: observability.tracing,
    ...(redis && { pacing: createSharedPacing(redis) }),
  };
  const clients: Record<string, SourceClient> = {};
  for (const [name, source] of Object.entries(config.sources)) {
    const previous = kept?.clients[name];
    clients[name] =
      previous && sameConfig(source, kept.config.sources[name]) && sameConfig(tls.bySource[name], kept.tls[name])
        ? previous
        : createSourceClient(name, source, { ...deps, tls: tls.bySource[name] });
  }
  if (kept) {
    kept.taken.add(kept.observability).add(kept.cache);
    if (kept.redis) kept.taken.add(kept.redis);
    for (const client of Object.values(clients))
      if (Object.values(kept.clients).includes(client)) kept.taken.add(client);
  }
  live.clients = Object.values(clients);
  const carryover: Carryover = {
    config,
    knownOperations,
    observability,
    cache,
    redis,
    replica,
    clients,
    tls: tls.bySource,
    live,
    taken: new Set(),
  };
  return {
    observability,
    cache,
    redis,
    replica,
    clients,
    tlsWarnings: tls.warnings,
    carryover,
    close: () =>
      Promise.all([
        ...Object.values(clients)
          .filter((client) => !carryover.taken.has(client))
          .map((client) => client.close()),
        carryover.taken.has(observability) ? undefined : observability.shutdown(),
        redis && !carryover.taken.has(redis) ? redis.close() : undefined,
      ]).then(() => undefined),
  };
}

/** The observability, the cache and the Redis link are kept when what they were made from is the same. */
function keepsRuntime(config: ResolvedConfig, knownOperations: readonly string[], carry: Carryover): boolean {
  return (
    sameConfig(config.redis, carry.config.redis) &&
    sameConfig(config.observability, carry.config.observability) &&
    sameConfig(config.cache, carry.config.cache) &&
    config.server.production === carry.config.server.production &&
    isDeepStrictEqual(knownOperations, carry.knownOperations)
  );
}

/** Two config values alike, secrets compared by what they hold (a Secret prints the same whatever it holds). */
function sameConfig(a: unknown, b: unknown): boolean {
  if (a instanceof Secret || b instanceof Secret)
    return a instanceof Secret && b instanceof Secret && a.reveal() === b.reveal();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Buffer.isBuffer(a))
    return isDeepStrictEqual(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys)
    if (!sameConfig((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}

/**
 * The upstream cache, and the Redis link replicas share a cache, a replay
 * store and events through when the config names one (each keeps its own
 * state for when Redis cannot answer).
 */
function upstreamCache(config: ResolvedConfig, live: Live, logger: Logger, now: (() => number) | undefined) {
  const redis =
    config.redis &&
    createRedisLink(
      {
        url: config.redis.url.reveal(),
        keyPrefix: config.redis.keyPrefix,
        commandTimeoutMs: config.redis.commandTimeoutMs,
        pingEveryMs: config.redis.pingEveryMs,
      },
      logger,
    );
  const replica = randomUUID();
  const second =
    redis &&
    config.redis &&
    createSharedCache({
      link: redis,
      replica,
      maxValueBytes: config.redis.maxValueBytes,
      dropLocal: (source, paths) => void cache.invalidate(source, paths, 'here'),
    });
  const cache = createResponseCache({
    maxEntries: config.cache.maxEntries,
    maxBytes: config.cache.maxBytes,
    now,
    // The current graph's relations: a kept cache follows each new version's.
    related: (source, path) => live.related(source, path),
    ...(second && { second }),
  });
  return { redis, replica, cache };
}
