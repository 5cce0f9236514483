// GraftQL in Express 5: one middleware, before the body parsers.
import express, { type Express } from 'express';
import type { Gateway } from 'graftql';

export function createApp(gateway: Gateway): Express {
  const app = express();
  // Its paths, matched on the whole URL (mounted under a prefix, configure server.paths with it);
  // everything else goes on to the routes below. It reads its own bodies, with its own limits.
  app.use(gateway.listener);
  app.use(express.json());
  app.get('/api/hello', (_req, res) => {
    res.json({ hello: 'from the BFF' });
  });
  app.post('/api/echo', (req, res) => {
    res.json(req.body);
  });
  return app;
}
