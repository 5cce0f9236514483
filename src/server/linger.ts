/**
 * Lingering close, as nginx does it: a request answered before its body was
 * all read (413, 429, a refused upload) keeps its connection while the rest
 * of the body is read and dropped, up to `lingerBytes` or `lingerMs`. A
 * socket closed with bytes still unread makes the kernel send a reset, and a
 * reset discards the answer waiting in the client's receive buffer: the
 * client would see EPIPE or ECONNRESET instead of its 413. A body that ends
 * within the bounds leaves the connection usable for the next request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface LingerBounds {
  lingerBytes: number;
  lingerMs: number;
}

/** Sockets reading the rest of an answered request: Node's own timeouts on them are not the client's fault to report. */
const lingering = new WeakSet<Socket>();

/** Once `res` is sent, reads and drops what is left of `req`'s body, within the bounds. */
export function lingerAfterAnswer(req: IncomingMessage, res: ServerResponse, bounds: LingerBounds): void {
  // Before node:http's own 'finish' listener, which would otherwise dump the body: read to its end, with no bound and no count.
  res.prependOnceListener('finish', () => {
    if (!req.complete && !req.destroyed) discardRest(req, bounds);
  });
}

/** Whether the socket is reading the rest of a request already answered. */
export function isLingering(socket: object): boolean {
  return lingering.has(socket as Socket);
}

function discardRest(req: IncomingMessage, { lingerBytes, lingerMs }: LingerBounds): void {
  const socket = req.socket;
  lingering.add(socket);
  let left = lingerBytes;
  const cut = () => socket.destroy();
  // A policy bound, not a wait: unref'd, so a drain never holds the process open.
  const timer = setTimeout(cut, lingerMs).unref();
  req.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) cut();
  });
  req.once('close', () => {
    clearTimeout(timer);
    lingering.delete(socket);
  });
  req.resume();
}
