/**
 * Hot reload (`graftql serve --watch`, SIGHUP): a new graph version is built
 * aside from the files as they are now, through the same `createGateway`
 * and its checks. If that fails, the running version keeps serving and the
 * failure is logged and shown on /readyz and /status until a reload
 * succeeds. If it succeeds, the swap is one assignment: a request is handed
 * to the version current when it arrives and finishes there; the previous
 * version is retired (its subscriptions and WebSockets end, so clients
 * reconnect to the new one) and disposed once its last request is answered,
 * leaving open what the new version took over (gateway-runtime.ts: the
 * observability, the cache, and the source clients whose config is the
 * same, with their connections, breakers and tokens).
 */

import type { Logger } from '../telemetry/logger.ts';
import type { Gateway } from './create-gateway.ts';
import type { Carryover } from './gateway-runtime.ts';

/** What `listen` serves: one gateway, or the versions a reloader swaps. */
export type ServedGateway = Pick<Gateway, 'listener' | 'upgrade' | 'clientError' | 'endStreams' | 'metrics'> & {
  dispose(): Promise<void> | void;
};

/** Builds a graph version from the files as they are now; `carry` is the running version's (none at start). */
export type BuildGateway = (carry: Carryover | undefined, notes: () => readonly string[]) => Promise<Gateway>;

export interface ReloadOutcome {
  ok: boolean;
  /** The version serving after it: a new one, or the same when the reload failed. */
  version: number;
  /** Sources whose client the new version took over unchanged. */
  kept: readonly string[];
  /** Why it failed, as the checks say it (`schema/x.graphql:3:7: ...`). */
  error?: string;
  ms: number;
}

export interface ReloadingGateway extends ServedGateway {
  /** Builds and swaps in a new version; reloads asked for while one runs are one more after it. */
  reload(): Promise<ReloadOutcome>;
  /** The version serving now: 1 at start. */
  version(): number;
}

interface Version {
  gateway: Gateway;
  number: number;
  /** Requests handed to it and not yet answered. */
  inFlight: number;
  retired: boolean;
  disposed?: Promise<void>;
}

export async function startReloading(build: BuildGateway, logger: Logger): Promise<ReloadingGateway> {
  let failure: { message: string; at: string } | undefined;
  const notes = () =>
    failure
      ? [`The reload of ${failure.at} failed; graph version ${current.number} still serves. ${failure.message}`]
      : [];
  let current: Version = { gateway: await build(undefined, notes), number: 1, inFlight: 0, retired: false };
  const retiring = new Set<Version>();

  const settle = (version: Version) => {
    if (version.inFlight > 0 || version.disposed) return;
    // A retired version's disposal is nobody's to await: its failure is logged, never left unhandled.
    version.disposed = Promise.resolve(version.gateway.dispose())
      .catch((error: unknown) => logger.error({ err: error, version: version.number }, 'a retired graph did not close'))
      .finally(() => retiring.delete(version));
  };
  const retire = (version: Version) => {
    version.retired = true;
    retiring.add(version);
    const ended = () => settle(version);
    version.gateway.endStreams().then(ended, ended);
  };

  const reloadOnce = async (): Promise<ReloadOutcome> => {
    const started = performance.now();
    const previous = current;
    const { carryover } = previous.gateway;
    carryover.taken.clear();
    try {
      const gateway = await build(carryover, notes);
      current = { gateway, number: previous.number + 1, inFlight: 0, retired: false };
      failure = undefined;
      retire(previous);
      const kept = Object.keys(carryover.clients).filter(
        (name) => gateway.carryover.clients[name] === carryover.clients[name],
      );
      const ms = Math.round(performance.now() - started);
      logger.info({ version: current.number, kept, ms }, 'graph reloaded');
      return { ok: true, version: current.number, kept, ms };
    } catch (error) {
      // Parts a failed build marked as taken stay the running version's.
      carryover.taken.clear();
      const message = error instanceof Error ? error.message : String(error);
      failure = { message, at: new Date().toISOString() };
      logger.error({ version: previous.number, err: error }, 'reload failed: the running graph keeps serving');
      return {
        ok: false,
        version: previous.number,
        kept: [],
        error: message,
        ms: Math.round(performance.now() - started),
      };
    }
  };
  let active: Promise<unknown> = Promise.resolve();
  let next: Promise<ReloadOutcome> | undefined;

  return {
    listener: (req, res, nextHandler) => {
      const version = current;
      version.inFlight += 1;
      res.once('close', () => {
        version.inFlight -= 1;
        if (version.retired) settle(version);
      });
      version.gateway.listener(req, res, nextHandler);
    },
    upgrade: (req, socket, head) => current.gateway.upgrade(req, socket, head),
    clientError: (error, socket) => current.gateway.clientError(error, socket),
    ...(current.gateway.metrics && { metrics: () => current.gateway.metrics?.() ?? Promise.resolve('') }),
    endStreams: () =>
      Promise.all([current, ...retiring].map((version) => version.gateway.endStreams())).then(() => undefined),
    dispose: async () => {
      // At shutdown a retired version is disposed whether or not its last requests were answered.
      await Promise.all(
        [...retiring].map((version) => (version.disposed ??= Promise.resolve(version.gateway.dispose()))),
      );
      await current.gateway.dispose();
    },
    reload() {
      next ??= active.then(() => {
        next = undefined;
        const running = reloadOnce();
        active = running;
        return running;
      });
      return next;
    },
    version: () => current.number,
  };
}
