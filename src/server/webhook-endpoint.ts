/**
 * `POST <paths.webhooks>/<source>`: a source's webhook deliveries, served by
 * Yoga's request hook so both transports (the node listener and `gateway.fetch`)
 * take them. The body is bounded before it is hashed: a declared
 * `Content-Length` over the source's limit is refused unread, and reading
 * stops at the limit otherwise. Answers: 204 when delivered, else the
 * catalog's status with `{ "code", "message" }`.
 */
import type { Plugin } from 'graphql-yoga';
import { type ErrorCode, REFUSAL_STATUS } from '../errors.ts';
import type { WebhookReceiver } from '../events/webhook-receiver.ts';

const NOT_FOUND = 404;

export function useWebhookEndpoint(receiver: WebhookReceiver, prefix: string): Plugin {
  const under = `${prefix.replace(/\/+$/, '')}/`;
  return {
    async onRequest({ request, url, endResponse }) {
      if (!url.pathname.startsWith(under)) return;
      // Source names are plain camelCase: nothing to decode.
      const source = url.pathname.slice(under.length);
      const limit = receiver.maxBodyBytes(source);
      const refuse = (code: ErrorCode, message: string, http?: Http) =>
        endResponse(answer(receiver.refuse(source, code, message), http));
      if (limit === undefined)
        return refuse('NOT_FOUND', `No source named ${JSON.stringify(source.slice(0, 64))} sends webhooks here.`);
      if (request.method !== 'POST')
        return refuse('BAD_REQUEST', 'Webhooks are delivered with POST.', { status: 405, headers: { allow: 'POST' } });
      const tooLarge = () =>
        refuse('PAYLOAD_TOO_LARGE', `The delivery is larger than ${limit} bytes.`, {
          status: 413,
          headers: { connection: 'close' },
        });
      // Refused unread, and the connection closed: it would otherwise have to be drained.
      if (Number(request.headers.get('content-length')) > limit) return tooLarge();
      const body = await boundedBody(request, limit);
      if (!body) return tooLarge();
      const outcome = await receiver.receive(source, {
        header: (name) => request.headers.get(name) ?? undefined,
        body,
      });
      endResponse(outcome.ok ? new Response(null, { status: 204 }) : answer(outcome));
    },
  };
}

/** The body, or undefined once it passes `limit` bytes (the rest is not read). */
async function boundedBody(request: Request, limit: number): Promise<Buffer | undefined> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

interface Http {
  status: number;
  headers?: Record<string, string>;
}

function answer({ code, message }: { code: ErrorCode; message: string }, http?: Http): Response {
  const status = http?.status ?? (code === 'NOT_FOUND' ? NOT_FOUND : (REFUSAL_STATUS[code]?.status ?? 400));
  return new Response(JSON.stringify({ code, message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...http?.headers },
  });
}
