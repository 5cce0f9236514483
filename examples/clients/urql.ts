// urql with Graphcache against GraftQL: Relay connections merged by relayPagination.

import { type Client, createClient, fetchExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

export function createUrqlClient(url: string): Client {
  return createClient({
    url,
    // urql sends queries as GET: GraftQL's CSRF prevention wants this header on every GET
    // (or set preferGetMethod: false to POST everything).
    fetchOptions: { headers: { 'graphql-require-preflight': '1' } },
    exchanges: [
      cacheExchange({
        keys: { PageInfo: () => null, UserEdge: () => null },
        resolvers: { Query: { users: relayPagination() } },
      }),
      fetchExchange,
    ],
  });
}

export const USERS = gql`
  query Users($first: Int, $after: String, $last: Int, $before: String) {
    users(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;
