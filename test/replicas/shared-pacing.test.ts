/**
 * The counts replicas share in Redis, driven with explicit clock readings
 * (no waiting): a static limit is one count per second for every replica;
 * an announced window is one count, narrowed by every reading, with no call
 * in the second its end may fall in; a lent window once it ends.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLink, type RedisLink } from '../../src/replicas/redis-link.ts';
import { createSharedPacing } from '../../src/replicas/shared-pacing.ts';
import type { SharedPacing } from '../../src/sources/resilience/pacer.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { eventually, forgetPrefix, machineRedis, REDIS_URL } from '../helpers/redis.ts';

const sharing = await machineRedis('the tests of shared rate-limit counts');

describe.skipIf(!sharing)('rate-limit counts shared by replicas', () => {
  const prefix = `graftql-test-${randomUUID()}:`;
  let links: RedisLink[] = [];
  let replicas: SharedPacing[] = [];

  beforeAll(async () => {
    links = [0, 1].map(() =>
      createRedisLink(
        { url: REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 1_000 },
        createLogger({ level: 'silent' }),
      ),
    );
    for (const link of links) await eventually(async () => link.up(), 'the link is up');
    replicas = links.map(createSharedPacing);
  });
  afterAll(async () => {
    await Promise.all(links.map((link) => link.close()));
    await forgetPrefix(REDIS_URL, prefix);
  });

  it('lets 5 calls a second through for all replicas together, and says how long the others wait', async () => {
    const second = 2_000_000_000_000;
    const waits = await Promise.all(
      Array.from({ length: 12 }, (_, i) => replicas[i % 2]?.takeStatic('static', 5, second + 200)),
    );
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    expect(waits.filter((wait) => wait === 800)).toHaveLength(7);
    expect(await replicas[0]?.takeStatic('static', 5, second + 1_000)).toBe(0);
  });

  it('takes calls from one announced count, and holds them in the second the window may end in', async () => {
    const [a, b] = replicas as [SharedPacing, SharedPacing];
    const at = Date.now();
    const end = at + 10_000;
    expect(await a.take('announced', 'shared', at)).toBeUndefined(); // nothing known yet
    await a.announce('announced', 'shared', { remaining: 3, resetAt: end, limit: 20 });
    // A later reading of the same window (whole seconds: up to a second later) narrows it; it does not add calls.
    await b.announce('announced', 'shared', { remaining: 5, resetAt: end + 600, limit: 20 });
    const taken = await Promise.all([a, b, a, b, a].map((replica) => replica.take('announced', 'shared', at + 100)));
    expect(taken.filter((wait) => wait === 0)).toHaveLength(3);
    expect(taken.filter((wait) => wait === end - (at + 100))).toHaveLength(2);
    await b.announce('announced', 'shared', { remaining: 4, resetAt: end, limit: 20 });
    // The window ends after end + 600 - 1000 and by end: no call goes in that second.
    expect(await b.take('announced', 'shared', end - 300)).toBe(300);
  });

  it('starts the next window from a reading past the stored one, and lends the last limit when none has come', async () => {
    const [a, b] = replicas as [SharedPacing, SharedPacing];
    const at = Date.now();
    await a.announce('next', 'shared', { remaining: 0, resetAt: at + 5_000, limit: 2 });
    expect(await b.take('next', 'shared', at)).toBe(5_000);
    await a.announce('next', 'shared', { remaining: 1, resetAt: at + 7_000, limit: 2 });
    expect(await b.take('next', 'shared', at + 10)).toBe(0);
    expect(await b.take('next', 'shared', at + 20)).toBe(6_980);
    // Another key whose window has gone: the last known limit (2) is lent for a second.
    await a.announce('lent', 'shared', { remaining: 0, resetAt: at + 1, limit: 2 });
    await eventually(async () => (await b.take('lent', 'shared', Date.now())) === 0, 'the window is lent again');
    expect(await b.take('lent', 'shared', Date.now())).toBe(0);
    expect(await a.take('lent', 'shared', Date.now())).toBeGreaterThan(0);
  });
});
