// Apollo Server 5 with @apollo/datasource-rest (its per-request dedupe of GETs, no batching).

import { RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { typeDefs } from './schema.mjs';

class Placeholder extends RESTDataSource {
  baseURL = process.env.UPSTREAM_URL;
  posts() {
    return this.get('/posts');
  }
  user(id) {
    return this.get(`/users/${id}`);
  }
}
const resolvers = {
  Query: { posts: (_, __, { api }) => api.posts(), greet: () => 'Hello World!' },
  Post: { user: (post, _, { api }) => api.user(post.userId) },
};
const server = new ApolloServer({ typeDefs, resolvers });
await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
  context: async () => ({ api: new Placeholder() }),
});
