/**
 * Prometheus metrics (prom-client), one registry per gateway. Names follow
 * Prometheus conventions: `graftql_` prefix, seconds and bytes, `_total`
 * counters; Node's default process metrics beside them. Label values are
 * bounded: sources, methods, status classes and codes come from the config
 * and the catalog; operation names are those of persisted documents plus the
 * first `maxOperationNames` others seen on valid operations (as hashes when
 * `hashOperationNames`, production's default), then `other`.
 * Nothing from a request (ids, arguments, URLs, headers) becomes a label.
 *
 * What is counted on the hot path is counted as it happens; what is a state
 * (breakers, rate limits, cache holdings and counts) is read when scraped.
 */

import { createHash } from 'node:crypto';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheHoldings, CacheStats } from '../cache/response-cache.ts';
import type { RedisLinkStats } from '../replicas/redis-link.ts';
import type { SourceState } from '../sources/source-client.ts';
import type { RequestReport, SourceObserver } from '../telemetry/observer.ts';
import { requestSeries } from './request-series.ts';

export interface MetricsOptions {
  /** Operation names always kept as label values (those of persisted documents). */
  knownOperations: readonly string[];
  maxOperationNames: number;
  /** Names not from persisted documents appear as hashes (see operationLabels). */
  hashOperationNames: boolean;
  /** Read at each scrape. */
  sources(): Readonly<Record<string, SourceState>>;
  cacheStats(): Readonly<Record<string, CacheStats>>;
  cacheHoldings(): Readonly<Record<string, CacheHoldings>>;
  /** Subscriptions open now. */
  subscriptions(): number;
  /** The Redis link's state, when replicas share one. */
  redis?: () => RedisLinkStats;
  now?: () => number;
}

export interface Metrics {
  observer: SourceObserver;
  request(report: RequestReport): void;
  /** A webhook delivery's outcome: `delivered`, or the code it was refused with. */
  webhook(source: string, outcome: string): void;
  /** A request Node's HTTP server refused before any handler (its Node code: `HPE_*`, `ERR_HTTP_REQUEST_TIMEOUT`), and whether it was answered. */
  clientError(code: string, answered: boolean): void;
  /** The exposition, in Prometheus text format. */
  text(): Promise<string>;
  readonly contentType: string;
  /** Where every metric is: what the primary of `--workers` gathers from this worker. */
  readonly registry: Registry;
}

/** The exposition's media type (prom-client's `Registry.contentType`). */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALLS = [0, 1, 2, 5, 10, 20, 50, 100];
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
const CACHE_RESULTS = ['hit', 'miss', 'stale', 'revalidated', 'coalesced'] as const;

export function createMetrics({
  knownOperations,
  maxOperationNames,
  hashOperationNames,
  sources,
  cacheStats,
  cacheHoldings,
  subscriptions,
  redis,
  now = Date.now,
}: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const operationOf = operationLabels(knownOperations, maxOperationNames, { hashed: hashOperationNames });

  const perRequest = requestSeries(registry, { durationBuckets: SECONDS, callsBuckets: CALLS });
  const errors = new Counter({
    name: 'graftql_request_errors_total',
    help: 'Errors in answers, by operation and extensions.code.',
    labelNames: ['operation', 'code'],
    registers,
  });
  const observer = upstreamObserver(registers);

  const webhooks = new Counter({
    name: 'graftql_webhook_deliveries_total',
    help: 'Webhook deliveries received, by source and outcome (delivered, or the code they were refused with).',
    labelNames: ['source', 'outcome'],
    registers,
  });
  const clientErrors = new Counter({
    name: 'graftql_client_errors_total',
    help: "Requests Node's HTTP server refused before any handler saw them, by Node's code (HPE_*, ERR_HTTP_REQUEST_TIMEOUT) and whether they were answered.",
    labelNames: ['code', 'answered'],
    registers,
  });
  new Gauge({
    name: 'graftql_subscriptions',
    help: 'Subscriptions open (SSE and WebSockets).',
    registers,
    collect() {
      this.set(subscriptions());
    },
  });

  if (redis) registerRedisGauges(registers, redis);
  registerSourceGauges(registers, sources, now);
  registerCacheGauges(registers, cacheStats, cacheHoldings);

  return {
    observer,

    request(report) {
      const operation = operationOf(report.operationName, report.operationType);
      const type = report.operationType ?? 'unknown';
      perRequest.observe(operation, type, report.durationMs / 1000, report.shared ? undefined : report.upstreamCalls);
      for (const code of report.codes) errors.inc({ operation, code });
    },

    webhook: (source, outcome) => webhooks.inc({ source, outcome }),
    // Node's codes are a fixed set (llhttp's HPE_* and a few ERR_*): a bounded label.
    clientError: (code, answered) => clientErrors.inc({ code, answered: String(answered) }),

    text: () => registry.metrics(),
    contentType: registry.contentType,
    registry,
  };
}

type Registers = Registry[];

/** The source observer (telemetry/observer.ts) as counters and histograms: exchanges, retries, hedges, shedding, the call budget, pacing, breaker moves. */
function upstreamObserver(registers: Registers): SourceObserver {
  const attempts = new Counter({
    name: 'graftql_upstream_requests_total',
    help: 'HTTP exchanges with a source, by method, status class and outcome (success, cancelled, or the error code).',
    labelNames: ['source', 'method', 'status_class', 'outcome'],
    registers,
  });
  const headersTime = new Histogram({
    name: 'graftql_upstream_headers_seconds',
    help: "Time until a source's response headers arrived.",
    labelNames: ['source'],
    buckets: SECONDS,
    registers,
  });
  const attemptTime = new Histogram({
    name: 'graftql_upstream_attempt_seconds',
    help: 'Time of a whole exchange with a source, body included.',
    labelNames: ['source'],
    buckets: SECONDS,
    registers,
  });
  const retries = new Counter({
    name: 'graftql_upstream_retries_total',
    help: 'Calls retried after a failure.',
    labelNames: ['source'],
    registers,
  });
  const hedges = new Counter({
    name: 'graftql_upstream_hedges_total',
    help: 'Hedged backup attempts sent, and how many answered first.',
    labelNames: ['source', 'event'],
    registers,
  });
  const shed = new Counter({
    name: 'graftql_upstream_shed_total',
    help: 'Calls refused because too many already waited for the source.',
    labelNames: ['source'],
    registers,
  });
  const budget = new Counter({
    name: 'graftql_upstream_budget_exceeded_total',
    help: 'Calls refused because their operation spent its upstream call budget.',
    labelNames: ['source'],
    registers,
  });
  const pacing = new Counter({
    name: 'graftql_upstream_pacing_seconds_total',
    help: "Time calls waited for a source's rate limit.",
    labelNames: ['source'],
    registers,
  });
  const transitions = new Counter({
    name: 'graftql_circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes, by the state entered.',
    labelNames: ['source', 'to'],
    registers,
  });

  return {
    attempt({ source, method, status, outcome, headersMs, attemptMs }) {
      attempts.inc({
        source,
        method,
        status_class: status === undefined ? 'none' : `${Math.floor(status / 100)}xx`,
        outcome,
      });
      if (headersMs !== undefined) headersTime.observe({ source }, headersMs / 1000);
      if (outcome !== 'cancelled') attemptTime.observe({ source }, attemptMs / 1000);
    },
    retry: (source) => retries.inc({ source }),
    shed: (source) => shed.inc({ source }),
    budgetExceeded: (source) => budget.inc({ source }),
    paced: (source, ms) => pacing.inc({ source }, ms / 1000),
    breaker: (source, _from, to) => transitions.inc({ source, to }),
    hedge: (source, event) => hedges.inc({ source, event }),
  };
}

/** Whether Redis answers, and its timeouts and fallbacks by feature, read when scraped. */
function registerRedisGauges(registers: Registers, redis: () => RedisLinkStats): void {
  new Gauge({
    name: 'graftql_redis_up',
    help: '1 while this replica reaches the Redis replicas share and it answers PINGs in time; 0 while it uses its own cache, replay store and events.',
    registers,
    collect() {
      this.set(redis().up ? 1 : 0);
    },
  });
  new Counter({
    name: 'graftql_redis_command_timeouts_total',
    help: 'Redis commands not answered within redis.commandTimeoutMs, by feature (cache, replay, events, pacing, and ping for the liveness check).',
    labelNames: ['feature'],
    registers,
    collect() {
      this.reset();
      for (const [feature, count] of Object.entries(redis().timeouts)) this.inc({ feature }, count);
    },
  });
  new Counter({
    name: 'graftql_redis_fallbacks_total',
    help: 'Times a feature used this replica’s own state because Redis was down, slow or failing, by feature (cache, replay, events, pacing).',
    labelNames: ['feature'],
    registers,
    collect() {
      this.reset();
      for (const [feature, count] of Object.entries(redis().fallbacks)) this.inc({ feature }, count);
    },
  });
}

/** Each source's breaker state, rate-limit window and calls in flight, read when scraped. */
function registerSourceGauges(registers: Registers, sources: MetricsOptions['sources'], now: () => number): void {
  const stateOf = () => sources();
  new Gauge({
    name: 'graftql_circuit_breaker_state',
    help: "1 for the state each source's circuit breaker is in (sources without a breaker are left out).",
    labelNames: ['source', 'state'],
    registers,
    collect() {
      this.reset();
      for (const [source, state] of Object.entries(stateOf())) {
        if (state.breaker === 'off') continue;
        for (const name of BREAKER_STATES) this.set({ source, state: name }, state.breaker === name ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'graftql_rate_limit_remaining',
    help: 'Calls left in the tightest rate-limit window a source announced (while one is current).',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const [source, state] of Object.entries(stateOf()))
        if (state.rateLimit) this.set({ source }, state.rateLimit.remaining);
    },
  });
  new Gauge({
    name: 'graftql_rate_limit_reset_seconds',
    help: 'Seconds until that window resets.',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const [source, state] of Object.entries(stateOf()))
        if (state.rateLimit) this.set({ source }, Math.max(0, (state.rateLimit.resetAt - now()) / 1000));
    },
  });
  new Gauge({
    name: 'graftql_upstream_in_flight',
    help: 'Calls to a source in flight, queued for a connection included.',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const [source, state] of Object.entries(stateOf())) this.set({ source }, state.inFlight);
    },
  });
}

/** The upstream cache's lookups, entries and bytes per source, read when scraped. */
function registerCacheGauges(
  registers: Registers,
  cacheStats: MetricsOptions['cacheStats'],
  cacheHoldings: MetricsOptions['cacheHoldings'],
): void {
  new Counter({
    name: 'graftql_cache_requests_total',
    help: 'Response cache lookups per source: hit, miss, stale (served for a failing source), revalidated (304), coalesced (joined a call in flight).',
    labelNames: ['source', 'result'],
    registers,
    collect() {
      this.reset();
      for (const [source, stats] of Object.entries(cacheStats()))
        for (const result of CACHE_RESULTS) this.inc({ source, result }, stats[result]);
    },
  });
  new Gauge({
    name: 'graftql_cache_entries',
    help: 'Answers the response cache holds per source.',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const [source, holdings] of Object.entries(cacheHoldings())) this.set({ source }, holdings.entries);
    },
  });
  new Gauge({
    name: 'graftql_cache_bytes',
    help: 'Body bytes the response cache holds per source.',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const [source, holdings] of Object.entries(cacheHoldings())) this.set({ source }, holdings.bytes);
    },
  });
}

/**
 * The label value for an operation: `unknown` before one was known (refused
 * or malformed requests), `anonymous` without a name, the name of a
 * persisted document, else a name the client chose while fewer than `max`
 * have been seen, then `other`, so that a client inventing names cannot grow
 * the series without bound. With `hashed` (production's default), a name the
 * client chose is shown as `hash:` and 12 hex digits of its SHA-256: still one
 * series per operation, with nothing in it a client wrote
 * (`CustomerSecretReport_Acme`).
 */
export function operationLabels(
  known: readonly string[],
  max: number,
  { hashed = false } = {},
): (name: string | undefined, type: string | undefined) => string {
  const kept = new Set(known);
  const chosen = new Map<string, string>();
  return (name, type) => {
    if (type === undefined) return 'unknown';
    if (name === undefined) return 'anonymous';
    if (kept.has(name)) return name;
    const label = chosen.get(name);
    if (label !== undefined) return label;
    if (chosen.size >= max) return 'other';
    const made = hashed ? `hash:${createHash('sha256').update(name).digest('hex').slice(0, 12)}` : name;
    chosen.set(name, made);
    return made;
  };
}
