/**
 * `npm run fault:redis`: two replicas of the example graph sharing a Redis
 * of this script's own, under steady load from 20 clients for 40 s; at 10 s
 * Redis is killed, at 30 s started again. Prints (and writes to
 * bench/results/) a table per 5 s: requests, failed ones, latency, and each
 * replica's graftql_redis_up and fallbacks. Bounded: 40 s of load, two
 * processes, one redis-server; not part of `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { startBackends } from '../examples/backends/index.ts';
import { servingUrl, spawnCli } from '../test/helpers/process.ts';
import { ownRedis } from '../test/helpers/redis.ts';

const SECONDS = 40;
const DOWN_AT = 10;
const UP_AT = 30;
const WINDOW = 5;
const CLIENTS = 20;

const redis = await ownRedis();
const backends = await startBackends({ weatherRateLimit: 1_000_000_000 });
const env = {
  ...backends.env,
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: `fault-${randomUUID()}:`,
  PORT: '0',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
};
const replicas = [0, 1].map(() =>
  spawnCli(['serve', '--config', 'test/replicas/replica.config.ts'], { ...env, LOG_LEVEL: 'info' }),
);
const urls = await Promise.all(replicas.map((replica) => servingUrl(replica, 30_000)));

interface Window {
  requests: number;
  failed: number;
  latencies: number[];
}
const windows: Window[] = Array.from({ length: SECONDS / WINDOW }, () => ({ requests: 0, failed: 0, latencies: [] }));
const redisState: Array<{ redis: string; up: Array<number | undefined>; fallbacks: Array<number | undefined> }> = [];

const startedAt = Date.now();
const elapsed = () => (Date.now() - startedAt) / 1000;
let redisUp = true;

async function client(n: number): Promise<void> {
  for (let i = 0; elapsed() < SECONDS; i++) {
    const url = urls[(n + i) % 2] as string;
    const id = ((n * 7 + i) % 20) + 1;
    const began = performance.now();
    const window = windows[Math.min(windows.length - 1, Math.floor(elapsed() / WINDOW))] as Window;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ article(id: "Article:${id}") { title author { name } comments(first: 2) { totalCount } } }`,
        }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (response.status !== 200 || body.errors) window.failed += 1;
    } catch {
      window.failed += 1;
    }
    window.requests += 1;
    window.latencies.push(performance.now() - began);
  }
}

async function metric(url: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(name.length + 1));
  } catch {
    return undefined;
  }
}

async function observe(): Promise<void> {
  for (let index = 0; index < windows.length; index++) {
    const end = startedAt + (index + 1) * WINDOW * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now() - 200)));
    if (index * WINDOW + WINDOW === DOWN_AT) {
      await redis.stop();
      redisUp = false;
    }
    if (index * WINDOW + WINDOW === UP_AT) {
      await redis.start();
      redisUp = true;
    }
    const fallbacks = await Promise.all(
      urls.map(async (url) => {
        const parts = await Promise.all(
          ['cache', 'replay', 'events'].map((feature) =>
            metric(url, `graftql_redis_fallbacks_total{feature="${feature}"}`),
          ),
        );
        return parts.reduce<number>((sum, value) => sum + (value ?? 0), 0);
      }),
    );
    redisState.push({
      redis: redisUp ? 'up' : 'down',
      up: await Promise.all(urls.map((url) => metric(url, 'graftql_redis_up'))),
      fallbacks,
    });
  }
}

await Promise.all([observe(), ...Array.from({ length: CLIENTS }, (_, n) => client(n))]);
const crashed = replicas.filter((replica) => replica.child.exitCode !== null).length;

const p99 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? 0
    : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number);
};
const lines = [
  `# Redis going away under load — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Two replicas of the example graph (\`graftql serve\`, production), one redis-server of the script's own, ${CLIENTS} clients alternating between the replicas for ${SECONDS} s with \`{ article(id:) { title author { name } comments(first: 2) { totalCount } } }\` over 20 articles. Redis killed (SIGKILL) at ${DOWN_AT} s, started again at ${UP_AT} s. Node ${process.version}.`,
  '',
  '| seconds | Redis (at the end) | requests | failed | p99 ms | graftql_redis_up A / B | fallbacks A / B (cumulative) |',
  '|---|---|---|---|---|---|---|',
  ...windows.map((window, i) => {
    const state = redisState[i];
    return `| ${i * WINDOW}–${(i + 1) * WINDOW} | ${state?.redis ?? '?'} | ${window.requests} | ${window.failed} | ${p99(window.latencies)} | ${state?.up.map((value) => value ?? '–').join(' / ')} | ${state?.fallbacks.join(' / ')} |`;
  }),
  '',
  `Total: ${windows.reduce((sum, window) => sum + window.requests, 0)} requests, ${windows.reduce((sum, window) => sum + window.failed, 0)} failed; replicas that exited: ${crashed}.`,
  '',
];
const report = lines.join('\n');
console.log(report);
const file = `bench/results/${new Date().toISOString().slice(0, 10)}-redis-fault.md`;
writeFileSync(file, report);
console.log(`written to ${file}`);

for (const replica of replicas) replica.child.kill('SIGTERM');
await Promise.all(replicas.map((replica) => replica.exited));
await redis.stop();
await backends.close();
process.exit(0);
