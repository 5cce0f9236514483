import { notFound } from 'graftql';

/** @type {import('graftql').GatewayConfig} */
export default {
  sources: { api: { url: { env: 'API_URL' } } },
  resolvers: {
    Query: {
      secret: () => {
        throw notFound('The secret');
      },
    },
  },
};
