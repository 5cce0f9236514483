/**
 * A request Node's HTTP server refused before any handler saw it: headers
 * over `maxHeaderSize`, bytes that are not HTTP, a request that did not
 * arrive within the listener's timeouts. Each is answered truthfully (431,
 * 413, 400 naming what was malformed, 408 naming the limit), logged and
 * counted by its Node code, and never answered where no one asked:
 *
 * - A connection a client opened and sent nothing on (a browser's
 *   preconnect, a pooled socket not used yet) is expired by Node's
 *   `headersTimeout` like a slow request. An answer written to it would be
 *   read by the client as the answer to the request it sends next: the
 *   "400 The HTTP request is malformed." GraphiQL showed on a busy machine.
 *   It is closed without an answer, which clients retry on a new connection.
 * - A connection whose request was answered and whose body is being dropped
 *   (linger.ts), or one already answering, is closed without another answer.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedConfig } from '../config/config-schema.ts';
import type { ErrorCode } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { isLingering } from './linger.ts';

/** A `node:http` server's 'clientError' listener (`server.on('clientError', gateway.clientError)`). */
export type ClientErrorListener = (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => void;

interface Answer {
  status: number;
  reason: string;
  code: ErrorCode;
  message: string;
}

export function clientErrorListener(
  listener: ResolvedConfig['server']['listener'],
  { logger, observe }: { logger: Logger; observe?: (nodeCode: string, answered: boolean) => void },
): ClientErrorListener {
  return (error, socket) => {
    const nodeCode = error.code ?? 'UNKNOWN';
    const answer = answerFor(error, socket, listener);
    observe?.(nodeCode, answer !== undefined);
    logger[answer ? 'info' : 'debug'](
      { code: nodeCode, status: answer?.status, bytesRead: (socket as Socket).bytesRead },
      'client error before any handler',
    );
    if (!answer) return void socket.destroy();
    const body = JSON.stringify({ errors: [{ message: answer.message, extensions: { code: answer.code } }] });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

/** What the client is told, or undefined when it is told nothing (see above). */
function answerFor(
  error: NodeJS.ErrnoException & { reason?: string },
  socket: Duplex,
  listener: ResolvedConfig['server']['listener'],
): Answer | undefined {
  if (
    error.code === 'ECONNRESET' ||
    !socket.writable ||
    (socket as Socket).writableEnded ||
    isLingering(socket) ||
    answering(socket)
  )
    return undefined;
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      if ((socket as Socket).bytesRead === 0) return undefined;
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'REQUEST_TIMEOUT',
        message: `The request did not arrive in time: its headers within ${listener.headersTimeoutMs} ms, all of it within ${listener.requestTimeoutMs} ms.`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'PAYLOAD_TOO_LARGE',
        message: `The request line and headers are larger than ${listener.maxHeaderSize} bytes; send a long document with POST.`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        status: 413,
        reason: 'Payload Too Large',
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The chunk extensions of the request body are too large.',
      };
    default:
      // llhttp's reason is its own fixed text ("Invalid method encountered"), never the client's bytes.
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'BAD_REQUEST',
        message: `The HTTP request is malformed${error.reason ? `: ${error.reason.replace(/\.$/, '')}` : ''} (${error.code ?? 'unknown'}).`,
      };
  }
}

/** A response is already being written on the socket: another one would corrupt it (Node's own handler checks the same). */
function answering(socket: Duplex): boolean {
  return (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
}
