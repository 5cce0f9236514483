/**
 * `graftql serve`: one gateway in this process, or, with `--workers <n>`,
 * n worker processes serving one port (server/worker-pool.ts). The config's
 * `beforeStart` and `afterStart` run once, in the process the command
 * started: with workers, in the primary, before the workers start (they
 * inherit the environment it set: the example's embedded services) and once
 * they all serve.
 */
import { availableParallelism } from 'node:os';
import {
  type ClusterView,
  createGateway,
  createLogger,
  type GatewayConfig,
  listen,
  resolveConfig,
  startWorkerPool,
  workerClusterView,
} from '../index.ts';

export interface ServeOptions {
  baseDir: string;
  /** `--example`: the config may start its bundled example services. */
  example: boolean;
  /** Worker processes; 1 serves in this process. */
  workers: number;
}

/** `--workers`: a count, or `auto` for every core this process may use. */
export function workerCount(text: string | undefined): number | undefined {
  if (text === undefined) return 1;
  if (text === 'auto') return availableParallelism();
  return /^\d{1,3}$/.test(text) && Number(text) >= 1 ? Number(text) : undefined;
}

export async function serve(config: GatewayConfig, { baseDir, example, workers }: ServeOptions): Promise<void> {
  const cluster = workerClusterView();
  if (cluster) return serveAsWorker(config, baseDir, cluster);
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
  let stop: () => Promise<void>;
  if (workers > 1) {
    const pool = startWorkerPool({
      workers,
      logger,
      onServing: (url, pids) => serving(url, { workers: pids.length, pids }),
      onFailedStart: () => void pool.stop().then(() => process.exit(1)),
    });
    stop = pool.stop;
  } else {
    const running = await listen(createGateway(config, { logger, baseDir }), resolved);
    await serving(running.url);
    stop = running.shutdown;
  }
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
}

/** A worker: the gateway alone (the primary ran the config's hooks), telling the primary once it listens. */
async function serveAsWorker(config: GatewayConfig, baseDir: string, cluster: ClusterView): Promise<void> {
  const logger = createLogger();
  const running = await listen(createGateway(config, { logger, baseDir, cluster }), resolveConfig(config));
  process.send?.({ graftql: 'listening', url: running.url });
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
}

function onStopSignal(stop: (signal: string) => void): void {
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
