/**
 * The link to Redis when Redis hangs (SIGSTOP): its connections stay open
 * and nothing answers. The link must say it is down (graftql_redis_up 0),
 * send the features to their replica's own state at once instead of letting
 * each command wait out its timeout, count the timeouts, and come back when
 * Redis answers a PING again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLink, type RedisLink } from '../../src/replicas/redis-link.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { eventually, hasRedisServer, type OwnRedis, ownRedis } from '../helpers/redis.ts';

const canRun = hasRedisServer();

describe.skipIf(!canRun)('the Redis link, when Redis hangs', () => {
  let redis: OwnRedis;
  let link: RedisLink;
  beforeAll(async () => {
    redis = await ownRedis();
    link = createRedisLink(
      { url: redis.url, keyPrefix: 'graftql-test:', commandTimeoutMs: 100, pingEveryMs: 50 },
      createLogger({ level: 'silent' }),
    );
    await eventually(async () => link.up(), 'the link is up');
  });
  afterAll(async () => {
    await link.close();
    await redis.stop();
  });

  it('is reported down while Redis does not answer a PING, and sends commands nowhere meanwhile', async () => {
    expect(await link.run('cache', (client) => client.set('graftql-test:k', 'v'))).toBe('OK');
    redis.pause();
    try {
      await eventually(async () => !link.up(), 'the link is reported down');
      expect(link.stats().up).toBe(false);
      expect(link.stats().timeouts.ping).toBeGreaterThan(0);
      let sent = false;
      const answer = await link.run('cache', (client) => {
        sent = true;
        return client.get('graftql-test:k');
      });
      expect([answer, sent]).toEqual([undefined, false]);
      expect(link.stats().fallbacks.cache).toBeGreaterThan(0);
    } finally {
      redis.resume();
    }
    await eventually(async () => link.up(), 'the link is up again');
    expect(await link.run('cache', (client) => client.get('graftql-test:k'))).toBe('v');
  });

  it('counts a command that times out, and stops sending until a PING is answered', async () => {
    // Only the command hangs (a slow Lua script stands in for a busy Redis): the link is marked down at its timeout.
    const before = link.stats().timeouts.cache;
    const slow = await link.run('cache', (client) =>
      client.eval(
        'local t = redis.call("TIME") while true do local n = redis.call("TIME") if (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > 300000 then break end end return 1',
        0,
      ),
    );
    expect(slow).toBeUndefined();
    expect(link.stats().timeouts.cache).toBe(before + 1);
    expect(link.up()).toBe(false);
    await eventually(async () => link.up(), 'the link is up again once the script is over');
  });
});
