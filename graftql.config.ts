/**
 * The example graph's configuration: four REST sources (the graph itself is
 * the SDL in schema/, with one hand-written resolver in schema/resolvers.ts).
 * Base URLs and credentials come from the environment; before `npm start`
 * (`graftql serve --example`) serves, the bundled example service is started in-process, with its
 * development credentials, for every source whose URL variable is unset, so
 * a fresh clone runs with no outside service.
 */

import { defineConfig } from 'graftql';
import { embedMissingBackends, sendWebhooksTo } from './examples/backends/index.ts';
import { resolvers } from './schema/resolvers.ts';

export default defineConfig({
  schema: 'schema',
  resolvers,
  // Only when asked (`graftql serve --example`, `npm start`): a missing URL is otherwise an error, not fake data.
  beforeStart: (env, { example }) => (example ? embedMissingBackends(env) : undefined),
  // The embedded content and comments services post their webhooks to the gateway once it listens.
  afterStart: ({ url }, { example }) => (example ? sendWebhooksTo(url) : undefined),
  // A page of 50 articles with their comments takes 3 calls on a cold cache, but 52 when it asks each article for its comments' totalCount (a total is per article); the default budget is 50.
  // Attachments (Mutation.addAttachment) of up to 64 MiB, of a few document and image types.
  // Several replicas share a cache, webhook replay store and events through Redis when REDIS_URL is set (docs/deploy.md); one process needs none.
  ...(process.env.REDIS_URL ? { redis: { url: { env: 'REDIS_URL' } } } : {}),
  limits: {
    upstreamCallsPerOperation: 100,
    uploads: {
      maxFiles: 1,
      maxFileBytes: 64 * 1024 * 1024,
      maxTotalBytes: 64 * 1024 * 1024,
      contentTypes: ['image/*', 'application/pdf', 'text/plain', 'application/octet-stream'],
    },
  },
  sources: {
    accounts: {
      url: { env: 'ACCOUNTS_URL' },
      auth: { type: 'apiKey', in: 'header', name: 'X-API-Key', key: { env: 'ACCOUNTS_API_KEY' } },
      naming: 'snake_case',
      // The end user's token, for /me (Query.viewer): every cached answer of accounts is then private to that token.
      forwardHeaders: ['authorization'],
      // accounts says how long its answers keep (max-age, ETag); serve them up to 5 min past that while it is down.
      cache: { staleIfErrorMs: 300_000 },
    },
    content: {
      url: { env: 'CONTENT_URL' },
      auth: {
        type: 'oauth2ClientCredentials',
        tokenPath: '/oauth/token',
        clientId: { env: 'CONTENT_CLIENT_ID' },
        clientSecret: { env: 'CONTENT_CLIENT_SECRET' },
      },
      naming: 'snake_case',
      // An attachment of up to 64 MiB goes up in one attempt: it may take as long as the whole request may (limits.requestDeadlineMs).
      timeouts: { attemptMs: 10_000 },
      // content sends no Cache-Control: keep its reads 10 s (writes through the gateway, and content's webhooks, drop them at once).
      cache: { ttlMs: 10_000, staleIfErrorMs: 60_000 },
      // Signed Standard Webhooks for every write, whoever made it: they feed Subscription.articleUpdated / articleCreated and drop stale reads.
      webhooks: {
        scheme: 'standard',
        secrets: [{ env: 'CONTENT_WEBHOOK_SECRET' }],
        invalidates: {
          'article.created': ['/articles', '/users/{$event.data.author_id}/articles'],
          'article.updated': ['/articles', '/articles/{$event.data.id}', '/users/{$event.data.author_id}/articles'],
          'article.deleted': ['/articles', '/articles/{$event.data.id}', '/users/*/articles'],
        },
      },
    },
    comments: {
      url: { env: 'COMMENTS_URL' },
      auth: { type: 'basic', username: { env: 'COMMENTS_USER' }, password: { env: 'COMMENTS_PASSWORD' } },
      naming: 'snake_case',
      cache: { ttlMs: 10_000, staleIfErrorMs: 60_000 },
      webhooks: {
        scheme: 'standard',
        secrets: [{ env: 'COMMENTS_WEBHOOK_SECRET' }],
        invalidates: { 'comment.added': ['/articles/{$event.data.article_id}/comments'] },
      },
    },
    weather: {
      url: { env: 'WEATHER_URL' },
      auth: { type: 'apiKey', in: 'query', name: 'appid', key: { env: 'WEATHER_APPID' } },
      // Observations change every few minutes; the rate limit makes every saved call count.
      cache: { ttlMs: 60_000, staleIfErrorMs: 600_000 },
    },
  },
});
