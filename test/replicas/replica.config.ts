/**
 * A replica of the example graph for the Redis tests: the example config,
 * with Redis under a key prefix of the test's own (REDIS_KEY_PREFIX), so
 * that runs on one Redis never see each other's entries.
 */
import example from '../../graftql.config.ts';

export default {
  ...example,
  schema: '../../schema',
  redis: { url: { env: 'REDIS_URL' }, keyPrefix: process.env.REDIS_KEY_PREFIX ?? 'graftql-test:' },
};
