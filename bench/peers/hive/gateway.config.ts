// Hive Gateway serving the composed supergraph (mesh.config.ts); greet is answered by the gateway itself, as in every peer.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  additionalTypeDefs: /* GraphQL */ `
    extend type Query {
      greet: String
    }
  `,
  additionalResolvers: { Query: { greet: () => 'Hello World!' } },
  logging: 'warn',
});
