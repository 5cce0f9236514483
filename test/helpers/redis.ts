/**
 * Redis for the tests of replicas: the machine's (REDIS_URL, else
 * 127.0.0.1:6379), or a redis-server of a test's own that it can stop and
 * start again. In CI (`.ci/run` starts Redis and sets GRAFTQL_TEST_REDIS=required; or CI set) a missing Redis fails the tests;
 * on a machine without one, the tests say they were skipped and why.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING at `url` within a second. */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** True when the machine's Redis answers; in CI, an error when it does not; elsewhere a note that the tests are skipped. */
export async function machineRedis(what: string): Promise<boolean> {
  if (await redisAnswers(REDIS_URL)) return true;
  const start = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no';
  if (process.env.GRAFTQL_TEST_REDIS === 'required' || process.env.CI)
    throw new Error(`No Redis at ${REDIS_URL}: ${what} need one (.ci/run starts it: ${start}).`);
  console.warn(`Skipped: ${what} (no Redis at ${REDIS_URL}; start one with: ${start}, or set REDIS_URL).`);
  return false;
}

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A redis-server of the test's own, on a free port, that can be stopped (as a crash would) and started again on that port. */
export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): its connections stay open and nothing answers, as when Redis hangs. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const own: OwnRedis = {
    url,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      for (let tries = 0; tries < 100 && !(await redisAnswers(url)); tries++)
        await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async stop() {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child?.kill('SIGCONT');
      child?.kill('SIGKILL');
      await exited;
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
  await own.start();
  return own;
}

/** Deletes every key under `prefix` (what a test's replicas wrote). */
export async function forgetPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until `check` holds (asked every 50 ms), or fails naming `what` after `timeoutMs`: for what another process does in its own time. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}
