/**
 * A @chain over real services: Article.authorWeather reads the author from
 * accounts (batched for every article of the request), then the weather in
 * the author's city. The static call estimate, made before any call, is
 * compared with the calls the services record.
 */
import { getOperationAST, parse } from 'graphql';
import { beforeEach, describe, expect, it } from 'vitest';
import exampleConfig from '../../graftql.config.ts';
import { callsOf } from '../../src/mapping/calls.ts';
import { createCostModel } from '../../src/pipeline/cost-model.ts';
import { measureOperation } from '../../src/pipeline/document-analysis.ts';
import { compileConfiguredGraph } from '../../src/server/graph.ts';
import { type Backends, seed } from '../helpers/backends.ts';
import { codes, type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

useGateway({}, (running) => {
  ({ backends, gateway } = running);
});
beforeEach(() => {
  for (const service of [backends.accounts, backends.content, backends.comments, backends.weather])
    service.clearRecords();
});

const graph = compileConfiguredGraph(exampleConfig);
const estimate = (query: string) => {
  const document = parse(query);
  return measureOperation(graph.schema, document, getOperationAST(document)!, {
    costModel: createCostModel((coordinate) => callsOf(graph.plans, coordinate), graph.handWritten),
    defaultListSize: 10,
  }).calls;
};
const recorded = () =>
  [backends.accounts, backends.content, backends.comments, backends.weather].reduce(
    (sum, service) => sum + service.requests.filter((request) => !request.url.startsWith('/oauth')).length,
    0,
  );

describe('@chain: article → its author (accounts) → the weather in their city', () => {
  it('answers the last step, batches the first step across the list, and makes no more calls than estimated', async () => {
    const query = '{ articles(first: 6) { edges { node { title authorWeather { city temperature } } } } }';
    const { body } = await gateway.query(query);
    expect(body.errors).toBeUndefined();
    const articles = seed.articles.slice(0, 6);
    const cities = articles.map((article) => seed.users.find((user) => user.id === article.author_id)?.city);
    const edges = (body.data?.articles as { edges: Array<{ node: { authorWeather: { city: string } } }> }).edges;
    expect(edges.map((edge) => edge.node.authorWeather.city)).toEqual(cities);

    // One articles page, one batched accounts call for all six authors, one weather call per distinct city.
    expect(backends.accounts.requests).toHaveLength(1);
    expect(backends.weather.requests).toHaveLength(new Set(cities).size);
    expect(estimate(query)).toBe(1 + 1 + 6);
    expect(recorded()).toBe(1 + 1 + new Set(cities).size);
    expect(recorded()).toBeLessThanOrEqual(estimate(query));
  });

  it('ends with null, and the step’s error, when a step finds nothing; sibling fields keep their data', async () => {
    // An article whose author and city no other test asked for: nothing of it is cached.
    const cityOf = (authorId: number) => seed.users.find((user) => user.id === authorId)?.city;
    const seen = new Set(
      seed.articles.slice(0, 6).flatMap((article) => [article.author_id, cityOf(article.author_id)]),
    );
    const article = seed.articles.find(
      (candidate) => !seen.has(candidate.author_id) && !seen.has(cityOf(candidate.author_id)),
    );
    backends.weather.inject({
      fault: { kind: 'status', status: 404, body: '{"cod":"404","message":"city not found"}' },
      path: /weather/,
    });
    try {
      const response = await gateway.query(
        `{ article(id: "Article:${article?.id}") { title authorWeather { city } } }`,
      );
      const { body } = response;
      expect(body.data).toEqual({ article: { title: article?.title, authorWeather: null } });
      expect(codes(response)).toEqual(['NOT_FOUND']);
      expect(body.errors?.[0]?.path).toEqual(['article', 'authorWeather']);
      expect(body.errors?.[0]?.extensions).toMatchObject({ source: 'weather', status: 404 });
    } finally {
      backends.weather.clearFaults();
    }
  });
});
