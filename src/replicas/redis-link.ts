/**
 * A replica's link to the Redis its replicas share (`redis` in the config).
 * Redis is an optimisation, never a dependency: every feature that uses it
 * (the second-level cache, the webhook replay store, the event relay, rate-limit pacing) asks
 * through `run`, which answers `undefined` at once when the link is down and
 * within `commandTimeoutMs` when Redis is slow, and the feature then uses
 * its replica's own state. A Redis that hangs (stopped, swapping) keeps its
 * connections open: a PING every `pingEveryMs` that is not answered within
 * `commandTimeoutMs`, or a command that times out, marks the link down until
 * a PING is answered again, so that requests stop waiting on it at once. No request fails because of Redis, and no command
 * waits in a queue for Redis to come back: the offline queue is off.
 *
 * ioredis, not node-redis: it has a per-command timeout (`commandTimeout`),
 * which node-redis leaves to each call site; an offline queue that can be
 * turned off; and reconnection with a backoff of our choosing. It is loaded
 * only when a config names Redis.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../telemetry/logger.ts';

/** What uses Redis, for the fallback counter's label. */
export type RedisFeature = 'cache' | 'replay' | 'events' | 'pacing';

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** @default 1_000 // ms */
  pingEveryMs?: number;
}

export interface RedisLinkStats {
  up: boolean;
  /** Times a feature used its replica's own state because Redis was down, slow or failing. */
  fallbacks: Readonly<Record<RedisFeature, number>>;
  /** Commands (PINGs included, as `ping`) that Redis did not answer within `commandTimeoutMs`. */
  timeouts: Readonly<Record<RedisFeature | 'ping', number>>;
}

export interface RedisLink {
  /** Prefixes every key and channel: the replicas of one graph share it. */
  readonly prefix: string;
  up(): boolean;
  /** The command's answer, or undefined (counted as the feature's fallback) when Redis is down, slow or failing. */
  run<T>(feature: RedisFeature, command: (redis: Redis) => Promise<T>): Promise<T | undefined>;
  /** Publishes when the link is up; false when it could not (the feature falls back). */
  publish(feature: RedisFeature, channel: string, message: string): Promise<boolean>;
  /** Every message on the channel, from any replica; subscribed again after each reconnection. */
  subscribe(channel: string, onMessage: (message: string) => void): void;
  /** Called after each reconnection (not the first connection): what was missed while down is read again. */
  onReconnect(listener: () => void): void;
  stats(): RedisLinkStats;
  close(): Promise<void>;
}

/** Reconnection backoff: 100 ms doubling to 5 s, for as long as it takes. */
const retryDelay = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000);

export function createRedisLink(settings: RedisSettings, logger: Logger): RedisLink {
  return new Link(settings, logger.child({ component: 'redis' }));
}

const timedOut = (error: unknown) => error instanceof Error && error.message === 'Command timed out';

class Link implements RedisLink {
  readonly prefix: string;
  readonly #fallbacks: Record<RedisFeature, number> = { cache: 0, replay: 0, events: 0, pacing: 0 };
  readonly #timeouts: Record<RedisFeature | 'ping', number> = { cache: 0, replay: 0, events: 0, pacing: 0, ping: 0 };
  readonly #channels = new Map<string, (message: string) => void>();
  readonly #reconnectListeners: Array<() => void> = [];
  #commands: Redis | undefined;
  #subscriber: Redis | undefined;
  #ready = false;
  #everReady = false;
  #closed = false;
  /** Connected, but not answering within the timeout: a hung Redis. */
  #hung = false;
  #pinging = false;
  readonly #loading: Promise<void>;
  readonly #pinger: NodeJS.Timeout;

  constructor(
    private readonly settings: RedisSettings,
    private readonly log: Logger,
  ) {
    this.prefix = settings.keyPrefix;
    // Loaded here, not imported at the top: a gateway without Redis never loads the client.
    // It never rejects: a client that cannot load or start is logged once, and every feature then uses its replica's own state.
    this.#loading = import('ioredis')
      .then(({ Redis: Client }) => this.#connect(Client))
      .catch((error: unknown) =>
        log.error({ err: error }, 'the Redis client (ioredis) could not be started: replicas share nothing'),
      );
    this.#pinger = setInterval(() => this.#ping(), settings.pingEveryMs ?? 1_000);
    // It watches; it never keeps the process alive.
    this.#pinger.unref();
  }

  #connect(Client: typeof Redis): void {
    if (this.#closed) return;
    const { settings, log } = this;
    const options: RedisOptions = {
      commandTimeout: settings.commandTimeoutMs,
      connectTimeout: Math.max(1_000, settings.commandTimeoutMs * 4),
      // Commands fail at once while disconnected, instead of queueing without bound until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: retryDelay,
      lazyConnect: false,
    };
    const commands = new Client(settings.url, { ...options, connectionName: 'graftql' });
    const subscriber = new Client(settings.url, { ...options, connectionName: 'graftql-events' });
    this.#commands = commands;
    this.#subscriber = subscriber;
    commands.on('ready', () => {
      if (!this.#ready) log.info(this.#everReady ? 'Redis is back: shared state resumes' : 'connected to Redis');
      const again = this.#everReady;
      this.#ready = true;
      this.#everReady = true;
      if (again) for (const listener of this.#reconnectListeners) listener();
    });
    commands.on('end', () => (this.#ready = false));
    commands.on('close', () => {
      if (this.#ready) log.warn('Redis is unreachable: each replica uses its own cache and state until it returns');
      this.#ready = false;
    });
    // An error event without a listener would crash the process; the state change is logged once above.
    commands.on('error', (error: Error) => log.debug({ err: error }, 'Redis error'));
    subscriber.on('error', (error: Error) => log.debug({ err: error }, 'Redis error (subscriber)'));
    subscriber.on('ready', () => {
      if (this.#channels.size > 0) subscriber.subscribe(...this.#channels.keys()).catch(() => undefined);
    });
    subscriber.on('message', (channel: string, message: string) => this.#channels.get(channel)?.(message));
  }

  #ping(): void {
    if (!this.#ready || !this.#commands || this.#pinging) return;
    this.#pinging = true;
    this.#commands
      .ping()
      .then(
        () => this.#markHung(false),
        (error: unknown) => {
          if (timedOut(error)) this.#timeouts.ping += 1;
          this.#markHung(true);
        },
      )
      .finally(() => (this.#pinging = false));
  }

  #markHung(on: boolean): void {
    if (on && !this.#hung)
      this.log.warn('Redis does not answer in time: each replica uses its own cache and state until it does');
    if (!on && this.#hung) this.log.info('Redis answers again: shared state resumes');
    this.#hung = on;
  }

  #fellBack(feature: RedisFeature): undefined {
    this.#fallbacks[feature] += 1;
    return undefined;
  }

  up(): boolean {
    return this.#ready && !this.#hung;
  }

  async run<T>(feature: RedisFeature, command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    if (!this.#ready || this.#hung || !this.#commands) return this.#fellBack(feature);
    try {
      return await command(this.#commands);
    } catch (error) {
      this.log.debug({ err: error, feature }, 'a Redis command failed: the replica uses its own state');
      if (timedOut(error)) {
        this.#timeouts[feature] += 1;
        // Down until a PING says otherwise: the next requests do not each wait out the timeout.
        this.#markHung(true);
      }
      return this.#fellBack(feature);
    }
  }

  async publish(feature: RedisFeature, channel: string, message: string): Promise<boolean> {
    const sent = await this.run(feature, (redis) => redis.publish(this.prefix + channel, message));
    return sent !== undefined;
  }

  subscribe(channel: string, onMessage: (message: string) => void): void {
    this.#channels.set(this.prefix + channel, onMessage);
    void this.#loading.then(() => {
      if (this.#subscriber?.status === 'ready')
        this.#subscriber.subscribe(this.prefix + channel).catch(() => undefined);
    });
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  stats(): RedisLinkStats {
    return { up: this.up(), fallbacks: { ...this.#fallbacks }, timeouts: { ...this.#timeouts } };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#pinger);
    await this.#loading;
    await Promise.all(
      [this.#commands, this.#subscriber].map((client) => client?.quit().catch(() => client.disconnect())),
    );
  }
}
