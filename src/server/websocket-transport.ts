/**
 * The WebSocket transport: GraphQL over WebSockets (the graphql-transport-ws
 * protocol, graphql-ws's server) on the GraphQL path, for subscriptions and
 * for any operation a client sends that way. graphql-ws keeps the protocol
 * (handshake, ping, ids, completion); every operation goes through the same
 * pipeline as the HTTP transports, parsed, limited and masked there, so
 * graphql-ws is handed a fixed placeholder document and never parses or
 * validates anything itself.
 *
 * A request's headers are the upgrade request's, with the `headers` object
 * of the client's `connection_init` payload over them (browsers cannot set
 * headers on a WebSocket). A cross-origin upgrade (an `Origin` whose host is
 * not the `Host`) is refused unless `server.cors.origins` lists that origin
 * by name (`'*'` does not count): browsers send cookies with WebSocket
 * upgrades and apply no CORS to them.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, type GraphQLSchema, parse } from 'graphql';
import type { Context, ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { GraftError } from '../errors.ts';
import type { Pipeline, PipelineAnswer, Transport } from '../pipeline/pipeline.ts';

export interface WebSocketTransport {
  /** A `node:http` server's 'upgrade' listener. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export interface WebSocketTransportOptions {
  pipeline: Pipeline;
  schema: GraphQLSchema;
  endpoint: string;
  requestIdOf(inbound: string | undefined): string;
  /** Largest message, as the HTTP transports' body limit. */
  maxPayloadBytes: number;
  /** Origins listed by name in `server.cors.origins`, which may upgrade from another origin. */
  listedOrigins: readonly string[];
}

/** Makes graphql-ws call `subscribe`, which hands every operation to the pipeline. */
const PLACEHOLDER = parse('subscription { __typename }');

interface Operation {
  payload: unknown;
  transport: Transport;
}

type Extra = { request: IncomingMessage; socket: WebSocket };

/** graphql-ws types results as ExecutionResult; ours are the pipeline's answers, which `onNext` sends as they were serialised. */
type Results = Awaited<ReturnType<NonNullable<ServerOptions['subscribe']>>>;

export function createWebSocketTransport({
  pipeline,
  schema,
  endpoint,
  requestIdOf,
  maxPayloadBytes,
  listedOrigins,
}: WebSocketTransportOptions): WebSocketTransport {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes });
  /** Per connection: its headers (the upgrade's, connection_init's over them) and a signal that fires when it closes. */
  const connections = new WeakMap<object, { header(name: string): string | undefined; signal: AbortSignal }>();
  const connectionOf = (ctx: Context<Record<string, unknown> | undefined, Extra>) => {
    let known = connections.get(ctx);
    if (!known) {
      const given = Object.fromEntries(
        Object.entries((ctx.connectionParams?.headers ?? {}) as Record<string, unknown>).map(([name, value]) => [
          name.toLowerCase(),
          value,
        ]),
      );
      const { request, socket } = ctx.extra;
      const closed = new AbortController();
      socket.once('close', () => closed.abort());
      const header = (name: string) => {
        const value = given[name] ?? request.headers[name];
        return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : undefined;
      };
      connections.set(ctx, (known = { header, signal: closed.signal }));
    }
    return known;
  };
  const options: ServerOptions<Record<string, unknown> | undefined, Extra> = {
    schema,
    onSubscribe(ctx, _id, payload): ExecutionArgs {
      const { header, signal } = connectionOf(ctx);
      const transport: Transport = {
        method: 'POST',
        requestId: requestIdOf(header('x-request-id')),
        header,
        clientAddress: ctx.extra.request.socket.remoteAddress,
        query: ctx.extra.request.url?.split('?')[1],
        signal,
        streams: true,
        connection: ctx,
      };
      const operation: Operation = { payload, transport };
      return { schema, document: PLACEHOLDER, contextValue: operation };
    },
    async subscribe({ contextValue }) {
      const { payload, transport } = contextValue as Operation;
      try {
        pipeline.admit(transport);
      } catch (error) {
        return pipeline.refuse(error as GraftError, transport) as unknown as Results;
      }
      const answer = await pipeline.run(payload, transport);
      return ('stream' in answer ? answer.stream : answer) as unknown as Results;
    },
    onNext: (_ctx, _id, _payload, _args, answer) => JSON.parse((answer as unknown as PipelineAnswer).body),
  };
  const server = useServer(options as Parameters<typeof useServer>[0], sockets);
  let closing: Promise<void> | undefined;

  return {
    upgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== endpoint) return refuseUpgrade(socket, 404, 'Not Found');
      if (crossOrigin(req) && !listedOrigins.includes(req.headers.origin?.toLowerCase() ?? ''))
        return refuseUpgrade(socket, 403, 'Forbidden');
      sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
    },
    // Once: a drain ends the sockets first, and the gateway's disposal asks again.
    close: () => (closing ??= Promise.resolve(server.dispose())),
  };
}

/** A browser's upgrade from another origin: its Origin's host is not the Host it asked. */
function crossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  return !URL.canParse(origin) || new URL(origin).host !== req.headers.host;
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
