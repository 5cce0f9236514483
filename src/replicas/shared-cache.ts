/**
 * The second-level response cache in Redis, shared by every replica behind
 * each one's in-process LRU: the same keys (so the same identity
 * partitions), the same entries with their freshness and validators, kept
 * in Redis for as long as the replica would keep them, as JSON up to
 * `maxValueBytes` each (a larger answer stays in the replica alone).
 *
 * Invalidation. A write (or a webhook) drops the entries at its paths in its
 * own replica, then tells the others on a channel, and each drops its own:
 * precise, whatever wildcards the paths hold. In Redis, a source's entries
 * are written under a generation number the write increments, so all of that
 * source's shared entries stop being found at once: one INCR, no scan of
 * keys (a key holds a URL and a partition, which a `/users/*` pattern cannot
 * find without reading every key). The price: after a write, the other
 * reads of that source are fetched again once. A replica that was cut off
 * from Redis reads the generations again when it reconnects.
 */
import type { SecondLevelCache, StoredEntry } from '../cache/response-cache.ts';
import type { RedisLink } from './redis-link.ts';

const CHANNEL = 'invalidate';

interface Invalidation {
  replica: string;
  source: string;
  paths: readonly string[];
  generation: number;
}

export interface SharedCacheOptions {
  link: RedisLink;
  /** This replica: its own invalidations come back on the channel, and are skipped. */
  replica: string;
  maxValueBytes: number;
  /** Drops entries in this replica only (ResponseCache.invalidate with `here`). */
  dropLocal(source: string, paths: readonly string[]): void;
}

export function createSharedCache({ link, replica, maxValueBytes, dropLocal }: SharedCacheOptions): SecondLevelCache {
  const generations = new Map<string, number>();
  const generationKey = (source: string) => `${link.prefix}cache-generation:${source}`;
  const entryKey = (source: string, generation: number, key: string) =>
    `${link.prefix}cache:${source}:${generation}:${key}`;

  const generationOf = async (source: string): Promise<number | undefined> => {
    const known = generations.get(source);
    if (known !== undefined) return known;
    const stored = await link.run('cache', (redis) => redis.get(generationKey(source)));
    if (stored === undefined) return undefined;
    const generation = Number(stored ?? 0);
    generations.set(source, generation);
    return generation;
  };

  link.subscribe(CHANNEL, (message) => {
    const invalidation = parsed(message);
    if (!invalidation || invalidation.replica === replica) return;
    generations.set(invalidation.source, Math.max(invalidation.generation, generations.get(invalidation.source) ?? 0));
    dropLocal(invalidation.source, invalidation.paths);
  });
  // Invalidations published while this replica was cut off never reached it.
  link.onReconnect(() => generations.clear());

  return {
    async get(key, source) {
      const generation = await generationOf(source);
      if (generation === undefined) return undefined;
      const stored = await link.run('cache', (redis) => redis.get(entryKey(source, generation, key)));
      if (!stored) return undefined;
      try {
        return JSON.parse(stored) as StoredEntry;
      } catch {
        return undefined;
      }
    },

    set(key, entry, ttlMs) {
      const generation = generations.get(entry.source);
      // Written only under a generation this replica has read: never under one a write has already left behind.
      if (generation === undefined || ttlMs <= 0) return;
      const value = JSON.stringify(entry);
      if (Buffer.byteLength(value) > maxValueBytes) return;
      void link.run('cache', (redis) =>
        redis.set(entryKey(entry.source, generation, key), value, 'PX', Math.ceil(ttlMs)),
      );
    },

    // Awaited by the write that caused it, before its answer: a read on another replica right after the write finds the entries gone.
    async invalidated(source, paths) {
      // Forgotten at once: until the INCR answers, this replica reads the generation again (after the INCR, on the same connection).
      generations.delete(source);
      const generation = await link.run('cache', (redis) => redis.incr(generationKey(source)));
      // Unreachable: the other replicas keep their entries until they expire (their freshness bounds the damage).
      if (generation === undefined) {
        generations.delete(source);
        return;
      }
      generations.set(source, generation);
      await link.publish(
        'cache',
        CHANNEL,
        JSON.stringify({ replica, source, paths, generation } satisfies Invalidation),
      );
    },
  };
}

function parsed(message: string): Invalidation | undefined {
  try {
    const value = JSON.parse(message) as Partial<Invalidation>;
    return typeof value.replica === 'string' &&
      typeof value.source === 'string' &&
      Array.isArray(value.paths) &&
      typeof value.generation === 'number'
      ? (value as Invalidation)
      : undefined;
  } catch {
    return undefined;
  }
}
