/**
 * The REST client for one configured source. A call passes, in order:
 * the response cache (GET/HEAD: fresh answers, in-flight sharing), the
 * operation's call budget, the circuit breaker, rate-limit pacing, the
 * concurrency cap, then one attempt (attempt.ts: auth, the source's own
 * undici Agent with connect/headers/body timeouts, a response size cap, a
 * whole-attempt deadline, no redirects, JSON decoding); failures are mapped
 * to coded `GraftError`s and idempotent calls retried within a budget, or
 * hedged. Writes drop the cached reads they affect. Each stage is a module
 * of stages/ over the source's SourceRuntime: cached-call -> exchange
 * (budget, admission, retries) -> hedged-attempt -> attempt.
 */
import { type Agent, request } from 'undici';
import type { ResponseCache } from '../cache/response-cache.ts';
import type { SourceConfig } from '../config/config-schema.ts';
import type { UpstreamPath } from '../core/upstream-path.ts';
import { GraftError } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type BreakerState, IGNORE_SOURCE_EVENTS, type SourceObserver } from '../telemetry/observer.ts';
import type { Tracing } from '../telemetry/trace.ts';
import type { AttemptContext } from './attempt.ts';
import { createSourceAuth } from './auth/index.ts';
import type { CallOptions, SourceAnswer } from './call.ts';
import { createCircuitBreaker } from './resilience/circuit-breaker.ts';
import { latencyWindow } from './resilience/latency.ts';
import type { SharedPacing } from './resilience/pacer.ts';
import { createPacer, type Pacer, type RateLimitWindow } from './resilience/pacer.ts';
import { createRetryBudget } from './resilience/retry-budget.ts';
import { createSourceAgent } from './source-agent.ts';
import { cachedCall } from './stages/cached-call.ts';
import type { HedgeStats, SourceRuntime } from './stages/source-runtime.ts';
import type { SourceTls } from './tls.ts';
import type { UpstreamRequest } from './upstream-request.ts';
import { buildUrl, requestForRef, sameSourceRef } from './url.ts';

export type { CallOptions, SourceAnswer } from './call.ts';
export type { HedgeStats } from './stages/source-runtime.ts';

/** How a source stands now, for metrics and the status page. */
export interface SourceState {
  breaker: BreakerState | 'off';
  /** The tightest rate-limit window the source announced, while one is current. */
  rateLimit?: RateLimitWindow;
  /** Calls in flight (queued for a connection included). */
  inFlight: number;
}

export interface SourceClient {
  readonly name: string;
  /** The largest page this source serves (config `maxPageSize`). */
  readonly maxPageSize: number;
  request(upstream: UpstreamRequest, options?: CallOptions): Promise<SourceAnswer>;
  /**
   * Drops cached reads at `paths` (any query, method or caller); a `*`
   * segment matches any one segment. A write already drops its own path and
   * that path's collection; this is for the other lists a write changes.
   */
  invalidate(paths: readonly UpstreamPath[]): Promise<void>;
  /**
   * A link this source sent in answer to `answered` (e.g. a `Link` header
   * target) as a reference for `requestFor`, or undefined when it leaves the
   * source's origin or path prefix. The source's own credential is removed.
   */
  linkRef(link: string, answered: UpstreamRequest): string | undefined;
  /** The request for a reference from `linkRef`, re-checked (it may come back in a client cursor). */
  requestFor(ref: string): UpstreamRequest | undefined;
  /** Backup attempts sent since start, and how many answered first. */
  hedges(): Readonly<HedgeStats>;
  state(): SourceState;
  /** True when the source's base URL answers HTTP at all (any status). */
  probe(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface SourceClientDeps {
  logger: Logger;
  cache: ResponseCache;
  /** The clock of token lifetimes, the breaker's open period and rate-limit pacing (ms since epoch); tests pass their own. @default Date.now */
  now?: () => number;
  /** Runs `run` after `ms` (the hedge delay) unless cancelled; tests pass their own to decide when a delay is over. @default an unref'd setTimeout */
  schedule?: (run: () => void, ms: number) => () => void;
  /** Told of every attempt, retry, refusal, wait and breaker move (telemetry/observer.ts). */
  observer?: SourceObserver;
  /** Spans for calls and exchanges, when tracing is on. */
  tracing?: Tracing;
  /** Rate-limit counts shared with other replicas (Redis), when there are any. */
  pacing?: SharedPacing;
  /** This source's TLS connect options (tls.ts), for its Agent alone. */
  tls?: SourceTls['connect'];
}

const realTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** One source's runtime (stages/source-runtime.ts): its Agent, auth, breaker, pacer, retry budget and latency window. */
function sourceRuntime(
  name: string,
  config: SourceConfig,
  {
    logger,
    cache,
    now = Date.now,
    schedule = realTimer,
    observer = IGNORE_SOURCE_EVENTS,
    tracing,
    tls,
    pacing,
  }: SourceClientDeps,
): { source: SourceRuntime; agent: Agent; pacer: Pacer } {
  const { timeouts } = config;
  const { agent, explain } = createSourceAgent(config, tls);
  const auth = createSourceAuth(config.auth, {
    source: name,
    base: config.url,
    dispatcher: agent,
    timeoutMs: timeouts.attemptMs,
    now,
  });
  const log = logger.child({ source: name });
  const forwardsIdentity = config.forwardHeaders.includes('authorization') || config.forwardCaller !== undefined;
  const onStateChange = (from: BreakerState, to: BreakerState) => {
    log.warn({ from, to }, `circuit ${to}`);
    observer.breaker(name, from, to);
  };
  const pacer = createPacer({
    source: name,
    now,
    spreadBelow: config.rateLimit.spreadBelow,
    ...(pacing && { shared: pacing }),
    static: config.rateLimit.requestsPerSecond
      ? {
          requestsPerSecond: config.rateLimit.requestsPerSecond,
          burst: config.rateLimit.burst ?? Math.ceil(config.rateLimit.requestsPerSecond),
        }
      : undefined,
  });
  const attempts: AttemptContext = {
    name,
    config,
    agent,
    auth,
    explain,
    pacer,
    observer,
    tracing,
    server: new URL(config.url.origin),
    forwardsIdentity,
  };
  const source: SourceRuntime = {
    name,
    config,
    log,
    observer,
    cache,
    attempts,
    breaker: config.breaker.enabled
      ? createCircuitBreaker({ source: name, ...config.breaker, now, onStateChange })
      : undefined,
    pacer,
    retryBudget: createRetryBudget({
      ratio: config.retry.budgetRatio,
      floor: config.retry.budgetFloor,
      windowMs: config.retry.budgetWindowMs,
    }),
    latency: latencyWindow(config.hedge.percentile),
    schedule,
    forwardsIdentity,
    hedges: { sent: 0, won: 0 },
    inFlight: 0,
  };
  return { source, agent, pacer };
}

export function createSourceClient(name: string, config: SourceConfig, deps: SourceClientDeps): SourceClient {
  const { tracing, cache } = deps;
  const { source, agent, pacer } = sourceRuntime(name, config, deps);
  const authQuery = config.auth?.type === 'apiKey' && config.auth.in === 'query' ? [config.auth.name] : [];
  return {
    name,
    maxPageSize: config.maxPageSize,

    async request(upstream, options = {}) {
      const call =
        tracing && options.trace && tracing.call(options.trace, name, upstream.method ?? 'GET', upstream.route);
      if (!call) return cachedCall(source, upstream, options);
      let loaded = false;
      try {
        const answered = await cachedCall(source, upstream, options, call.context, () => (loaded = true));
        const method = upstream.method ?? 'GET';
        // Writes do not go through the cache; a read that made no call of its own joined one in flight.
        const cached = method === 'GET' || method === 'HEAD';
        call.end({
          cache: !cached ? undefined : answered.stale ? 'stale' : answered.read ? 'hit' : loaded ? 'miss' : 'coalesced',
        });
        return answered;
      } catch (error) {
        call.end({ error: error instanceof GraftError ? error.code : 'INTERNAL_SERVER_ERROR' });
        throw error;
      }
    },

    invalidate: async (paths) => void (await cache.invalidate(name, paths)),

    hedges: () => ({ ...source.hedges }),

    state: () => ({
      breaker: source.breaker?.state() ?? 'off',
      rateLimit: pacer.tightest(),
      inFlight: source.inFlight,
    }),

    linkRef: (link, answered) =>
      sameSourceRef(config.url, link, buildUrl(config.url, answered.path, answered.query), authQuery),

    requestFor: (ref) => requestForRef(config.url, ref),

    async probe(timeoutMs) {
      try {
        const response = await request(`${config.url.origin}${config.url.prefix}/`, {
          dispatcher: agent,
          method: 'GET',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body.dump();
        return true;
      } catch {
        return false;
      }
    },

    close: () => agent.close(),
  };
}
