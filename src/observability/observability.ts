/**
 * The gateway's observability, wired in one place: who reads the reports
 * (metrics, the request log, each source's last minute, traces) and what
 * they serve (GET /metrics, GET /status, `gateway.sourceStatus()`).
 */
import type { CacheStats, ResponseCache } from '../cache/response-cache.ts';
import type { ResolvedConfig } from '../config/config-schema.ts';
import type { RedisLinkStats } from '../replicas/redis-link.ts';
import type { SourceClient } from '../sources/source-client.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type RequestObserver, type SourceObserver, sourceObservers } from '../telemetry/observer.ts';
import type { Tracing } from '../telemetry/trace.ts';
import type { ClusterView } from './cluster-view.ts';
import { createMetrics } from './metrics.ts';
import { requestLog } from './request-log.ts';
import { createSourceActivity } from './source-activity.ts';
import { renderStatusPage, type SourceStatus } from './status-page.ts';
import { createTracing } from './tracing.ts';

export interface ObservabilityOptions {
  settings: ResolvedConfig['observability'];
  production: boolean;
  logger: Logger;
  /** Operation names of the persisted documents: always kept as label values. */
  knownOperations: readonly string[];
  cache: Pick<ResponseCache, 'stats' | 'holdings'>;
  /** The source clients, once made (they are made with `sourceObserver`). */
  clients(): readonly SourceClient[];
  env: Readonly<Record<string, string | undefined>>;
  /** Subscriptions open now. */
  subscriptions(): number;
  /** The link to the Redis replicas share, when there is one. */
  redis: (() => RedisLinkStats) | undefined;
  now: () => number;
  /** In a worker of `graftql serve --workers`: /metrics and /status answer for every worker. */
  cluster?: ClusterView;
  /** What an operator must not miss, shown on the status page (a reload that failed). */
  notes?: () => readonly string[];
}

export interface Observability {
  /** For the source clients. */
  sourceObserver: SourceObserver;
  /** For the pipeline; undefined when no one listens. */
  requestObserver: RequestObserver | undefined;
  /** For the webhook receiver: a delivery's outcome (`delivered` or a code), by source (`unknown` for a source that sends none). */
  webhookObserver: ((source: string, outcome: string) => void) | undefined;
  /** For the listener's client errors (server/client-errors.ts). */
  clientErrorObserver: ((code: string, answered: boolean) => void) | undefined;
  tracing: Tracing | undefined;
  /** The exposition; undefined when metrics are off. */
  metrics: (() => Promise<string>) | undefined;
  contentType: string;
  sourceStatus(): SourceStatus[];
  /** The status page as it is now (of every worker, in a worker). */
  statusPage(): Promise<string>;
  /** Paths answered on the gateway's own port (by the Yoga plugin in server/observability-endpoints.ts). */
  publicPaths: { metrics?: string; status?: string };
  shutdown(): Promise<void>;
}

const NO_LOOKUPS: CacheStats = { hit: 0, miss: 0, stale: 0, revalidated: 0, coalesced: 0 };

export function createObservability({
  settings,
  production,
  logger,
  knownOperations,
  cache,
  clients,
  env,
  subscriptions,
  redis,
  now,
  cluster,
  notes,
}: ObservabilityOptions): Observability {
  const startedAt = now();
  const activity = createSourceActivity(now);
  const metrics = settings.metrics.enabled
    ? createMetrics({
        knownOperations,
        maxOperationNames: settings.metrics.maxOperationNames,
        hashOperationNames: settings.metrics.hashOperationNames,
        sources: () => Object.fromEntries(clients().map((client) => [client.name, client.state()])),
        cacheStats: () => cache.stats(),
        cacheHoldings: () => cache.holdings(),
        subscriptions,
        redis,
        now,
      })
    : undefined;
  const tracing = settings.tracing.enabled ? createTracing({ ...settings.tracing, env, logger }) : undefined;
  const log = settings.requestLog ? requestLog(logger) : undefined;

  const sourceStatus = (): SourceStatus[] => {
    const stats = cache.stats();
    return clients().map((client) => ({
      name: client.name,
      ...client.state(),
      ...activity.lastMinute(client.name),
      cache: stats[client.name] ?? NO_LOOKUPS,
    }));
  };

  cluster?.share({ registry: metrics?.registry, sourceStatus });

  return {
    sourceObserver: sourceObservers(activity.observer, ...(metrics ? [metrics.observer] : [])),
    requestObserver:
      metrics && log
        ? (report) => {
            metrics.request(report);
            log(report);
          }
        : (metrics?.request ?? log),
    webhookObserver: metrics?.webhook,
    clientErrorObserver: metrics?.clientError,
    tracing,
    metrics: metrics && (cluster?.metrics ?? metrics.text),
    contentType: metrics?.contentType ?? '',
    sourceStatus,
    statusPage: async () =>
      renderStatusPage({
        sources: cluster ? await cluster.sourceStatus() : sourceStatus(),
        uptimeSeconds: (now() - startedAt) / 1000,
        now: now(),
        notes: notes?.(),
      }),
    publicPaths: {
      ...(metrics && settings.metrics.port === undefined && { metrics: settings.metrics.path }),
      // In production the page exists only behind a token.
      ...(settings.status.enabled && (!production || settings.status.token) && { status: settings.status.path }),
    },
    shutdown: async () => tracing?.shutdown(),
  };
}
