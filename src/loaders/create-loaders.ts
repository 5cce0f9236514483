/**
 * Per-request DataLoaders for the example graph. Created in the context
 * factory for each GraphQL request and nowhere else: a loader's memo must
 * never outlive the request whose caller it fetched for. Cross-request reuse
 * is the response cache's job.
 */
import type DataLoader from 'dataloader';
import type { GraphSources } from '../resolvers/graph-sources.ts';
import { accountsBatch, articleRecord, contentBatch, type ArticleRecord, type UserRecord } from '../resolvers/records.ts';
import { path } from '../sources/url.ts';
import { batchLoader, groupLoader, singleLoader } from './batch-loaders.ts';

export interface Loaders {
  /** accounts `/users?ids=1,2,3`: every user lookup of a request, one call per 100 ids. */
  userById: DataLoader<string, UserRecord>;
  /** content `/articles/{id}`: no batch form, so parallel single calls, at most 8 at a time. */
  articleById: DataLoader<string, ArticleRecord>;
  /** content `/articles?author_id=…&per_author=n`: the first n articles of every author asked for, in one call. */
  firstArticlesByAuthor(count: number): DataLoader<string, ArticleRecord[]>;
}

/** Both services take at most this many ids per call. */
const MAX_IDS = 100;

export function createLoaders(sources: GraphSources): Loaders {
  const byCount = new Map<number, DataLoader<string, ArticleRecord[]>>();
  return {
    userById: batchLoader({
      source: sources.accounts,
      path: path`/users`,
      style: { kind: 'commaList', param: 'ids' },
      shape: accountsBatch,
      rowsOf: (answer) => answer.users,
      keyPath: 'id',
      maxBatchSize: MAX_IDS,
      entity: 'User',
    }),
    articleById: singleLoader((id) => sources.content.fetch(articleRecord, { path: path`/articles/${id}` }), { concurrency: 8 }),
    firstArticlesByAuthor(count) {
      let loader = byCount.get(count);
      if (!loader) {
        loader = groupLoader({
          source: sources.content,
          path: path`/articles`,
          style: { kind: 'repeated', param: 'author_id' },
          query: { per_author: count },
          shape: contentBatch,
          rowsOf: (answer) => answer.data,
          keyPath: 'author_id',
          maxBatchSize: MAX_IDS,
        });
        byCount.set(count, loader);
      }
      return loader;
    },
  };
}
