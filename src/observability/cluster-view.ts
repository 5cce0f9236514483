/**
 * A worker's view of every worker, for `graftql serve --workers`: GET
 * /metrics and GET /status land on whichever worker the kernel picked, and
 * answer for all of them. The worker asks the primary (over the cluster's
 * IPC channel), which gathers each worker's own figures and answers with
 * their sum (server/worker-pool.ts).
 *
 * Metrics are gathered by prom-client's cluster support (AggregatorRegistry:
 * counters and histograms summed, each default metric by its own rule); the
 * status page's figures by the messages below, summed by status-sum.ts.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { SourceStatus } from './status-page.ts';

/** The messages between a worker and the primary; `graftql` marks them apart from prom-client's. */
export type ClusterMessage =
  | { graftql: 'listening'; url: string }
  | { graftql: 'gather'; id: number; what: 'metrics' | 'status' }
  | { graftql: 'gathered'; id: number; metrics?: string; sources?: SourceStatus[]; error?: string }
  | { graftql: 'report'; id: number; sources?: SourceStatus[] };

export interface ClusterView {
  /** Makes this worker's own figures what the primary gathers from it. */
  share(local: { registry: Registry | undefined; sourceStatus(): SourceStatus[] }): void;
  /** Every worker's metrics, aggregated. */
  metrics(): Promise<string>;
  /** Every worker's sources, summed. */
  sourceStatus(): Promise<SourceStatus[]>;
}

/** How long a worker waits for the primary's answer: longer than the primary waits for the workers. */
const GATHER_TIMEOUT_MS = 10_000;

export function isClusterMessage(message: unknown): message is ClusterMessage {
  return typeof message === 'object' && message !== null && 'graftql' in message;
}

/** This worker's view; undefined in a process that is no worker. */
export function workerClusterView(): ClusterView | undefined {
  if (!cluster.isWorker || !process.send) return undefined;
  const sendToPrimary = process.send.bind(process);
  // A primary that is gone takes its workers with it (node:cluster): a message it cannot get is dropped, not thrown.
  const send = (message: ClusterMessage) => {
    if (process.connected) sendToPrimary(message);
  };
  const pending = new Map<number, (answer: Extract<ClusterMessage, { graftql: 'gathered' }>) => void>();
  let local: Parameters<ClusterView['share']>[0] | undefined;
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.graftql === 'gathered') pending.get(message.id)?.(message);
    if (message.graftql === 'report') send({ graftql: 'report', id: message.id, sources: local?.sourceStatus() ?? [] });
  });
  const gather = (what: 'metrics' | 'status') =>
    new Promise<Extract<ClusterMessage, { graftql: 'gathered' }>>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary process did not gather the workers' ${what} in time`));
      }, GATHER_TIMEOUT_MS).unref();
      pending.set(id, (answer) => {
        clearTimeout(timer);
        pending.delete(id);
        if (answer.error) reject(new Error(answer.error));
        else resolve(answer);
      });
      send({ graftql: 'gather', id, what });
    });
  return {
    share(figures) {
      local = figures;
      // Constructing one adds prom-client's listener that answers the primary's requests for this worker's metrics.
      new AggregatorRegistry();
      if (figures.registry) AggregatorRegistry.setRegistries([figures.registry]);
    },
    metrics: async () => (await gather('metrics')).metrics ?? '',
    sourceStatus: async () => (await gather('status')).sources ?? [],
  };
}
