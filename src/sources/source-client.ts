/**
 * The REST client for one configured source. A call passes, in order:
 * the response cache (GET/HEAD: fresh answers, in-flight sharing), the
 * operation's call budget, the circuit breaker, rate-limit pacing, the
 * concurrency cap, then one attempt (attempt.ts: auth, the source's own
 * undici Agent with connect/headers/body timeouts, a response size cap, a
 * whole-attempt deadline, no redirects, JSON decoding); failures are mapped
 * to coded `GraftError`s and idempotent calls retried within a budget, or
 * hedged. Writes drop the cached reads they affect.
 */
import { Agent, request } from 'undici';
import { cacheKey, identityPartition, SHARED_PARTITION } from '../cache/cache-key.ts';
import type { CacheResult, LoadedResponse, ResponseCache, Validators } from '../cache/response-cache.ts';
import type { SourceConfig } from '../config/config-schema.ts';
import type { Deadline } from '../core/deadline.ts';
import type { CachedRead, CallBudget } from '../core/request-ledger.ts';
import type { UpstreamResponse } from '../core/upstream.ts';
import type { UpstreamPath } from '../core/upstream-path.ts';
import { badUserInput, GraftError } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type BreakerState, IGNORE_SOURCE_EVENTS, type SourceObserver } from '../telemetry/observer.ts';
import type { TraceContext, Tracing } from '../telemetry/trace.ts';
import { type AttemptContext, attempt } from './attempt.ts';
import { createSourceAuth } from './auth/index.ts';
import { createCircuitBreaker } from './resilience/circuit-breaker.ts';
import { detached, remainingMs, sleep, withinDeadline } from './resilience/deadline.ts';
import { hedge } from './resilience/hedging.ts';
import { latencyWindow } from './resilience/latency.ts';
import type { SharedPacing } from './resilience/pacer.ts';
import { createPacer, type RateLimitWindow } from './resilience/pacer.ts';
import { createRetryBudget } from './resilience/retry-budget.ts';
import { backoffMs, hasIdempotencyKey, isRetryableFailure, mayRetry } from './resilience/retry-policy.ts';
import { type SourceTls, tlsConnector } from './tls.ts';
import { type CallOrigin, errorForTransport } from './upstream-errors.ts';
import type { UpstreamRequest } from './upstream-request.ts';
import { buildUrl, requestForRef, sameSourceRef } from './url.ts';

export interface CallOptions {
  /** The gateway request this call serves; tagged on errors and logs. */
  requestId?: string;
  /** The GraphQL request's deadline: calls and waits end with it (GATEWAY_TIMEOUT). */
  deadline?: Deadline;
  /** The GraphQL operation's upstream call budget. */
  budget?: CallBudget;
  /** The caller's headers this source is configured to forward (lower-case names). */
  forwarded?: Readonly<Record<string, string>>;
  /** The request's execution span, when tracing. */
  trace?: TraceContext;
}

export interface SourceAnswer extends UpstreamResponse {
  /** Set when a fresh stored answer served the call: which one (what a kept GraphQL answer built from it checks, `ResponseCache.unchanged`). */
  read?: CachedRead;
  /** Set when a cached answer stood in for a failing upstream. */
  stale?: CacheResult['stale'];
}

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

export interface HedgeStats {
  sent: number;
  won: number;
}

/** An admitted attempt's report of how it went (the breaker's, when there is one), or `shed` when none may go now. */
type Admission = ((outcome: 'success' | 'failure' | 'neutral') => void) | undefined | 'shed';

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

export function createSourceClient(
  name: string,
  config: SourceConfig,
  { logger, cache, now = Date.now, schedule = realTimer, observer = IGNORE_SOURCE_EVENTS, tracing, tls, pacing }: SourceClientDeps,
): SourceClient {
  const { timeouts } = config;
  const connector = tlsConnector({ timeout: timeouts.connectMs, ...tls });
  const agent = new Agent({
    connect: connector.connect,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    maxResponseSize: config.maxResponseBytes,
    connections: config.connections,
  });
  const auth = createSourceAuth(config.auth, { source: name, base: config.url, dispatcher: agent, timeoutMs: timeouts.attemptMs, now });
  const log = logger.child({ source: name });
  const forwardsIdentity = config.forwardHeaders.includes('authorization');
  const authQuery = config.auth?.type === 'apiKey' && config.auth.in === 'query' ? [config.auth.name] : [];
  const cachePolicy = { store: config.cache.enabled, ttlMs: config.cache.ttlMs, staleIfErrorMs: config.cache.staleIfErrorMs };
  const onStateChange = (from: BreakerState, to: BreakerState) => {
    log.warn({ from, to }, `circuit ${to}`);
    observer.breaker(name, from, to);
  };
  const breaker = config.breaker.enabled ? createCircuitBreaker({ source: name, ...config.breaker, now, onStateChange }) : undefined;
  const pacer = createPacer({
    source: name,
    now,
    spreadBelow: config.rateLimit.spreadBelow,
    ...(pacing && { shared: pacing }),
    static: config.rateLimit.requestsPerSecond ? { requestsPerSecond: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burst ?? Math.ceil(config.rateLimit.requestsPerSecond) } : undefined,
  });
  const retryBudget = createRetryBudget({ ratio: config.retry.budgetRatio, floor: config.retry.budgetFloor, windowMs: config.retry.budgetWindowMs });
  const latency = latencyWindow(config.hedge.percentile);
  const server = new URL(config.url.origin);
  const hedges: HedgeStats = { sent: 0, won: 0 };
  let inFlight = 0;
  const attempts: AttemptContext = { name, config, agent, auth, explain: connector.explain, pacer, observer, tracing, server, forwardsIdentity };

  /** An attempt whose duration, when it succeeds, joins the source's recent latency. */
  function timed(running: Promise<LoadedResponse>): Promise<LoadedResponse> {
    const started = performance.now();
    return running.then((loaded) => {
      latency.record(performance.now() - started);
      return loaded;
    });
  }

  /** How long an attempt may go unanswered before a backup is sent. */
  const hedgeDelayMs = (): number => {
    const { delayMs, minDelayMs, maxDelayMs } = config.hedge;
    return delayMs ?? Math.min(maxDelayMs, Math.max(minDelayMs, latency.percentile() ?? maxDelayMs));
  };

  /** The attempt and its hedged backups (resilience/hedging.ts); each backup is admitted as any call is. */
  async function hedged(upstream: UpstreamRequest, baseHeaders: Record<string, string>, origin: CallOrigin, options: CallOptions, pacingKey: string): Promise<LoadedResponse> {
    const { value, byBackup } = await hedge({
      first: (signal) => timed(attempt(attempts, upstream, baseHeaders, origin, options.deadline, pacingKey, signal)),
      backup: () => backupAttempt(upstream, baseHeaders, origin, options, pacingKey),
      maxBackups: config.hedge.maxBackups,
      delayMs: hedgeDelayMs,
      schedule,
    });
    if (byBackup) {
      hedges.won += 1;
      observer.hedge(name, 'won');
    }
    return value;
  }

  /**
   * A backup attempt, or undefined when something refuses it. Backups are
   * the gateway's choice, not the query's: they never spend the operation's
   * call budget (which counts the calls the query asks for, as `graftql
   * check` estimates them, so a query it accepts never loses a field to a
   * backup). They are bounded apart: by the source's retry budget (a share of
   * its calls), `hedge.maxBackups` per call, the breaker and pacing, and they
   * are sent only while a connection to the source is free, since an attempt
   * that has not answered may only be waiting for one, and a backup would
   * wait behind it (the cold-start burst of backups: before 20 attempts are
   * timed the delay is `maxDelayMs`, which a queue for connections outlasts).
   */
  async function backupAttempt(
    upstream: UpstreamRequest,
    baseHeaders: Record<string, string>,
    origin: CallOrigin,
    { deadline }: CallOptions,
    pacingKey: string,
  ): Promise<((signal: AbortSignal) => Promise<LoadedResponse>) | undefined> {
    if (inFlight >= config.connections || !retryBudget.tryRetry()) return undefined;
    let report: Admission;
    try {
      report = await admit(pacingKey, deadline, config.connections);
    } catch {
      return undefined; // the breaker is open, or pacing cannot wait within the deadline
    }
    if (report === 'shed') return undefined;
    hedges.sent += 1;
    observer.hedge(name, 'sent');
    log.debug({ requestId: origin.requestId, path: upstream.path, afterMs: hedgeDelayMs() }, 'hedging upstream call');
    return async (signal) => {
      inFlight += 1;
      retryBudget.recordCall();
      try {
        const loaded = await timed(attempt(attempts, upstream, baseHeaders, origin, deadline, pacingKey, signal));
        report?.('success');
        return loaded;
      } catch (error) {
        report?.(signal.aborted || !countsAgainstSource(errorForTransport(origin, error, 'connect')) ? 'neutral' : 'failure');
        throw error;
      } finally {
        inFlight -= 1;
      }
    };
  }

  /**
   * Admits one attempt, a call's or a backup's: rate-limit pacing, the
   * circuit breaker (which throws CIRCUIT_OPEN), then the concurrency cap:
   * `shed` when `cap` attempts are already in flight. From the breaker on,
   * every path reports an outcome through what it returns: a half-open
   * breaker waits for its probe's.
   */
  async function admit(pacingKey: string, deadline: Deadline | undefined, cap: number): Promise<Admission> {
    if (config.rateLimit.fromHeaders || config.rateLimit.requestsPerSecond) await paced(pacingKey, deadline);
    const report = breaker?.admit();
    if (inFlight < cap) return report;
    report?.('neutral');
    return 'shed';
  }

  /** Waits for the source's rate limit, and says how long it waited. */
  async function paced(pacingKey: string, deadline: Deadline | undefined): Promise<void> {
    const started = performance.now();
    await pacer.acquire(pacingKey, deadline);
    const waited = performance.now() - started;
    if (waited >= 1) observer.paced(name, waited);
  }

  /** A call as the caller sees it: budget, breaker, pacing, the concurrency cap, retries, logging. */
  async function exchange(upstream: UpstreamRequest, baseHeaders: Record<string, string>, origin: CallOrigin, { deadline, budget }: CallOptions, pacingKey: string): Promise<LoadedResponse> {
    const method = upstream.method ?? 'GET';
    // An upload goes once unless the call says the upstream deduplicates it (an Idempotency-Key).
    const uploads = upstream.multipart?.some(([, value]) => typeof value !== 'string') || upstream.file !== undefined;
    const retryable = uploads ? hasIdempotencyKey(upstream.headers) : mayRetry(method, config.retry.idempotentMethods, upstream.headers);
    const started = performance.now();
    const context = () => ({ requestId: origin.requestId, method, path: upstream.path, durationMs: Math.round(performance.now() - started) });
    try {
      budget?.spend(name);
      for (let tries = 1; ; tries++) {
        const report = await admit(pacingKey, deadline, config.connections + config.maxQueued);
        if (report === 'shed') {
          observer.shed(name);
          throw new GraftError('UPSTREAM_UNAVAILABLE', `Too many calls to ${name} are waiting; the gateway sheds this one.`, { source: name, retryable: true });
        }
        inFlight += 1;
        retryBudget.recordCall();
        try {
          const loaded =
            retryable && config.hedge.enabled
              ? await hedged(upstream, baseHeaders, origin, { deadline, budget }, pacingKey)
              : await timed(attempt(attempts, upstream, baseHeaders, origin, deadline, pacingKey));
          report?.('success');
          log.debug({ ...context(), status: loaded.status, tries }, 'upstream call');
          return loaded;
        } catch (error) {
          const failure = errorForTransport(origin, error, 'connect');
          report?.(countsAgainstSource(failure) ? 'failure' : 'neutral');
          if (!retryable || !isRetryableFailure(failure.code, failure.status) || tries >= config.retry.maxAttempts) throw failure;
          const wait = failure.retryAfterMs ?? backoffMs(tries, config.retry.baseDelayMs, config.retry.maxDelayMs);
          // A Retry-After that the deadline cannot wait out: answer now, not at the deadline.
          if (wait >= remainingMs(deadline)) throw failure;
          if (!retryBudget.tryRetry()) throw failure;
          log.info({ ...context(), code: failure.code, status: failure.status, tries, waitMs: wait }, 'retrying upstream call');
          observer.retry(name);
          await sleep(wait, deadline, name);
        } finally {
          inFlight -= 1;
        }
      }
    } catch (error) {
      const mapped = errorForTransport(origin, error, 'connect');
      mapped.requestId ??= origin.requestId;
      if (mapped.code === 'UPSTREAM_CALL_BUDGET_EXCEEDED') observer.budgetExceeded(name);
      const upstreamSaid = typeof mapped.cause === 'string' ? mapped.cause : undefined;
      log.warn({ ...context(), code: mapped.code, status: mapped.status, upstreamSaid }, 'upstream call failed');
      throw mapped;
    }
  }

  /** A call: through the cache for reads, straight to the source for writes (which drop the reads they change). */
  async function answer(upstream: UpstreamRequest, options: CallOptions, trace?: TraceContext, onLoad?: () => void): Promise<SourceAnswer> {
    const { requestId, deadline, forwarded = {} } = options;
    const origin: CallOrigin = { source: name, requestId, trace };
    const method = upstream.method ?? 'GET';
    const headers = { ...checkedHeaders(upstream.headers), ...forwarded };
    const { authorization, ...vary } = forwarded;
    const partition = forwardsIdentity ? identityPartition(authorization) : SHARED_PARTITION;

    if (method === 'GET' || method === 'HEAD') {
      const key = cacheKey({ source: name, method, path: upstream.path, query: upstream.query, partition, vary: { ...vary, ...upstream.headers } });
      const stored = cache.fresh(key, name);
      if (stored) return { ...stored, read: { key, source: name, response: stored } };
      const policy = upstream.cacheTtlMs === undefined ? cachePolicy : { ...cachePolicy, ttlMs: upstream.cacheTtlMs };
      const lookup = { key, source: name, path: upstream.path, shared: partition === SHARED_PARTITION, policy };
      // The load is shared by every concurrent caller with this key; each caller stops waiting at its own deadline.
      const shared = cache.fetch(lookup, (validators: Validators | undefined) => {
        onLoad?.();
        const own = detached(deadline);
        return exchange(upstream, { ...headers, ...validators }, origin, { ...options, deadline: own }, partition).finally(() => own?.release());
      });
      const result = await withinDeadline(shared, deadline, name);
      return { ...result.response, ...(result.hit && { read: { key, source: name, response: result.response } }), ...(result.stale && { stale: result.stale }) };
    }

    const { size: _size, ...written } = await exchange(upstream, headers, origin, options, partition);
    const own = upstream.path.split('?')[0] ?? upstream.path;
    const collection = own.slice(0, own.lastIndexOf('/')) || '/';
    // Answered only once the other replicas have been told: a read anywhere after this answer finds the entries gone.
    await cache.invalidate(name, [own, collection]);
    return written;
  }

  return {
    name,
    maxPageSize: config.maxPageSize,

    async request(upstream, options = {}) {
      const call = tracing && options.trace && tracing.call(options.trace, name, upstream.method ?? 'GET', upstream.route);
      if (!call) return answer(upstream, options);
      let loaded = false;
      try {
        const answered = await answer(upstream, options, call.context, () => (loaded = true));
        const method = upstream.method ?? 'GET';
        // Writes do not go through the cache; a read that made no call of its own joined one in flight.
        const cached = method === 'GET' || method === 'HEAD';
        call.end({ cache: !cached ? undefined : answered.stale ? 'stale' : answered.read ? 'hit' : loaded ? 'miss' : 'coalesced' });
        return answered;
      } catch (error) {
        call.end({ error: error instanceof GraftError ? error.code : 'INTERNAL_SERVER_ERROR' });
        throw error;
      }
    },

    invalidate: async (paths) => void (await cache.invalidate(name, paths)),

    hedges: () => ({ ...hedges }),

    state: () => ({ breaker: breaker?.state() ?? 'off', rateLimit: pacer.tightest(), inFlight }),

    linkRef: (link, answered) => sameSourceRef(config.url, link, buildUrl(config.url, answered.path, answered.query), authQuery),

    requestFor: (ref) => requestForRef(config.url, ref),

    async probe(timeoutMs) {
      try {
        const response = await request(`${config.url.origin}${config.url.prefix}/`, { dispatcher: agent, method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
        await response.body.dump();
        return true;
      } catch {
        return false;
      }
    },

    close: () => agent.close(),
  };
}

/** What the breaker counts as the source failing: no answer, a slow one, a broken one, a failed TLS handshake, or a 5xx; not a 4xx or a 429. */
function countsAgainstSource(error: GraftError): boolean {
  if (error.code === 'UPSTREAM_TIMEOUT' || error.code === 'UPSTREAM_BAD_RESPONSE' || error.code === 'UPSTREAM_TLS_ERROR') return true;
  if (error.code === 'UPSTREAM_UNAVAILABLE') return error.status === undefined || error.status >= 500;
  return error.code === 'UPSTREAM_ERROR' && (error.status ?? 0) >= 500;
}

/** Header values with CR, LF or NUL would make undici throw; refuse them as bad input first. */
function checkedHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (/[\r\n\0]/.test(value)) throw badUserInput(`The value for header ${name} contains a line break or NUL.`);
    result[name.toLowerCase()] = value;
  }
  return result;
}
