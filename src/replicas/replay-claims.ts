/**
 * The webhook replay store shared by replicas: a delivery id is claimed in
 * Redis (`SET … NX PX`), so a delivery replayed to another replica within
 * the window is refused there too. The id key holds nothing else. When Redis
 * cannot answer, the claim is undecided and the replica's own store decides.
 */
import type { ReplayClaim } from '../events/webhook-receiver.ts';
import type { RedisLink } from './redis-link.ts';

export function replayClaims(link: RedisLink): ReplayClaim {
  return async (source, id, ttlMs) => {
    const answer = await link.run('replay', (redis) =>
      redis.set(`${link.prefix}webhook:${source}:${id}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return answer === undefined ? undefined : answer === 'OK';
  };
}
