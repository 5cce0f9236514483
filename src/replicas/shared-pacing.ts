/**
 * Rate limits paced across replicas. What an upstream announces (calls left
 * in its window, when the window resets) is kept in Redis per source and
 * caller key, and every replica takes a call from that one count before it
 * calls: N replicas together spend the upstream's budget once, not N times.
 * A static limit (`rateLimit.requestsPerSecond`) is one counter per second
 * for all replicas.
 *
 * A window's state is a hash (calls left, and when it ends) that expires at
 * its end. Upstreams give resets in whole seconds, so a reading places the
 * end within a second; each reading of the same window narrows that second,
 * and no call goes inside it (it might land in either window): calls wait
 * for the end instead. A reading whose end is past the stored window starts
 * the next one; a reading of the same window only lowers the count (calls
 * in flight were taken from it but not yet seen by the upstream). Once a
 * window has ended and no answer has told the new one, the last known limit
 * is lent out for one second, until a reading replaces it, so that the
 * replicas do not all call at once. The steps are Lua scripts: atomic across
 * replicas.
 *
 * When Redis cannot answer, the replica's own pacer decides alone
 * (resilience/pacer.ts), as it does without Redis.
 *
 * Hand-written: Redis rate limiters (rate-limiter-flexible and the like)
 * count calls against a budget fixed in advance; here the budget is what the
 * upstream says, window by window, and its end is known only to the second.
 */
import type { SharedPacing } from '../sources/resilience/pacer.ts';
import type { RedisLink } from './redis-link.ts';

/** Resets come in whole seconds: a reading of "resets at t" means the window ends in (t - 1 s, t]. */
const RESOLUTION_MS = 1_000;
/** How long a lent window lasts before an answer tells the real one. */
const LENT_WINDOW_MS = 1_000;

// KEYS[1] window hash, KEYS[2] last known limit; ARGV: remaining, resetAt, limit ('' when unknown).
// The hash keeps the calls left and the window's end as narrowed by every reading: after 'lower', before or at 'reset'.
const ANNOUNCE = `
local stored = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'lower', 'lent')
local remaining, reset = tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'PX', 86400000) end
if (not stored[1]) or stored[4] or reset - ${RESOLUTION_MS} > tonumber(stored[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'remaining', remaining, 'reset', reset, 'lower', reset - ${RESOLUTION_MS})
  redis.call('PEXPIREAT', KEYS[1], reset)
else
  if remaining < tonumber(stored[1]) then redis.call('HSET', KEYS[1], 'remaining', remaining) end
  if reset < tonumber(stored[2]) then
    redis.call('HSET', KEYS[1], 'reset', reset)
    redis.call('PEXPIREAT', KEYS[1], reset)
  end
  if reset - ${RESOLUTION_MS} > tonumber(stored[3]) then redis.call('HSET', KEYS[1], 'lower', reset - ${RESOLUTION_MS}) end
end
return 1`;

// KEYS[1] window hash, KEYS[2] last known limit; ARGV: now. Returns ms to wait, or -1 when nothing is known.
// Between 'lower' and 'reset' a call might land in either window: it waits for the reset instead.
const TAKE = `
local now = tonumber(ARGV[1])
local stored = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'lower')
if not stored[1] then
  local limit = tonumber(redis.call('GET', KEYS[2]))
  if not limit then return -1 end
  stored = { tostring(limit), tostring(now + ${LENT_WINDOW_MS}), tostring(now + ${LENT_WINDOW_MS}) }
  redis.call('HSET', KEYS[1], 'remaining', stored[1], 'reset', stored[2], 'lower', stored[3], 'lent', 1)
  redis.call('PEXPIREAT', KEYS[1], now + ${LENT_WINDOW_MS})
end
local remaining, reset, lower = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])
if remaining <= 0 or now > lower then return math.max(1, reset - now) end
redis.call('HINCRBY', KEYS[1], 'remaining', -1)
return 0`;

export function createSharedPacing(link: RedisLink): SharedPacing {
  const keys = (source: string, key: string) => [
    `${link.prefix}rate:${source}:${key}`,
    `${link.prefix}rate-limit:${source}:${key}`,
  ];
  return {
    async take(source, key, now) {
      const wait = await link.run(
        'pacing',
        (redis) => redis.eval(TAKE, 2, ...keys(source, key), String(now)) as Promise<number>,
      );
      return wait === undefined || wait < 0 ? undefined : wait;
    },

    async announce(source, key, { remaining, resetAt, limit }) {
      await link.run('pacing', (redis) =>
        redis.eval(
          ANNOUNCE,
          2,
          ...keys(source, key),
          String(remaining),
          String(Math.round(resetAt)),
          limit === undefined ? '' : String(limit),
        ),
      );
    },

    async takeStatic(source, perSecond, now) {
      const second = Math.floor(now / 1000);
      const key = `${link.prefix}rate-static:${source}:${second}`;
      const taken = await link.run('pacing', async (redis) => {
        const [[, count] = []] = ((await redis.multi().incr(key).pexpire(key, 2_000).exec()) ?? []) as Array<
          [Error | null, number]
        >;
        return count;
      });
      if (taken === undefined) return undefined;
      return taken <= perSecond ? 0 : (second + 1) * 1000 - now;
    },
  };
}
