// graphql-yoga resolving per field: one upstream call per post's user (N+1).
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { typeDefs } from './schema.mjs';

const base = process.env.UPSTREAM_URL;
const get = async (path) => (await fetch(`${base}${path}`)).json();
const resolvers = {
  Query: { posts: () => get('/posts'), greet: () => 'Hello World!' },
  Post: { user: (post) => get(`/users/${post.userId}`) },
};
createServer(createYoga({ schema: createSchema({ typeDefs, resolvers }), logging: false, graphiql: false })).listen(
  Number(process.env.PORT),
  '127.0.0.1',
);
