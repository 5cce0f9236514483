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
    },
    content: {
      url: { env: 'CONTENT_URL' },
      auth: { type: 'oauth2ClientCredentials', tokenPath: '/oauth/token', clientId: { env: 'CONTENT_CLIENT_ID' }, clientSecret: { env: 'CONTENT_CLIENT_SECRET' } },
    },
    comments: {
      url: { env: 'COMMENTS_URL' },
      auth: { type: 'basic', username: { env: 'COMMENTS_USER' }, password: { env: 'COMMENTS_PASSWORD' } },
    },
    weather: {
      url: { env: 'WEATHER_URL' },
      auth: { type: 'apiKey', in: 'query', name: 'appid', key: { env: 'WEATHER_APPID' } },
    },
  },
});
