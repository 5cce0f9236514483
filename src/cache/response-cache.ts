/**
 * The cross-request response cache for upstream GET/HEAD calls: bounded by
 * entries and bytes (lru-cache), fresh for `s-maxage`/`max-age` or the
 * source's configured TTL, revalidated with `If-None-Match` /
 * `If-Modified-Since` when stale (a 304 refreshes the entry), and able to
 * serve a stale entry when the upstream fails within its stale-if-error
 * window. Concurrent calls for one key share one upstream call.
 *
 * lru-cache's own `fetch()` coalesces only loads whose result it stores, and
 * a response that must not be stored (no-store, private in the shared
 * partition, an error) still deserves to be shared by the concurrent callers
 * that asked for it; so lru-cache is the bounded store here, and the
 * in-flight map below is the coalescing.
 *
 * Nothing fetched before a write is stored after it: an invalidation also
 * fences the loads in flight for its paths (their answers go to the callers
 * that were waiting, and are not stored), and later callers start loads of
 * their own. It reaches every stored call that can hold what was written,
 * batch forms included (`related`, from the mapping's plans).
 */

import HttpCachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';
import type { CachedRead } from '../core/request-ledger.ts';
import type { UpstreamResponse } from '../core/upstream.ts';
import { pathMatcher } from '../core/upstream-path.ts';
import { type ErrorCode, GraftError } from '../errors.ts';
import { parseCacheControl } from './cache-control.ts';

export interface CachePolicy {
  /** Store responses at all (in-flight sharing happens either way). */
  store: boolean;
  /** Freshness for responses without max-age/s-maxage; 0 = do not store those. */
  ttlMs: number;
  /** How long past freshness a stale entry may stand in for a failing upstream (a response's own `stale-if-error` wins). */
  staleIfErrorMs: number;
}

export interface CacheLookup {
  key: string;
  source: string;
  /** Upstream path without query, for invalidation. */
  path: string;
  /** True when the key is in the shared partition (no caller credential forwarded). */
  shared: boolean;
  policy: CachePolicy;
  /** Load alone: join no identical load in flight, and let none join this one (`cache.coalesce: false`). */
  alone?: boolean;
  /**
   * How the caller that starts a load tells it went away (the listener once;
   * returns its removal): before anyone joined, the load is then abandoned
   * (`load` is told) and later callers load anew. Used only
   * when a load starts.
   */
  onLeave?: (listener: () => void) => () => void;
}

export type Validators = Partial<Record<'if-none-match' | 'if-modified-since', string>>;

/** An upstream answer as the source client produced it: a 2xx, or a 304 to a conditional request. */
export interface LoadedResponse extends UpstreamResponse {
  /** Body size in bytes, for the cache's byte bound. */
  size: number;
}

export interface CacheResult {
  response: UpstreamResponse;
  /** Set when a fresh stored answer served the call: no upstream call was made or awaited. */
  hit?: true;
  /** Set when a stale entry answered because the upstream failed. */
  stale?: { ageMs: number; code: ErrorCode };
}

export interface CacheStats {
  hit: number;
  miss: number;
  stale: number;
  revalidated: number;
  /** Calls that waited for an identical call already in flight. */
  coalesced: number;
}

/** What a source's stored answers hold now. */
export interface CacheHoldings {
  entries: number;
  bytes: number;
}

export interface ResponseCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** Keep entries with validators this long after they go stale, for a cheap 304. @default 300_000 // ms */
  keepForRevalidationMs?: number;
  now?: () => number;
  /** A cache shared with other replicas (Redis), asked when this one has no entry and told of every entry stored. */
  second?: SecondLevelCache;
  /**
   * Other stored paths of `source` that can hold what lives at `path`: the
   * batch form of a per-parent list (`/comments` for `/articles/7/comments`),
   * the collection a batch by ids reads (`/users` for `/users/7`).
   */
  related?: (source: string, path: string) => readonly string[];
}

/**
 * A cache shared by replicas, behind this one: same keys (identity partitions
 * included), same entries and freshness. Its answers may be late or missing
 * (it is a network away, and may be down): each method settles within its
 * own time bound and never throws.
 */
export interface SecondLevelCache {
  get(key: string, source: string): Promise<StoredEntry | undefined>;
  set(key: string, entry: StoredEntry, ttlMs: number): void;
  /**
   * Entries of `source` at `paths` are gone: every other replica drops its
   * own, and shared entries are no longer served. Settles once Redis has
   * taken the change and published it (or could not, within its timeout).
   */
  invalidated(source: string, paths: readonly string[]): Promise<void>;
}

export interface ResponseCache {
  /** The stored answer for `key` while it is fresh (counted as a hit), else undefined: a hit then costs no promise, closure or timer. */
  fresh(key: string, source: string): UpstreamResponse | undefined;
  /**
   * True while every read would be served again, by the same stored answer
   * (not one stored since, even if equal) and still fresh; they are then
   * counted as hits, as if made.
   */
  unchanged(reads: readonly CachedRead[]): boolean;
  /** `load` is told (`onAbandoned`) when the caller that started it left and nobody joined it (`lookup.onLeave`). */
  fetch(
    lookup: CacheLookup,
    load: (validators: Validators | undefined, onAbandoned: AbandonHook) => Promise<LoadedResponse>,
  ): Promise<CacheResult>;
  /**
   * Drops every entry of `source` at one of `paths` or a path related to
   * one (a `*` segment matches any one), whatever its query, method or
   * partition, and fences the loads in flight for them; `here` only in this
   * replica (another replica's invalidation, relayed), else everywhere. The
   * entries here are dropped at once; the promise settles once the other
   * replicas have been told (at once without Redis), so that a write's
   * answer can wait for it.
   */
  invalidate(source: string, paths: readonly string[], scope?: 'everywhere' | 'here'): Promise<number>;
  stats(): Readonly<Record<string, CacheStats>>;
  holdings(): Readonly<Record<string, CacheHoldings>>;
}

/** A stored answer, with what decides its freshness: plain data, so that a shared cache can keep it as JSON. */
export interface StoredEntry {
  response: UpstreamResponse;
  size: number;
  source: string;
  path: string;
  storedAt: number;
  freshUntil: number;
  staleIfErrorUntil: number;
  validators: Validators | undefined;
}

/** Failures for which a stale answer is better than none: the upstream is down, slow or broken, not the request. */
const STALE_IF: ReadonlySet<ErrorCode> = new Set([
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_RATE_LIMITED',
  'CIRCUIT_OPEN',
]);

type Entry = StoredEntry;

/** Set when an invalidation reached a load's path while it was out: its answer is not stored. */
interface Fence {
  fenced: boolean;
}

/** A load in flight, shared by the callers of its key until an invalidation fences it. */
interface Flight {
  lookup: CacheLookup;
  result: Promise<CacheResult>;
  fence: Fence;
  /** Set when the caller that started it left before anyone joined; the listeners below were told. */
  abandoned: boolean;
  whenAbandoned: Set<() => void> | undefined;
  joined: boolean;
}

/** How a load learns it was abandoned: `listener` once; returns its removal. */
export type AbandonHook = (listener: () => void) => () => void;

type Run = (fence: Fence, onAbandoned: AbandonHook) => Promise<CacheResult>;

/**
 * The loads in flight, by key: concurrent callers of one key share one load
 * until an invalidation reaches its path; then it is fenced (its answer goes
 * to those already waiting and is not stored) and later callers load anew.
 */
class InFlightLoads {
  readonly #flights = new Map<string, Flight>();
  readonly #alone = new Set<Pick<Flight, 'lookup' | 'fence'>>();

  joined(key: string): Promise<CacheResult> | undefined {
    const flight = this.#flights.get(key);
    if (!flight) return undefined;
    flight.joined = true;
    return flight.result;
  }

  start(lookup: CacheLookup, run: Run): Promise<CacheResult> {
    const flight = this.#flight(lookup);
    const off = this.#abandonOnLeave(flight);
    flight.result = run(flight.fence, abandonHook(flight)).finally(() => {
      off?.();
      if (this.#flights.get(lookup.key) === flight) this.#flights.delete(lookup.key);
    });
    this.#flights.set(lookup.key, flight);
    return flight.result;
  }

  /** A load no one joins: still fenced by an invalidation, so that it does not store what a write made stale. */
  startAlone(lookup: CacheLookup, run: Run): Promise<CacheResult> {
    const flight = this.#flight(lookup);
    this.#alone.add(flight);
    const off = this.#abandonOnLeave(flight);
    flight.result = run(flight.fence, abandonHook(flight)).finally(() => {
      off?.();
      this.#alone.delete(flight);
    });
    return flight.result;
  }

  #flight(lookup: CacheLookup): Flight {
    return {
      lookup,
      fence: { fenced: false },
      abandoned: false,
      whenAbandoned: undefined,
      joined: false,
      result: undefined as unknown as Promise<CacheResult>,
    };
  }

  /**
   * The starter going away abandons a load nobody joined: its upstream call
   * is cancelled (its connection closed) instead of running on for no one.
   * A load someone joined runs on: they wait for it.
   */
  #abandonOnLeave(flight: Flight): (() => void) | undefined {
    return flight.lookup.onLeave?.(() => {
      if (flight.joined) return;
      flight.abandoned = true;
      if (this.#flights.get(flight.lookup.key) === flight) this.#flights.delete(flight.lookup.key);
      for (const listener of flight.whenAbandoned ?? []) listener();
    });
  }

  /** Fences every load of `source` at a path `matches` accepts. */
  fence(source: string, matches: (path: string) => boolean): void {
    for (const [key, flight] of this.#flights) {
      if (flight.lookup.source === source && matches(flight.lookup.path)) {
        flight.fence.fenced = true;
        this.#flights.delete(key);
      }
    }
    for (const flight of this.#alone)
      if (flight.lookup.source === source && matches(flight.lookup.path)) flight.fence.fenced = true;
  }
}

/** A flight's abandonment as a hook: no signal made per load (an event target costs more than the call it cancels). */
function abandonHook(flight: Flight): AbandonHook {
  return (listener) => {
    if (flight.abandoned) {
      listener();
      return () => {};
    }
    (flight.whenAbandoned ??= new Set()).add(listener);
    return () => flight.whenAbandoned?.delete(listener);
  };
}

/** Per source, how lookups went. */
class LookupCounts {
  readonly #bySource = new Map<string, CacheStats>();

  count(source: string, what: keyof CacheStats): void {
    let stats = this.#bySource.get(source);
    if (!stats) this.#bySource.set(source, (stats = { hit: 0, miss: 0, stale: 0, revalidated: 0, coalesced: 0 }));
    stats[what] += 1;
  }

  snapshot(): Readonly<Record<string, CacheStats>> {
    return Object.fromEntries([...this.#bySource].map(([source, stats]) => [source, { ...stats }]));
  }
}

/** The code a failure is answered stale for, when it is one a stale answer is better than nothing for. */
function staleIfCode(error: unknown): ErrorCode | undefined {
  if (!(error instanceof GraftError)) return undefined;
  return STALE_IF.has(error.code) || (error.code === 'UPSTREAM_ERROR' && (error.status ?? 0) >= 500)
    ? error.code
    : undefined;
}

export function createResponseCache({
  maxEntries,
  maxBytes,
  keepForRevalidationMs = 300_000,
  now = Date.now,
  second,
  related,
}: ResponseCacheOptions): ResponseCache {
  /** http-cache-semantics on this cache's clock (its `now()` is the hook its README offers; the types leave it out). */
  const Policy = class extends HttpCachePolicy {
    now(): number {
      return now();
    }
  };
  const held = new Map<string, CacheHoldings>();
  const hold = (entry: Entry, sign: 1 | -1) => {
    let holdings = held.get(entry.source);
    if (!holdings) held.set(entry.source, (holdings = { entries: 0, bytes: 0 }));
    holdings.entries += sign;
    holdings.bytes += sign * entry.size;
  };
  const store = new LRUCache<string, Entry>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.size),
    perf: { now },
    // Called for every entry that leaves: evicted, expired, deleted or replaced.
    dispose: (entry) => hold(entry, -1),
  });
  const retention = (entry: Entry) => retentionOf(entry, keepForRevalidationMs);
  const keep = (key: string, entry: Entry, share = true) => {
    store.set(key, entry, { ttl: retention(entry) });
    if (store.peek(key, { allowStale: true }) === entry) hold(entry, 1); // not when too large to store
    if (share) second?.set(key, entry, retention(entry));
  };
  const inFlight = new InFlightLoads();
  const counts = new LookupCounts();
  const count = (source: string, what: keyof CacheStats) => counts.count(source, what);

  const stores: StoreContext = {
    now,
    second,
    Policy,
    count,
    keep,
    store: { delete: (key) => store.delete(key), ttlOf: retention },
  };

  return {
    fresh(key, source) {
      const entry = store.get(key);
      if (!entry || now() >= entry.freshUntil) return undefined;
      count(source, 'hit');
      return entry.response;
    },

    unchanged(reads) {
      for (const read of reads) {
        const entry = store.get(read.key);
        if (entry?.response !== read.response || now() >= entry.freshUntil) return false;
      }
      for (const read of reads) count(read.source, 'hit');
      return true;
    },

    fetch(lookup, load) {
      const entry = store.get(lookup.key);
      if (entry && now() < entry.freshUntil) {
        count(lookup.source, 'hit');
        return Promise.resolve({ response: entry.response, hit: true });
      }
      const run: Run = (fence, onAbandoned) =>
        refresh(stores, lookup, fence, entry, (validators) => load(validators, onAbandoned));
      if (lookup.alone) return inFlight.startAlone(lookup, run);
      const pending = inFlight.joined(lookup.key);
      if (pending) {
        count(lookup.source, 'coalesced');
        return pending.then(inOwnTurn);
      }
      return inFlight.start(lookup, run);
    },

    async invalidate(source, paths, scope = 'everywhere') {
      const all = related ? [...new Set([...paths, ...paths.flatMap((path) => related(source, path))])] : paths;
      const matches = pathMatcher(all);
      const doomed: string[] = [];
      store.forEach((entry, key) => {
        if (entry.source === source && matches(entry.path)) doomed.push(key);
      });
      for (const key of doomed) store.delete(key);
      // Loads out now were sent before the write: their callers get what they asked for, and no one after them.
      inFlight.fence(source, matches);
      if (scope === 'everywhere') await second?.invalidated(source, all);
      return doomed.length;
    },

    stats: () => counts.snapshot(),

    holdings: () => Object.fromEntries([...held].map(([source, holdings]) => [source, { ...holdings }])),
  };
}

/** What a load's refresh needs of the cache it stores into. */
interface StoreContext {
  now: () => number;
  second: SecondLevelCache | undefined;
  Policy: typeof HttpCachePolicy;
  count(source: string, what: keyof CacheStats): void;
  keep(key: string, entry: Entry, share?: boolean): void;
  store: { delete(key: string): unknown; ttlOf(entry: Entry): number };
}

/**
 * A load for a key without a fresh entry: another replica's entry when it is
 * fresh; else the source, conditionally when an entry has validators (a 304
 * renews it), answering stale when the source fails and the entry allows;
 * the answer is stored unless an invalidation fenced the load.
 */
async function refresh(
  { now, second, Policy, count, keep, store }: StoreContext,
  lookup: CacheLookup,
  fence: Fence,
  held: Entry | undefined,
  load: (validators: Validators | undefined) => Promise<LoadedResponse>,
): Promise<CacheResult> {
  /** Stores unless an invalidation fenced the load while it was out. */
  const keepUnlessFenced = (entry: Entry, share = true) => {
    if (!fence.fenced) keep(lookup.key, entry, share);
  };
  let entry = held;
  // Another replica may have stored it: a fresh shared entry answers, a stale one with validators is revalidated.
  if (!entry && second) {
    const shared = await second.get(lookup.key, lookup.source);
    if (shared && now() < shared.storedAt + store.ttlOf(shared)) {
      keepUnlessFenced(shared, false);
      entry = shared;
      if (now() < shared.freshUntil) {
        count(lookup.source, 'hit');
        return { response: shared.response, hit: true };
      }
    }
  }
  let loaded: LoadedResponse;
  try {
    loaded = await load(entry?.validators);
  } catch (error) {
    const code = staleIfCode(error);
    if (entry && code && now() <= entry.staleIfErrorUntil) {
      count(lookup.source, 'stale');
      return { response: entry.response, stale: { ageMs: now() - entry.storedAt, code } };
    }
    throw error;
  }
  if (loaded.status === 304 && entry) {
    count(lookup.source, 'revalidated');
    // A 304 may update the freshness headers; the body stays the one stored.
    const renewed = toEntry(
      lookup,
      { ...entry.response, headers: { ...entry.response.headers, ...pickFreshness(loaded.headers) } },
      entry.size,
      now(),
      Policy,
    );
    if (renewed) keepUnlessFenced(renewed);
    return { response: entry.response };
  }
  if (loaded.status === 304) {
    throw new GraftError('UPSTREAM_BAD_RESPONSE', `${lookup.source} answered 304 to an unconditional request.`, {
      source: lookup.source,
      status: 304,
    });
  }
  count(lookup.source, 'miss');
  const fresh = toEntry(lookup, loaded, loaded.size, now(), Policy);
  if (fresh) keepUnlessFenced(fresh);
  else if (!fence.fenced) store.delete(lookup.key);
  return { response: { status: loaded.status, headers: loaded.headers, body: loaded.body } };
}

/** How long an entry is kept: while fresh, while it may answer stale, and a while after for a cheap revalidation. */
function retentionOf(entry: Entry, keepForRevalidationMs: number): number {
  const kept = Math.max(
    entry.staleIfErrorUntil,
    entry.validators ? entry.freshUntil + keepForRevalidationMs : 0,
    entry.freshUntil,
  );
  return Math.max(1, kept - entry.storedAt);
}

/**
 * What may be stored, and for how long; undefined when the response must not
 * be kept. Storability and the freshness an answer gives itself are
 * http-cache-semantics' (RFC 9111: `no-store`, `private` in a shared cache,
 * `s-maxage` over `max-age` over `Expires`, the `Age` the answer already has,
 * `Vary: *`); the source's `ttlMs` serves answers that give none. Two rules
 * are ours: stale-if-error, which it offers no way to ask about, and which
 * `must-revalidate` (and `proxy-revalidate` in the shared partition) rules
 * out; and no `Set-Cookie` answer in the shared partition, even `public`.
 * Other `Vary` fields need nothing more: a key holds every header a call
 * sends that differs between callers (the forwarded ones).
 */
function toEntry(
  lookup: CacheLookup,
  response: UpstreamResponse,
  size: number,
  at: number,
  Policy: typeof HttpCachePolicy,
): Entry | undefined {
  if (!lookup.policy.store) return undefined;
  const headers = flatHeaders(response.headers);
  const policy = new Policy(
    { method: 'GET', url: lookup.path, headers: {} },
    { status: response.status, headers },
    { shared: lookup.shared, cacheHeuristic: 0, immutableMinTimeToLive: 0 },
  );
  if (!policy.storable() || headers.vary?.trim() === '*') return undefined;
  if (lookup.shared && headers['set-cookie'] !== undefined) return undefined;
  const directives = parseCacheControl(headers['cache-control']);
  const explicit =
    directives.maxAge !== undefined ||
    (lookup.shared && directives.sMaxAge !== undefined) ||
    headers.expires !== undefined ||
    directives.proxyRevalidate;
  const ageMs = policy.age() * 1000;
  const freshMs = directives.noCache
    ? 0
    : Math.max(0, explicit ? policy.maxAge() * 1000 - ageMs : lookup.policy.ttlMs - ageMs);
  const validators = validatorsOf(response);
  if (freshMs <= 0 && !validators) return undefined;
  const strict = directives.mustRevalidate || (lookup.shared && directives.proxyRevalidate);
  const staleIfErrorMs = strict
    ? 0
    : directives.staleIfError !== undefined
      ? directives.staleIfError * 1000
      : lookup.policy.staleIfErrorMs;
  return {
    response,
    size,
    source: lookup.source,
    path: lookup.path,
    storedAt: at,
    freshUntil: at + freshMs,
    staleIfErrorUntil: at + freshMs + staleIfErrorMs,
    validators,
  };
}

/** Response headers as http-cache-semantics reads them: one string each. */
function flatHeaders(headers: UpstreamResponse['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return flat;
}

function validatorsOf(response: UpstreamResponse): Validators | undefined {
  const etag = single(response.headers.etag);
  const lastModified = single(response.headers['last-modified']);
  if (!etag && !lastModified) return undefined;
  return { ...(etag && { 'if-none-match': etag }), ...(lastModified && { 'if-modified-since': lastModified }) };
}

function pickFreshness(headers: UpstreamResponse['headers']): UpstreamResponse['headers'] {
  const picked: UpstreamResponse['headers'] = {};
  for (const name of ['cache-control', 'etag', 'last-modified', 'expires', 'date', 'age'] as const)
    if (headers[name] !== undefined) picked[name] = headers[name];
  return picked;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Resolves with `value` in a turn of the event loop of its own. Every caller
 * that joined a load resumes when it answers: in one turn, they would each
 * build their whole answer before any of them is written, so a hundred
 * answers are alive together, outlive the young generation and are promoted
 * to old space (the benchmark's q1 showed it: the heap grew much faster
 * between mark-compacts). In turns of their own, each caller builds,
 * writes and drops its answer before the next begins.
 */
function inOwnTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(resolve, value));
}
