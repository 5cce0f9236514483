// A TypeScript config: Node 24 strips its types itself; on Node 20 `graftql` loads it with jiti.
import { defineConfig, notFound } from 'graftql';

export default defineConfig({
  sources: { api: { url: { env: 'API_URL' } } },
  resolvers: {
    Query: {
      secret: () => {
        throw notFound('The secret');
      },
    },
  },
});
