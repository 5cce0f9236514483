/**
 * A GraphQL request's body for the Yoga transport, cut off past `limit` bytes
 * (PAYLOAD_TOO_LARGE) for bodies without a Content-Length. Yoga's own limit
 * is off, because it cannot give multipart requests a larger one.
 *
 * Over `node:http` the body is read from the IncomingMessage itself, and a
 * body cut off or cancelled only stops being read: the node transport then drops
 * the rest after the answer (linger.ts). The web stream whatwg-node makes of
 * the request destroys the socket when cancelled, and a socket closed with
 * bytes unread is reset: the client would lose its 413.
 */
import type { IncomingMessage } from 'node:http';
import { GraftError } from '../errors.ts';

export function withBoundedBody(request: Request, req: IncomingMessage | undefined, limit: number): Request {
  if (!request.body) return request;
  const body = req && !req.readableEnded ? nodeBody(req, limit) : webBody(request.body, limit);
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body,
    duplex: 'half',
  } as RequestInit);
}

/** A body over the limit: the one refusal every transport gives it. */
export function tooLarge(limit: number): GraftError {
  return new GraftError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, { facts: { limit } });
}

function webBody(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let read = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > limit) controller.error(tooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
}

function nodeBody(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  let read = 0;
  let detach = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const onData = (chunk: Buffer) => {
        read += chunk.length;
        if (read > limit) {
          detach();
          return controller.error(tooLarge(limit));
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      };
      const onEnd = () => {
        detach();
        controller.close();
      };
      const onClose = () => {
        detach();
        controller.error(new GraftError('BAD_REQUEST', 'The request body ended before its length.'));
      };
      detach = () => {
        req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
        req.pause();
      };
      // 'end' comes before 'close' when the body is whole; 'close' (or 'error') alone means the client went away.
      req.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onClose);
    },
    pull() {
      req.resume();
    },
    cancel() {
      detach();
    },
  });
}
