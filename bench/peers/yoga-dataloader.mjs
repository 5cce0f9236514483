// graphql-yoga with a per-request DataLoader on the batch endpoint.
import { createServer } from 'node:http';
import DataLoader from 'dataloader';
import { createSchema, createYoga } from 'graphql-yoga';
import { typeDefs } from './schema.mjs';

const base = process.env.UPSTREAM_URL;
const get = async (path) => (await fetch(`${base}${path}`)).json();
const resolvers = {
  Query: { posts: () => get('/posts'), greet: () => 'Hello World!' },
  Post: { user: (post, _, { users }) => users.load(post.userId) },
};
const context = () => ({
  users: new DataLoader(async (ids) => {
    const found = new Map(
      (await get(`/users?${ids.map((id) => `id=${id}`).join('&')}`)).map((user) => [user.id, user]),
    );
    return ids.map((id) => found.get(id) ?? null);
  }),
});
createServer(
  createYoga({ schema: createSchema({ typeDefs, resolvers }), context, logging: false, graphiql: false }),
).listen(Number(process.env.PORT), '127.0.0.1');
