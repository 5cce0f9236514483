/**
 * A tiny HTTP service kit for the example REST backends: routing, a request
 * recorder (so tests count upstream calls exactly) and fault knobs (so tests
 * provoke every upstream pathology over a real socket).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The raw request target as received: path and query, undecoded. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Set when the caller closed the connection before the answer was sent (it cancelled the call). */
  cancelled?: true;
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'html' }
  | { kind: 'truncated' }
  /** `declared`: say the size in Content-Length too (else the body is chunked). */
  | { kind: 'oversized'; bytes: number; declared?: boolean }
  | { kind: 'deep'; depth: number }
  | { kind: 'stallHeaders' }
  | { kind: 'dripBody'; intervalMs: number }
  | { kind: 'redirect'; location: string };

export interface FaultRule {
  fault: Fault;
  /** Share of matching requests that get the fault, spread evenly. @default 1 */
  share?: number;
  /** Apply to this many matching requests, then retire. @default Infinity */
  times?: number;
  /** Only requests whose raw URL matches. @default every request */
  path?: RegExp;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as text; empty for a multipart body, which a route reads from `stream` as it arrives. */
  body: string;
  stream: IncomingMessage;
}

export interface Route {
  method: string;
  /** Path pattern with `:name` placeholders, matched against the decoded segments. */
  path: string;
  handle: (req: RouteRequest) => Reply | Promise<Reply>;
}

export interface ServiceOptions {
  name: string;
  routes: Route[];
  /** Returns true when the request carries the service's credential; routes marked public skip it. */
  authorize: (headers: IncomingHttpHeaders, query: URLSearchParams) => boolean;
  publicPaths?: string[];
  /** Content type of JSON answers. @default 'application/json' */
  contentType?: string;
  /** Runs before routing; may answer itself (rate limits). */
  before?: (req: IncomingMessage) => Reply | undefined;
  /** Headers added to every answer (rate-limit headers). */
  decorate?: (res: ServerResponse) => void;
  /** The service's OpenAPI document, served at `GET /openapi.json` without credentials. */
  openapi?: object;
}

export interface Service {
  name: string;
  /** What it serves, as method and path pattern (`/users/:id`): what its OpenAPI document must describe. */
  routes: ReadonlyArray<{ method: string; path: string }>;
  url: string;
  port: number;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  clearRecords(): void;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** Delay every answer by this many ms. */
  setLatency(ms: number): void;
  /** Client connections open right now. */
  openConnections(): number;
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
}

export async function startService(options: ServiceOptions, port = 0, host = '127.0.0.1'): Promise<Service> {
  const requests: RecordedRequest[] = [];
  let rules: ActiveRule[] = [];
  let latencyMs = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const compiled = options.routes.map((route) => ({ route, match: compilePath(route.path) }));

  const server = createServer(async (req, res) => {
    const rawUrl = req.url ?? '/';
    // The service's description: public, and outside its faults and limits.
    if (options.openapi && req.method === 'GET' && rawUrl.split('?')[0] === '/openapi.json')
      return send(res, { status: 200, body: options.openapi });
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: rawUrl, headers: req.headers };
    requests.push(recorded);
    res.once('close', () => {
      if (!res.writableFinished) recorded.cancelled = true;
    });
    // Uploads stream: a multipart body is left for its route to read.
    const body = req.headers['content-type']?.startsWith('multipart/') ? '' : await readBody(req);
    if (latencyMs > 0) await delay(latencyMs, timers);
    if (res.destroyed) return;

    const fault = pickFault(rules, rawUrl);
    if (fault) return applyFault(fault, res, timers);

    options.decorate?.(res);
    const early = options.before?.(req);
    if (early) return send(res, early, options.contentType);

    const url = new URL(rawUrl, 'http://service.invalid');
    const isPublic = options.publicPaths?.includes(url.pathname) ?? false;
    if (!isPublic && !options.authorize(req.headers, url.searchParams)) {
      return send(
        res,
        { status: 401, body: { error: 'unauthorized', message: 'missing or wrong credential' } },
        options.contentType,
      );
    }
    for (const { route, match } of compiled) {
      if (route.method !== req.method) continue;
      const params = match(url.pathname);
      if (!params) continue;
      try {
        const reply = await route.handle({
          method: req.method,
          params,
          query: url.searchParams,
          headers: req.headers,
          body,
          stream: req,
        });
        return send(res, reply, options.contentType);
      } catch (error) {
        return send(res, { status: 500, body: { error: 'internal', message: String(error) } }, options.contentType);
      }
    }
    send(
      res,
      { status: 404, body: { error: 'not_found', message: `no route for ${req.method} ${url.pathname}` } },
      options.contentType,
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    name: options.name,
    routes: options.routes.map(({ method, path }) => ({ method, path })),
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    requests,
    clearRecords: () => void requests.splice(0),
    inject: (rule) => void rules.push({ ...rule, seen: 0, applied: 0 }),
    clearFaults: () => void (rules = []),
    setLatency: (ms) => void (latencyMs = ms),
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function compilePath(pattern: string): (pathname: string) => Record<string, string> | undefined {
  const parts = pattern.split('/').filter(Boolean);
  return (pathname) => {
    const segments = pathname.split('/').filter(Boolean);
    if (segments.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (const [i, part] of parts.entries()) {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) params[part.slice(1)] = safeDecode(segment);
      else if (part !== segment) return undefined;
    }
    return params;
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Evenly spaced selection: with share 0.1, every tenth matching request. Deterministic on purpose. */
function pickFault(rules: ActiveRule[], url: string): Fault | undefined {
  for (const rule of rules) {
    if (rule.path && !rule.path.test(url)) continue;
    if (rule.applied >= (rule.times ?? Infinity)) continue;
    const share = rule.share ?? 1;
    const before = Math.floor(rule.seen * share);
    rule.seen += 1;
    if (Math.floor(rule.seen * share) > before) {
      rule.applied += 1;
      return rule.fault;
    }
  }
  return undefined;
}

function applyFault(fault: Fault, res: ServerResponse, timers: Set<NodeJS.Timeout>): void {
  switch (fault.kind) {
    case 'status':
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ error: 'injected', status: fault.status }));
      return;
    case 'reset':
      res.socket?.resetAndDestroy();
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "1", "name": ');
      return;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    case 'truncated':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"users": [');
      setImmediate(() => res.socket?.destroy());
      return;
    case 'oversized': {
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(fault.declared && { 'content-length': String(fault.bytes + 16) }),
      });
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      res.write('{"padding": "');
      const pump = () => {
        while (sent < fault.bytes && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end('"}');
      };
      pump();
      return;
    }
    case 'deep':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('['.repeat(fault.depth) + ']'.repeat(fault.depth));
      return;
    case 'stallHeaders':
      return; // never answer; the socket stays open until the client gives up
    case 'dripBody': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"padding": "');
      const drip = () => {
        if (res.destroyed) return;
        res.write('x');
        const timer = setTimeout(drip, fault.intervalMs);
        timers.add(timer);
        timer.unref();
      };
      drip();
      return;
    }
    case 'redirect':
      res.writeHead(302, { location: fault.location, 'content-type': 'application/json' });
      res.end('{}');
      return;
  }
}

export function send(res: ServerResponse, reply: Reply, contentType = 'application/json'): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers['content-type'] ??= contentType;
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}

/** Parses `Authorization: Basic …` into its two halves. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const value = headers.authorization;
  if (!value?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(value.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
