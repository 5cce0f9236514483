/**
 * The example graph's configuration: four REST sources. Base URLs and
 * credentials come from the environment; for every source whose URL variable
 * is unset, the bundled example service is started in-process with its
 * development credentials, so a fresh clone runs with no outside service.
 */
import { embedMissingBackends } from './examples/backends/index.ts';
import { defineConfig } from './src/index.ts';

await embedMissingBackends(process.env);

export default defineConfig({
  sources: {
    accounts: {
      url: { env: 'ACCOUNTS_URL' },
      auth: { type: 'apiKey', in: 'header', name: 'X-API-Key', key: { env: 'ACCOUNTS_API_KEY' } },
      // The end user's token, for /me (Query.viewer): every cached answer of accounts is then private to that token.
      forwardHeaders: ['authorization'],
      // accounts says how long its answers keep (max-age, ETag); serve them up to 5 min past that while it is down.
      cache: { staleIfErrorMs: 300_000 },
    },
    content: {
      url: { env: 'CONTENT_URL' },
      auth: { type: 'oauth2ClientCredentials', tokenPath: '/oauth/token', clientId: { env: 'CONTENT_CLIENT_ID' }, clientSecret: { env: 'CONTENT_CLIENT_SECRET' } },
      // content sends no Cache-Control: keep its reads 10 s (writes through the gateway drop them at once).
      cache: { ttlMs: 10_000, staleIfErrorMs: 60_000 },
    },
    comments: {
      url: { env: 'COMMENTS_URL' },
      auth: { type: 'basic', username: { env: 'COMMENTS_USER' }, password: { env: 'COMMENTS_PASSWORD' } },
      cache: { ttlMs: 10_000, staleIfErrorMs: 60_000 },
    },
    weather: {
      url: { env: 'WEATHER_URL' },
      auth: { type: 'apiKey', in: 'query', name: 'appid', key: { env: 'WEATHER_APPID' } },
      // Observations change every few minutes; the rate limit makes every saved call count.
      cache: { ttlMs: 60_000, staleIfErrorMs: 600_000 },
    },
  },
});
