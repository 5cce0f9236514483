// GraftQL in Fastify 5: its paths as routes in a scope where Fastify parses no body.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Gateway } from 'graftql';

export async function createApp(
  gateway: Gateway,
  paths = ['/graphql', '/healthz', '/readyz', '/metrics', '/status'],
): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(async (scope) => {
    // The gateway reads the body itself (its limits, its fast path): Fastify must leave the stream unread.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    for (const url of paths) {
      scope.route({
        method: ['GET', 'POST', 'OPTIONS'],
        url,
        handler: (request, reply) => {
          reply.hijack(); // the gateway writes the response
          gateway.listener(request.raw, reply.raw);
        },
      });
    }
  });
  app.get('/api/hello', async () => ({ hello: 'from the BFF' }));
  return app;
}
