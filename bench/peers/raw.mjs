// The Node floor: no GraphQL at all. A node:http handler that answers the
// benchmark queries by making the same upstream calls by hand (posts, then
// one batch call for their users; q4's post, then its user), with a
// keep-alive undici pool.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = new Pool(process.env.UPSTREAM_URL, { connections: 100 });
const get = async (path) => (await upstream.request({ method: 'GET', path })).body.json();
const GREET = Buffer.from(JSON.stringify({ data: { greet: 'Hello World!' } }));

async function answer({ query, variables }) {
  if (query.includes('greet')) return GREET;
  if (query.includes('post(')) {
    const post = await get(`/posts/${encodeURIComponent(variables.id)}`);
    const user = await get(`/users/${post.userId}`);
    return JSON.stringify({ data: { post: { title: post.title, user: { name: user.name } } } });
  }
  const posts = await get('/posts');
  if (!query.includes('user')) return JSON.stringify({ data: { posts: posts.map((post) => ({ title: post.title })) } });
  const ids = [...new Set(posts.map((post) => post.userId))];
  const users = new Map((await get(`/users?${ids.map((id) => `id=${id}`).join('&')}`)).map((user) => [user.id, user]));
  return JSON.stringify({
    data: {
      posts: posts.map((post) => {
        const user = users.get(post.userId);
        return {
          id: post.id,
          userId: post.userId,
          title: post.title,
          user: { id: user.id, name: user.name, email: user.email },
        };
      }),
    },
  });
}

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    const payload = await answer(JSON.parse(body));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(payload);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
