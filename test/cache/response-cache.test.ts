/** The cache's rules in isolation, with an injected clock. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCacheControl } from '../../src/cache/cache-control.ts';
import { cacheKey, canonicalUrl, identityPartition } from '../../src/cache/cache-key.ts';
import {
  type AbandonHook,
  type CacheLookup,
  createResponseCache,
  type LoadedResponse,
} from '../../src/cache/response-cache.ts';
import { GraftError } from '../../src/errors.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const lookup = (key: string, overrides: Partial<CacheLookup> = {}): CacheLookup => ({
  key,
  source: 'accounts',
  path: `/users/${key}`,
  shared: true,
  policy: { store: true, ttlMs: 0, staleIfErrorMs: 0 },
  ...overrides,
});
/** A caller's going away, told as the source client tells it (`CacheLookup.onLeave`): when `controller` aborts. */
const leaves = (controller: AbortController) => (listener: () => void) => {
  controller.signal.addEventListener('abort', listener, { once: true });
  return () => controller.signal.removeEventListener('abort', listener);
};
const answer = (
  body: unknown,
  headers: Record<string, string> = { 'cache-control': 'max-age=10' },
  status = 200,
): LoadedResponse => ({ status, headers, body, size: JSON.stringify(body).length });

describe('parseCacheControl', () => {
  it('reads the directives that matter and ignores the rest', () => {
    expect(parseCacheControl('public, max-age=60, s-maxage="30", stale-if-error=600, must-revalidate')).toEqual({
      maxAge: 60,
      sMaxAge: 30,
      staleIfError: 600,
      noStore: false,
      noCache: false,
      private: false,
      mustRevalidate: true,
    });
    expect(parseCacheControl('private, no-cache')).toMatchObject({ private: true, noCache: true });
    expect(parseCacheControl('max-age=-1, no-store')).toMatchObject({ maxAge: undefined, noStore: true });
    expect(parseCacheControl(undefined)).toEqual({ noStore: false, noCache: false, private: false });
  });
});

describe('cacheKey', () => {
  it('is the same for reordered query parameters and different for another identity', () => {
    const base = { source: 'a', method: 'GET', path: '/x', partition: identityPartition('Bearer one') };
    expect(cacheKey({ ...base, query: { b: 1, a: 2 } })).toBe(cacheKey({ ...base, query: { a: 2, b: 1 } }));
    expect(cacheKey({ ...base, query: {} })).not.toBe(
      cacheKey({ ...base, partition: identityPartition('Bearer two') }),
    );
    expect(identityPartition('Bearer one')).not.toContain('one');
  });

  it("spells a query exactly as URLSearchParams' sort() and toString() do, whatever the names and values", () => {
    const text = fc.string({ unit: 'binary' });
    const scalar = fc.oneof(
      text,
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const value = fc.oneof(scalar, fc.array(fc.oneof(text, fc.integer(), fc.boolean()), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 6 }), (query) => {
        const params = new URLSearchParams();
        for (const [key, item] of Object.entries(query)) {
          if (item === null || item === undefined) continue;
          for (const one of Array.isArray(item) ? item : [item]) params.append(key, String(one));
        }
        params.sort();
        const search = params.toString();
        expect(canonicalUrl('/p', query)).toBe(search ? `/p?${search}` : '/p');
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('createResponseCache', () => {
  it('prefers s-maxage in the shared partition and max-age in a private one', async () => {
    const time = clock();
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000, now: time.now });
    const headers = { 'cache-control': 'max-age=100, s-maxage=1' };
    let loads = 0;
    const load = async () => {
      loads += 1;
      return answer({ n: loads }, headers);
    };
    await cache.fetch(lookup('shared'), load);
    await cache.fetch(lookup('private', { shared: false }), load);
    time.advance(2_000);
    await cache.fetch(lookup('shared'), load);
    await cache.fetch(lookup('private', { shared: false }), load);
    expect(loads).toBe(3);
  });

  it('is bounded by entries and by bytes', async () => {
    const cache = createResponseCache({ maxEntries: 3, maxBytes: 100, now: clock().now });
    let loads = 0;
    const load = (size: number) => async () => {
      loads += 1;
      return { ...answer({}), size };
    };
    for (const key of ['a', 'b', 'c', 'd']) await cache.fetch(lookup(key), load(10));
    await cache.fetch(lookup('a'), load(10)); // evicted by the entry bound
    expect(loads).toBe(5);
    await cache.fetch(lookup('big'), load(90));
    await cache.fetch(lookup('b'), load(10)); // evicted by the byte bound
    expect(loads).toBe(7);
  });

  it('uses the source TTL only when the answer gives none, and stores nothing with TTL 0 and no validators', async () => {
    const time = clock();
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000, now: time.now });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return answer({}, {});
    };
    await cache.fetch(lookup('x', { policy: { store: true, ttlMs: 5_000, staleIfErrorMs: 0 } }), load);
    await cache.fetch(lookup('x', { policy: { store: true, ttlMs: 5_000, staleIfErrorMs: 0 } }), load);
    await cache.fetch(lookup('y'), load);
    await cache.fetch(lookup('y'), load);
    expect(loads).toBe(3);
  });

  it('shares one in-flight load, and its failure, among concurrent callers', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    let loads = 0;
    let fail: () => void = () => {};
    // The load stays in flight until both callers have asked.
    const asked = new Promise<void>((resolve) => (fail = resolve));
    const failing = async () => {
      loads++;
      await asked;
      throw new GraftError('UPSTREAM_UNAVAILABLE', 'down', { source: 'accounts' });
    };
    const both = Promise.allSettled([cache.fetch(lookup('z'), failing), cache.fetch(lookup('z'), failing)]);
    fail();
    const results = await both;
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    expect(cache.stats().accounts).toMatchObject({ coalesced: 1 });
  });

  it('abandons a load whose starter left before anyone joined, and only such a load: later callers load anew', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    /** Whether each load was told it was abandoned. */
    const abandoned: Array<{ told: boolean }> = [];
    const releases: Array<(response: LoadedResponse) => void> = [];
    const held = (_validators: unknown, onAbandoned: AbandonHook) => {
      const load = { told: false };
      abandoned.push(load);
      return new Promise<LoadedResponse>((resolve, reject) => {
        releases.push(resolve);
        onAbandoned(() => {
          load.told = true;
          reject(new Error('abandoned'));
        });
      });
    };
    // Alone: the starter leaves, the load is abandoned, and the next caller starts one of its own.
    const leaving = new AbortController();
    const first = cache.fetch(lookup('a', { onLeave: leaves(leaving) }), held).catch((error: Error) => error.message);
    leaving.abort();
    expect(await first).toBe('abandoned');
    const next = cache.fetch(lookup('a'), held);
    expect(abandoned).toHaveLength(2);
    releases[1]?.(answer({ name: 'Ada' }));
    expect((await next).response.body).toEqual({ name: 'Ada' });
    // Joined: the starter leaving abandons nothing; the one who joined gets the answer.
    const starter = new AbortController();
    const started = cache.fetch(lookup('b', { onLeave: leaves(starter) }), held);
    const joiner = cache.fetch(lookup('b'), held);
    starter.abort();
    expect(abandoned[2]?.told).toBe(false);
    releases[2]?.(answer({ name: 'Grace' }));
    expect([(await started).response.body, (await joiner).response.body]).toEqual([
      { name: 'Grace' },
      { name: 'Grace' },
    ]);
    // An alone load (cache.coalesce off) is abandoned the same way.
    const alone = new AbortController();
    const lone = cache
      .fetch(lookup('c', { alone: true, onLeave: leaves(alone) }), held)
      .catch((error: Error) => error.message);
    alone.abort();
    expect(await lone).toBe('abandoned');
  });

  it('loads alone when asked to (cache.coalesce off): no caller joins, yet a fresh answer is still served and an invalidation still fences', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    const releases: Array<(response: LoadedResponse) => void> = [];
    const held = () => new Promise<LoadedResponse>((resolve) => releases.push(resolve));
    const first = cache.fetch(lookup('a', { path: '/articles/7', alone: true }), held);
    const second = cache.fetch(lookup('a', { path: '/articles/7', alone: true }), held);
    expect(releases).toHaveLength(2);
    await cache.invalidate('accounts', ['/articles/7']);
    for (const release of releases) release(answer({ title: 'old' }));
    await Promise.all([first, second]);
    expect(cache.fresh('a', 'accounts')).toBeUndefined();
    expect(cache.stats().accounts).toMatchObject({ coalesced: 0 });
    await cache.fetch(lookup('b', { alone: true }), async () => answer({ title: 'kept' }));
    let loads = 0;
    const again = await cache.fetch(lookup('b', { alone: true }), async () => {
      loads++;
      return answer({ title: 'reloaded' });
    });
    expect([again.response.body, again.hit, loads]).toEqual([{ title: 'kept' }, true, 0]);
  });

  it('resumes each caller that joined a load in a turn of its own: its follow-up work runs before the next caller resumes', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    let answered: () => void = () => {};
    const gate = new Promise<void>((resolve) => (answered = resolve));
    const load = async () => {
      await gate;
      return answer({ id: 1 }, { 'cache-control': 'no-store' });
    };
    const order: string[] = [];
    // Each caller, once resumed, does two more steps of work on the microtask queue (as building an answer does).
    const caller = (name: string) =>
      cache.fetch(lookup('turns'), load).then(async () => {
        order.push(`${name} resumed`);
        await Promise.resolve();
        await Promise.resolve();
        order.push(`${name} done`);
      });
    const callers = Promise.all(['a', 'b', 'c'].map(caller));
    answered();
    await callers;
    // The one that started the load goes first; each joiner then finishes before the next begins.
    expect(order).toEqual(['a resumed', 'a done', 'b resumed', 'b done', 'c resumed', 'c done']);
    expect(cache.stats().accounts).toMatchObject({ coalesced: 2 });
  });

  it('serves stale only inside the stale-if-error window', async () => {
    const time = clock();
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000, now: time.now });
    const policy = { store: true, ttlMs: 0, staleIfErrorMs: 0 };
    await cache.fetch(lookup('s', { policy }), async () =>
      answer({ v: 1 }, { 'cache-control': 'max-age=1, stale-if-error=5' }),
    );
    const down = async (): Promise<LoadedResponse> => {
      throw new GraftError('UPSTREAM_TIMEOUT', 'slow', { source: 'accounts' });
    };
    time.advance(3_000);
    await expect(cache.fetch(lookup('s', { policy }), down)).resolves.toMatchObject({
      response: { body: { v: 1 } },
      stale: { ageMs: 3_000, code: 'UPSTREAM_TIMEOUT' },
    });
    time.advance(4_000);
    await expect(cache.fetch(lookup('s', { policy }), down)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('counts the Age an answer already has, and reads Expires against its Date (RFC 9111, by http-cache-semantics)', async () => {
    const time = clock();
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000, now: time.now });
    let loads = 0;
    const load = (headers: () => Record<string, string>) => async () => {
      loads += 1;
      return answer({ n: loads }, headers());
    };
    // 60 s of freshness, 50 of which another cache already spent.
    const aged = load(() => ({ 'cache-control': 'max-age=60', age: '50' }));
    await cache.fetch(lookup('aged'), aged);
    time.advance(9_000);
    await cache.fetch(lookup('aged'), aged);
    expect(loads).toBe(1);
    time.advance(2_000);
    await cache.fetch(lookup('aged'), aged);
    expect(loads).toBe(2);
    // No Cache-Control: Expires, 30 s after the answer's Date.
    const expiring = load(() => ({
      date: new Date(time.now()).toUTCString(),
      expires: new Date(time.now() + 30_000).toUTCString(),
    }));
    await cache.fetch(lookup('expiring'), expiring);
    time.advance(29_000);
    await cache.fetch(lookup('expiring'), expiring);
    expect(loads).toBe(3);
    time.advance(2_000);
    await cache.fetch(lookup('expiring'), expiring);
    expect(loads).toBe(4);
  });

  it('never stores Vary: * and never serves stale what must be revalidated', async () => {
    const time = clock();
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000, now: time.now });
    let loads = 0;
    const varying = async () => {
      loads += 1;
      return answer({}, { 'cache-control': 'max-age=60', vary: '*' });
    };
    await cache.fetch(lookup('varying'), varying);
    await cache.fetch(lookup('varying'), varying);
    expect(loads).toBe(2);

    const policy = { store: true, ttlMs: 0, staleIfErrorMs: 60_000 };
    const down = async (): Promise<LoadedResponse> => {
      throw new GraftError('UPSTREAM_UNAVAILABLE', 'down', { source: 'accounts' });
    };
    const stored = (key: string, cacheControl: string, shared: boolean) =>
      cache.fetch(lookup(key, { policy, shared }), async () => answer({ key }, { 'cache-control': cacheControl }));
    await stored('plain', 'max-age=1', true);
    await stored('must', 'max-age=1, must-revalidate', true);
    await stored('proxy-private', 'max-age=1, proxy-revalidate', false);
    time.advance(2_000);
    await expect(cache.fetch(lookup('plain', { policy }), down)).resolves.toMatchObject({
      stale: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    await expect(cache.fetch(lookup('must', { policy }), down)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    // proxy-revalidate binds shared caches only: a caller's own partition may still serve it stale.
    await expect(cache.fetch(lookup('proxy-private', { policy, shared: false }), down)).resolves.toMatchObject({
      stale: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    // ...while the shared partition never keeps it fresh at all (http-cache-semantics reads it as revalidate-always there).
    let proxied = 0;
    const proxy = async () => {
      proxied += 1;
      return answer({}, { 'cache-control': 'max-age=60, proxy-revalidate' });
    };
    await cache.fetch(lookup('proxy-shared'), proxy);
    await cache.fetch(lookup('proxy-shared'), proxy);
    expect(proxied).toBe(2);
  });

  it('invalidates a path in every partition and query, and nothing else', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return answer({});
    };
    const entries = [
      lookup('k1', { path: '/articles' }),
      lookup('k2', { path: '/articles', shared: false }),
      lookup('k3', { path: '/articles/1' }),
      lookup('k4', { path: '/articles', source: 'other' }),
    ];
    for (const entry of entries) await cache.fetch(entry, load);
    expect(await cache.invalidate('accounts', ['/articles'])).toBe(2);
    for (const entry of entries) await cache.fetch(entry, load);
    expect(loads).toBe(6);
  });

  it('stores nothing a load in flight fetched before an invalidation of its path, and starts a new load for callers after it', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    let release: (response: LoadedResponse) => void = () => {};
    const held = cache.fetch(lookup('a', { path: '/articles/7' }), () => new Promise((resolve) => (release = resolve)));
    await cache.invalidate('accounts', ['/articles/7']);
    // A caller after the write does not join the load sent before it.
    let loads = 0;
    const after = cache.fetch(lookup('a', { path: '/articles/7' }), async () => {
      loads += 1;
      return answer({ title: 'new' });
    });
    release(answer({ title: 'old' }));
    expect((await held).response.body).toEqual({ title: 'old' });
    expect((await after).response.body).toEqual({ title: 'new' });
    expect(loads).toBe(1);
    expect(cache.fresh('a', 'accounts')?.body).toEqual({ title: 'new' });
  });

  it('fences a load in flight even when the old answer comes back last', async () => {
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000 });
    let release: (response: LoadedResponse) => void = () => {};
    const held = cache.fetch(lookup('a', { path: '/articles/7' }), () => new Promise((resolve) => (release = resolve)));
    await cache.invalidate('accounts', ['/articles/*']);
    release(answer({ title: 'old' }));
    await held;
    expect(cache.fresh('a', 'accounts')).toBeUndefined();
  });

  it('invalidates the paths related to a path too (batch forms)', async () => {
    const cache = createResponseCache({
      maxEntries: 10,
      maxBytes: 10_000,
      related: (_source, path) => (path.startsWith('/articles/') && path.endsWith('/comments') ? ['/comments'] : []),
    });
    await cache.fetch(lookup('batch', { path: '/comments' }), async () => answer({ n: 1 }));
    await cache.fetch(lookup('other', { path: '/users' }), async () => answer({ n: 2 }));
    expect(await cache.invalidate('accounts', ['/articles/8/comments'])).toBe(1);
    expect(cache.fresh('batch', 'accounts')).toBeUndefined();
    expect(cache.fresh('other', 'accounts')).toBeDefined();
  });

  it('says reads are unchanged while each is the very answer stored and still fresh, and counts them as hits', async () => {
    const time = clock();
    const cache = createResponseCache({ maxEntries: 10, maxBytes: 10_000, now: time.now });
    const load = async () => answer({ n: 1 });
    await cache.fetch(lookup('a'), load);
    await cache.fetch(lookup('b'), load);
    const read = (key: string) => ({
      key,
      source: 'accounts',
      response: cache.fresh(key, 'accounts') ?? expect.unreachable(`${key} is stored`),
    });
    const reads = [read('a'), read('b')];
    const hits = cache.stats().accounts?.hit ?? 0;
    expect(cache.unchanged(reads)).toBe(true);
    expect(cache.stats().accounts?.hit).toBe(hits + 2);
    expect(cache.unchanged([])).toBe(true);

    // Stored again, even with an equal body: another answer.
    await cache.invalidate('accounts', ['/users/b']);
    await cache.fetch(lookup('b'), load);
    expect(cache.unchanged(reads)).toBe(false);
    expect(cache.unchanged([read('a'), read('b')])).toBe(true);

    // Past freshness, although still held for revalidation or stale-if-error.
    const fresh = [read('a')];
    time.advance(10_000);
    expect(cache.unchanged(fresh)).toBe(false);
    // Gone.
    expect(
      cache.unchanged([{ key: 'missing', source: 'accounts', response: reads[0]?.response ?? expect.unreachable() }]),
    ).toBe(false);
  });
});
