// A REST API for the consumer's graph: GET /users/{id}.
import { createServer } from 'node:http';

const USERS = { 1: { id: '1', full_name: 'Ada Lovelace' }, 2: { id: '2', full_name: 'Alan Turing' } };

export async function startUpstream() {
  const server = createServer((req, res) => {
    const user = USERS[/^\/users\/(\d+)$/.exec(req.url ?? '')?.[1] ?? ''];
    res.writeHead(user ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(user ?? { error: 'not found' }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}
