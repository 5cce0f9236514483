// A JSONPlaceholder-shaped REST upstream for the benchmark: 100 posts with
// userId 1–10, 10 users; /posts, /posts/{id} (any other id is one of them), /users, /users/{id} and the
// batch /users?id=1&id=2. It counts the calls it serves: GET /__calls,
// POST /__reset. Plain node:http, no dependencies, so it is never the bottleneck.
import { createServer } from 'node:http';

const users = Array.from({ length: 10 }, (_, i) => ({
  id: i + 1,
  name: `User ${i + 1}`,
  username: `user${i + 1}`,
  email: `user${i + 1}@example.com`,
  phone: `555-010${i}`,
  website: `user${i + 1}.example.com`,
}));
const posts = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  userId: (i % 10) + 1,
  title: `Post title ${i + 1}`,
  body: `Post body ${i + 1}`.repeat(4),
}));
const json = (value) => Buffer.from(JSON.stringify(value));
const bodies = {
  posts: json(posts),
  users: json(users),
  post: new Map(posts.map((post) => [String(post.id), json(post)])),
  user: new Map(users.map((user) => [String(user.id), json(user)])),
};

let calls = 0;
const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
};

export function startUpstream(port = Number(process.env.PORT ?? 3000), host = '127.0.0.1') {
  const server = createServer((req, res) => {
    const [path, search = ''] = (req.url ?? '/').split('?');
    if (path === '/__calls') return send(res, 200, json({ calls }));
    if (path === '/__reset') {
      calls = 0;
      return send(res, 200, json({ calls }));
    }
    calls += 1;
    if (path === '/posts') return send(res, 200, bodies.posts);
    if (path === '/users') {
      const ids = new URLSearchParams(search).getAll('id');
      if (ids.length === 0) return send(res, 200, bodies.users);
      return send(res, 200, json(users.filter((user) => ids.includes(String(user.id)))));
    }
    const [, collection, id = ''] = path.split('/');
    const found =
      collection === 'posts'
        ? (bodies.post.get(id) ?? bodies.post.get(String(postNumber(id))))
        : collection === 'users'
          ? bodies.user.get(id)
          : undefined;
    return found ? send(res, 200, found) : send(res, 404, json({}));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startUpstream();
  console.log(`upstream on http://127.0.0.1:${server.address().port}`);
}

/** Another id of q4's workload (autocannon's `[<id>]`: `hrg7...zQ%2F41`, its counter last) as one of the 100 posts. */
function postNumber(id) {
  return (Number(/(\d+)$/.exec(decodeURIComponent(id))?.[1] ?? 0) % 100) + 1;
}
