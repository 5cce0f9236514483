// Apollo Client 4 against GraftQL: POST by default, and Relay connections merged by relayStylePagination.
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

export function createApolloClient(url: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: url }),
    cache: new InMemoryCache({
      typePolicies: {
        // One cached list per set of arguments other than first/after/last/before; pages merge into it both ways.
        Query: { fields: { users: relayStylePagination() } },
      },
    }),
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
