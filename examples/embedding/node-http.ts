// GraftQL inside a plain node:http server, beside the BFF's own routes.
import { createServer, type Server } from 'node:http';
import type { Gateway } from 'graftql';

export function createApp(gateway: Gateway): Server {
  return createServer((req, res) =>
    // The gateway answers its paths (/graphql, /healthz, /readyz) and hands anything else to the callback.
    gateway.listener(req, res, () => {
      if (req.url === '/api/hello') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ hello: 'from the BFF' }));
      }
      res.writeHead(404).end();
    }),
  );
}
