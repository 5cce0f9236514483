import type { QueryResolvers } from '../generated/graphql.ts';
import { path } from '../sources/url.ts';
import { userRecord } from './records.ts';

export const viewerQueries: Pick<QueryResolvers, 'viewer'> = {
  // accounts reads the caller's forwarded Authorization; its answer is cached only in that caller's partition.
  viewer: (_, __, { sources }) => sources.accounts.fetch(userRecord, { path: path`/me` }),
};
