/**
 * Per-request DataLoaders for the example graph. Created in the context
 * factory for each GraphQL request and nowhere else: a loader's memo must
 * never outlive the request whose caller it fetched for.
 */
import DataLoader from 'dataloader';
import { badUserInput, notFound } from '../errors.ts';
import type { GraphSources } from '../resolvers/graph-sources.ts';
import { accountsBatch, articleRecord, type ArticleRecord, type UserRecord } from '../resolvers/records.ts';
import { path } from '../sources/url.ts';
import { matchToKeys } from './match-to-keys.ts';

export interface Loaders {
  /** accounts `/users?ids=…`: every user lookup in a request, one call per 100 ids. */
  userById: DataLoader<string, UserRecord>;
  /** content `/articles/{id}`: no batch form, so parallel single calls, deduplicated. */
  articleById: DataLoader<string, ArticleRecord>;
}

/** The accounts batch endpoint accepts at most this many ids. */
const ACCOUNTS_MAX_BATCH = 100;

export function createLoaders(sources: GraphSources): Loaders {
  return {
    userById: new DataLoader(
      async (keys) => {
        // A comma inside a key would smuggle extra ids into the list.
        const valid = keys.filter((key) => key !== '' && !key.includes(','));
        const { users } = valid.length === 0 ? { users: [] } : await sources.accounts.fetch(accountsBatch, { path: path`/users`, query: { ids: valid.join(',') } });
        return matchToKeys(keys, users, (row) => row.id, (key) => (valid.includes(key) ? notFound(`User ${key}`, 'accounts') : badUserInput('A user id may not be empty or contain a comma.')));
      },
      { maxBatchSize: ACCOUNTS_MAX_BATCH },
    ),
    articleById: new DataLoader((keys) => Promise.all(keys.map((key) => settle(() => sources.content.fetch(articleRecord, { path: path`/articles/${key}` })))), {
      maxBatchSize: 50,
    }),
  };
}

/** One key's failure stays that key's: DataLoader takes an Error in its slot. */
async function settle<T>(load: () => Promise<T>): Promise<T | Error> {
  try {
    return await load();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
