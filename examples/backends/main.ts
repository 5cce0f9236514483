/**
 * `npm run examples`: starts the four example services on 127.0.0.1 and
 * prints the variables that point a separately started gateway at them.
 * Ports: ACCOUNTS_PORT, CONTENT_PORT, COMMENTS_PORT, WEATHER_PORT (4001–4004).
 */
import { startBackends } from './index.ts';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const backends = await startBackends({
  ports: { accounts: port('ACCOUNTS_PORT', 4001), content: port('CONTENT_PORT', 4002), comments: port('COMMENTS_PORT', 4003), weather: port('WEATHER_PORT', 4004) },
});
for (const [name, value] of Object.entries(backends.env)) console.log(`${name}=${value}`);
console.error('# example services running; Ctrl-C to stop');

const stop = () => void backends.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
