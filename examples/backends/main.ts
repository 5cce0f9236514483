/**
 * `npm run examples`: starts the example services on 127.0.0.1 and prints
 * the variables that point a separately started gateway at them: the four
 * of the example graph (ACCOUNTS_PORT, CONTENT_PORT, COMMENTS_PORT,
 * WEATHER_PORT, 4001–4004) and the JSONPlaceholder-shaped one of the
 * README's walkthrough (PLACEHOLDER_PORT, 4005). With GRAFTQL_URL (the
 * gateway's base, e.g. http://127.0.0.1:4000), content and comments post
 * their webhooks to its /webhooks/<service>.
 */
import { sendWebhooksTo, startBackends } from './index.ts';
import { startPlaceholder } from './placeholder.ts';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

sendWebhooksTo(process.env.GRAFTQL_URL);
const backends = await startBackends({
  // The gateway verifies content's and comments' webhooks with CONTENT_WEBHOOK_SECRET / COMMENTS_WEBHOOK_SECRET: the services sign with it when it is set.
  credentials: process.env.CONTENT_WEBHOOK_SECRET ? { webhookSecret: process.env.CONTENT_WEBHOOK_SECRET } : {},
  ports: {
    accounts: port('ACCOUNTS_PORT', 4001),
    content: port('CONTENT_PORT', 4002),
    comments: port('COMMENTS_PORT', 4003),
    weather: port('WEATHER_PORT', 4004),
  },
});
const placeholder = await startPlaceholder({ port: port('PLACEHOLDER_PORT', 4005) });
for (const [name, value] of Object.entries({ ...backends.env, PLACEHOLDER_URL: placeholder.url }))
  console.log(`${name}=${value}`);
console.error('# example services running; Ctrl-C to stop');

const stop = () => void Promise.all([backends.close(), placeholder.close()]).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
