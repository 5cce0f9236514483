/**
 * Hedged calls against a real server on 127.0.0.1: an attempt that has not
 * answered after the hedge delay gets one backup; the first answer wins and
 * the other attempt's socket is closed. Writes, a spent call budget and a
 * source that turns hedging off get none.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createCallBudget } from '../../src/sources/resilience/call-budget.ts';
import { latencyWindow } from '../../src/sources/resilience/latency.ts';
import { createSourceClient, type SourceClient } from '../../src/sources/source-client.ts';
import { path } from '../../src/sources/url.ts';
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

/** Holds each request until a second one arrives, then answers them: a call that is hedged completes, one that is not would hang. */
function answerOnceTwoArrive(body: unknown): Plan {
  const held: ServerResponse[] = [];
  return (_arrival, _req, res) => {
    held.push(res);
    if (held.length === 2) for (const waiting of held.splice(0)) answer(waiting, body);
  };
}

/** Answers each request after 50 ms: time enough for a backup to arrive if one were sent. */
const answerLate =
  (body: unknown): Plan =>
  (_arrival, _req, res) => {
    setTimeout(() => answer(res, body), 50);
  };

type SourceInput = NonNullable<GatewayConfig['sources']>[string];

function client(source: Omit<SourceInput, 'url'> = {}): SourceClient {
  const config = resolveConfig({ schema: 'schema', sources: { api: { url, rateLimit: { fromHeaders: false }, breaker: { enabled: false }, ...source } } });
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const created = createSourceClient('api', config.sources.api!, { logger, cache: createResponseCache({ ...config.cache, maxEntries: 10 }) });
  clients.push(created);
  return created;
}

describe('hedged calls', () => {
  it('a read that hangs gets one backup, which answers; the hung attempt’s socket is closed', async () => {
    // Whichever attempt arrives first hangs; the second is answered.
    plan = (arrival, _req, res) => {
      if (arrival === 2) answer(res, { id: 7 });
    };
    const api = client({ hedge: { delayMs: 1, maxBackups: 1 }, cache: { enabled: false } });
    const result = await api.request({ path: path`/things/7` });
    expect(result.body).toEqual({ id: 7 });
    expect(arrivals.map((arrival) => arrival.method)).toEqual(['GET', 'GET']);
    await until(() => arrivals[0]!.closed, 'the hung attempt’s connection closes');
    expect(api.hedges()).toEqual({ sent: 1, won: 1 });
  });

  it('a backup that hangs too gets a second backup, up to hedge.maxBackups; both hung attempts are closed', async () => {
    plan = (arrival, _req, res) => {
      if (arrival === 3) answer(res, { id: 8 });
    };
    const api = client({ hedge: { delayMs: 1, maxBackups: 2 }, cache: { enabled: false } });
    const result = await api.request({ path: path`/things/8` });
    expect(result.body).toEqual({ id: 8 });
    expect(arrivals).toHaveLength(3);
    await until(() => arrivals[0]!.closed && arrivals[1]!.closed, 'both hung attempts’ connections close');
    expect(api.hedges()).toEqual({ sent: 2, won: 1 });
  });

  it('a read that answers before the delay gets no backup', async () => {
    plan = (_arrival, _req, res) => answer(res, { ok: true });
    const api = client({ hedge: { delayMs: 60_000 }, cache: { enabled: false } });
    await api.request({ path: path`/fast` });
    expect(arrivals).toHaveLength(1);
    expect(api.hedges()).toEqual({ sent: 0, won: 0 });
  });

  it('a write without an Idempotency-Key is never hedged; one with a key is', async () => {
    plan = answerLate({ saved: true });
    const api = client({ hedge: { delayMs: 1, maxBackups: 1 }, cache: { enabled: false } });
    await api.request({ method: 'POST', path: path`/things`, json: { name: 'x' } });
    expect(arrivals.map((arrival) => arrival.method)).toEqual(['POST']);

    arrivals = [];
    plan = answerOnceTwoArrive({ saved: true });
    await api.request({ method: 'POST', path: path`/things`, json: { name: 'x' }, headers: { 'Idempotency-Key': 'k1' } });
    expect(arrivals.map((arrival) => arrival.method)).toEqual(['POST', 'POST']);
    expect(api.hedges().sent).toBe(1);
  });

  it('a backup counts against the operation’s call budget: with none left, the first attempt goes on alone', async () => {
    plan = answerLate({ ok: true });
    const api = client({ hedge: { delayMs: 1, maxBackups: 1 }, cache: { enabled: false } });
    const budget = createCallBudget(1);
    await expect(api.request({ path: path`/slow` }, { budget })).resolves.toMatchObject({ body: { ok: true } });
    expect(arrivals).toHaveLength(1);
    expect(budget.spent()).toBe(1);

    arrivals = [];
    plan = answerOnceTwoArrive({ ok: true });
    const roomy = createCallBudget(5);
    await api.request({ path: path`/slow-again` }, { budget: roomy });
    expect(arrivals).toHaveLength(2);
    expect(roomy.spent()).toBe(2);
  });

  it('is off for a source whose config says so', async () => {
    plan = answerLate({ ok: true });
    const api = client({ hedge: { enabled: false, delayMs: 1 }, cache: { enabled: false } });
    await api.request({ path: path`/slow` });
    expect(arrivals).toHaveLength(1);
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
