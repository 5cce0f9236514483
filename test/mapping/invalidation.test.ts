/** What an invalidation reaches beyond its own paths, read from the example graph's plans. */
import { describe, expect, it } from 'vitest';
import exampleConfig from '../../graftql.config.ts';
import { relatedPaths } from '../../src/mapping/invalidation.ts';
import { compileConfiguredGraph } from '../../src/server/graph.ts';

const related = relatedPaths(compileConfiguredGraph(exampleConfig, process.cwd()).plans.values());

describe('relatedPaths', () => {
  it("reaches a list's first-page batch form: an article's comments are also in /comments", () => {
    expect(related('comments', '/articles/8/comments')).toEqual(['/comments']);
    expect(related('comments', '/articles/*/comments')).toEqual(['/comments']);
  });

  it('reaches the collection a batch by ids reads: a user is also in /users', () => {
    expect(related('accounts', '/users/7')).toContain('/users');
  });

  it('reaches nothing of another source or an unrelated path', () => {
    expect(related('accounts', '/articles/8/comments')).toEqual([]);
    expect(related('comments', '/users/7')).toEqual([]);
  });
});
