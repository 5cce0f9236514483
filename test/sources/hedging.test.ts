/**
 * Hedged calls against a real server on 127.0.0.1: an attempt that has not
 * answered after the hedge delay gets one backup; the first answer wins and
 * the other attempt's socket is closed. Writes, a source whose connections
 * are all busy, and a source that turns hedging off get none; a backup
 * never spends the operation's call budget.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { RequestLedger } from '../../src/core/request-ledger.ts';
import { path } from '../../src/core/upstream-path.ts';
import { latencyWindow } from '../../src/sources/resilience/latency.ts';
import { createSourceClient, type SourceClient } from '../../src/sources/source-client.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { until } from '../helpers/time.ts';

/** What the server does with each request, by arrival: hold it (never answer) or answer it now or later. */
type Plan = (arrival: number, req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let url: string;
let plan: Plan = () => {};
let arrivals: Array<{ method: string; closed: boolean }> = [];
const clients: SourceClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const arrival = { method: req.method ?? 'GET', closed: false };
    arrivals.push(arrival);
    res.on('close', () => (arrival.closed = true));
    req.resume();
    plan(arrivals.length, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.closeAllConnections();
  arrivals = [];
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const answer = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** Holds every request; `release(body)` answers those held. */
function holdAll(): { plan: Plan; release(body: unknown): void } {
  const held: ServerResponse[] = [];
  return {
    plan: (_arrival, _req, res) => void held.push(res),
    release: (body) => held.splice(0).forEach((res) => answer(res, body)),
  };
}

/** Hedge delays that end when the test says: no test here waits for a timer. */
function manualDelays(): { schedule(run: () => void, ms: number): () => void; pending(): number; elapse(): void } {
  const pending = new Set<() => void>();
  return {
    schedule(run) {
      pending.add(run);
      return () => pending.delete(run);
    },
    pending: () => pending.size,
    elapse() {
      for (const run of [...pending]) {
        pending.delete(run);
        run();
      }
    },
  };
}

type SourceInput = NonNullable<GatewayConfig['sources']>[string];

function client(source: Omit<SourceInput, 'url'>, delays: ReturnType<typeof manualDelays>): SourceClient {
  const config = resolveConfig({
    schema: 'schema',
    sources: {
      api: {
        url,
        rateLimit: { fromHeaders: false },
        breaker: { enabled: false },
        cache: { enabled: false },
        ...source,
      },
    },
  });
  const logger = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const created = createSourceClient('api', config.sources.api!, {
    logger,
    cache: createResponseCache({ ...config.cache, maxEntries: 10 }),
    schedule: delays.schedule,
  });
  clients.push(created);
  return created;
}

describe('hedged calls', () => {
  it('a read still unanswered after the delay gets one backup, which answers; the hung attempt’s socket is closed', async () => {
    // Whichever attempt arrives first hangs; the second is answered.
    plan = (arrival, _req, res) => {
      if (arrival === 2) answer(res, { id: 7 });
    };
    const delays = manualDelays();
    const api = client({ hedge: { maxBackups: 1 } }, delays);
    const result = api.request({ path: path`/things/7` });
    await until(
      () => arrivals.length === 1 && delays.pending() === 1,
      'the first attempt is out and its hedge delay running',
    );
    delays.elapse();
    expect((await result).body).toEqual({ id: 7 });
    expect(arrivals.map((arrival) => arrival.method)).toEqual(['GET', 'GET']);
    await until(() => arrivals[0]!.closed, 'the hung attempt’s connection closes');
    expect(api.hedges()).toEqual({ sent: 1, won: 1 });
  });

  it('a backup that hangs too gets a second backup, up to hedge.maxBackups; both hung attempts are closed', async () => {
    plan = (arrival, _req, res) => {
      if (arrival === 3) answer(res, { id: 8 });
    };
    const delays = manualDelays();
    const api = client({ hedge: { maxBackups: 2 } }, delays);
    const result = api.request({ path: path`/things/8` });
    await until(() => arrivals.length === 1 && delays.pending() === 1, 'the first attempt and its delay');
    delays.elapse();
    await until(() => arrivals.length === 2 && delays.pending() === 1, 'the backup and another delay');
    delays.elapse();
    expect((await result).body).toEqual({ id: 8 });
    expect(arrivals).toHaveLength(3);
    await until(() => arrivals[0]!.closed && arrivals[1]!.closed, 'both hung attempts’ connections close');
    expect(api.hedges()).toEqual({ sent: 2, won: 1 });
  });

  it('a read that answers first cancels its delay and gets no backup', async () => {
    plan = (_arrival, _req, res) => answer(res, { ok: true });
    const delays = manualDelays();
    const api = client({}, delays);
    await api.request({ path: path`/fast` });
    expect(delays.pending()).toBe(0);
    expect(arrivals).toHaveLength(1);
    expect(api.hedges()).toEqual({ sent: 0, won: 0 });
  });

  it('a write without an Idempotency-Key is never hedged; one with a key is', async () => {
    const server = holdAll();
    plan = server.plan;
    const delays = manualDelays();
    const api = client({ hedge: { maxBackups: 1 } }, delays);
    const write = api.request({ method: 'POST', path: path`/things`, json: { name: 'x' } });
    await until(() => arrivals.length === 1, 'the write arrives');
    expect(delays.pending()).toBe(0);
    server.release({ saved: true });
    await write;
    expect(arrivals.map((arrival) => arrival.method)).toEqual(['POST']);

    arrivals = [];
    const keyed = api.request({
      method: 'POST',
      path: path`/things`,
      json: { name: 'x' },
      headers: { 'Idempotency-Key': 'k1' },
    });
    await until(() => arrivals.length === 1 && delays.pending() === 1, 'the keyed write and its delay');
    delays.elapse();
    await until(() => arrivals.length === 2, 'the backup of the keyed write');
    server.release({ saved: true });
    await keyed;
    expect(arrivals.map((arrival) => arrival.method)).toEqual(['POST', 'POST']);
    expect(api.hedges().sent).toBe(1);
  });

  it('a backup never spends the operation’s call budget: with one call in it, the call still gets its backup', async () => {
    const server = holdAll();
    plan = server.plan;
    const delays = manualDelays();
    const api = client({ hedge: { maxBackups: 1 } }, delays);
    const one = new RequestLedger(1);
    const backed = api.request({ path: path`/slow` }, { budget: one });
    await until(() => arrivals.length === 1 && delays.pending() === 1, 'the attempt and its delay');
    delays.elapse();
    await until(() => arrivals.length === 2, 'the backup');
    server.release({ ok: true });
    await expect(backed).resolves.toMatchObject({ body: { ok: true } });
    expect(api.hedges().sent).toBe(1);
    expect(one.upstreamCalls).toBe(1);
  });

  it('sends no backup while every connection to the source is busy: the attempt may only be waiting for one', async () => {
    const server = holdAll();
    plan = server.plan;
    const delays = manualDelays();
    const api = client({ connections: 2, hedge: { maxBackups: 1 } }, delays);
    const calls = [api.request({ path: path`/a` }), api.request({ path: path`/b` }), api.request({ path: path`/c` })];
    await until(
      () => arrivals.length === 2 && delays.pending() === 3,
      'two attempts hold both connections, the third waits for one',
    );
    delays.elapse();
    server.release({ ok: true });
    await until(() => arrivals.length === 3, 'the third call gets a connection');
    server.release({ ok: true });
    await Promise.all(calls);
    expect(api.hedges().sent).toBe(0);
  });

  it('is off for a source whose config says so', async () => {
    const server = holdAll();
    plan = server.plan;
    const delays = manualDelays();
    const api = client({ hedge: { enabled: false } }, delays);
    const call = api.request({ path: path`/slow` });
    await until(() => arrivals.length === 1, 'the call arrives');
    expect(delays.pending()).toBe(0);
    server.release({ ok: true });
    await call;
    expect(api.hedges()).toEqual({ sent: 0, won: 0 });
  });
});

describe('latencyWindow', () => {
  it('says nothing before 20 samples, then gives the percentile of the recent ones', () => {
    const window = latencyWindow(95);
    for (let ms = 1; ms <= 19; ms++) window.record(ms);
    expect(window.percentile()).toBeUndefined();
    for (let ms = 20; ms <= 80; ms++) window.record(ms);
    // 95% of 80 samples: the 76th smallest (recomputed every 16 samples, as at the 80th).
    expect(window.percentile()).toBe(76);
    // Only the last 256 samples count: after 256 slow ones, the fast ones are gone.
    for (let i = 0; i < 256; i++) window.record(1_000);
    expect(window.percentile()).toBe(1_000);
  });
});
