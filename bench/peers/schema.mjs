// The benchmark schema every peer serves (as in tailcallhq/graphql-benchmarks).
export const typeDefs = /* GraphQL */ `
  type Query { posts: [Post] greet: String! }
  type Post { id: Int! userId: Int! title: String body: String user: User }
  type User { id: Int! name: String username: String email: String phone: String website: String }
`;
