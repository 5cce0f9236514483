// Hive Gateway's graph for the benchmark: the same REST upstream composed by
// Mesh Compose into a supergraph (npx mesh-compose, with UPSTREAM_URL set).
// posts → user is batched by user id (/users?id=1&id=2…), as in every peer.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const user = {
  title: 'User',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
  },
};
const post = {
  title: 'Post',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    userId: { type: 'integer' },
    title: { type: 'string' },
    body: { type: 'string' },
  },
};

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadJSONSchemaSubgraph('placeholder', {
        endpoint: process.env.UPSTREAM_URL ?? 'http://127.0.0.1:3000',
        operations: [
          {
            type: 'Query',
            field: 'posts',
            path: '/posts',
            method: 'GET',
            responseSchema: { type: 'array', items: post },
          },
          {
            type: 'Query',
            field: 'usersByIds',
            path: '/users',
            method: 'GET',
            argTypeMap: { ids: { type: 'array', items: { type: 'integer' } } },
            queryParamArgMap: { id: 'ids' },
            queryStringOptions: { arrayFormat: 'repeat' },
            responseSchema: { type: 'array', items: user },
          },
        ],
      }),
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type Post {
      user: User @resolveTo(sourceName: "placeholder", sourceTypeName: "Query", sourceFieldName: "usersByIds", keyField: "userId", keysArg: "ids", requiredSelectionSet: "{ userId }")
    }
  `,
});
