/**
 * The result cache: whole results of identical queries (`cache.maxResultBytes`),
 * beside the upstream cache that holds REST responses (cache/response-cache.ts).
 * A result is cached only when every upstream call of its execution was served
 * by a fresh stored answer, and is given again only while each of those is
 * still the very one stored and still fresh: it is then exactly what
 * executing the query again would produce, at the cost of a key lookup and
 * one freshness check per call. Which queries may be kept (declared fields
 * only) and under what key (document, variables, identity) is the
 * pipeline's call; lru-cache bounds the memory.
 */
import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { CachedRead } from '../core/request-ledger.ts';

export interface CachedResult {
  result: ExecutionResult;
  body: string;
  /** The stored upstream answers it was built from. */
  reads: readonly CachedRead[];
}

export interface ResultCache {
  /** The result cached under `key`, while what it was built from is unchanged (its reads are then counted as cache hits). */
  get(key: string): CachedResult | undefined;
  store(key: string, answer: CachedResult): void;
}

export interface ResultCacheOptions {
  maxBytes: number;
  /** True while every read is still the answer stored and fresh (ResponseCache.unchanged). */
  unchanged(reads: readonly CachedRead[]): boolean;
}

/** What an entry keeps, estimated: its key, its body, its result tree (about the body's size again), its reads. */
const BYTES_PER_READ = 64;

export function createResultCache({ maxBytes, unchanged }: ResultCacheOptions): ResultCache {
  const answers = new LRUCache<string, CachedResult>({
    maxSize: maxBytes,
    sizeCalculation: (answer, key) => key.length + 2 * answer.body.length + BYTES_PER_READ * answer.reads.length,
  });
  return {
    get(key) {
      const answer = answers.get(key);
      if (!answer || unchanged(answer.reads)) return answer;
      answers.delete(key);
      return undefined;
    },
    store: (key, answer) => void answers.set(key, answer),
  };
}
