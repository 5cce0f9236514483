/**
 * Client-side rate limiting per source (and per caller credential where the
 * source forwards it). From the rate-limit headers of the last answer, calls
 * are spread over the time left in the upstream's window once its remaining
 * budget runs low, and held until the reset once it is spent, so the
 * upstream never has to answer 429. An optional static limit (requests per
 * second with a burst) serves APIs that send no headers. A wait that would
 * outlast the request's deadline fails at once with UPSTREAM_RATE_LIMITED.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Deadline } from '../../core/deadline.ts';
import { GraftError } from '../../errors.ts';
import { remainingMs, sleep } from './deadline.ts';
import { readRateLimit } from './rate-limit-headers.ts';

/**
 * Rate-limit counts shared with other replicas (Redis), as this pacer uses
 * them: a port, implemented by replicas/shared-pacing.ts.
 */
export interface SharedPacing {
  /** ms to wait before the call may go (0: now); undefined when Redis holds nothing to go by, or cannot answer. */
  take(source: string, key: string, now: number): Promise<number | undefined>;
  /** An announcement: `remaining` calls left until `resetAt` (ms since epoch), of `limit`. Settles once stored (or not: Redis away). */
  announce(
    source: string,
    key: string,
    reading: { remaining: number; resetAt: number; limit: number | undefined },
  ): Promise<void>;
  /** ms to wait before a call within a static limit of `perSecond` calls a second across replicas; undefined when Redis cannot answer. */
  takeStatic(source: string, perSecond: number, now: number): Promise<number | undefined>;
}

export interface PacerOptions {
  source: string;
  /** Spread calls evenly once this few remain in the window. @default 5 */
  spreadBelow?: number;
  /** A fixed budget for APIs without rate-limit headers. */
  static?: { requestsPerSecond: number; burst: number };
  /** The count replicas share (replicas/shared-pacing.ts): taken from as well as this pacer's own. */
  shared?: SharedPacing;
  now?: () => number;
}

export interface Pacer {
  /** Resolves when a call may go now. */
  acquire(key: string, deadline: Deadline | undefined): Promise<void>;
  /** Learns from an answer's headers (any status). */
  observe(key: string, headers: IncomingHttpHeaders, retryAfterMs?: number): void;
  /** The current window with the fewest calls left (across callers), for metrics and the status page; undefined when none is known. */
  tightest(): RateLimitWindow | undefined;
}

export interface RateLimitWindow {
  remaining: number;
  /** When the window resets, ms since epoch. */
  resetAt: number;
  limit: number | undefined;
}

interface Window {
  remaining: number;
  resetAt: number;
  /** The window's whole budget, when the source says. */
  limit: number | undefined;
  /** Earliest time the next spread-out call may go. */
  nextSlot: number;
}

/** Past a reset, wait this much longer: upstream clocks and ours differ a little. */
const RESET_MARGIN_MS = 50;
/** How long a guessed new window lasts before an answer replaces it. */
const PROVISIONAL_WINDOW_MS = 1_000;

export function createPacer({ source, spreadBelow = 5, static: fixed, shared, now = Date.now }: PacerOptions): Pacer {
  const windows = new Map<string, Window>();
  /** Keys this pacer has seen an answer for, announcing a limit or not. */
  const answered = new Set<string>();
  let tokens = fixed?.burst ?? 0;
  let refilledAt = now();

  const limited = (waitMs: number) =>
    new GraftError('UPSTREAM_RATE_LIMITED', `${source}'s rate limit leaves no room before the request's deadline.`, {
      source,
      retryable: true,
      retryAfterMs: waitMs,
    });

  async function wait(ms: number, deadline: Deadline | undefined) {
    if (ms <= 0) return;
    if (ms > remainingMs(deadline, now())) throw limited(ms);
    await sleep(ms, deadline, source);
  }

  /** A call from the count the replicas share, waiting as long as it says; nothing when Redis holds nothing or cannot answer. */
  async function sharedTurn(take: () => Promise<number | undefined>, deadline: Deadline | undefined): Promise<void> {
    for (let waitMs = await take(); waitMs !== undefined && waitMs > 0; waitMs = await take())
      await wait(waitMs + RESET_MARGIN_MS, deadline);
  }

  async function staticToken(deadline: Deadline | undefined): Promise<void> {
    if (!fixed) return;
    if (shared) {
      let decided = false;
      await sharedTurn(async () => {
        const waitMs = await shared.takeStatic(source, fixed.requestsPerSecond, now());
        decided ||= waitMs !== undefined;
        return waitMs;
      }, deadline);
      // Redis answered: the replicas' one count decided; else this replica's own bucket decides.
      if (decided) return;
    }
    const elapsed = now() - refilledAt;
    tokens = Math.min(fixed.burst, tokens + (elapsed / 1000) * fixed.requestsPerSecond);
    refilledAt = now();
    if (tokens < 1) {
      await wait(Math.ceil(((1 - tokens) / fixed.requestsPerSecond) * 1000), deadline);
      return staticToken(deadline);
    }
    tokens -= 1;
  }

  /** This replica's own pacing, from the windows its answers announced. */
  async function ownTurn(key: string, deadline: Deadline | undefined): Promise<void> {
    for (;;) {
      const window = windows.get(key);
      const at = now();
      if (!window || at >= window.resetAt) return;
      if (window.remaining <= 0) {
        await wait(window.resetAt - at + RESET_MARGIN_MS, deadline);
        const current = windows.get(key);
        if (current === window) {
          // A new window. Until an answer tells its budget, let at most the old limit through, not every waiter at once.
          if (window.limit === undefined) windows.delete(key);
          else
            windows.set(key, {
              remaining: window.limit,
              resetAt: now() + PROVISIONAL_WINDOW_MS,
              limit: window.limit,
              nextSlot: now(),
            });
        }
        continue;
      }
      window.remaining -= 1;
      if (window.remaining + 1 > spreadBelow) return;
      const slot = Math.max(at, window.nextSlot);
      window.nextSlot = slot + (window.resetAt - at) / (window.remaining + 1);
      return wait(slot - at, deadline);
    }
  }

  return {
    async acquire(key, deadline) {
      await staticToken(deadline);
      await ownTurn(key, deadline);
      // Last, after any wait of this replica's own, so that the call is counted in the window it goes in. Asked
      // until this replica's first answer (another replica may know the window), then only while the source announces
      // one: a source that announces nothing costs no Redis call.
      if (shared && (windows.has(key) || !answered.has(key)))
        await sharedTurn(() => shared.take(source, key, now()), deadline);
    },

    observe(key, headers, retryAfterMs) {
      const at = now();
      answered.add(key);
      const announced = announcedWindow(windows.get(key), headers, retryAfterMs, at);
      if (announced) windows.set(key, announced);
      const window = windows.get(key);
      if (shared && window && announced)
        void shared.announce(source, key, {
          remaining: window.remaining,
          resetAt: window.resetAt,
          limit: window.limit,
        });
    },

    tightest: () => tightestOf(windows.values(), now()),
  };
}

/** The window an answer announces: its rate-limit headers, else a Retry-After as a window with nothing left; undefined when it says neither. */
function announcedWindow(
  previous: Window | undefined,
  headers: Parameters<typeof readRateLimit>[0],
  retryAfterMs: number | undefined,
  at: number,
): Window | undefined {
  const reading = readRateLimit(headers, at);
  if (reading)
    return {
      remaining: reading.remaining,
      resetAt: at + reading.resetInMs,
      limit: reading.limit ?? previous?.limit,
      nextSlot: previous?.nextSlot ?? at,
    };
  if (retryAfterMs !== undefined)
    return { remaining: 0, resetAt: at + retryAfterMs, limit: previous?.limit, nextSlot: at };
  return undefined;
}

/** The current window with the fewest calls left. */
function tightestOf(windows: Iterable<Window>, at: number): RateLimitWindow | undefined {
  let tightest: Window | undefined;
  for (const window of windows)
    if (window.resetAt > at && (!tightest || window.remaining < tightest.remaining)) tightest = window;
  return tightest && { remaining: Math.max(0, tightest.remaining), resetAt: tightest.resetAt, limit: tightest.limit };
}
