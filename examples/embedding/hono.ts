// GraftQL in Hono on @hono/node-server: its paths handed the Node request and response.
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Gateway } from 'graftql';
import { Hono } from 'hono';

export function createApp(
  gateway: Gateway,
  paths = ['/graphql', '/healthz', '/readyz', '/metrics', '/status'],
): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/api/hello', (c) => c.json({ hello: 'from the BFF' }));
  // The node:http transport (the fast path): Hono has not read the body, the gateway reads and answers.
  // On a runtime without Node's objects (Bun, Deno, workers): app.all(path, (c) => gateway.fetch(c.req.raw)).
  app.on(['GET', 'POST', 'OPTIONS'], paths, (c) => {
    gateway.listener(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
  return app;
}
