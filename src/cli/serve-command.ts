/**
 * `graftql serve`: one gateway in this process, or, with `--workers <n>`,
 * n worker processes serving one port (server/worker-pool.ts). The config's
 * `beforeStart` and `afterStart` run once, in the process the command
 * started: with workers, in the primary, before the workers start (they
 * inherit the environment it set: the example's embedded services) and once
 * they all serve.
 */
import { watch } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  type ClusterView,
  createGateway,
  createLogger,
  type GatewayConfig,
  type Logger,
  listen,
  resolveConfig,
  startReloading,
  startWorkerPool,
  workerClusterView,
} from '../index.ts';

export interface ServeOptions {
  baseDir: string;
  /** `--example`: the config may start its bundled example services. */
  example: boolean;
  /** Worker processes; 1 serves in this process. */
  workers: number;
  /** The config as its file says now: what a reload (SIGHUP, `--watch`) serves. */
  reloadConfig: () => Promise<GatewayConfig>;
  /** `--watch`: these files and folders changing reload the graph. */
  watch?: readonly string[];
}

/** `--workers`: a count, or `auto` for every core this process may use. */
export function workerCount(text: string | undefined): number | undefined {
  if (text === undefined) return 1;
  if (text === 'auto') return availableParallelism();
  return /^\d{1,3}$/.test(text) && Number(text) >= 1 ? Number(text) : undefined;
}

export async function serve(config: GatewayConfig, options: ServeOptions): Promise<void> {
  const { example, workers, watch } = options;
  const cluster = workerClusterView();
  if (cluster) return serveAsWorker(config, options, cluster);
  const logger = createLogger();
  await config.beforeStart?.(process.env, { example });
  const resolved = resolveConfig(config);
  const serving = async (url: string, more: Record<string, unknown> = {}) => {
    await config.afterStart?.({ url }, { example });
    logger.info(
      {
        url: `${url}${resolved.server.paths.graphql}`,
        graphiql: resolved.server.graphiql,
        sources: Object.keys(resolved.sources),
        ...more,
      },
      'GraftQL is serving',
    );
  };
  const { stop, reload, announce } =
    workers > 1
      ? servedByWorkers(workers, logger, serving)
      : await servedHere(config, options, logger, resolved, serving);
  // Before the gateway says it serves: a signal sent on that line is handled, never Node's default (exit).
  process.on('SIGHUP', reload);
  if (watch) watchFiles(watch, reload, logger);
  onStopSignal((signal) => {
    logger.info({ signal }, 'draining in-flight requests');
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'the drain failed');
        process.exit(1);
      },
    );
  });
  await announce();
}

interface Serving {
  stop(): Promise<void>;
  reload(): void;
  /** Says it serves (the config's `afterStart`, the log line); with workers, they do once they all listen. */
  announce(): Promise<void>;
}

function servedByWorkers(
  workers: number,
  logger: Logger,
  serving: (url: string, more: Record<string, unknown>) => Promise<void>,
): Serving {
  const pool = startWorkerPool({
    workers,
    logger,
    onServing: (url, pids) => serving(url, { workers: pids.length, pids }),
    onFailedStart: () => void pool.stop().then(() => process.exit(1)),
  });
  return { stop: pool.stop, reload: pool.reload, announce: async () => {} };
}

async function servedHere(
  config: GatewayConfig,
  options: ServeOptions,
  logger: Logger,
  resolved: ReturnType<typeof resolveConfig>,
  serving: (url: string) => Promise<void>,
): Promise<Serving> {
  const reloader = await reloadingGateway(config, options, logger);
  const running = await listen(reloader, resolved);
  return { stop: running.shutdown, reload: () => void reloader.reload(), announce: () => serving(running.url) };
}

/** A worker: the gateway alone (the primary ran the config's hooks), telling the primary once it listens; it reloads on the SIGHUP the primary passes on. */
async function serveAsWorker(config: GatewayConfig, options: ServeOptions, cluster: ClusterView): Promise<void> {
  const logger = createLogger();
  const reloader = await reloadingGateway(config, options, logger, cluster);
  const running = await listen(reloader, resolveConfig(config));
  process.on('SIGHUP', () => void reloader.reload());
  // SIGTERM from the primary, or SIGINT from a terminal's Ctrl-C (which reaches every process of the group).
  onStopSignal(() =>
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'the drain failed');
        process.exit(1);
      },
    ),
  );
  // Told once its signals are handled: the primary may pass one on at once.
  process.send?.({ graftql: 'listening', url: running.url });
}

/** The gateway of `config`, and of the config file as it is at each reload after. */
function reloadingGateway(config: GatewayConfig, options: ServeOptions, logger: Logger, cluster?: ClusterView) {
  return startReloading(
    async (carry, notes) =>
      createGateway(carry ? await options.reloadConfig() : config, {
        logger,
        baseDir: options.baseDir,
        cluster,
        carry,
        notes,
      }),
    logger,
  );
}

/**
 * `--watch`: a change to the config file or a file of the schema folder
 * reloads, once the writes settle (an editor saves in several steps).
 */
function watchFiles(paths: readonly string[], reload: () => void, logger: Logger): void {
  const SETTLE_MS = 200;
  let timer: NodeJS.Timeout | undefined;
  for (const path of paths)
    watch(path, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        logger.info({ paths }, 'files changed: reloading the graph');
        reload();
      }, SETTLE_MS);
      timer.unref();
    })
      // A watched folder removed or unreadable: the gateway serves on, unwatched there, and says so.
      .on('error', (error) => logger.error({ err: error, path }, 'stopped watching: reload with SIGHUP'));
}

function onStopSignal(stop: (signal: string) => void): void {
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
