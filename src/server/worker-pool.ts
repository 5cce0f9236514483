/**
 * The primary process of `graftql serve --workers <n>`: one Node process
 * uses one core, so n workers (node:cluster) serve the same port, the kernel
 * handing each connection to one of them. Each worker is a whole gateway
 * with its own caches (Redis, when configured, shares them as it shares
 * them between replicas); the primary serves nothing itself. It:
 * - starts the workers, and says the gateway serves once every one listens;
 * - replaces a worker that dies, with a log line (a worker of the first
 *   start that dies before it listens stops the gateway: a graph or config
 *   error would only die again; a replacement that does is started again a
 *   second later, never in a tight loop);
 * - gathers every worker's metrics and status for the worker that was asked
 *   (observability/cluster-view.ts);
 * - on stop, has every worker drain (SIGTERM) and waits for all of them.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { type ClusterMessage, isClusterMessage } from '../observability/cluster-view.ts';
import type { SourceStatus } from '../observability/status-page.ts';
import { sumSourceStatus } from '../observability/status-sum.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface WorkerPoolOptions {
  workers: number;
  logger: Logger;
  /** Once every worker listens: the URL they share (the gateway's root) and their process ids. A rejection stops the gateway. */
  onServing(url: string, pids: number[]): void | Promise<void>;
  /** The gateway cannot start: a worker of the first start died before it listened, or `onServing` failed. */
  onFailedStart(): void;
}

export interface WorkerPool {
  /** Has every worker drain and stop; resolves once all have exited. */
  stop(): Promise<void>;
  /** Has every worker reload its graph (SIGHUP: each checks and swaps on its own, server/reloader.ts). */
  reload(): void;
}

/** How long the primary waits for each worker's status: one that does not answer is left out of the sum. */
const REPORT_TIMEOUT_MS = 2_000;

/** How long after a replacement died before it listened the next one starts. */
const RESTART_DELAY_MS = 1_000;

export function startWorkerPool({ workers, logger, onServing, onFailedStart }: WorkerPoolOptions): WorkerPool {
  const aggregator = new AggregatorRegistry();
  const listened = new Set<number>();
  const reports = new Map<number, { sources: SourceStatus[][]; waiting: number; done: () => void }>();
  let nextReport = 0;
  let stopping: Promise<void> | undefined;
  let serving = false;
  let restart: NodeJS.Timeout | undefined;

  const gatherStatus = async (): Promise<SourceStatus[]> => {
    const id = nextReport++;
    const connected = Object.values(cluster.workers ?? {}).filter((worker) => worker?.isConnected()) as Worker[];
    const sources: SourceStatus[][] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, REPORT_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      reports.set(id, { sources, waiting: connected.length, done });
      for (const worker of connected) worker.send({ graftql: 'report', id } satisfies ClusterMessage);
      if (connected.length === 0) done();
    });
    reports.delete(id);
    return sumSourceStatus(sources);
  };

  const answer = async (worker: Worker, { id, what }: Extract<ClusterMessage, { graftql: 'gather' }>) => {
    try {
      const gathered =
        what === 'metrics' ? { metrics: await aggregator.clusterMetrics() } : { sources: await gatherStatus() };
      if (worker.isConnected()) worker.send({ graftql: 'gathered', id, ...gathered } satisfies ClusterMessage);
    } catch (error) {
      if (worker.isConnected())
        worker.send({ graftql: 'gathered', id, error: (error as Error).message } satisfies ClusterMessage);
    }
  };

  const onMessage = (worker: Worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.graftql === 'gather') void answer(worker, message);
    if (message.graftql === 'report') {
      const report = reports.get(message.id);
      if (!report) return;
      report.sources.push(message.sources ?? []);
      if (--report.waiting === 0) report.done();
    }
    if (message.graftql === 'listening') {
      listened.add(worker.id);
      if (serving) logger.info({ pid: worker.process.pid }, 'a replacement worker is serving');
      else if (listened.size === workers) {
        serving = true;
        const pids = Object.values(cluster.workers ?? {}).flatMap((each) =>
          each?.process.pid ? [each.process.pid] : [],
        );
        Promise.resolve(onServing(message.url, pids)).catch((error: unknown) => {
          logger.fatal({ err: error }, 'GraftQL could not start');
          onFailedStart();
        });
      }
    }
  };

  cluster.on('message', onMessage);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!serving && !listened.has(worker.id)) {
      logger.fatal({ pid: worker.process.pid, code, signal }, 'a worker stopped before it could serve');
      onFailedStart();
      return;
    }
    if (!listened.has(worker.id)) {
      logger.error(
        { pid: worker.process.pid, code, signal },
        'a replacement worker stopped before it could serve; another in a second',
      );
      restart = setTimeout(() => cluster.fork(), RESTART_DELAY_MS);
      return;
    }
    logger.warn({ pid: worker.process.pid, code, signal }, 'a worker stopped; starting another');
    cluster.fork();
  });
  for (let index = 0; index < workers; index++) cluster.fork();

  return {
    reload: () => {
      for (const worker of Object.values(cluster.workers ?? {}))
        if (worker && !worker.isDead()) worker.process.kill('SIGHUP');
    },
    stop: () =>
      (stopping ??= (async () => {
        clearTimeout(restart);
        const running = Object.values(cluster.workers ?? {}).filter(Boolean) as Worker[];
        await Promise.all(
          running.map(
            (worker) =>
              new Promise<void>((resolve) => {
                if (worker.isDead()) return resolve();
                worker.once('exit', () => resolve());
                worker.process.kill('SIGTERM');
              }),
          ),
        );
        cluster.off('message', onMessage);
      })()),
  };
}
